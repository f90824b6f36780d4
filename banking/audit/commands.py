"""`flask audit verify|export|checkpoint|prune` and `flask auditors add|list|revoke` (CONTRACT §1)."""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, TypeVar

import click
import marshmallow as ma
from flask.cli import with_appcontext
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from banking.audit import auditors as auditor_accounts, jobs as audit_jobs, query as audit_query
from banking.audit.checkpoint_log import CheckpointLogUnavailable
from banking.audit.checkpoints import CheckpointRefused, verify_saved, verify_trail
from banking.audit.export import FORMATS
from banking.audit.query import Filters
from banking.audit.retention import PruneRefused
from banking.audit.schemas import KeptCheckpointSchema
from banking.core.formats import aware
from banking.platform.services import Services, current
from banking.platform.store.tables import audit_events, audit_head

T = TypeVar("T")


class IsoTime(click.ParamType):
    name = "ISO-8601"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> dt.datetime:
        if isinstance(value, dt.datetime):
            return value
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            self.fail(f"{value!r} is not an ISO-8601 time", param, ctx)
        return aware(parsed)  # no offset: UTC


@contextlib.contextmanager
def progress_bar(label: str, total: Callable[[], int]) -> Iterator[Callable[[int], None]]:
    """`advance(n)`: a bar on stderr while it is a terminal (stdout may be the export itself);
    nothing at all in a pipe, a file or CI, and `total` is then never counted."""
    if not sys.stderr.isatty():
        yield lambda n: None
        return
    with Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=total())
        yield lambda n: bar.advance(task, n)


def _counted(events: Iterable[T], advance: Callable[[int], None], every: int = 1000) -> Iterator[T]:
    """The events, telling `advance` every `every` of them (a call per event would cost the
    export more than its own writing)."""
    n = 0
    for event in events:
        yield event
        n += 1
        if n == every:
            advance(n)
            n = 0
    advance(n)


def _events_kept(services: Services) -> int:
    with services.db.read() as conn:
        head = conn.execute(select(audit_head.c.seq, audit_head.c.anchor_seq)).one()
    return int(head.seq - head.anchor_seq)


def _matching(services: Services, filters: Filters) -> int:
    with services.db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(audit_events).where(*filters.clauses())).scalar_one())


def ready() -> Services:
    services = current()
    services.ensure_ready()
    return services


audit = click.Group("audit", help="Verify, export, checkpoint and prune the audit trail.")
auditors = click.Group("auditors", help="Manage auditor accounts and tokens.")


@audit.command("verify")
@click.option("--checkpoint", "checkpoint_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A saved checkpoint (from `audit checkpoint --out`, the API or the checkpoint log) "
                   "that must still be in the chain.")
@with_appcontext
def verify_command(checkpoint_file: Path | None) -> None:
    """Exit 0 with a summary when the chain is intact and agrees with its newest signed
    checkpoint, 1 naming the first bad seq otherwise."""
    services = ready()
    if checkpoint_file is None:
        with progress_bar("verifying", lambda: _events_kept(services)) as advance:
            result = verify_trail(services.db, services.keys, advance)
    else:
        try:
            saved = KeptCheckpointSchema().load(json.loads(checkpoint_file.read_text()), unknown=ma.RAISE)
        except (ValueError, UnicodeDecodeError, ma.ValidationError):
            raise click.ClickException(f"{checkpoint_file} is not a checkpoint (JSON) file") from None
        result = verify_saved(services.db, services.keys, saved)
    if not result.ok:
        click.echo(result.summary(), err=True)
        sys.exit(1)
    click.echo(result.summary())
    if checkpoint_file is not None:
        click.echo(result.reason or f"checkpoint at seq {saved['seq']} is part of the chain, signature valid")


@audit.command("export")
@click.option("--format", "fmt", type=click.Choice(sorted(FORMATS)), default="jsonl", show_default=True)
@click.option("--since", type=IsoTime(), help="events at or after this time")
@click.option("--until", type=IsoTime(), help="events before this time")
@click.option("--user-id", help="only this user's events")
@click.option("--type", "type_", help="an event type, or a prefix ending with '.'")
@with_appcontext
def export_command(fmt: str, since: dt.datetime | None, until: dt.datetime | None,
                   user_id: str | None, type_: str | None) -> None:
    """The audit events on standard output, streamed."""
    services = ready()
    writer = FORMATS[fmt][0]
    filters = Filters(user_id=user_id, type=type_, since=since, until=until)
    with progress_bar("exporting", lambda: _matching(services, filters)) as advance:
        for chunk in writer(_counted(audit_query.stream(services.db, filters), advance)):
            click.echo(chunk, nl=False)


@audit.command("checkpoint")
@click.option("--out", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="also save the checkpoint to this file (keep it off this host)")
@with_appcontext
def checkpoint_command(out: Path | None) -> None:
    """Sign the chain head (seq, hash, time) with the service's Ed25519 key; refused (exit 1)
    for a head below a checkpoint or a trail that does not verify since the newest one."""
    try:
        text = json.dumps(audit_jobs.checkpoint(ready()).as_dict(), indent=2)
    except (CheckpointRefused, CheckpointLogUnavailable) as exc:
        raise click.ClickException(f"nothing signed: {exc}") from None
    if out is not None:
        out.write_text(text + "\n")
    click.echo(text)


@audit.command("prune")
@click.option("--before", type=IsoTime(),
              help="remove events before this time instead of those past the retention period")
@with_appcontext
def prune_command(before: dt.datetime | None) -> None:
    """Remove events past retention; the chain stays verifiable through its anchor."""
    try:
        pruned = audit_jobs.prune(ready(), before, by="cli")
    except PruneRefused as exc:
        raise click.ClickException(f"nothing pruned: {exc}") from None
    click.echo(f"removed {pruned.removed} events before {pruned.before.isoformat()}; "
               f"the chain now starts after seq {pruned.anchor_seq}")


@auditors.command("add")
@click.argument("name")
@with_appcontext
def add_auditor(name: str) -> None:
    """Create an auditor and print its bearer token (shown this once only)."""
    services = ready()
    try:
        with services.db.begin() as conn:
            token = auditor_accounts.add(conn, services.keys, name)
    except IntegrityError:
        raise click.ClickException(f"an auditor named {name!r} already exists") from None
    click.echo(token)


@auditors.command("list")
@with_appcontext
def list_auditors() -> None:
    """Auditors, when they were added and whether they are revoked (never a token)."""
    services = ready()
    with services.db.read() as conn:
        found = auditor_accounts.all_auditors(conn)
    for auditor in found:
        state = f"revoked {auditor.revoked_at:%Y-%m-%d %H:%M}" if auditor.revoked_at else "active"
        click.echo(f"{auditor.name}\tadded {auditor.created_at:%Y-%m-%d %H:%M}\t{state}")


@auditors.command("revoke")
@click.argument("name")
@with_appcontext
def revoke_auditor(name: str) -> None:
    """Revoke an auditor's token; their console sessions end at their next request."""
    services = ready()
    with services.db.begin() as conn:
        revoked = auditor_accounts.revoke(conn, name)
    if not revoked:
        raise click.ClickException(f"no active auditor named {name!r}")
    click.echo(f"revoked {name}")
