"""The sandbox's log lines, with account numbers masked to their last four digits: werkzeug's
access line carries each request's path and query (`/_sandbox/interbank/accounts/
1002-987-654321`, fintech numbers), and a traceback may carry whatever a request held."""
from __future__ import annotations

import logging
import re

from adapters.base import mask_account

#: ten or more digits, single hyphens allowed between them: every bank's account numbers
#: (10 to 14 digits), and never a log line's own date or time
_ACCOUNT_NUMBER = re.compile(r"\d(?:-?\d){9,}")
FORMAT = "%(asctime)s %(name)s %(levelname)s %(message)s"


def mask_numbers(text: str) -> str:
    return _ACCOUNT_NUMBER.sub(lambda m: mask_account(m.group()), text)


class MaskingFormatter(logging.Formatter):
    """Masks the whole rendered line, so the message, its arguments and any traceback are
    all covered, whichever logger wrote it."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_numbers(super().format(record))


def configure(level: int = logging.INFO) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(MaskingFormatter(FORMAT))
    logging.basicConfig(level=level, handlers=[handler], force=True)
