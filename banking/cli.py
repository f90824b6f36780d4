"""Flask CLI commands: `flask --app app seed-demo | nlu | talk | users | audit | auditors`."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from banking.services import current


@click.command("seed-demo")
@with_appcontext
def seed_demo() -> None:
    """Seed the demo household (CONTRACT §2) into an empty database."""
    from banking.seed import seed_demo_if_empty

    if seed_demo_if_empty(current()):
        click.echo("seeded the demo household")
    else:
        click.echo("the database is not empty; nothing seeded")


def init_app(app: Flask) -> None:
    from banking.audit_cli import audit, auditors
    from banking.nlu.cli import nlu
    from banking.talk import talk
    from banking.users_cli import users

    for command in (seed_demo, nlu, talk, users, audit, auditors):
        app.cli.add_command(command)
