"""`flask --app app assistants …`: register an assistant's OAuth client, and make the Alexa
interaction model from a user's payees. (`users link-code` and `users unlink` live with
the other `users` commands and call `link_code` and `unlink` here.)"""
from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from banking.assistants.alexa import model
from banking.assistants.oauth import store
from banking.platform.services import current
from banking.platform.store.tables import payees

assistants = AppGroup("assistants", help="Assistant channels: OAuth clients and the Alexa interaction model.")


def _in_transaction(step, *args):  # type: ignore[no-untyped-def]
    services = current()
    services.ensure_ready()
    try:
        with services.db.begin() as conn:
            return step(conn, services, *args)
    except store.LinkError as exc:
        raise click.ClickException(str(exc)) from None


@assistants.command("add")
@click.argument("name")
@click.option("--secret", required=True, help="the client secret the assistant platform authenticates with")
@click.option("--redirect-uri", "redirect_uris", required=True, multiple=True)
def add(name: str, secret: str, redirect_uris: tuple[str, ...]) -> None:
    _in_transaction(store.add_client, name, secret, list(redirect_uris))
    click.echo(f"registered assistant {name}")


@assistants.command("alexa-model")
@click.option("--user", "user_id", default="demo", show_default=True, help="whose payees the PAYEE type lists")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="write here (default: standard output)")
def alexa_model(user_id: str, out: Path | None) -> None:
    """The Alexa interaction model JSON, with the user's payees and the installed banks."""
    def read(conn, services):  # type: ignore[no-untyped-def]
        rows = conn.execute(select(payees.c.name, payees.c.aliases).where(payees.c.user_id == user_id)
                            .order_by(payees.c.id)).all()
        return [(row.name, json.loads(row.aliases)) for row in rows]

    text = json.dumps(model.build(_in_transaction(read)), ensure_ascii=False, indent=2) + "\n"
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        click.echo(f"wrote {out}")


def link_code(user_id: str) -> str:
    return str(_in_transaction(store.issue_link_code, user_id))


def unlink(user_id: str, assistant: str) -> int:
    return int(_in_transaction(store.unlink, user_id, assistant))
