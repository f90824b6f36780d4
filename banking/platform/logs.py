"""Structured JSON logs (structlog). The request id lives in contextvars, so every line a
request writes carries it, and audit events record the same id.

Everything goes through the standard library's root logger with one JSON formatter, so the
lines of libraries that log through `logging` (alembic, werkzeug, sqlalchemy) are JSON too
and carry the request id as well."""
from __future__ import annotations

import logging
import os
import sys
from typing import IO

import structlog

#: structlog's own processors and the ones `logging` records go through before rendering
_SHARED: list[structlog.typing.Processor] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def json_formatter() -> logging.Formatter:
    """One JSON object per line, for any handler (tests attach it to a buffer)."""
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_SHARED,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(ensure_ascii=False),
        ],
    )


class _Stderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Marks our handler so that configuring twice (one app per test) replaces, not stacks."""


def configure(level: int | None = None, stream: IO[str] | None = None) -> None:
    """JSON lines on stderr at `level`, by default COUCHBANK_LOG_LEVEL (info)."""
    if level is None:
        name = os.environ.get("COUCHBANK_LOG_LEVEL", "info").upper()
        level = logging.getLevelNamesMapping().get(name, logging.INFO)
    # no line carries the caller's frame or thread (the JSON has none of them): the logging
    # HOWTO's "Optimization" settings, so records do not collect them. The process id stays:
    # gunicorn's own log format names it, and its lines would fail without it
    logging._srcfile = None  # type: ignore[attr-defined]
    logging.logThreads = False
    logging.logMultiprocessing = False
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _Stderr)]:
        root.removeHandler(handler)
    handler = _Stderr(stream or sys.stderr)
    handler.setFormatter(json_formatter())
    root.addHandler(handler)
    root.setLevel(level)
    # libraries speak only from WARNING up, whatever the level: alembic narrates every
    # migration step; werkzeug's request line would repeat our access line with the query
    # string; below INFO, sqlalchemy would log SQL parameters and urllib3 partner URLs, both
    # of which can carry account numbers
    for name in ("alembic", "werkzeug", "sqlalchemy", "urllib3"):
        logging.getLogger(name).setLevel(logging.WARNING)
    structlog.configure(
        # a line below the level is dropped before any processor runs
        processors=[structlog.stdlib.filter_by_level, *_SHARED, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
