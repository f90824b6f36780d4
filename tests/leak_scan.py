"""A pytest plugin that collects every log line, every reply a test device received and every
audit event the suite's services wrote, and fails the run if any of them carries a secret:
the demo PIN or TOTP seed, a device secret, an auditor token, a master key, or a full account
number (CONTRACT §4.1 rule 7, DESIGN §3)."""
from __future__ import annotations

import io
import logging
import re
from typing import Any

import pytest

from banking.platform.logs import json_formatter

#: how a recogniser may write each digit of the demo PIN (CONTRACT, second revision, §4.1 rule 7)
_SPOKEN_DIGITS = {"4": ["4", "사", "넷", "four", "for"], "8": ["8", "팔", "여덟", "여덜", "eight"],
                  "2": ["2", "이", "둘", "two", "to", "too"], "6": ["6", "육", "륙", "여섯", "six"]}


def spoken(digits: str) -> str:
    """Any mix of written and spoken digits, glued or apart (`사팔이육`, `4 팔 2 six`)."""
    return r"[\s,.\-]*".join("(?:" + "|".join(_SPOKEN_DIGITS[d]) + ")" for d in digits)


SECRETS = {
    "demo PIN": r"(?<![0-9A-Za-z])4826(?![0-9A-Za-z])",
    "demo PIN, spoken": rf"(?i)(?<![0-9A-Za-z]){spoken('4826')}(?![0-9A-Za-z])",
    "demo TOTP seed": r"JBSWY3DPEHPK3PXP",
    "demo device secret": r"demo-tv-secret",
    "demo auditor token": r"demo-auditor-token",
    "full account number": r"(?<![0-9])(?:100-?123-?456789|1002-?345-?678901|1002-?987-?654321|100-?555-?000111|1002-?111-?222333)(?![0-9])",
}
_PATTERNS = {name: re.compile(p) for name, p in SECRETS.items()}

_log_buffer = io.StringIO()
_texts: list[tuple[str, str]] = []
_handler = logging.StreamHandler(_log_buffer)


def observe(source: str, text: str) -> None:
    _texts.append((source, text))


def observe_audit(services: Any) -> None:
    from sqlalchemy import select

    from banking.platform.store.tables import audit_events

    try:
        with services.db.read() as conn:
            for row in conn.execute(select(audit_events.c.type, audit_events.c.detail)):
                observe(f"audit {row.type}", row.detail)
    except Exception:  # a test that dropped its database already
        pass


def pytest_sessionstart(session: pytest.Session) -> None:
    _handler.setFormatter(json_formatter())
    _handler.setLevel(logging.DEBUG)
    logging.getLogger().addHandler(_handler)


#: measurements in structured logs (`"duration_ms": 482.6`) are not digits anyone spoke; without
#: this a duration that happens to read 4, 8, 2, 6 is reported as the spoken PIN
_LOGGED_DECIMALS = re.compile(r'(": )-?[0-9]+\.[0-9]+(?=[,}])')


def find_leaks() -> list[str]:
    found = []
    logs = _LOGGED_DECIMALS.sub(r"\g<1>0.0", _log_buffer.getvalue())
    for source, text in [("logs", logs), *_texts]:
        for name, pattern in _PATTERNS.items():
            match = pattern.search(text)
            if match:
                start = max(0, match.start() - 80)
                found.append(f"{name} in {source}: …{text[start:match.end() + 40]}…")
    return found


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    logging.getLogger().removeHandler(_handler)
    leaks = find_leaks()
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(f"leak scan: {len(_log_buffer.getvalue().splitlines())} log lines, "
                            f"{len(_texts)} replies and audit events checked, {len(leaks)} leaks")
        for leak in leaks[:20]:
            reporter.write_line(f"  LEAK {leak}", red=True)
    if leaks:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
