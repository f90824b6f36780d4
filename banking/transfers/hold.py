"""The holding rule (CONTRACT §8, Korea's 지연이체): a transfer to a payee registered less than
`new_payee_hours` (72) ago is held `new_payee_hold_minutes` (a fixed delay, 3 hours by
default, as Korean banks hold a transfer rather than waiting out the payee's 72 hours), and
every transfer of a user who turned holding on (`users.hold_minutes`, `flask users set-hold`)
is held that many minutes; when both apply, the longer hold wins. A held transfer has taken
the limits when it was made, and goes out through the scheduler (`banking.transfers.release`)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, select

from banking.core.formats import aware
from banking.platform.services import Services
from banking.platform.store.tables import payees, users


def hold_minutes(now: dt.datetime, registered_at: dt.datetime | None, user_minutes: int, *,
                 new_payee_hours: int, new_payee_minutes: int) -> int:
    """How long a transfer made `now` is held (0: not at all). A payee with no registration
    date was registered before the rule existed (the migration dates them back)."""
    new_payee = registered_at is not None and now - registered_at < dt.timedelta(hours=new_payee_hours)
    return max(user_minutes, new_payee_minutes if new_payee else 0)


def release_at(conn: Connection, services: Services, user_id: str, payee: str,
               now: dt.datetime) -> dt.datetime | None:
    """When a transfer to `payee` made now goes out, or None when it is not held."""
    row = conn.execute(select(users.c.hold_minutes, payees.c.registered_at)
                       .select_from(users.outerjoin(payees, (payees.c.user_id == users.c.id) & (payees.c.name == payee)))
                       .where(users.c.id == user_id)).one()
    settings = services.settings
    minutes = hold_minutes(now, None if row.registered_at is None else aware(row.registered_at),
                           int(row.hold_minutes or 0), new_payee_hours=settings.new_payee_hours,
                           new_payee_minutes=settings.new_payee_hold_minutes)
    return now + dt.timedelta(minutes=minutes) if minutes else None
