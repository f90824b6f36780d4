"""`flask --app app talk`: an interactive speaker that signs each typed line as the demo TV."""
from __future__ import annotations

import json
import secrets
import time

import click
from flask import current_app
from flask.cli import with_appcontext

from banking.auth.signing import signed_headers
from banking.demo.seed import DEMO_DEVICE, DEMO_DEVICE_SECRET


@click.command("talk")
@click.option("--device-id", default=DEMO_DEVICE, show_default=True)
@click.option("--device-secret", default=DEMO_DEVICE_SECRET, show_default=True, envvar="COUCHBANK_DEVICE_SECRET")
@click.option("--locale", type=click.Choice(["ko-KR", "en-US"]), default=None)
@with_appcontext
def talk(device_id: str, device_secret: str, locale: str | None) -> None:
    """Type what you would say to the TV; an empty line or Ctrl-D ends."""
    client = current_app.test_client()
    session_id = None
    click.echo("couchbank speaker: type an utterance (empty line to quit)")
    while True:
        try:
            line = input("> ").strip()
        except EOFError:
            break
        if not line:
            break
        body = json.dumps({"utterance": line, "session_id": session_id, "locale": locale}).encode()
        headers = signed_headers(device_id, device_secret, "POST", "/v1/voice/turn", body,
                                 now=time.time(), nonce=secrets.token_urlsafe(18))
        response = client.post("/v1/voice/turn", data=body, headers=headers)
        reply = response.get_json()
        if response.status_code != 200:
            click.echo(f"[{response.status_code}] {reply['error']['message']}")
            continue
        session_id = reply["session_id"]
        click.echo(f"🔊 {reply['speech']}")
        click.echo(f"📺 {reply['card']['title']}")
        for card_line in reply["card"]["lines"]:
            click.echo(f"   {card_line}")
        click.echo(f"   ({reply['intent']} · {reply['status']}"
                   + (f" · awaiting {reply['awaiting']}" if reply["awaiting"] else "") + ")")
