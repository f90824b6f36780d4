"""The demo household of CONTRACT §2, seeded into an empty database."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from banking.assistants.oauth import store as oauth_store
from banking.audit import auditors
from banking.auth import enrolment
from banking.core import banks
from banking.platform.services import Services
from banking.platform.store.tables import audit_head, users

DEMO_USER = "demo"
DEMO_DEVICE = "demo-tv"
DEMO_DEVICE_SECRET = "demo-tv-secret"
DEMO_PIN = "4826"
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXP"
DEMO_AUDITOR = "demo-auditor"
DEMO_AUDITOR_TOKEN = "demo-auditor-token"
DEMO_ACCOUNTS = (
    ("kbank", "100-123-456789", "K-Bank 입출금통장", True),
    ("woori", "1002-345-678901", "우리 WON 통장", False),
    # a securities CMA (CONTRACT §10): linked only where its partner package is installed
    ("mirae", "5012-3456-78", "미래에셋 CMA-RP", False),
)
DEMO_PAYEES = (
    ("엄마", "woori", "1002-987-654321", ("어머니", "Mom")),
    ("아빠", "kbank", "100-555-000111", ("아버지", "Dad")),
    ("김철수", "woori", "1002-111-222333", ("철수", "Chulsoo")),
)
#: the assistants' OAuth clients (CONTRACT §7.1)
DEMO_ASSISTANTS = (
    ("alexa", "alexa-demo-secret", "https://pitangui.amazon.com/api/skill/link/DEMO"),
    ("nugu", "nugu-demo-secret", "https://nugu.invalid/link/DEMO"),
)
#: the payees' account holders, as their banks have them (CONTRACT §10)
DEMO_HOLDERS = {"엄마": "박미영", "아빠": "김영수", "김철수": "김철수"}


def seed_demo_if_empty(services: Services) -> bool:
    services.ensure_ready()
    with services.db.begin() as conn:
        # processes starting together on an empty PostgreSQL database: one seeds, the
        # others wait here and then find users
        conn.execute(select(audit_head.c.id).where(audit_head.c.id == 1).with_for_update())
        if conn.execute(select(func.count()).select_from(users)).scalar_one():
            return False
        enrolment.create_user(conn, DEMO_USER, "김하나")
        enrolment.set_pin(conn, services.keys, DEMO_USER, DEMO_PIN)
        enrolment.enrol_totp(conn, services.keys, DEMO_USER, DEMO_TOTP_SECRET)
        for bank, number, name, primary in DEMO_ACCOUNTS:
            if bank in banks.installed():
                enrolment.link_account(conn, services.keys, DEMO_USER, bank, number, name, primary=primary)
        # the demo payees are long known (CONTRACT §8): transfers to them are not held
        registered_at = services.clock() - dt.timedelta(days=30)
        for name, bank, number, aliases in DEMO_PAYEES:
            enrolment.add_payee(conn, services.keys, DEMO_USER, name, bank, number, aliases,
                                registered_at=registered_at, holder=DEMO_HOLDERS[name])
        enrolment.register_device(conn, services.keys, DEMO_USER, DEMO_DEVICE, DEMO_DEVICE_SECRET, "거실 TV")
        auditors.add(conn, services.keys, DEMO_AUDITOR, DEMO_AUDITOR_TOKEN)
        for name, secret, redirect_uri in DEMO_ASSISTANTS:
            oauth_store.add_client(conn, services, name, secret, [redirect_uri])
    return True
