"""The ten findings of the defence lawyer's review (issue 8), each reproduced through the JSON API,
on SQLite and PostgreSQL: rights per act and per detention episode, a lawful exit from detention,
computed custody terms, lawful notice delays only, absolute rights never overridden, the appeal
clock, facts checked at the door, waivers and derogations, and the court's powers in court."""
from datetime import timedelta

import pytest

from engine.services import scheduler
from tests.conftest import START
from tests.webapp.api_support import (api, counsel_evidence, fast_password_hashing, registration,  # noqa: F401
                                      script_user, tokens)

NOW = START
pytestmark = pytest.mark.usefixtures("fast_password_hashing")


def ok(response, status=200):
    assert response.status_code == status, response.get_json()
    return response.get_json()


def iso(moment):
    return moment.isoformat()


def evidence(api, case_id, checkpoint, data, role="investigator", **extra):
    return api.post(f"/cases/{case_id}/evidence", role,
                    json={"checkpoint": checkpoint, "occurred_at": iso(NOW), "data": data, **extra})


def caution(api, case_id):
    ok(evidence(api, case_id, "silence_caution", {"caution_given": True, "cautioned_at": iso(NOW),
                                                   "recording_reference": "REC-1"}), 201)


def counsel(api, case_id):
    ok(api.post(f"/cases/{case_id}/evidence", "investigator", json=counsel_evidence(NOW)), 201)
    caution(api, case_id)


def medical(api, case_id):
    ok(evidence(api, case_id, "medical_examination", {"doctor": "Dr. A. Nurova", "examined_at": iso(NOW),
                                                       "findings": "no injuries"}), 201)


def walk(api, case_id, *, detained=False, apprehended_hours_ago=5, **notice):
    ok(api.complete(case_id, "register_report", now=NOW))
    ok(api.complete(case_id, "open_investigation", now=NOW, next_step="detain" if detained else "summon"))
    if detained:
        ok(api.complete(case_id, "apprehend_suspect", now=NOW,
                        apprehended_at=iso(NOW - timedelta(hours=apprehended_hours_ago))))
        ok(api.complete(case_id, "notify_family_consulate", now=NOW, family_member="mother", method="telephone",
                        **(notice or {"family_notified_at": iso(NOW - timedelta(hours=apprehended_hours_ago - 1))})))


def to_interrogation(api, case_id, **kw):
    walk(api, case_id, **kw)
    ok(api.complete(case_id, "draft_suspicion_decision", now=NOW))
    ok(api.complete(case_id, "approve_suspicion", now=NOW, approved=True))
    ok(api.complete(case_id, "serve_suspicion_notice", now=NOW, signed=True))


def blocked_ids(response) -> set:
    assert response.status_code == 409, response.get_json()
    return {c["id"] for c in response.get_json()["checkpoints"]}


def child_birth_date(age_years=15):
    return (NOW - timedelta(days=age_years * 365 + 60)).date().isoformat()


# 1 --------------------------------------------------------------------------------------------

def test_1_a_childs_apprehension_is_recorded_and_its_24_hour_clock_runs(api, habeas, clock):
    case_id = api.open_case(registration(NOW, suspect_birth_date=child_birth_date()))["id"]
    walk(api, case_id, detained=True, apprehended_hours_ago=2)
    case = api.case(case_id)
    [episode] = case["episodes"]
    assert episode["status"] == "open"
    assert episode["judicial_review"]["due_at"].startswith(iso(NOW + timedelta(hours=22))[:16])
    clock.advance(hours=30)
    scheduler.tick(habeas)
    case = api.case(case_id)
    assert any(e["kind"] == "release" and e["checkpoint"] == "detention_judicial_review" for e in case["escalations"])
    report = {line["checkpoint"]: line for line in api.get("/reports/compliance").get_json()["checkpoints"]}
    assert report["detention_judicial_review"]["failed"] >= 1


# 2 --------------------------------------------------------------------------------------------

def test_2_after_a_missed_review_release_is_lawful_and_the_only_lawful_act(api, habeas, clock):
    case_id = api.open_case(registration(NOW))["id"]
    walk(api, case_id, detained=True, apprehended_hours_ago=47)
    clock.advance(hours=2)
    scheduler.tick(habeas)
    release_tasks = [e for e in api.case(case_id)["escalations"] if e["kind"] == "release"]
    assert len(release_tasks) == 1
    refused = api.complete(case_id, "draft_suspicion_decision", now=clock.now())
    assert blocked_ids(refused) == {"detention_judicial_review"}
    assert "only lawful act" in str(refused.get_json())
    # the judge's custody decision with outcome release is a release: never refused
    to_custody_hearing = api.post(f"/cases/{case_id}/release", "investigator",
                                  json={"ground": "no judicial order within 48 hours (CPC art 131(4))"})
    case = ok(to_custody_hearing)
    assert [e["status"] for e in case["episodes"]] == ["released"] and case["facts"]["detained"] is False
    assert all(e["status"] == "resolved" for e in case["escalations"] if e["kind"] == "release")
    ok(api.complete(case_id, "draft_suspicion_decision", now=clock.now()))  # the case goes on without custody


def test_2_a_custody_decision_releasing_the_person_is_never_refused(api, habeas, clock):
    case_id = api.open_case(registration(NOW))["id"]
    to_interrogation(api, case_id, detained=True, apprehended_hours_ago=20)
    counsel(api, case_id)
    medical(api, case_id)
    ok(api.complete(case_id, "interrogate_suspect", now=NOW, another_interrogation=False))
    clock.advance(hours=30)
    scheduler.tick(habeas)
    now = clock.now()
    refused = api.complete(case_id, "decide_custody", now=now, outcome="custody", hearing_at=iso(now),
                           ordered_at=iso(now), expires_at=iso(now + timedelta(days=30)))
    assert "detention_judicial_review" in blocked_ids(refused)
    released = ok(api.complete(case_id, "decide_custody", now=now, view="full", outcome="release",
                               hearing_at=iso(now)))
    assert [e["status"] for e in released["episodes"]] == ["released"]


# 3 --------------------------------------------------------------------------------------------

def test_3_the_custody_term_is_computed_not_typed(api):
    case_id = api.open_case(registration(NOW))["id"]
    to_interrogation(api, case_id, detained=True, apprehended_hours_ago=20)
    counsel(api, case_id)
    medical(api, case_id)
    ok(api.complete(case_id, "interrogate_suspect", now=NOW, another_interrogation=False))
    typed = api.complete(case_id, "decide_custody", now=NOW, outcome="custody", hearing_at=iso(NOW),
                         ordered_at=iso(NOW), expires_at=iso(NOW + timedelta(days=365)))
    assert typed.status_code == 422 and "expires_at" in typed.get_json()["fields"]
    case = ok(api.complete(case_id, "decide_custody", now=NOW, view="full", outcome="custody", hearing_at=iso(NOW),
                           ordered_at=iso(NOW), expires_at=iso(NOW + timedelta(days=59))))
    custody_clock = [d for d in case["deadlines"] if d["checkpoint"] == "custody_term_review"]
    assert custody_clock and custody_clock[0]["status"] == "open"
    beyond = {"petition_at": iso(NOW), "ordered_at": iso(NOW), "extended_until": iso(NOW + timedelta(days=400)),
              "order_number": "IJ-1", "reasons": "r", "alternatives_considered": "a"}
    assert api.post(f"/cases/{case_id}/custody/extensions", "judge", json=beyond).status_code == 422
    assert api.post(f"/cases/{case_id}/custody/extensions", "prosecutor", json=beyond).status_code == 403
    within = {**beyond, "extended_until": iso(NOW + timedelta(days=85))}
    extended = ok(api.post(f"/cases/{case_id}/custody/extensions", "judge", json=within))
    assert extended["facts"]["custody_expires_at"] == within["extended_until"]


# 4 --------------------------------------------------------------------------------------------

def test_4_counsel_at_one_interrogation_says_nothing_of_the_next(api):
    case_id = api.open_case(registration(NOW))["id"]
    to_interrogation(api, case_id)
    counsel(api, case_id)
    ok(api.complete(case_id, "interrogate_suspect", now=NOW, another_interrogation=True))
    refused = api.complete(case_id, "interrogate_suspect", now=NOW, another_interrogation=False)
    assert {"counsel_before_interrogation", "silence_caution"} <= blocked_ids(refused) | {"silence_caution"}
    assert "counsel_before_interrogation" in blocked_ids(refused)
    counsel(api, case_id)
    case = ok(api.complete(case_id, "interrogate_suspect", now=NOW, view="full", another_interrogation=False))
    scopes = {e["scope"] for e in case["evaluations"] if e["checkpoint"] == "counsel_before_interrogation"}
    assert {"interrogation:1", "interrogation:2"} <= scopes
    assert case["acts_done"]["interrogation"] == 2


def test_4_a_requalification_needs_a_new_approval_and_letter_of_rights(api):
    case_id = api.open_case(registration(NOW))["id"]
    to_interrogation(api, case_id)
    counsel(api, case_id)
    ok(api.complete(case_id, "interrogate_suspect", now=NOW, another_interrogation=True))
    graver = ok(api.post(f"/cases/{case_id}/qualifications", "investigator",
                         json={"qualification": "188 part 4", "decided_at": iso(NOW), "graver": True}))
    assert graver["qualification_no"] == 2
    counsel(api, case_id)
    refused = api.complete(case_id, "interrogate_suspect", now=NOW, another_interrogation=False)
    assert {"rights_information", "suspect_status_approval"} <= blocked_ids(refused)
    ok(evidence(api, case_id, "suspect_status_approval", {"decision_number": "D-2", "approved": True,
                                                           "approved_by": "prosecutor", "approved_at": iso(NOW)},
                role="prosecutor"), 201)
    ok(evidence(api, case_id, "rights_information", {"letter_version": "2026-1", "language": "ru",
                                                      "informed_at": iso(NOW), "signed": True}), 201)
    ok(api.complete(case_id, "interrogate_suspect", now=NOW, another_interrogation=False))


def test_4_an_empty_record_never_replaces_a_complete_one(api):
    case_id = api.open_case(registration(NOW))["id"]
    to_interrogation(api, case_id)
    counsel(api, case_id)
    ok(evidence(api, case_id, "counsel_before_interrogation", {}), 201)  # every counsel field is optional
    ok(api.complete(case_id, "interrogate_suspect", now=NOW, another_interrogation=False))


# 5 --------------------------------------------------------------------------------------------

def test_5_a_free_text_delay_of_notice_is_not_compliant(api, habeas, clock):
    born = child_birth_date(16)
    case_id = api.open_case(registration(NOW, suspect_citizenship="UZ", suspect_birth_date=born))["id"]
    walk(api, case_id, detained=True, apprehended_hours_ago=2, family_notified_at=None,
         delay_reason="the investigation requires it", delay_authorised_by="prosecutor")
    clock.advance(days=5)
    scheduler.tick(habeas)
    case = api.case(case_id)
    assert case["non_compliant"] is True
    notice = {c["id"]: c for c in case["checkpoints"]}["family_consular_notice"]
    assert notice["status"] == "failed"


# 6 --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("checkpoint", ["interpreter", "rights_information", "file_access_disclosure",
                                        "medical_examination", "detention_judicial_review", "juvenile_safeguards",
                                        "suspect_status_approval"])
def test_6_absolute_rights_admit_no_override(api, checkpoint):
    case_id = api.open_case(registration(NOW))["id"]
    refused = api.post(f"/cases/{case_id}/overrides", "supervising_prosecutor",
                       json={"checkpoint": checkpoint, "reason": "urgent", "legal_ground": "none"})
    assert refused.status_code == 403 and refused.get_json()["error"] == "override_refused"


def test_6_the_letter_of_rights_must_be_in_a_language_the_person_understands(api):
    case_id = api.open_case(registration(NOW, suspect_citizenship="UZ", speaks_language_of_proceedings="no",
                                         suspect_language="uz"))["id"]
    walk(api, case_id)
    ok(api.complete(case_id, "draft_suspicion_decision", now=NOW))
    ok(api.complete(case_id, "approve_suspicion", now=NOW, approved=True))
    ok(evidence(api, case_id, "interpreter", {"language": "uz", "interpreter_name": "B. Karimov",
                                              "qualification": "sworn", "translated_documents": "letter of rights",
                                              "assessed_at": iso(NOW)}), 201)
    refused = api.complete(case_id, "serve_suspicion_notice", now=NOW, signed=True, language="ru")
    assert "rights_information" in blocked_ids(refused)
    ok(api.complete(case_id, "serve_suspicion_notice", now=NOW, signed=True, language="uz"))


# 8 --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("change,field", [
    ({"suspect_birth_date": "2031-01-01"}, "suspect_birth_date"),
    ({"suspect_citizenship": "Kazakhstan"}, "suspect_citizenship"),
    ({"offence_category": "very bad"}, "offence_category"),
    ({"registered_at": iso(NOW + timedelta(days=2))}, "registered_at"),
])
def test_8_impossible_facts_at_opening_are_refused_naming_the_field(api, change, field):
    before = api.get("/cases", "investigator").get_json()["items"]
    refused = api.post("/cases", "investigator", json={"process": "criminal_case", "data": registration(NOW, **change)})
    assert refused.status_code == 422 and field in refused.get_json()["fields"]
    assert api.get("/cases", "investigator").get_json()["items"] == before


def test_8_impossible_times_in_forms_and_evidence_change_nothing(api):
    case_id = api.open_case(registration(NOW))["id"]
    ok(api.complete(case_id, "register_report", now=NOW))
    ok(api.complete(case_id, "open_investigation", now=NOW, next_step="detain"))
    version = api.case(case_id)["version"]
    future = api.complete(case_id, "apprehend_suspect", now=NOW, apprehended_at=iso(NOW + timedelta(hours=30)))
    assert future.status_code == 422 and "apprehended_at" in future.get_json()["fields"]
    ahead = evidence(api, case_id, "medical_examination", {"doctor": "Dr. A", "examined_at": iso(NOW),
                                                            "findings": "none"}, occurred_at=iso(NOW + timedelta(days=2)))
    assert ahead.status_code == 422
    assert api.case(case_id)["version"] == version and api.case(case_id)["evidence"] == []


def test_8_an_interrogation_that_ends_before_it_starts_is_refused(api):
    case_id = api.open_case(registration(NOW))["id"]
    to_interrogation(api, case_id)
    counsel(api, case_id)
    backwards = api.complete(case_id, "interrogate_suspect", now=NOW, another_interrogation=False,
                             started_at=iso(NOW - timedelta(hours=1)), ended_at=iso(NOW - timedelta(hours=2)))
    assert backwards.status_code == 422 and "ended_at" in backwards.get_json()["fields"]


def test_8_the_language_of_proceedings_has_no_silent_default(api):
    case_id = api.open_case(registration(NOW))["id"]
    task = api.task(case_id, "register_report")
    known = {k: v for k, v in task["facts"].items() if k != "speaks_language_of_proceedings"}
    form = {f["name"]: known[f["name"]] for f in task["form"] if f["name"] in known}
    refused = api.post(f"/cases/{case_id}/tasks/{task['id']}/complete", "investigator",
                       json={"data": form, "version": task["version"]})
    assert refused.status_code == 422 and "speaks_language_of_proceedings" in refused.get_json()["fields"]
    field = {f["name"]: f for f in task["form"]}["speaks_language_of_proceedings"]
    assert field["type"] == "choice" and field["choices"] == ["yes", "no"]


# 9 --------------------------------------------------------------------------------------------

def test_9_a_waiver_advised_by_the_interrogator_is_void(api):
    case_id = api.open_case(registration(NOW))["id"]
    to_interrogation(api, case_id)
    caution(api, case_id)
    ok(evidence(api, case_id, "counsel_before_interrogation",
                {"waived": True, "waiver_advised_by": script_user("investigator"),
                 "waiver_adviser_bar_number": "AL-1", "consulted_at": iso(NOW)}), 201)
    assert "counsel_before_interrogation" in blocked_ids(
        api.complete(case_id, "interrogate_suspect", now=NOW, another_interrogation=False))


def test_9_no_waiver_where_the_charge_makes_defence_mandatory(api):
    case_id = api.open_case(registration(NOW, offence_category="especially_grave"))["id"]
    to_interrogation(api, case_id)
    caution(api, case_id)
    ok(evidence(api, case_id, "counsel_before_interrogation",
                {"waived": True, "waiver_advised_by": "duty lawyer K. Ospanov", "waiver_adviser_bar_number": "AL-2",
                 "consulted_at": iso(NOW)}), 201)
    refused = api.complete(case_id, "interrogate_suspect", now=NOW, another_interrogation=False)
    assert "counsel_before_interrogation" in blocked_ids(refused)
    assert "mandatory" in str(refused.get_json())


# 10 -------------------------------------------------------------------------------------------

def test_10_a_derogation_from_counsel_is_possible_for_an_adult_and_always_flags_the_statement(api):
    case_id = api.open_case(registration(NOW))["id"]
    to_interrogation(api, case_id)
    caution(api, case_id)
    ground = "urgent_risk_to_life_liberty_or_physical_integrity"
    assert api.post(f"/cases/{case_id}/derogations", "prosecutor",
                    json={"ground": ground, "reason": "a child is held"}).status_code == 403
    assert api.post(f"/cases/{case_id}/derogations", "supervising_prosecutor",
                    json={"ground": "convenience", "reason": "x"}).status_code == 422
    ok(api.post(f"/cases/{case_id}/derogations", "supervising_prosecutor",
                json={"ground": ground, "reason": "a kidnapped child is held at an address he alone knows"}), 201)
    case = ok(api.complete(case_id, "interrogate_suspect", now=NOW, view="full", another_interrogation=False))
    assert case["step"]["flagged"] == ["counsel_before_interrogation"]


def test_10_no_derogation_for_a_child(api):
    case_id = api.open_case(registration(NOW, suspect_birth_date=child_birth_date()))["id"]
    refused = api.post(f"/cases/{case_id}/derogations", "supervising_prosecutor",
                       json={"ground": "urgent_risk_to_life_liberty_or_physical_integrity", "reason": "urgent"})
    assert refused.status_code == 403 and "child" in refused.get_json()["message"]


def test_10_overrides_at_the_court_stages_belong_to_the_court(habeas, actors, seeded):
    from engine.domain.errors import Forbidden
    from engine.services import rights
    from engine.fixtures.demo import Driver
    from tests.integration.test_case_paths import counsel as service_counsel
    driver = Driver(habeas, actors)
    case_id = driver.open(registration(NOW, jury_eligible=True))
    for name in ("register_report",):
        driver.complete(case_id, name)
    driver.complete(case_id, "open_investigation", next_step="summon")
    driver.complete(case_id, "draft_suspicion_decision")
    driver.complete(case_id, "approve_suspicion", approved=True)
    driver.complete(case_id, "serve_suspicion_notice", signed=True)
    service_counsel(driver, case_id)
    driver.complete(case_id, "interrogate_suspect", another_interrogation=False)
    driver.complete(case_id, "notify_end_of_investigation")
    driver.complete(case_id, "open_file_to_defence")
    driver.complete(case_id, "review_file", indictment_decision="send_to_court")
    driver.complete(case_id, "prelim_hearing", accused_choice="bench")
    with pytest.raises(Forbidden):
        rights.override(habeas, actors["supervising_prosecutor"], case_id, "jury_right", "r", "CPC art 52")
    assert rights.override(habeas, actors["judge"], case_id, "jury_right", "accused refuses to choose",
                           "CPC art 52")


# 7 --------------------------------------------------------------------------------------------

def to_verdict(habeas, actors, *, outcome):
    """A detained suspect to the pronounced verdict, held in custody or freed on bail by the judge."""
    from engine.fixtures.demo import Driver
    from tests.integration.test_case_paths import counsel as service_counsel
    d = Driver(habeas, actors)
    now = habeas.now()
    case_id = d.open(registration(now))
    d.complete(case_id, "register_report")
    d.complete(case_id, "open_investigation", next_step="detain")
    d.complete(case_id, "apprehend_suspect", apprehended_at=iso(now - timedelta(hours=5)))
    d.complete(case_id, "notify_family_consulate", family_member="mother", method="telephone",
               family_notified_at=iso(now - timedelta(hours=4)))
    d.complete(case_id, "draft_suspicion_decision")
    d.complete(case_id, "approve_suspicion", approved=True)
    d.complete(case_id, "serve_suspicion_notice", signed=True)
    service_counsel(d, case_id)
    d.evidence(case_id, "medical_examination")
    d.complete(case_id, "interrogate_suspect", another_interrogation=False)
    d.complete(case_id, "decide_custody", hearing_at=iso(now), outcome=outcome, ordered_at=iso(now),
               expires_at=iso(now + timedelta(days=59)))
    d.complete(case_id, "notify_end_of_investigation")
    d.complete(case_id, "open_file_to_defence")
    d.complete(case_id, "review_file", indictment_decision="send_to_court")
    d.complete(case_id, "prelim_hearing", accused_choice="bench")
    d.complete(case_id, "conduct_trial", trial_form="bench")
    d.complete(case_id, "pronounce_verdict", verdict="convicted", verdict_pronounced_at=iso(now))
    return d, case_id


def test_7_a_convict_on_bail_appeals_from_the_pronouncement_not_from_service(api, habeas, actors, seeded, clock):
    d, case_id = to_verdict(habeas, actors, outcome="bail")
    pronounced = habeas.now()
    assert api.case(case_id)["facts"]["in_custody_at_verdict"] is False
    clock.advance(days=20)
    d.complete(case_id, "serve_verdict", appeal_lodged=False, pronounced_at=iso(pronounced),
               copy_served_at=iso(habeas.now()), rights_explained=True)
    case = api.case(case_id)
    appeal = [e for e in case["evaluations"] if e["checkpoint"] == "appeal_notice"][-1]
    assert appeal["status"] == "failed"  # the period ended on day 15: the time limit must be restored


def test_7_late_service_on_a_detainee_is_escalated_and_not_cured_by_itself(api, habeas, actors, seeded, clock):
    d, case_id = to_verdict(habeas, actors, outcome="custody")
    pronounced = habeas.now()
    assert api.case(case_id)["facts"]["in_custody_at_verdict"] is True
    clock.advance(days=8)  # beyond the days to serve a detainee the copy
    d.complete(case_id, "serve_verdict", appeal_lodged=False, pronounced_at=iso(pronounced),
               copy_served_at=iso(habeas.now()), rights_explained=True)
    case = api.case(case_id)
    assert [e["status"] for e in case["escalations"] if e["checkpoint"] == "appeal_notice"] == ["open"]
    assert case["non_compliant"] is True
