"""`publish`: the one way a notice is made."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection

from banking.core import speech
from banking.core.dialog import Reply
from banking.notices import repository

KINDS = ("transfer.completed", "transfer.failed", "transfer.released", "transfer.cancelled", "auth.lock")


def publish(conn: Connection, *, user_id: str, at: dt.datetime, kind: str, reply: Reply,
            transfer_id: str | None = None) -> None:
    """Tell the user's devices, in the caller's transaction (a notice stands exactly when the
    change it tells of does), in the language of the user's last turn. `reply` is rendered
    like any reply, so it carries an account number only masked and never a code."""
    if kind not in KINDS:
        raise ValueError(f"unknown notice kind {kind!r}")
    locale = repository.user_locale(conn, user_id)
    rendered = speech.render(locale, "auth" if kind == "auth.lock" else "transfer", [reply])
    repository.add(conn, user_id=user_id, at=at, kind=kind, speech=rendered.speech, card=rendered.card,
                   transfer_id=transfer_id)
