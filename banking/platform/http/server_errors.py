"""Errors the HTTP server answers before Flask sees the request (a request line or header line
too long, too many headers, bytes that are not HTTP, broken chunking): the error envelope of
CONTRACT §4.4 too, instead of the HTML pages werkzeug's and gunicorn's servers render.

Nothing of the request is echoed: the servers' own messages quote the offending line."""
from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from werkzeug.serving import WSGIRequestHandler

from banking.platform.http.errors import CODES

_MESSAGES = {
    400: "The request is not valid HTTP.",
    403: "The request is forbidden.",
    408: "The request took too long to arrive.",
    413: "The request body is larger than 64 KiB.",
    414: "The request line is too long.",
    417: "The expectation in the request cannot be met.",
    431: "A header line is too long, or there are too many headers.",
}


def response_bytes(status: int, *, with_body: bool = True) -> bytes:
    """A whole HTTP/1.1 response carrying the error envelope; the connection closes after it
    (whatever followed the bad part of the request cannot be trusted to be a next request).
    A request the server refuses is the client's fault: an HTTP version or transfer coding it
    does not speak (505, 501) is answered 400; only 500 itself, a fault of ours, stays."""
    if status > 500:
        status = 400
    code = CODES.get(status, "bad_request" if status < 500 else "internal_error")
    message = _MESSAGES.get(status, "The request cannot be served." if status < 500
                            else "Something went wrong on our side.")
    body = json.dumps({"error": {"code": code, "message": message, "fields": None}}).encode()
    head = (f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\nConnection: close\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n")
    return head.encode("ascii") + (body if with_body else b"")


class RequestHandler(WSGIRequestHandler):
    """werkzeug's handler for `make_server(request_handler=...)`: http.server's `send_error`
    writes an HTML page, and none at all (not even a status line) for a request it took for
    HTTP/0.9."""

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        self.close_connection = True
        self.wfile.write(response_bytes(code, with_body=self.command != "HEAD"))


def install_in_gunicorn() -> None:
    """gunicorn renders the errors of requests it cannot parse through `util.write_error`,
    with no setting to change it: replace that one function, in each worker (post_fork)."""
    from gunicorn import util

    def write_error(sock: Any, status_int: int, reason: str, mesg: str) -> None:
        util.write_nonblock(sock, response_bytes(status_int))

    util.write_error = write_error
