"""Verification under concurrency, on SQLite and PostgreSQL: the PIN counter is exact and an
OTP code is accepted once, however many threads race."""
import threading

from sqlalchemy import select

from banking.audit.trail import Actor
from banking.auth import verification
from banking.platform.store.tables import audit_events, users
from tests.support import DEMO_TOTP


def check_pin(services, digits, actor):
    with services.db.begin() as conn:  # each check is a transaction of its own
        return verification.check_pin(conn, services, "demo", digits, actor)


def check_otp(services, code, actor):
    with services.db.begin() as conn:
        return verification.check_otp(conn, services, "demo", code, actor)


def race(n, fn):
    barrier = threading.Barrier(n)
    results = [None] * n

    def run(i):
        barrier.wait()
        results[i] = fn(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_ten_parallel_wrong_pins_count_as_ten_and_lock(services):
    results = race(10, lambda i: check_pin(services, "1357", Actor(user_id="demo")))
    assert results.count("wrong") == 4 and results.count("locked") == 6
    with services.db.read() as conn:
        user = conn.execute(select(users).where(users.c.id == "demo")).one()
        failed = conn.execute(select(audit_events).where(audit_events.c.type == "auth.pin.failed")).all()
        locks = conn.execute(select(audit_events).where(audit_events.c.type == "auth.lock")).all()
    assert user.locked_until is not None and len(failed) == 5 and len(locks) == 1
    assert check_pin(services, "4826", Actor(user_id="demo")) == "locked"


def test_one_otp_code_raced_by_threads_is_accepted_once(services):
    code = DEMO_TOTP.at(services.clock())
    results = race(8, lambda i: check_otp(services, code, Actor(user_id="demo")))
    assert results.count("ok") == 1 and results.count("wrong") == 7


def test_right_pin_resets_the_counter(services):
    for _ in range(4):
        assert check_pin(services, "1357", Actor()) == "wrong"
    assert check_pin(services, "4826", Actor()) == "ok"
    for _ in range(4):
        assert check_pin(services, "1357", Actor()) == "wrong"
    assert check_pin(services, "1357", Actor()) == "locked"


def test_no_digits_reach_the_audit_trail(services):
    check_pin(services, "1357", Actor())
    check_pin(services, "4826", Actor())
    check_otp(services, "123456", Actor())
    with services.db.read() as conn:
        details = " ".join(r.detail for r in conn.execute(select(audit_events)).all())
    assert "1357" not in details and "4826" not in details and "123456" not in details
