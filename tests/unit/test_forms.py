"""Form validation at the edge: types, required fields, unknown keys, JSON-safe output."""
import json
from datetime import date, datetime, timedelta, timezone

import pytest
from marshmallow import Schema

from engine.domain.catalogue import CATALOGUE, evaluate
from engine.domain.errors import InvalidData
from engine.domain.facts import CaseFacts
from engine.domain.forms import FormField
from engine.domain.params import Params
from engine.domain.rights import EvidenceRecord, Status
from engine.services.forms import build_schema, clean


def one(kind, required=True, choices=()):
    return [FormField("value", kind, required=required, choices=tuple(choices))]


@pytest.mark.parametrize("kind, given, expected", [
    ("string", "  Ivanov ", "Ivanov"),
    ("text", "line one\nline two", "line one\nline two"),
    ("integer", 12, 12),
    ("integer", "12", 12),
    ("integer", "-3", -3),
    ("boolean", True, True),
    ("boolean", False, False),
    ("boolean", "true", True),
    ("boolean", "false", False),
    ("boolean", 0, False),
    ("date", "2024-02-03", "2024-02-03"),
    ("date", date(2024, 2, 3), "2024-02-03"),
    ("datetime", "2024-03-01T14:00:00+06:00", "2024-03-01T08:00:00+00:00"),
    ("datetime", "2024-03-01T08:00:00Z", "2024-03-01T08:00:00+00:00"),
    ("datetime", "2024-03-01T08:00:00", "2024-03-01T08:00:00+00:00"),  # naive: taken as UTC
    ("datetime", datetime(2024, 3, 1, 8, 0), "2024-03-01T08:00:00+00:00"),
    ("datetime", datetime(2024, 3, 1, 9, 0, tzinfo=timezone(timedelta(hours=1))),
     "2024-03-01T08:00:00+00:00"),
])
def test_clean_converts_each_type_to_json_safe_values(kind, given, expected):
    cleaned = clean(one(kind), {"value": given})
    assert cleaned == {"value": expected}
    assert type(cleaned["value"]) is type(expected)
    json.dumps(cleaned)


def test_choice_accepts_a_listed_choice_only():
    fields = one("choice", choices=("jury", "bench"))
    assert clean(fields, {"value": "jury"}) == {"value": "jury"}
    with pytest.raises(InvalidData) as caught:
        clean(fields, {"value": "tribunal"})
    assert list(caught.value.fields) == ["value"]
    assert "jury" in caught.value.fields["value"][0]


@pytest.mark.parametrize("kind, given", [
    ("integer", "12.5"),
    ("integer", 1.5),
    ("integer", True),
    ("integer", "twelve"),
    ("boolean", "maybe"),
    ("date", "2024-02-30"),
    ("date", "tomorrow"),
    ("datetime", "yesterday"),
    ("datetime", "2024-13-01T00:00:00"),
    ("string", 5),
    ("text", ["a", "b"]),
])
def test_clean_rejects_values_of_the_wrong_type(kind, given):
    with pytest.raises(InvalidData) as caught:
        clean(one(kind), {"value": given})
    error = caught.value
    assert set(error.fields) == {"value"}
    assert all(isinstance(m, str) and m for m in error.fields["value"])
    assert error.to_dict()["fields"] == error.fields
    assert error.to_dict()["error"] == "invalid_data"


@pytest.mark.parametrize("data", [{}, {"value": None}, {"value": ""}, {"value": "   "}])
def test_required_field_must_be_given(data):
    with pytest.raises(InvalidData) as caught:
        clean(one("string"), data)
    assert caught.value.fields == {"value": ["Missing data for required field."]}


@pytest.mark.parametrize("data", [{}, {"value": None}, {"value": ""}])
def test_optional_field_may_be_left_out(data):
    assert clean(one("datetime", required=False), data) == {}


def test_required_boolean_false_is_a_value():
    assert clean(one("boolean"), {"value": False}) == {"value": False}


def test_unknown_keys_are_rejected():
    with pytest.raises(InvalidData) as caught:
        clean(one("string"), {"value": "x", "valeu": "typo"})
    assert caught.value.fields == {"valeu": ["Unknown field."]}


def test_every_problem_is_reported_at_once():
    fields = [FormField("name"), FormField("count", "integer"),
              FormField("when", "datetime", required=False)]
    with pytest.raises(InvalidData) as caught:
        clean(fields, {"count": "many", "when": "soon", "extra": 1})
    assert set(caught.value.fields) == {"name", "count", "when", "extra"}
    assert "count" in caught.value.message


@pytest.mark.parametrize("data", [None, [], "value=1", 42])
def test_data_must_be_an_object(data):
    with pytest.raises(InvalidData) as caught:
        clean(one("string"), data)
    assert "_schema" in caught.value.fields


def test_build_schema_returns_a_schema_instance_keyed_by_field_name():
    schema = build_schema([FormField("load", "integer"), FormField("fields"),
                           FormField("validate", "boolean", required=False)])
    assert isinstance(schema, Schema)
    assert schema.load({"load": 3, "fields": "x"}) == {"load": 3, "fields": "x"}
    assert clean([FormField("load", "integer")], {"load": "4"}) == {"load": 4}


def test_build_schema_refuses_a_field_declared_twice():
    with pytest.raises(ValueError):
        build_schema([FormField("a"), FormField("a", "integer")])


def test_clean_accepts_a_generator_of_fields():
    assert clean((f for f in one("integer")), {"value": "7"}) == {"value": 7}


# --------------------------------------------------------------------------------------------
# Every checkpoint's evidence form: a complete record cleans, and the rule accepts it
# --------------------------------------------------------------------------------------------

T0 = datetime(2024, 3, 1, 8, 0, tzinfo=timezone.utc)


def h(hours: float) -> str:
    """A submitted time, in local time (UTC+5) as a browser might send it."""
    return (T0 + timedelta(hours=hours)).astimezone(timezone(timedelta(hours=5))).isoformat()


FACTS = CaseFacts(detained=True, apprehended_at=T0, birth_date=date(1990, 1, 1),
                  citizenship="RU", needs_interpreter=True, suspect_language="ru", registered_at=T0,
                  complaint_filed_at=T0, complaint_ruled_at=T0 + timedelta(days=2), verdict_pronounced_at=T0, jury_eligible=True,
                  ombudsperson_complaint=True)

SUBMISSIONS = {
    "detention_judicial_review": {"protocol_at": h(1), "petition_at": h(20), "hearing_at": h(40),
                                  "judge": "A. Judge", "order_number": "ORD-1",
                                  "outcome": "custody"},
    "rights_information": {"letter_version": "2024-1", "language": "ru", "informed_at": h(1),
                           "signed": "true"},
    "counsel_before_interrogation": {"lawyer_name": "D. Lawyer", "bar_number": "B-77",
                                     "requested_at": h(1), "consulted_at": h(2),
                                     "present_at_interrogation": True},
    "silence_caution": {"caution_given": True, "cautioned_at": h(3),
                        "recording_reference": "REC-1"},
    "interpreter": {"language": "ru", "interpreter_name": "I. I.", "qualification": "sworn",
                    "translated_documents": "protocol", "assessed_at": h(1)},
    "family_consular_notice": {"family_member": "mother", "method": "phone",
                               "family_notified_at": h(2), "consulate_notified_at": h(23)},
    "medical_examination": {"doctor": "Dr M", "examined_at": h(2), "findings": "none"},
    "juvenile_safeguards": {"age_checked": True, "representative_name": "parent",
                            "representative_notified_at": h(1), "lawyer_name": "D. Lawyer",
                            "specialist_present": True, "recording_reference": "REC-2"},
    "suspect_status_approval": {"decision_number": "D-5", "approved": True,
                                "approved_by": "Prosecutor P", "approved_at": h(5)},
    "custody_term_review": {"order_number": "C-1", "ordered_at": h(40), "expires_at": h(24 * 60),
                            "reasons": "risk of flight", "alternatives_considered": "bail"},
    "reasonable_time": {"extended_until": h(24 * 90), "approved_by": "Supervisor S",
                        "grounds": "expert report", "extended_at": h(24 * 50)},
    "complaint_review": {"complaint_registered_at": h(24), "routed_to": "Judge J"},
    "file_access_disclosure": {"completion_notice_at": h(24), "file_index": "vol 1",
                               "defence_access_from": h(25), "defence_access_until": h(100)},
    "jury_right": {"explained_at": h(30), "accused_choice": "jury"},
    "appeal_notice": {"pronounced_at": h(0), "copy_served_at": h(48), "language": "ru",
                      "rights_explained": True},
    "ombudsperson_access": {"forwarded_at": h(3), "forwarded_unopened": True},
}


def test_every_checkpoint_has_a_sample_submission():
    assert set(SUBMISSIONS) == set(CATALOGUE)


@pytest.mark.parametrize("cid", list(SUBMISSIONS))
def test_cleaned_evidence_satisfies_the_rule(cid):
    checkpoint = CATALOGUE[cid]
    cleaned = clean(checkpoint.evidence, SUBMISSIONS[cid])
    json.dumps(cleaned)
    occurred = datetime.fromisoformat(cleaned[checkpoint.occurred_field])
    assert occurred.utcoffset() == timedelta(0)
    record = EvidenceRecord(cid, cleaned, occurred_at=occurred, recorded_at=T0, actor="someone")
    facts = FACTS if cid != "juvenile_safeguards" else CaseFacts(age_in_doubt=True)
    result = evaluate(checkpoint, facts, record, T0 + timedelta(days=5), Params())
    assert result.status is Status.PASSED, result.reasons


@pytest.mark.parametrize("cid", list(SUBMISSIONS))
def test_an_empty_evidence_form_names_every_required_field(cid):
    checkpoint = CATALOGUE[cid]
    with pytest.raises(InvalidData) as caught:
        clean(checkpoint.evidence, {"not_a_field": 1})
    required = {f.name for f in checkpoint.evidence if f.required}
    assert set(caught.value.fields) == required | {"not_a_field"}
