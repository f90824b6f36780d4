"""A streamed request body (chunked, no Content-Length) held to the same 64 KiB limit as any other.

werkzeug stops reading a streamed body at MAX_CONTENT_LENGTH and reports it complete, so the
signature check saw a cut body and answered 401 where 413 is due. Here, before Flask sees the
request, such a body is read up to one byte past the limit: within it, the request goes on as
if it had come with a Content-Length; past it, or unreadable (broken chunking), the
`refuse_unfit` hook answers 413 or 400 before any route runs, with the request's id like any
other error."""
from __future__ import annotations

import io
from typing import Any, Callable, Iterable

from flask import request

from banking.platform.http.errors import ApiError

_OUTCOME = "couchbank.streamed_body"


class StreamedBody:
    """WSGI middleware around the Flask app."""

    def __init__(self, app: Callable[..., Iterable[bytes]], limit: int) -> None:
        self.app = app
        self.limit = limit

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        # a server that sets wsgi.input_terminated ends the stream itself (PEP 3333 amendment):
        # with no length, reading to the end is the only way to know the size
        if environ.get("wsgi.input_terminated") and not environ.get("CONTENT_LENGTH"):
            _buffer(environ, self.limit)
        return self.app(environ, start_response)


def _buffer(environ: dict[str, Any], limit: int) -> None:
    stream = environ["wsgi.input"]
    body = bytearray()
    try:
        while len(body) <= limit and (chunk := stream.read(limit + 1 - len(body))):
            body += chunk
    except Exception:  # noqa: BLE001 - bad chunk sizes, a dropped connection: the body cannot be had
        environ[_OUTCOME] = "unreadable"
        return
    if len(body) > limit:
        environ[_OUTCOME] = "too_large"
        return
    # now a body like any other: werkzeug ignores a Content-Length next to Transfer-Encoding
    environ["wsgi.input"] = io.BytesIO(bytes(body))
    environ["CONTENT_LENGTH"] = str(len(body))
    del environ["wsgi.input_terminated"]
    environ.pop("HTTP_TRANSFER_ENCODING", None)


def refuse_unfit() -> None:
    """before_request: the verdict of `_buffer`, before any route's checks."""
    outcome = request.environ.get(_OUTCOME)
    if outcome == "too_large":
        raise ApiError(413, "payload_too_large", "The request body is larger than 64 KiB.")
    if outcome == "unreadable":
        raise ApiError(400, "bad_request", "The request body could not be read.")
