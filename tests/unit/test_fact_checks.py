"""Facts checked before they are acted on: future times, order, birth dates, codes."""
from datetime import datetime, timedelta, timezone

import pytest

from engine.domain import codes
from engine.domain.fact_checks import check_facts, normalise_facts
from engine.domain.params import Params

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def iso(moment):
    return moment.isoformat()


def ahead(**delta):
    return iso(NOW + timedelta(**delta))


@pytest.mark.parametrize("values, field_types, bad", [
    ({"apprehended_at": ahead(hours=30)}, None, "apprehended_at"),       # finding 8
    ({"occurred_at": ahead(days=2)}, None, "occurred_at"),
    ({"apprehended_at": ahead(minutes=5)}, None, None),                   # clock skew allowed
    ({"apprehended_at": ahead(minutes=6)}, None, "apprehended_at"),
    ({"apprehended_at": ahead(hours=-3)}, None, None),
    ({"interview": ahead(hours=2)}, {"interview": "datetime"}, "interview"),  # typed datetime
    ({"interview": ahead(hours=2)}, None, None),                           # neither typed nor *_at
    ({"expires_at": ahead(days=50)}, None, None),                         # a term's end looks ahead
    ({"apprehended_at": "yesterday"}, None, "apprehended_at"),            # unparseable
    ({"apprehended_at": ""}, None, None),                                 # empty: nothing to check
])
def test_times_not_in_the_future_and_parseable(values, field_types, bad):
    errors = check_facts(values, now=NOW, field_types=field_types)
    assert set(errors) == ({bad} if bad else set())


def test_future_message_is_a_sentence_with_the_date():
    errors = check_facts({"apprehended_at": "2031-01-01T00:00:00Z"}, now=NOW)
    assert errors["apprehended_at"] == [
        "must not be in the future (2031-01-01 00:00 UTC is after now, 2026-03-02 09:00 UTC)"]


@pytest.mark.parametrize("values, known, bad", [
    ({"started_at": ahead(hours=-2), "ended_at": ahead(hours=-3)}, None, "ended_at"),  # finding 8
    ({"started_at": ahead(hours=-2), "ended_at": ahead(hours=-2)}, None, None),  # same minute
    ({"started_at": ahead(hours=-2), "ended_at": ahead(hours=-2, minutes=-1)}, None, "ended_at"),
    ({"started_at": ahead(hours=-3), "ended_at": ahead(hours=-2)}, None, None),
    ({"hearing_at": ahead(hours=-10)}, {"apprehended_at": ahead(hours=-9)}, "hearing_at"),
    ({"hearing_at": ahead(hours=-9)}, {"apprehended_at": ahead(hours=-9)}, None),
    ({"protocol_at": ahead(hours=-10)}, {"apprehended_at": ahead(hours=-9)}, "protocol_at"),
    ({"petition_at": ahead(hours=-10)}, {"apprehended_at": ahead(hours=-9)}, "petition_at"),
    ({"released_at": ahead(hours=-10)}, {"apprehended_at": ahead(hours=-9)}, "released_at"),
    ({"ordered_at": ahead(hours=-10)}, {"apprehended_at": ahead(hours=-9)}, "ordered_at"),
    ({"ordered_at": ahead(days=-1), "expires_at": ahead(days=-2)}, None, "expires_at"),  # finding 8
    ({"ordered_at": ahead(days=-1), "expires_at": ahead(days=-1)}, None, "expires_at"),
    ({"ordered_at": ahead(days=-1), "extended_until": ahead(days=-2)}, None, "extended_until"),
    # another record's order (an earlier term) is not compared
    ({"extended_until": ahead(days=-2)}, {"ordered_at": ahead(days=-1)}, None),
    ({"ordered_at": ahead(days=-1)}, {"expires_at": ahead(days=-5)}, None),
    ({"defence_access_from": ahead(days=-1), "defence_access_until": ahead(days=-2)}, None,
     "defence_access_until"),
    ({"copy_served_at": ahead(days=-3)}, {"verdict_pronounced_at": ahead(days=-2)},
     "copy_served_at"),
    ({"copy_served_at": ahead(days=-3)}, {"pronounced_at": ahead(days=-2)}, "copy_served_at"),
    ({"learned_of_act_at": ahead(days=-3), "complaint_filed_at": ahead(days=-4)}, None,
     "complaint_filed_at"),
    # a new apprehension after an earlier episode's hearing is not refused
    ({"apprehended_at": ahead(hours=-5)}, {"hearing_at": ahead(hours=-6)}, None),
    # a second interrogation starts after the first one ended
    ({"started_at": ahead(hours=-1), "ended_at": ahead(minutes=-10)},
     {"started_at": ahead(hours=-5), "ended_at": ahead(hours=-4)}, None),
    ({"ended_at": ahead(hours=-3)}, {"started_at": ahead(hours=-2)}, None),
    # both already known: not this entry's fault
    ({"suspect_name": "A"}, {"started_at": ahead(hours=-2), "ended_at": ahead(hours=-3)}, None),
])
def test_times_in_order(values, known, bad):
    errors = check_facts(values, now=NOW, known=known)
    assert set(errors) == ({bad} if bad else set())


def test_order_message_names_both_times():
    errors = check_facts({"started_at": "2026-03-01T10:00:00Z", "ended_at": "2026-03-01T09:00:00Z"},
                         now=NOW)
    assert errors["ended_at"] == [
        "must be at or after the start (2026-03-01 09:00 UTC is before 2026-03-01 10:00 UTC)"]


@pytest.mark.parametrize("born, ok", [
    ("2031-01-01", False),            # finding 8: juvenile safeguards followed from it
    ("2026-03-03", False),            # tomorrow
    ("2016-03-02", True),             # exactly 10 today
    ("2016-03-03", False),            # 9 until tomorrow
    ("1906-03-02", True),             # exactly 120
    ("1905-03-03", True),             # still 120 (121 tomorrow)
    ("1905-03-02", False),            # 121 today
    ("17/05/1990", False),
    ("1990-05-17", True),
])
def test_birth_date_is_plausible(born, ok):
    errors = check_facts({"suspect_birth_date": born}, now=NOW)
    assert ("suspect_birth_date" not in errors) is ok


def test_birth_date_bounds_are_params():
    params = Params(min_age_plausible=14)
    assert "suspect_birth_date" in check_facts({"suspect_birth_date": "2013-01-01"}, now=NOW,
                                               params=params)


@pytest.mark.parametrize("field, value, ok", [
    ("suspect_citizenship", "KZ", True),
    ("suspect_citizenship", "kz", True),
    ("suspect_citizenship", "Kazakhstan", False),     # finding 8
    ("suspect_citizenship", "XX", False),
    ("suspect_language", "kk", True),
    ("suspect_language", "UZ", True),
    ("suspect_language", "kaz", False),
    ("offence_category", "grave", True),
    ("offence_category", "mass_riots", True),
    ("offence_category", "very bad", False),          # finding 8
    ("offence_article", "188", True),
    ("offence_article", "188 part 2", True),
    ("offence_article", "188-1 part 3 para 2", True),
    ("offence_article", "500", True),
    ("offence_article", "501", False),
    ("offence_article", "0", False),
    ("offence_article", "art. 188", True),
    ("offence_article", "CC art 188(2)", True),
    ("offence_article", "article one eight eight", False),
    ("offence_article", "188 part two", False),
    ("offence_article", "188(2)(3)(4)", False),
    ("speaks_language_of_proceedings", "no", True),
    ("speaks_language_of_proceedings", False, True),
    ("speaks_language_of_proceedings", "maybe", False),
])
def test_codes_from_lists(field, value, ok):
    errors = check_facts({field: value}, now=NOW)
    assert (field not in errors) is ok
    if not ok:
        assert repr(value).strip("'") in errors[field][0]


def test_code_lists_are_complete_data():
    assert len(codes.COUNTRY_CODES) == 249 and {"KZ", "RU", "UZ", "CN"} <= codes.COUNTRY_CODES
    assert len(codes.LANGUAGE_CODES) == 184 and {"kk", "ru", "uz", "en"} <= codes.LANGUAGE_CODES


@pytest.mark.parametrize("written, canonical", [
    ("CC art 188(2)", "188 part 2"), ("art. 188-1 (3)(2)", "188-1 part 3 para 2"),
    ("188  Part 2", "188 part 2"), ("188", "188"), ("nonsense", "nonsense"),
])
def test_articles_are_normalised(written, canonical):
    assert normalise_facts({"offence_article": written})["offence_article"] == canonical


def test_normalise_facts():
    values = {"suspect_citizenship": " kz", "suspect_language": "RU", "offence_category": "Grave",
              "offence_article": "188  Part 2", "suspect_name": "Aidos"}
    assert normalise_facts(values) == {"suspect_citizenship": "KZ", "suspect_language": "ru",
                                       "offence_category": "grave",
                                       "offence_article": "188 part 2", "suspect_name": "Aidos"}
    assert values["suspect_citizenship"] == " kz"  # the input is not changed


@pytest.mark.parametrize("written,code", [("Kazakh", "kk"), ("русский", "ru"), ("  UZ ", "uz"), ("Қазақша", "kk"),
                                          ("Mandarin", "zh")])
def test_language_names_people_write_are_read_as_codes(written, code):
    from engine.domain.fact_checks import normalise_facts
    assert normalise_facts({"suspect_language": written, "language": written}) == {"suspect_language": code,
                                                                                  "language": code}


def test_a_refused_approval_gives_its_reasons_where_the_form_asks_for_them():
    types = {"approved": "boolean", "refusal_reasons": "text"}
    assert "refusal_reasons" in check_facts({"approved": False}, now=NOW, field_types=types)
    assert "refusal_reasons" in check_facts({"approved": False, "refusal_reasons": "  "}, now=NOW, field_types=types)
    assert check_facts({"approved": False, "refusal_reasons": "Qualify under part 1"}, now=NOW, field_types=types) == {}
    assert check_facts({"approved": True}, now=NOW, field_types=types) == {}
    assert check_facts({"approved": False}, now=NOW, field_types={"approved": "boolean"}) == {}
