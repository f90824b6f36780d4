"""Request bodies as JSON within bounds (CONTRACT §4.4, second revision), and the blueprint
class whose argument parser reads them.

Python's decoder recurses once per nesting level and converts every integer literal whatever
its length: a body 10,000 levels deep raises RecursionError, and a 5,000-digit integer trips
the interpreter's int-to-str digit limit (ValueError) or, converted, overflows a 64-bit column.
No request of this API nests more than a few levels or carries an integer beyond 64 bits, so
such a body is refused as a whole with 400 before anything reads it."""
from __future__ import annotations

import json
import math
import re
from typing import Any

import flask
import flask_smorest
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request

from banking.platform.http.errors import ApiError

MAX_DEPTH = 32
_INT64 = range(-(2**63), 2**63)
#: a string (skipped whole, so brackets inside text do not count) or a bracket
_STRUCTURE = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


class Unfit(ValueError):
    """Well-formed JSON outside the bounds above; the message says which."""


def nesting_within(text: str, limit: int) -> bool:
    """Whether no array or object in `text` is nested more than `limit` deep."""
    if text.count("[") + text.count("{") <= limit:
        return True  # the common case costs two counts, not a scan
    depth = 0
    for match in _STRUCTURE.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > limit:
                return False
        elif token in "]}":
            depth -= 1
    return True


def _integer(literal: str) -> int:
    # the length first: converting a 5,000-digit literal is itself the problem
    if len(literal) > 20 or (value := int(literal)) not in _INT64:
        raise Unfit("Integers in the body must fit in 64 bits.")
    return value


def _float(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise Unfit("Numbers in the body must be finite.")
    return value


def _constant(literal: str) -> Any:
    raise Unfit(f"{literal} is not JSON.")


def loads(data: bytes) -> Any:
    """The body as JSON; raises UnicodeDecodeError or json.JSONDecodeError for what is not
    JSON, and Unfit for JSON nested too deep or with numbers out of range."""
    text = data.decode("utf-8")
    if not nesting_within(text, MAX_DEPTH):
        raise Unfit(f"The body is nested more than {MAX_DEPTH} levels deep.")
    return json.loads(text, parse_int=_integer, parse_float=_float, parse_constant=_constant)


class Parser(FlaskParser):
    def _raw_load_json(self, req: flask.Request) -> Any:
        if not is_json_request(req):
            return core.missing
        try:
            return loads(req.get_data(cache=True))
        except Unfit as exc:
            raise ApiError(400, "bad_request", str(exc)) from None


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's blueprint, parsing request bodies with the bounded `loads`."""

    ARGUMENTS_PARSER = Parser()
