"""`flask --app app seed-demo`: the demo household of CONTRACT §2."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from banking.demo.seed import seed_demo_if_empty
from banking.platform.services import current


@click.command("seed-demo")
@with_appcontext
def seed_demo() -> None:
    """Seed the demo household (CONTRACT §2) into an empty database."""
    if seed_demo_if_empty(current()):
        click.echo("seeded the demo household")
    else:
        click.echo("the database is not empty; nothing seeded")
