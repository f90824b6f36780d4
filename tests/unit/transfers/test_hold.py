"""The holding rule (CONTRACT §8), as a pure function."""
import datetime as dt

from hypothesis import given, strategies as st

from banking.transfers.hold import hold_minutes

NOW = dt.datetime(2026, 3, 2, 6, 0, tzinfo=dt.UTC)
RULE = {"new_payee_hours": 72, "new_payee_minutes": 180}


def test_a_payee_under_72_hours_is_held_the_fixed_delay():
    assert hold_minutes(NOW, NOW - dt.timedelta(hours=71, minutes=59), 0, **RULE) == 180
    assert hold_minutes(NOW, NOW - dt.timedelta(hours=72), 0, **RULE) == 0
    assert hold_minutes(NOW, None, 0, **RULE) == 0  # registered before the rule existed


def test_a_user_who_turned_holding_on_and_the_longer_hold_wins():
    assert hold_minutes(NOW, NOW - dt.timedelta(days=30), 45, **RULE) == 45
    assert hold_minutes(NOW, NOW, 45, **RULE) == 180
    assert hold_minutes(NOW, NOW, 600, **RULE) == 600


@given(age_h=st.floats(min_value=0, max_value=24 * 365), user=st.integers(min_value=0, max_value=10080))
def test_never_shorter_than_either_rule(age_h, user):
    minutes = hold_minutes(NOW, NOW - dt.timedelta(hours=age_h), user, **RULE)
    assert minutes >= user and (minutes >= 180 if age_h < 72 else minutes == user)
