"""`flask --app app seed-demo`: the demo household of CONTRACT §2; `flask --app app demo otp`:
its current one-time code, since no authenticator app takes the demo's short seed."""
from __future__ import annotations

import time

import click
from flask.cli import with_appcontext

from banking.auth.otp import _TOTP, STEP_S
from banking.demo.seed import DEMO_TOTP_SECRET, DEMO_USER, seed_demo_if_empty
from banking.platform.services import current


@click.command("seed-demo")
@with_appcontext
def seed_demo() -> None:
    """Seed the demo household (CONTRACT §2) into an empty database."""
    if seed_demo_if_empty(current()):
        click.echo("seeded the demo household")
    else:
        click.echo("the database is not empty; nothing seeded")


demo = click.Group("demo", help="Helpers for the demo household (never in production).")


@demo.command("otp")
@with_appcontext
def demo_otp() -> None:
    """Print the demo user's current one-time code and how long it holds.

    pyotp (and most authenticator apps) refuse the demo seed: it has 80 bits, under their
    112. The code is the demo's public seed's; production has no such helper."""
    if not current().settings.demo_helpers:
        raise click.ClickException("refused: there are no demo helpers in production (COUCHBANK_ENV=production)")
    now = time.time()
    left = STEP_S - int(now) % STEP_S
    # the code alone on stdout, so that `$(flask --app app demo otp)` is the code
    click.echo(_TOTP(DEMO_TOTP_SECRET, interval=STEP_S).at(now))
    click.echo(f"user {DEMO_USER}'s code for {left} more s; each code is accepted once", err=True)
