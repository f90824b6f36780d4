"""`flask --app app talk`: an interactive speaker. Each typed line is signed as a device
(CONTRACT §3) and sent over HTTP to a running service, exactly as a TV would send it; the
service's reply is printed. It is a client only: it opens no database and serves nothing."""
from __future__ import annotations

import getpass
import json
import logging
import os
import secrets
import sys
import time
from typing import Any

import click
import requests

from banking.auth.signing import signed_headers
from banking.demo.seed import DEMO_DEVICE, DEMO_DEVICE_SECRET
from banking.platform.config import DEFAULT_PORT

TURN_PATH = "/v1/voice/turn"
SECRET = {"pin": "PIN", "otp": "OTP code"}
#: a speaker gives up after 8 s (CONTRACT §5); a little more, so the service's own answer wins
TIMEOUT_S = 10.0


class TalkError(click.ClickException):
    """One plain line on stderr, exit 1."""


def service_url() -> str:
    """Where `python app.py` serves by default (its `--port` is exported as COUCHBANK_PORT)."""
    return f"http://127.0.0.1:{os.environ.get('COUCHBANK_PORT', DEFAULT_PORT)}"


def refusal(status: int, reply: Any, url: str, device_id: str) -> str:
    """The one line that explains a refused turn."""
    if status == 401:
        # the service says no more than "signature wrong" (it never tells an unknown device from
        # a wrong secret); the usual cause on a fresh data directory is a missing demo household
        return (f"The service at {url} does not accept device {device_id!r} with this secret: seed the demo "
                "(`.venv/bin/flask --app app seed-demo`) or give --device-id and --device-secret.")
    message = reply.get("error", {}).get("message") if isinstance(reply, dict) else None
    return f"[{status}] {message or 'the service refused the turn'}"


def render(reply: dict[str, Any]) -> list[str]:
    """The reply as the speaker would say and show it."""
    lines = [f"🔊 {reply['speech']}", f"📺 {reply['card']['title']}"]
    lines += [f"   {card_line}" for card_line in reply["card"]["lines"]]
    awaiting = f" · awaiting {reply['awaiting']}" if reply.get("awaiting") else ""
    lines.append(f"   ({reply['intent']} · {reply['status']}{awaiting})")
    return lines


class Speaker:
    """One device's conversation with the service at `url`."""

    def __init__(self, url: str, device_id: str, device_secret: str, locale: str | None) -> None:
        self.url, self.device_id, self.device_secret, self.locale = url.rstrip("/"), device_id, device_secret, locale
        self.session_id: str | None = None
        self.awaiting: str | None = None
        self.http = requests.Session()

    def _unreachable(self) -> TalkError:
        return TalkError(f"Nothing answers at {self.url}: start the service (`.venv/bin/python app.py`) "
                         "or give --url.")

    def check(self) -> None:
        try:
            self.http.get(f"{self.url}/healthz", timeout=TIMEOUT_S)
        except requests.RequestException:
            raise self._unreachable() from None

    def say(self, utterance: str) -> list[str]:
        body = json.dumps({"utterance": utterance, "session_id": self.session_id, "locale": self.locale},
                          ensure_ascii=False).encode()
        headers = signed_headers(self.device_id, self.device_secret, "POST", TURN_PATH, body,
                                 now=time.time(), nonce=secrets.token_urlsafe(18))
        try:
            response = self.http.post(self.url + TURN_PATH, data=body, timeout=TIMEOUT_S,
                                      headers={**headers, "Content-Type": "application/json"})
        except requests.Timeout:
            return [f"No answer from {self.url} within {TIMEOUT_S:g} s; try again."]
        except requests.RequestException:
            raise self._unreachable() from None
        try:
            reply = response.json()
        except ValueError:
            reply = None
        if response.status_code != 200 or not isinstance(reply, dict):
            if response.status_code == 401:
                raise TalkError(refusal(401, reply, self.url, self.device_id))
            return [refusal(response.status_code, reply, self.url, self.device_id)]
        self.session_id = reply["session_id"]
        self.awaiting = reply.get("awaiting") if reply.get("status") == "in_progress" else None
        return render(reply)


def _line_editing() -> None:
    """Arrow keys and history for `input()`. The history stays in memory: the lines typed
    here include PINs and codes, which must never land in a file."""
    try:
        import readline  # noqa: F401  (importing it is what turns editing on)
    except ImportError:  # not on every platform; typing still works without it
        pass


def _read_line(awaiting: str | None) -> str:
    """The next line typed; a PIN or code is typed unseen, as on the console, and stays out
    of the history that the arrow keys walk."""
    if awaiting in SECRET and sys.stdin.isatty():
        return getpass.getpass(f"{SECRET[awaiting]} (hidden)> ")
    return input("> ")


@click.command("talk")
@click.option("--url", envvar="COUCHBANK_URL", default=service_url, show_default="the service `python app.py` runs",
              help="the running service to talk to (env COUCHBANK_URL)")
@click.option("--device-id", envvar="COUCHBANK_DEVICE_ID", default=DEMO_DEVICE, show_default=True,
              help="env COUCHBANK_DEVICE_ID")
@click.option("--device-secret", envvar="COUCHBANK_DEVICE_SECRET", default=DEMO_DEVICE_SECRET,
              show_default=True, help="env COUCHBANK_DEVICE_SECRET")
@click.option("--locale", type=click.Choice(["ko-KR", "en-US"]), default=None)
def talk(url: str, device_id: str, device_secret: str, locale: str | None) -> None:
    """Type what you would say to the TV; an empty line or Ctrl-D ends."""
    # this process only talks: the service writes its own logs, and none of this process's
    # may land between a reply and the prompt
    logging.getLogger().setLevel(logging.CRITICAL)
    speaker = Speaker(url, device_id, device_secret, locale)
    speaker.check()
    _line_editing()
    click.echo(f"couchbank speaker ({device_id} → {speaker.url}): type an utterance (empty line to quit)")
    while True:
        try:
            line = _read_line(speaker.awaiting).strip()
        except (EOFError, KeyboardInterrupt):
            click.echo()
            break
        if not line:
            break
        for reply_line in speaker.say(line):
            click.echo(reply_line)
