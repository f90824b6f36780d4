"""The flask commands of CONTRACT §1 and the enrolment commands."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from banking.platform.security import holder_names
from banking.platform.store.tables import devices, payees, users

ROOT = Path(__file__).resolve().parents[3]


def flask(args, cwd, env=None, input_text=None):
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([sys.executable, "-m", "flask", "--app", str(ROOT / "app.py"), *args], cwd=cwd,
                          env=full_env, input=input_text, capture_output=True, text=True, timeout=60)


def test_nlu_parse_needs_no_database(tmp_path):
    data_dir = tmp_path / "nothing-here"
    result = flask(["nlu", "parse", "엄마한테 5만원 보내줘\nwhat's my balance"], tmp_path,
                   {"COUCHBANK_DATA_DIR": str(data_dir), "DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none"})
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines[0] == {"text": "엄마한테 5만원 보내줘", "intent": "transfer",
                        "slots": {"amount": 50000, "payee": "엄마", "bank": None}}
    assert lines[1]["intent"] == "balance"
    assert not data_dir.exists()  # no database, no key file


def test_seed_demo_and_talk_from_the_environment(tmp_path):
    env = {"COUCHBANK_DATA_DIR": str(tmp_path / "data")}
    env.pop("DATABASE_URL", None)
    os.environ.get("DATABASE_URL") and env.update(DATABASE_URL="")
    seeded = flask(["seed-demo"], tmp_path, env)
    assert seeded.returncode == 0 and "seeded" in seeded.stdout, seeded.stderr
    again = flask(["seed-demo"], tmp_path, env)
    assert "not empty" in again.stdout
    # talk is a client of a running service (tests/e2e/test_talk.py): none runs here, and it says so
    talk = flask(["talk", "--url", "http://127.0.0.1:9"], tmp_path, env, input_text="잔액 알려줘\n")
    assert talk.returncode == 1 and "Nothing answers at http://127.0.0.1:9" in talk.stderr, talk.stderr
    assert (tmp_path / "data" / "couchbank.sqlite3").exists()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def test_users_enrolment_commands(runner, services):
    ok = lambda result: result.exit_code == 0 or pytest.fail(result.output)  # noqa: E731
    ok(runner.invoke(args=["users", "create", "kim", "--name", "김민수"]))
    weak = runner.invoke(args=["users", "set-pin", "kim", "--pin", "1234"], input="1234\n1234\n")
    assert weak.exit_code != 0 and "1234" not in weak.output and "refused" in weak.output
    assert runner.invoke(args=["users", "set-pin", "kim"], input="0000\n0000\n").exit_code != 0
    ok(runner.invoke(args=["users", "set-pin", "kim"], input="7391\n7391\n"))
    ok(runner.invoke(args=["users", "link-account", "kim", "--bank", "kbank", "--number", "100-999-111222",
                           "--name", "급여통장", "--primary"]))
    no_holder = runner.invoke(args=["users", "add-payee", "kim", "--name", "누나", "--bank", "woori",
                                    "--number", "1002-222-333444"])
    assert no_holder.exit_code != 0 and "--holder" in no_holder.output  # the recipient check needs it
    ok(runner.invoke(args=["users", "add-payee", "kim", "--name", "누나", "--bank", "woori",
                           "--number", "1002-222-333444", "--holder", "김민지", "--alias", "Sis"]))
    added = runner.invoke(args=["users", "add-device", "kim", "kim-speaker"])
    ok(added)
    totp = runner.invoke(args=["users", "enrol-totp", "kim"])
    ok(totp)
    assert "otpauth://totp/" in totp.output
    with services.db.read() as conn:
        user = conn.execute(select(users).where(users.c.id == "kim")).one()
        device = conn.execute(select(devices).where(devices.c.id == "kim-speaker")).one()
        payee = conn.execute(select(payees).where(payees.c.user_id == "kim")).one()
    secret = added.output.rsplit(" ", 1)[-1].strip()
    # secrets at rest: hashed or encrypted, never in the clear
    assert "7391" not in (user.pin_hash or "") and secret.encode() not in device.secret_enc
    assert totp.output.split("secret=")[1].split("&")[0].encode() not in user.totp_secret_enc
    assert json.loads(payee.aliases) == ["Sis"]
    assert "김민지".encode() not in payee.holder_enc  # personal data, sealed like the number
    assert holder_names.unseal(services.keys, "kim", "누나", payee.holder_enc) == "김민지"
    ok(runner.invoke(args=["users", "revoke-device", "kim-speaker"]))
    assert runner.invoke(args=["users", "revoke-device", "kim-speaker"]).exit_code != 0
    assert runner.invoke(args=["users", "create", "kim", "--name", "x"]).exit_code != 0
