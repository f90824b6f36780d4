"""The audit export as an HTTP download, the same from the auditor API and the console."""
from __future__ import annotations

from typing import Any, Mapping

from flask import Response, stream_with_context

from banking.audit.actions import Desk
from banking.audit.export import FORMATS
from banking.audit.query import Filters


def download(desk: Desk, query: Mapping[str, Any]) -> Response:
    """The events `query` (as `ExportQuerySchema` loads it) asks for, streamed as an attachment
    that no cache keeps; the export is recorded before its first byte."""
    fmt = query["format"]
    _, media_type, extension = FORMATS[fmt]
    body = desk.export(Filters.of(query), fmt)
    return Response(stream_with_context(body), content_type=media_type, headers={
        "Content-Disposition": f'attachment; filename="audit-events.{extension}"',
        "Cache-Control": "no-store"})
