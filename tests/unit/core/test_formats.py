import datetime as dt

from banking.core.formats import KST, aware, last4, mask, utc


def test_an_account_number_shows_only_its_last_four_digits():
    assert last4("100-123-456789") == "6789" and last4("1002345678901") == "8901"
    assert mask("100-123-456789") == "***-***-6789"
    assert mask("6789") == "***-***-6789"  # what the database keeps in clear masks the same


def test_a_naive_time_is_utc_and_an_aware_one_keeps_its_instant():
    naive = dt.datetime(2026, 3, 2, 1, 15)
    assert aware(naive) == naive.replace(tzinfo=dt.UTC) == utc(naive)
    seoul = dt.datetime(2026, 3, 2, 10, 15, tzinfo=KST)
    assert aware(seoul) is seoul
    assert utc(seoul).tzinfo is dt.UTC and utc(seoul) == seoul and utc(seoul).hour == 1
