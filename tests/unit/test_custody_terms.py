"""Custody terms computed from the law (CPC arts 151-152): calendar months, tiers, ceilings."""
from datetime import datetime, timedelta, timezone

import pytest

from engine.domain.custody import (add_months, ceiling_months, check_extension, check_first_term,
                                   extension_limit, first_term_limit, next_extension_limit)
from engine.domain.params import Params

P = Params()


def utc(y, m, d, h=0, mi=0):
    return datetime(y, m, d, h, mi, tzinfo=timezone.utc)


@pytest.mark.parametrize("start, months, expected", [
    (utc(2024, 1, 31), 1, utc(2024, 2, 29)),   # leap year: end-of-month clamp
    (utc(2023, 1, 31), 1, utc(2023, 2, 28)),
    (utc(2024, 1, 31), 2, utc(2024, 3, 31)),   # the brief's boundary: 31 Jan + 2 months
    (utc(2024, 3, 31), 1, utc(2024, 4, 30)),
    (utc(2024, 11, 30, 9, 15), 3, utc(2025, 2, 28, 9, 15)),  # the time of day is kept
    (utc(2024, 12, 15), 12, utc(2025, 12, 15)),
    (utc(2024, 8, 31), 18, utc(2026, 2, 28)),
])
def test_add_months_in_calendar_months(start, months, expected):
    assert add_months(start, months) == expected


def test_first_term_is_two_calendar_months_from_the_order():
    assert first_term_limit(utc(2024, 1, 31, 10), P) == utc(2024, 3, 31, 10)
    assert first_term_limit(utc(2024, 1, 31, 10), Params(custody_first_term_months=1)) == \
        utc(2024, 2, 29, 10)


ORDER = utc(2024, 1, 31, 10)


@pytest.mark.parametrize("expires, ok", [
    (utc(2024, 3, 31, 10), True),                        # exactly 2 months
    (utc(2024, 3, 31, 10, 1), False),                    # one minute beyond
    (ORDER + timedelta(days=365), False),                # issue 8 finding 3: a year typed in
    (ORDER, False),                                      # ends at its order
    (ORDER - timedelta(days=1), False),                  # ends before its order
    (ORDER + timedelta(days=1), True),
])
def test_check_first_term(expires, ok):
    errors = check_first_term(ORDER, expires, ORDER, P)
    assert (errors == []) is ok
    assert all("CPC art 151" in e for e in errors)


def test_first_term_errors_say_the_limit_and_missing_values():
    errors = check_first_term(ORDER, ORDER + timedelta(days=365), ORDER, P)
    assert "at most 2 months" in errors[0] and "2024-03-31 10:00 UTC" in errors[0]
    assert len(check_first_term(None, None, ORDER, P)) == 2
    future = check_first_term(ORDER + timedelta(days=3), ORDER + timedelta(days=30), ORDER, P)
    assert any("future" in e for e in future)


@pytest.mark.parametrize("category, months", [
    ("minor", 9), ("medium", 9), (None, 9), ("grave", 12), ("especially_grave", 18),
    ("terrorist", 18), ("extremist", 18), ("mass_riots", 9),
])
def test_ceilings_by_category(category, months):
    assert ceiling_months(category, P) == months
    assert extension_limit(ORDER, category, P) == add_months(ORDER, months)


def test_ceilings_and_tiers_are_params():
    params = Params(custody_extension_tiers_months="4,8", custody_ceiling_grave_months=10)
    assert ceiling_months("medium", params) == 8
    assert ceiling_months("grave", params) == 10
    assert next_extension_limit(ORDER, add_months(ORDER, 2), "medium", params) == \
        add_months(ORDER, 4)


@pytest.mark.parametrize("category, current_months, next_months", [
    ("medium", 2, 3), ("medium", 3, 9), ("medium", 9, None),
    ("grave", 9, 12), ("grave", 12, None),
    ("especially_grave", 9, 12), ("especially_grave", 12, 18), ("especially_grave", 18, None),
])
def test_one_extension_moves_up_one_tier(category, current_months, next_months):
    found = next_extension_limit(ORDER, add_months(ORDER, current_months), category, P)
    assert found == (add_months(ORDER, next_months) if next_months else None)


FIRST_EXPIRY = add_months(ORDER, 2)  # 31 Mar


@pytest.mark.parametrize("petition, until, category, ok", [
    (FIRST_EXPIRY - timedelta(days=5), add_months(ORDER, 3), "medium", True),
    (FIRST_EXPIRY - timedelta(days=5), add_months(ORDER, 3) + timedelta(minutes=1), "medium",
     False),                                                       # beyond the 3-month tier
    (FIRST_EXPIRY, add_months(ORDER, 3), "medium", False),         # petition at expiry: late
    (FIRST_EXPIRY + timedelta(hours=1), add_months(ORDER, 3), "medium", False),
    (FIRST_EXPIRY - timedelta(days=5), FIRST_EXPIRY, "medium", False),  # not after current
    (FIRST_EXPIRY - timedelta(days=5), add_months(ORDER, 9), "grave", False),  # skips a tier
])
def test_check_extension(petition, until, category, ok):
    errors = check_extension(ORDER, FIRST_EXPIRY, petition, until, category, P)
    assert (errors == []) is ok
    assert all("CPC arts 151-152" in e for e in errors)


def test_no_extension_beyond_the_ceiling():
    at_ceiling = add_months(ORDER, 12)
    errors = check_extension(ORDER, at_ceiling, at_ceiling - timedelta(days=5),
                             at_ceiling + timedelta(days=10), "grave", P)
    assert errors and "ceiling" in errors[0] and "12 months" in errors[0]
    especially = check_extension(ORDER, at_ceiling, at_ceiling - timedelta(days=5),
                                 add_months(ORDER, 18), "especially_grave", P)
    assert especially == []
