"""`flask --app app users ...`: enrolment, which is never done by voice."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from banking.assistants import commands as assistants
from banking.audit.trail import Actor
from banking.auth import enrolment
from banking.core import banks
from banking.platform.services import current


def _run(step, *args, **kwargs):  # type: ignore[no-untyped-def]
    services = current()
    services.ensure_ready()
    try:
        with services.db.begin() as conn:
            return step(conn, *args, **kwargs)
    except enrolment.EnrolmentError as exc:
        raise click.ClickException(str(exc)) from None


class InstalledBank(click.Choice[str]):
    """An installed partner's code, read when the command runs: the catalogue is installed
    as the app is made, after this module is imported."""

    def __init__(self) -> None:  # no fixed choices to store
        self.case_sensitive = True

    @property  # type: ignore[override]
    def choices(self) -> tuple[str, ...]:
        return banks.installed().codes


users = AppGroup("users", help="Enrol users, PINs, accounts, payees, devices, TOTP and holding.")


@users.command("create")
@click.argument("user_id")
@click.option("--name", "display_name", required=True)
@click.option("--locale", default="ko-KR", type=click.Choice(["ko-KR", "en-US"]))
@click.option("--daily-limit", type=int, default=2_000_000)
@click.option("--per-transfer-limit", type=int, default=1_000_000)
@click.option("--otp-threshold", type=int, default=300_000)
def create(user_id: str, display_name: str, locale: str, daily_limit: int, per_transfer_limit: int,
           otp_threshold: int) -> None:
    _run(enrolment.create_user, user_id, display_name, locale=locale, daily_limit=daily_limit,
         per_transfer_limit=per_transfer_limit, otp_threshold=otp_threshold)
    click.echo(f"created user {user_id}")


@users.command("set-pin")
@click.argument("user_id")
@click.option("--pin", prompt=True, hide_input=True, confirmation_prompt=True)
def set_pin(user_id: str, pin: str) -> None:
    _run(enrolment.set_pin, current().keys, user_id, pin)
    click.echo(f"PIN set for {user_id}")


@users.command("link-account")
@click.argument("user_id")
@click.option("--bank", required=True, type=InstalledBank())
@click.option("--number", required=True)
@click.option("--name", required=True)
@click.option("--primary", is_flag=True)
def link_account(user_id: str, bank: str, number: str, name: str, primary: bool) -> None:
    _run(enrolment.link_account, current().keys, user_id, bank, number, name, primary=primary)
    click.echo(f"linked {bank} account ending {number[-4:]} to {user_id}")


@users.command("add-payee")
@click.argument("user_id")
@click.option("--name", required=True)
@click.option("--bank", required=True, type=InstalledBank())
@click.option("--number", required=True)
@click.option("--holder", required=True, help="the account holder's name, as the payee's bank has it")
@click.option("--alias", "aliases", multiple=True)
def add_payee(user_id: str, name: str, bank: str, number: str, holder: str, aliases: tuple[str, ...]) -> None:
    _run(enrolment.add_payee, current().keys, user_id, name, bank, number, aliases, holder=holder)
    click.echo(f"registered payee {name} for {user_id}")


@users.command("add-device")
@click.argument("user_id")
@click.argument("device_id")
@click.option("--name", default="")
def add_device(user_id: str, device_id: str, name: str) -> None:
    secret = _run(enrolment.register_device, current().keys, user_id, device_id, None, name)
    click.echo(f"device {device_id} registered; its secret (shown once): {secret}")


@users.command("revoke-device")
@click.argument("device_id")
def revoke_device(device_id: str) -> None:
    if not _run(enrolment.revoke_device, device_id):
        raise click.ClickException(f"no active device {device_id}")
    click.echo(f"revoked {device_id}")


@users.command("enrol-totp")
@click.argument("user_id")
def enrol_totp(user_id: str) -> None:
    uri = _run(enrolment.enrol_totp, current().keys, user_id)
    click.echo("add this to an authenticator app (shown once):")
    click.echo(uri)


@users.command("set-hold")
@click.argument("user_id")
@click.option("--minutes", required=True, type=int, help="hold every transfer this long; 0 turns holding off")
def set_hold(user_id: str, minutes: int) -> None:
    _run(enrolment.set_hold, user_id, minutes)
    click.echo(f"transfers of {user_id} are held {minutes} minutes" if minutes else f"holding off for {user_id}")


@users.command("link-code")
@click.argument("user_id")
def link_code(user_id: str) -> None:
    """A one-time code (10 minutes) the user types on an assistant's linking page (CONTRACT §7.1)."""
    code = assistants.link_code(user_id)
    click.echo(f"link code for {user_id} (shown once, valid 10 minutes, single use):")
    click.echo(code)


@users.command("unlink")
@click.argument("user_id")
@click.option("--assistant", required=True, help="the assistant's client name (`flask assistants add`)")
def unlink(user_id: str, assistant: str) -> None:
    """Revoke the assistant's tokens for the user; its conversations end at their next request."""
    revoked = assistants.unlink(user_id, assistant)
    click.echo(f"unlinked {assistant} from {user_id} ({revoked} token(s) revoked)")


@users.command("unlock")
@click.argument("user_id")
def unlock(user_id: str) -> None:
    services = current()

    def step(conn):  # type: ignore[no-untyped-def]
        enrolment.unlock(conn, user_id)
        services.audit.append(conn, "auth.lock.released", {"by": "operator"}, Actor(user_id=user_id))

    _run(step)
    click.echo(f"unlocked {user_id}")
