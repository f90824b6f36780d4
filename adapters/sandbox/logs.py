"""The sandboxes' log lines: one JSON object per line, in the service's format (structlog:
`event`, `level`, `logger`, `timestamp`, `request_id`), with account numbers masked to their
last four digits.

Every sandbox (any dialect, a partner package's too) gets this by being built through
`adapters.sandbox.app.create_app`, which calls `init_app`; `python -m adapters.sandbox` calls
`configure` for its process. A request that carries `X-Request-Id` (couchbank's adapters send
the id of the service request that made the call, `adapters.http`) logs under that id, so one
id follows a turn from the service's lines into the bank's.

Masking: werkzeug's access line carried each request's path and query (`/_sandbox/interbank/
accounts/1002-987-654321`, fintech numbers), and a traceback may carry whatever a request held;
the whole rendered line is masked, whichever logger wrote it."""
from __future__ import annotations

import logging
import re
import sys
import time
import uuid

import structlog
from flask import Flask, Response, current_app, g, request

from adapters.base import mask_account

#: ten or more digits, single hyphens allowed between them: every bank's account numbers
#: (10 to 14 digits), and never a log line's own date or time; not inside a longer word such
#: as a hexadecimal request id (`18155815ab6c42e4897767878fe20084`)
_ACCOUNT_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d(?:-?\d){9,}(?![0-9A-Za-z])")
#: an account number's 8-digit part in a query string (Mirae's `CANO`), which the rule above
#: cannot tell from a date
_ACCOUNT_PART = re.compile(r"(?<=CANO=)\d+")
_REQUEST_ID = re.compile(r"[A-Za-z0-9-]{8,64}")
REQUEST_ID_HEADER = "X-Request-Id"
_SHARED: list[structlog.typing.Processor] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]
access_log = structlog.get_logger("sandbox.access")


def mask_numbers(text: str) -> str:
    return _ACCOUNT_PART.sub("****", _ACCOUNT_NUMBER.sub(lambda m: mask_account(m.group()), text))


class MaskingFormatter(structlog.stdlib.ProcessorFormatter):
    """The JSON line, masked whole: the message, its values and any traceback."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_numbers(super().format(record))


def json_formatter() -> logging.Formatter:
    return MaskingFormatter(
        foreign_pre_chain=_SHARED,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(ensure_ascii=False),
        ],
    )


def configure(level: int = logging.INFO) -> None:
    """A sandbox process's logging: JSON lines on stderr; libraries from WARNING up (werkzeug's
    own access line gives way to `init_app`'s, which carries the request id)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(json_formatter())
    logging.basicConfig(level=level, handlers=[handler], force=True)
    for name in ("werkzeug", "urllib3"):
        logging.getLogger(name).setLevel(logging.WARNING)
    structlog.configure(
        processors=[structlog.stdlib.filter_by_level, *_SHARED, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def _bind_request_id() -> None:
    g.sandbox_started = time.perf_counter()
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    request_id = incoming if _REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
    # tokens, not a clear: a sandbox served in the service's own process (tests) must not
    # take the service's context away
    g.sandbox_log_tokens = structlog.contextvars.bind_contextvars(request_id=request_id)


def _access(response: Response) -> Response:
    elapsed = time.perf_counter() - g.get("sandbox_started", time.perf_counter())
    # masked here as well: in a test the line goes through the service's formatter
    access_log.info("access", bank=current_app.name.removeprefix("sandbox-"), method=request.method,
                    path=mask_numbers(request.path), status=response.status_code,
                    duration_ms=round(elapsed * 1000, 1))
    return response


def _unbind(_error: BaseException | None = None) -> None:
    tokens = g.pop("sandbox_log_tokens", None)
    if tokens:
        structlog.contextvars.reset_contextvars(**tokens)


def request_id_headers() -> dict[str, str]:
    """The header that carries the current request's id on to another sandbox (a payee look-up
    made while a transfer request is served)."""
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    return {REQUEST_ID_HEADER: request_id} if request_id else {}


def init_app(app: Flask) -> None:
    """One JSON access line per request, under the caller's request id."""
    app.before_request(_bind_request_id)
    app.after_request(_access)
    app.teardown_request(_unbind)
