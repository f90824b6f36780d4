"""Every command in the README works as written, after the README's two setup commands (which
made this `.venv`): the commands are read out of the README itself, and each one is run here
(those with placeholders such as `P` or `USER` with values filled in), on a temporary data
directory. A README command this file has no run for fails the test, so a new one cannot be
added untried."""
from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from adapters.probe import wait_until_up
from tests.e2e.test_processes import free_ports

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (ROOT / ".venv" / "bin" / "flask").exists(), reason="needs the README's .venv"),
]
FLASK = ".venv/bin/flask --app app"
#: run elsewhere, not here: why
NOT_RUN_HERE = {
    "python3 -m venv .venv && .venv/bin/pip install -r requirements.txt && .venv/bin/python app.py":
        "the setup that made this .venv; its last step is `.venv/bin/python app.py`, run below",
    "python3 -m venv .venv && .venv/bin/pip install -r requirements-dev.txt && .venv/bin/python -m pytest":
        "the setup that made this .venv and the suite this test is part of",
    ".venv/bin/python -m bench": "minutes of both cores; tests/test_bench.py runs the benchmarks at a tiny size",
    ".venv/bin/python -m bench --quick": "minutes of both cores; tests/test_bench.py runs them at a tiny size",
    ".venv/bin/python -m bench --quick --only turn,nlu": "minutes of both cores; tests/test_bench.py",
    ".venv/bin/python -m bench --only saturation": "minutes of both cores; tests/test_bench.py",
}


def readme_commands() -> list[str]:
    """The README's commands: the lines of its `sh` blocks and every inline code span that
    calls one of the venv's programs with arguments; a table's `a\\|b` alternatives each become a command, and
    `[optional]` parts are left out."""
    text = README.read_text(encoding="utf-8")
    found = [line.strip() for block in re.findall(r"```sh\n(.*?)```", text, re.S) for line in block.splitlines()
             if line.strip()]
    prose = re.sub(r"```.*?```", "", text, flags=re.S)
    # a program's bare name (`.venv/bin/flask`) or a family (`flask --app app …`) is prose
    found += [span for span in re.findall(r"`([^`\n]+)`", prose)
              if span.startswith(".venv/bin/") and " " in span and "…" not in span]
    commands: list[str] = []
    for command in found:
        command = re.sub(r"\s*\[[^\]]*\]", "", command.replace("\\|", "|")).strip()
        words = command.split(" ")
        choice = next((i for i, word in enumerate(words) if "|" in word and word != "|"), None)
        alternatives = [command] if choice is None else [
            " ".join([*words[:choice], option, *words[choice + 1:]]) for option in words[choice].split("|")]
        commands += [c for c in alternatives if c not in commands]
    return commands


@dataclass
class Env:
    root: Path
    data: Path
    vars: dict[str, str]

    def run(self, command: str, stdin: str | None = None, timeout: float = 120,
            **more: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(command, shell=True, cwd=self.root, env={**self.vars, **more}, input=stdin, text=True,
                              capture_output=True, timeout=timeout)


def ok(done: subprocess.CompletedProcess[str], *expected: str) -> None:
    assert done.returncode == 0, (done.args, done.stdout[-2000:], done.stderr[-2000:])
    for text in expected:
        assert text in done.stdout + done.stderr, (done.args, text, done.stdout[-2000:], done.stderr[-2000:])


def start(env: Env, command: str, health_url: str) -> subprocess.Popen[bytes]:
    log = open(env.data / f"{command.split()[1].replace('/', '_')}-{len(os.listdir(env.data))}.log", "wb")
    # no shell between: Ctrl-C goes to the command itself, as at a terminal
    process = subprocess.Popen(shlex.split(command), cwd=env.root, env=env.vars, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    wait_until_up(health_url, timeout_s=90, process=process)
    return process


def stop(process: subprocess.Popen[bytes]) -> int:
    os.killpg(process.pid, signal.SIGINT)  # Ctrl-C, as the README's user would stop it
    return process.wait(30)


def _service(env: Env, command: str) -> None:
    port = free_ports(4)
    process = start(env, f"{command} --port {port} --data-dir {env.data / 'service'}",
                    f"http://127.0.0.1:{port}/healthz")
    try:
        base = f"http://127.0.0.1:{port}"
        landing = requests.get(base + "/", timeout=10)
        assert landing.status_code == 200 and "/audit/" in landing.text and "/docs" in landing.text
        # the README's talk, against the service the README's command started (on this port)
        ok(env.run(f"{FLASK} talk", stdin="잔액 알려줘\n4826\n", timeout=60, COUCHBANK_PORT=str(port)),
           "balance · completed")
    finally:
        assert stop(process) == 0


def _sandbox(env: Env, command: str) -> None:
    port = free_ports(1)
    process = start(env, command.replace(" P ", f" {port} ").replace(" D", f" {env.data / 'one-sandbox'}"),
                    f"http://127.0.0.1:{port}/_sandbox/healthz")
    assert stop(process) == 0


def cases(env: Env) -> dict[str, Callable[[], None]]:
    """The run of each README command, in an order where each finds what it needs."""
    f = FLASK
    user = "readme-user"
    return {
        ".venv/bin/python app.py": lambda: _service(env, ".venv/bin/python app.py"),
        ".venv/bin/python -m adapters.sandbox kbank --port P --data-dir D":
            lambda: _sandbox(env, ".venv/bin/python -m adapters.sandbox kbank --port P --data-dir D"),
        ".venv/bin/python -m adapters.sandbox woori --port P --data-dir D":
            lambda: _sandbox(env, ".venv/bin/python -m adapters.sandbox woori --port P --data-dir D"),
        ".venv/bin/python -m adapters.sandbox mirae --port P --data-dir D":
            lambda: _sandbox(env, ".venv/bin/python -m adapters.sandbox mirae --port P --data-dir D"),
        f"{f} seed-demo": lambda: ok(env.run(f"{f} seed-demo"), "seeded"),
        f"{f} assistants add": lambda: ok(env.run(
            f"{f} assistants add readme-assistant --secret readme-assistant-secret "
            "--redirect-uri https://assistant.invalid/link")),
        f"{f} assistants alexa-model": lambda: ok(env.run(f"{f} assistants alexa-model"), "PAYEE"),
        f"{f} demo otp": lambda: ok(env.run(f"{f} demo otp")),
        f"{f} nlu parse": lambda: ok(env.run(f"{f} nlu parse '엄마한테 5만원 보내줘'"), '"intent": "transfer"'),
        f"{f} talk": lambda: None,  # run against the running service in `.venv/bin/python app.py`'s case
        f"{f} users create": lambda: ok(env.run(f"{f} users create {user} --name 이하늘")),
        f"{f} users set-pin": lambda: ok(env.run(f"{f} users set-pin {user}", stdin="7391\n7391\n")),
        f"{f} users link-account": lambda: ok(env.run(
            f"{f} users link-account {user} --bank kbank --number 100-777-123456 --name 급여 --primary")),
        f"{f} users add-payee": lambda: ok(env.run(
            f"{f} users add-payee {user} --name 누나 --bank woori --number 1002-222-333444 --holder 이누리")),
        f"{f} users add-device": lambda: ok(env.run(f"{f} users add-device {user} readme-speaker")),
        f"{f} users revoke-device": lambda: ok(env.run(f"{f} users revoke-device readme-speaker")),
        f"{f} users enrol-totp": lambda: ok(env.run(f"{f} users enrol-totp {user}")),
        f"{f} users set-hold": lambda: ok(env.run(f"{f} users set-hold {user} --minutes 0")),
        f"{f} users link-code": lambda: ok(env.run(f"{f} users link-code {user}")),
        f"{f} users unlink": lambda: ok(env.run(f"{f} users unlink {user} --assistant alexa")),
        f"{f} users unlock": lambda: ok(env.run(f"{f} users unlock {user}")),
        f"{f} audit verify": lambda: ok(env.run(f"{f} audit verify")),
        f"{f} audit export": lambda: ok(env.run(f"{f} audit export"), '"type"'),
        f"{f} audit checkpoint": lambda: ok(env.run(f"{f} audit checkpoint"), '"signature"'),
        f"{f} audit prune": lambda: ok(env.run(f"{f} audit prune")),
        f"{f} auditors add": lambda: ok(env.run(f"{f} auditors add readme-auditor")),
        f"{f} auditors list": lambda: ok(env.run(f"{f} auditors list"), "readme-auditor"),
        f"{f} auditors revoke": lambda: ok(env.run(f"{f} auditors revoke readme-auditor"), "revoked"),
        ".venv/bin/python -m bench.nlu_eval": lambda: ok(env.run(".venv/bin/python -m bench.nlu_eval", timeout=300)),
    }


def test_the_readme_names_its_commands() -> None:
    commands = readme_commands()
    assert ".venv/bin/flask --app app talk" in commands and ".venv/bin/flask --app app audit prune" in commands
    assert not [c for c in commands if c.startswith(("flask ", "python "))]  # every one through the venv


def test_every_readme_command_works_as_written(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    variables = {k: v for k, v in os.environ.items() if not k.startswith("COUCHBANK_") and k != "DATABASE_URL"}
    env = Env(ROOT, data, {**variables, "COUCHBANK_DATA_DIR": str(data / "service")})
    runs = cases(env)
    commands = [c for c in readme_commands() if c not in NOT_RUN_HERE]
    untried = [c for c in commands if c not in runs]
    assert not untried, f"README commands with no run in {__file__}: {untried}"
    # the service first (it seeds the demo household the other commands find), then the README's order
    for command in sorted(commands, key=lambda c: c != ".venv/bin/python app.py"):
        runs[command]()
