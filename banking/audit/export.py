"""Export formats: each turns a stream of events into a stream of text, one line (or CSV
record) at a time, so nothing is held beyond the event being written."""
from __future__ import annotations

import csv
import io
import json
from typing import Any, Callable, Iterable, Iterator

COLUMNS = ("seq", "at", "type", "user_id", "device_id", "session_id", "request_id", "detail",
           "prev_hash", "hash")


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def jsonl(events: Iterable[dict[str, Any]]) -> Iterator[str]:
    for event in events:
        yield _json(event) + "\n"


#: a spreadsheet runs a cell that begins with one of these as a formula (OWASP CSV injection)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _inert(value: Any) -> Any:
    # a client chooses some cells (its request id, a device id): a leading `'` keeps them text
    return "'" + value if isinstance(value, str) and value.startswith(_FORMULA_STARTS) else value


def csv_records(events: Iterable[dict[str, Any]]) -> Iterator[str]:
    """RFC 4180 records (CRLF); `detail` as its JSON text and an empty cell for null; a cell
    that a spreadsheet would run as a formula starts with `'`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def record(values: Iterable[Any]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(values)
        return buffer.getvalue()

    yield record(COLUMNS)
    for event in events:
        yield record(_inert(_json(event[c]) if c == "detail" else event[c]) for c in COLUMNS)


FORMATS: dict[str, tuple[Callable[[Iterable[dict[str, Any]]], Iterator[str]], str, str]] = {
    # name: (writer, media type, file extension)
    "jsonl": (jsonl, "application/x-ndjson; charset=utf-8", "jsonl"),
    "csv": (csv_records, "text/csv; charset=utf-8", "csv"),
}
