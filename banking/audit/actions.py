"""What an auditor can do, for the API and the console alike. Each action is itself recorded
as an `auditor.*` event naming the auditor and what was asked; none imports Flask. The
operators' CLI (`banking.audit.commands`) acts for no auditor and does not come through here."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterator

from banking.audit import (
    auditors,
    checkpoints as audit_checkpoints,
    export as audit_export,
    jobs as audit_jobs,
    overview as audit_overview,
    query as audit_query,
)
from banking.audit.query import Cursor, Filters, Page
from banking.audit.verify import VerifyResult

if TYPE_CHECKING:
    from banking.platform.services import Services


class Desk:
    """One auditor's actions in one request."""

    def __init__(self, services: "Services", auditor: str, request_id: str | None = None) -> None:
        self.services, self.auditor, self.request_id = services, auditor, request_id

    def _record(self, conn: Any, action: str, asked: dict[str, Any]) -> None:
        auditors.record(conn, self.services.audit, self.auditor, action, asked, self.request_id)

    def note(self, action: str, asked: dict[str, Any] | None = None) -> None:
        with self.services.db.begin() as conn:
            self._record(conn, action, asked or {})

    def events(self, filters: Filters, limit: int, cursor: Cursor | None = None) -> Page:
        with self.services.db.begin() as conn:
            found = audit_query.page(conn, filters, limit, cursor)
            self._record(conn, "read", {"filters": filters.asked(), "limit": limit,
                                        "after_seq": cursor.after if cursor else None,
                                        "returned": len(found.events)})
        return found

    def event(self, seq: int) -> dict[str, Any] | None:
        with self.services.db.begin() as conn:
            found = audit_query.one(conn, seq)
            self._record(conn, "read", {"seq": seq, "found": found is not None})
        return found

    def verify(self) -> VerifyResult:
        result = audit_checkpoints.verify_trail(self.services.db, self.services.keys)
        self.note("verify", result.as_dict())
        return result

    def verify_saved(self, checkpoint: dict[str, Any]) -> VerifyResult:
        """Against a checkpoint the auditor kept off-host (already shaped by the schema)."""
        result = audit_checkpoints.verify_saved(self.services.db, self.services.keys, checkpoint)
        self.note("verify", {**result.as_dict(), "checkpoint_seq": checkpoint["seq"]})
        return result

    def export(self, filters: Filters, fmt: str) -> Iterator[str]:
        """The export's text, recorded before the first byte is sent."""
        self.note("export", {"filters": filters.asked(), "format": fmt})
        writer = audit_export.FORMATS[fmt][0]
        return writer(audit_query.stream(self.services.db, filters))

    def checkpoint(self) -> audit_checkpoints.Checkpoint:
        """Raises `audit_checkpoints.CheckpointRefused` (recorded too) or
        `CheckpointLogUnavailable`."""
        try:
            written = audit_jobs.checkpoint(self.services)
        except audit_checkpoints.CheckpointRefused as exc:
            self.note("checkpoint", {"refused": str(exc)})
            raise
        self.note("checkpoint", {"seq": written.seq, "hash": written.hash})
        return written

    def overview(self, days: int) -> audit_overview.Overview:
        """The overview page's figures (`banking.audit.overview`), one snapshot of the trail."""
        with self.services.db.begin() as conn:
            found = audit_overview.gather(conn, self.services.keys, self.services.clock(), days)
            self._record(conn, "read", {"overview": True, "days": len(found.days)})
        return found

    def checkpoints(self, limit: int, before_seq: int | None = None) -> audit_checkpoints.Listed:
        with self.services.db.begin() as conn:
            found = audit_checkpoints.recent(conn, limit, before_seq)
            self._record(conn, "read", {"checkpoints": True, "limit": limit, "before_seq": before_seq,
                                        "returned": len(found.checkpoints)})
        return found
