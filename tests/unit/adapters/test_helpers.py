import pytest
from hypothesis import given, strategies as st

from adapters.base import digits_only, group_digits, mask_account
from adapters.http import retry_after_seconds


@pytest.mark.parametrize("number, masked", [("100-123-456789", "***-***-6789"), ("1002345678901", "***-***-8901")])
def test_masking_keeps_the_last_four_digits_only(number, masked):
    assert mask_account(number) == masked


@given(st.text(alphabet="0123456789", min_size=12, max_size=12))
def test_grouping_round_trips(digits):
    written = group_digits(digits, (3, 3, 6))
    assert written.count("-") == 2 and digits_only(written) == digits


def test_grouping_leaves_odd_numbers_alone():
    assert group_digits("12345", (3, 3, 6)) == "12345"


@pytest.mark.parametrize("value, seconds", [("3", 3.0), ("0.5", 0.5), (None, 1.0), ("Wed, 21 Oct 2015", 1.0),
                                            ("-1", 1.0), ("inf", 1.0)])
def test_retry_after(value, seconds):
    assert retry_after_seconds(value) == seconds
