"""A scenario's events act on the practice case when its virtual clock reaches them: the
ill-treatment scenario's "he says he was beaten" becomes an allegation recorded through the
ordinary service (a referral task for the prosecutor, questioning blocked until a medical
examination made after it), delivered once, at the moment it happened."""
import pytest

from engine.domain import scenarios
from engine.domain.errors import InvalidData
from tests.webapp.api_support import api, fast_password_hashing, tokens  # noqa: F401

pytestmark = pytest.mark.usefixtures("fast_password_hashing")
SCENARIO = "ill_treatment_allegation"


def start(api) -> int:
    started = api.post(f"/training/scenarios/{SCENARIO}/start", "trainee")
    assert started.status_code == 201, started.get_json()
    return started.get_json()["case"]["id"]


def step(api, case_id, **body):
    return api.post(f"/training/cases/{case_id}/steps", "trainee", json={"step": body})


def test_the_allegation_arrives_as_the_clock_reaches_it_and_acts_on_the_case(api):
    case_id = start(api)
    assert step(api, case_id, do="advance", hours=1).get_json()["events"] == []
    assert api.get(f"/training/cases/{case_id}", "trainee").get_json()["case"].get("allegations") == []
    moved = step(api, case_id, do="advance", hours=2).get_json()
    [event] = moved["events"]
    assert event["outcome"] == "done" and event["did"]["allegation"]
    view = api.get(f"/training/cases/{case_id}", "trainee").get_json()
    [allegation] = view["case"]["allegations"]
    # made when the event happened (2 h after the opening), not when the trainee looked (3 h)
    assert allegation["alleged_at"] == event["at"] and allegation["made_by"] == "person"
    assert allegation["referred_at"] is None
    referral = [e for e in view["case"]["escalations"] if e["kind"] == "referral"]
    assert referral and referral[0]["assigned_role"] == "prosecutor"
    assert [e["result"]["outcome"] for e in view["events"] if e.get("act")] == ["done"]
    # delivered once: more time passing records no second allegation
    step(api, case_id, do="advance", hours=5)
    assert len(api.get(f"/training/cases/{case_id}", "trainee").get_json()["case"]["allegations"]) == 1


def test_the_referral_step_refers_the_pending_allegation_as_the_prosecutor(api):
    case_id = start(api)
    assert step(api, case_id, do="refer", referred_to="Internal security").status_code == 422  # none yet
    step(api, case_id, do="advance", hours=2)
    assert step(api, case_id, do="refer", referred_to="Internal security").status_code == 200
    [allegation] = api.get(f"/training/cases/{case_id}", "trainee").get_json()["case"]["allegations"]
    assert allegation["referred_to"] == "Internal security" and allegation["referred_at"]


def test_an_event_act_is_checked_when_the_scenario_is_read():
    assert scenarios.event_problem({"at_hours": 1, "text": "x", "act": {"do": "beat"}})
    assert scenarios.event_problem({"at_hours": -1, "text": "x"})
    assert scenarios.event_problem({"at_hours": 2, "text": "x", "act": {"do": "allege", "data": []}})
    assert scenarios.event_problem({"at_hours": 2, "text": "x", "act": {"do": "complain"}}) is None
    assert scenarios.due_events(({"at_hours": 1, "text": "a", "act": {"do": "allege"}},
                                 {"at_hours": 1, "text": "b"},
                                 {"at_hours": 4, "text": "c", "act": {"do": "allege"}}), 2.0, ()) == \
        [(0, {"at_hours": 1, "text": "a", "act": {"do": "allege"}})]
    with pytest.raises(InvalidData):
        scenarios.parse({"id": "x", "title": "t", "summary": "s", "standards": ["a"], "role": "investigator",
                         "facts": "f", "decisions": ["d"], "rights": {}, "reference_walk": [{"do": "advance", "hours": 1}],
                         "mistake": {"description": "m", "breaks": []},
                         "events": [{"at_hours": 1, "text": "x", "act": {"do": "beat"}}]})
