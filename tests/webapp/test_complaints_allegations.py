"""Issue 9 through the JSON API, on SQLite and PostgreSQL: a defence lawyer's complaint about a
custody order (its ruling term, the escalation when missed, the block on the next custody
extension and its lifting by the ruling), an ill-treatment allegation (its referral task and
deadline, questioning blocked until examined, the report), and a denied read in the audit trail."""
from datetime import timedelta

import pytest

from engine.services import scheduler
from tests.conftest import START
from tests.webapp.api_support import (api, counsel_evidence, fast_password_hashing, registration,  # noqa: F401
                                      script_user, tokens)
from tests.webapp.test_hardening_auth import audit_entries
from tests.webapp.test_rights_per_act import blocked_ids, counsel, iso, medical, ok, to_interrogation

NOW = START
DEFENCE = script_user("defence")
pytestmark = pytest.mark.usefixtures("fast_password_hashing")


def in_custody(api) -> int:
    """A detained suspect, questioned with counsel, held in custody by the judge's order."""
    case_id = api.open_case(registration(NOW), defence=[DEFENCE])["id"]
    to_interrogation(api, case_id, detained=True, apprehended_hours_ago=20)
    counsel(api, case_id)
    medical(api, case_id)
    ok(api.complete(case_id, "interrogate_suspect", now=NOW, another_interrogation=False))
    ok(api.complete(case_id, "decide_custody", now=NOW, outcome="custody", hearing_at=iso(NOW),
                    ordered_at=iso(NOW), expires_at=iso(NOW + timedelta(days=59))))
    return case_id


def extension(now) -> dict:
    return {"petition_at": iso(now), "ordered_at": iso(now), "extended_until": iso(NOW + timedelta(days=85)),
            "order_number": "IJ-7", "reasons": "risk of flight", "alternatives_considered": "house arrest, bail"}


def custody_complaint(**changes) -> dict:
    return {"act_complained_of": "custody order of 2 March: no individual reasons, alternatives not considered",
            "about_act": "custody_decision", "learned_of_act_at": iso(NOW), **changes}


def test_a_defence_complaint_about_custody_blocks_the_extension_until_ruled(api, habeas, clock):
    case_id = in_custody(api)
    clock.advance(hours=2)
    filed = ok(api.post(f"/cases/{case_id}/complaints", "defence", json=custody_complaint()), 201)
    assert filed["challenges_detention"] is True and filed["complainant"] == "defence"
    assert filed["ruling_due_at"].startswith(iso(clock.now() + timedelta(days=5))[:16])
    # linked both ways: the criminal case lists it, the complaint case names the criminal case
    case = api.case(case_id)
    assert [c["number"] for c in case["complaints"]] == [filed["number"]]
    assert api.case(filed["id"])["about_case_id"] == case_id
    # registered and routed by the judge, no ruling by its term: an escalation, both non-compliant
    ok(api.complete(filed["id"], "register_complaint", now=clock.now(), routed_to="Investigating judge B.",
                    complaint_registered_at=iso(clock.now())))
    clock.advance(days=6)
    scheduler.tick(habeas)
    complaint_case = api.case(filed["id"])
    assert complaint_case["non_compliant"] is True
    assert any(e["kind"] == "escalation" and e["checkpoint"] == "complaint_review" and e["status"] == "open"
               for e in complaint_case["escalations"])
    case = api.case(case_id)
    assert case["non_compliant"] is True
    assert any(filed["number"] in e["reason"] for e in case["escalations"] if e["status"] == "open")
    # the next custody extension is refused, naming the complaint; a release stays possible
    refused = api.post(f"/cases/{case_id}/custody/extensions", "judge", json=extension(clock.now()))
    assert blocked_ids(refused) == {"complaint_review"}
    assert refused.get_json()["checkpoints"][0]["complaint"] == filed["number"]
    assert filed["number"] in refused.get_json()["checkpoints"][0]["reasons"][0]
    assert api.case(case_id)["facts"]["custody_expires_at"] == iso(NOW + timedelta(days=59))
    refusals = [e for e in api.get(f"/cases/{case_id}/audit").get_json()["entries"]
                if e["action"] == "custody.extension_refused"]
    assert len(refusals) == 1
    # the ruling clears it: escalations resolved, the extension goes through
    ruled = ok(api.post(f"/cases/{case_id}/complaints/{filed['id']}/ruling", "judge",
                        json={"ruling": "dismissed", "ruling_reasons": "reasons given in the order",
                              "ruled_at": iso(clock.now())}))
    assert ruled["ruling"] == "dismissed" and ruled["status"] == "closed"
    case = api.case(case_id)
    assert case["non_compliant"] is False
    assert all(e["status"] == "resolved" for e in case["escalations"] if e["checkpoint"] == "complaint_review")
    extended = ok(api.post(f"/cases/{case_id}/custody/extensions", "judge", json=extension(clock.now())))
    assert extended["facts"]["custody_expires_at"] == iso(NOW + timedelta(days=85))
    report = {line["checkpoint"]: line for line in api.get("/reports/compliance").get_json()["checkpoints"]}
    assert report["complaint_review"]["failed"] >= 1  # the missed term stands after the late ruling


def test_a_release_is_never_blocked_by_a_pending_detention_complaint(api):
    case_id = in_custody(api)
    ok(api.post(f"/cases/{case_id}/complaints", "defence", json=custody_complaint()), 201)
    released = ok(api.post(f"/cases/{case_id}/release", "investigator", json={"ground": "complaint upheld in part"}))
    assert released["facts"]["detained"] is False


def test_a_complaint_is_refused_with_the_field_named_and_nothing_written(api):
    case_id = in_custody(api)
    other = api.open_case(registration(NOW, suspect_name="Someone Else"))["id"]
    before = len(api.get(f"/cases/{case_id}/audit").get_json()["entries"])
    future = api.post(f"/cases/{case_id}/complaints", "defence",
                      json=custody_complaint(learned_of_act_at=iso(NOW + timedelta(days=3))))
    assert future.status_code == 422 and "learned_of_act_at" in future.get_json()["fields"]
    missing = api.post(f"/cases/{case_id}/complaints", "defence", json={"learned_of_act_at": iso(NOW)})
    assert missing.status_code == 422 and "act_complained_of" in missing.get_json()["fields"]
    assert api.post(f"/cases/{other}/complaints", "defence", json=custody_complaint()).status_code == 403
    assert api.case(case_id)["complaints"] == []
    assert len(api.get(f"/cases/{case_id}/audit").get_json()["entries"]) == before


def test_a_complaint_to_the_prosecutor_has_the_prosecutors_term_and_ruling(api):
    case_id = in_custody(api)
    filed = ok(api.post(f"/cases/{case_id}/complaints", "defence",
                        json=custody_complaint(about_act="investigative_act", addressed_to="prosecutor",
                                               act_complained_of="search of the flat without a warrant")), 201)
    assert filed["challenges_detention"] is False
    assert filed["ruling_due_at"].startswith(iso(NOW + timedelta(days=3))[:16])
    ok(api.complete(filed["id"], "register_complaint_prosecutor", now=NOW, routed_to="Prosecutor P.",
                    complaint_registered_at=iso(NOW)))
    assert api.case(filed["id"])["complaints"] == []  # a complaint has no complaints of its own
    denied = api.post(f"/cases/{case_id}/complaints/{filed['id']}/ruling", "judge",
                      json={"ruling": "upheld", "ruling_reasons": "no warrant", "ruled_at": iso(NOW)})
    assert denied.status_code == 403
    ruled = ok(api.post(f"/cases/{case_id}/complaints/{filed['id']}/ruling", "prosecutor",
                        json={"ruling": "upheld", "ruling_reasons": "no warrant", "ruled_at": iso(NOW)}))
    assert ruled["ruling"] == "upheld" and ruled["ruling_due_at"] == filed["ruling_due_at"]


def test_a_late_complaint_is_registered_and_marked_late_not_refused(api):
    case_id = in_custody(api)
    late = ok(api.post(f"/cases/{case_id}/complaints", "defence",
                       json=custody_complaint(learned_of_act_at=iso(NOW - timedelta(days=20)))), 201)
    assert late["filed_late"] is True


def test_an_allegation_creates_a_referral_task_blocks_questioning_and_is_reported(api, habeas, clock):
    case_id = api.open_case(registration(NOW), defence=[DEFENCE])["id"]
    to_interrogation(api, case_id, detained=True, apprehended_hours_ago=20)
    counsel(api, case_id)
    medical(api, case_id)
    ok(api.complete(case_id, "interrogate_suspect", now=NOW, another_interrogation=True))
    clock.advance(hours=1)
    alleged = ok(api.post(f"/cases/{case_id}/allegations", "defence",
                          json={"description": "beaten during the night in the holding cell"}), 201)
    assert alleged["referral_due_at"].startswith(iso(clock.now() + timedelta(hours=24))[:16])
    assert len(alleged["flagged_statements"]) == 1  # the interrogation taken during that detention
    case = api.case(case_id)
    [task] = [e for e in case["escalations"] if e["kind"] == "referral"]
    assert task["assigned_role"] == "prosecutor" and task["due_at"].startswith(alleged["referral_due_at"][:16])
    assert case["non_compliant"] is False  # a referral task within its deadline is a duty, not a failure
    assert any(f["checkpoint"] == "medical_examination" for f in case["flags"])
    # questioning waits for an examination made after the allegation
    counsel(api, case_id)
    refused = api.complete(case_id, "interrogate_suspect", now=clock.now(), another_interrogation=False)
    assert "medical_examination" in blocked_ids(refused)
    assert "awaits its referral by the prosecutor" in str(refused.get_json())
    # no referral within 24 h: escalated, the case non-compliant, a failed evaluation reported
    clock.advance(hours=25)
    scheduler.tick(habeas)
    case = api.case(case_id)
    assert case["non_compliant"] is True
    assert any(e["kind"] == "escalation" and e["checkpoint"] == "medical_examination" for e in case["escalations"])
    referral = ok(api.post(f"/cases/{case_id}/allegations/{alleged['id']}/referral", "prosecutor",
                           json={"referred_to": "Anti-corruption service, special unit"}))
    assert referral["late"] is True
    indicators = {i["id"]: i for i in ok(api.get("/reports/indicators"))["indicators"]}
    allegations = indicators["allegations"]
    assert allegations["figures"]["allegations"] == 1 and allegations["figures"]["referred_late"] == 1
    assert allegations["cases"]["referred_late"] == [case_id]
    assert allegations["figures"]["median_hours_to_referral"] == 25.0
    assert "UNCAT" in allegations["legal_basis"] and allegations["definition"]


def test_questioning_resumes_once_referred_and_examined_after_the_allegation(api, clock):
    case_id = api.open_case(registration(NOW), defence=[DEFENCE])["id"]
    to_interrogation(api, case_id, detained=True, apprehended_hours_ago=20)
    medical(api, case_id)  # on admission, before the allegation
    clock.advance(hours=1)
    alleged = ok(api.post(f"/cases/{case_id}/allegations", "investigator",
                          json={"description": "says he was kicked in the van", "made_by": "person"}), 201)
    ok(api.post(f"/cases/{case_id}/allegations/{alleged['id']}/referral", "prosecutor",
                json={"referred_to": "regional prosecutor, special unit"}))
    counsel(api, case_id)
    still = api.complete(case_id, "interrogate_suspect", now=clock.now(), another_interrogation=False)
    assert "medical_examination" in blocked_ids(still)  # the examination on admission preceded it
    ok(api.post(f"/cases/{case_id}/evidence", "investigator", json={
        "checkpoint": "medical_examination", "occurred_at": iso(clock.now()),
        "data": {"doctor": "Dr. S. Akhmetova", "examined_at": iso(clock.now()), "findings": "bruises, left ribs"}}), 201)
    ok(api.complete(case_id, "interrogate_suspect", now=clock.now(), another_interrogation=False))
    case = api.case(case_id)
    assert all(e["status"] == "resolved" for e in case["escalations"] if e["kind"] == "referral")
    assert case["non_compliant"] is False


def test_an_allegation_with_bad_input_names_the_field_and_changes_nothing(api):
    case_id = api.open_case(registration(NOW), defence=[DEFENCE])["id"]
    version = api.case(case_id)["version"]
    bad = api.post(f"/cases/{case_id}/allegations", "defence",
                   json={"description": "x", "alleged_at": iso(NOW + timedelta(days=1))})
    assert bad.status_code == 422 and list(bad.get_json()["fields"]) == ["alleged_at"]
    assert api.post(f"/cases/{case_id}/allegations", "defence", json={}).get_json()["fields"].keys() >= {"description"}
    case = api.case(case_id)
    assert case["version"] == version and case["allegations"] == []


def test_a_defence_lawyers_attempt_to_open_another_case_is_audited_with_the_requester(api, habeas):
    other = api.open_case(registration(NOW, suspect_name="Someone Else"))["id"]
    assert api.get(f"/cases/{other}", "defence").status_code == 403
    denied = [e for e in api.get(f"/cases/{other}/audit").get_json()["entries"] if e["action"] == "access.denied"]
    assert len(denied) == 1
    assert denied[0]["actor"] == DEFENCE and denied[0]["payload"]["requester"] == DEFENCE
    assert denied[0]["payload"]["attempted"] == "case.read" and denied[0]["payload"]["status"] == 403
    # one entry per denial: the web layer's generic denial audit does not write a second one
    everywhere = [e for e in audit_entries(habeas, "access.denied")]
    assert len(everywhere) == 1 and everywhere[0].case_id == other


def test_the_judges_extension_form_names_the_complaint_that_blocks_it(api, login_as):
    from tests.webapp.conftest import csrf_token
    case_id = in_custody(api)
    filed = ok(api.post(f"/cases/{case_id}/complaints", "defence", json=custody_complaint()), 201)
    judge = login_as("judge")
    token = csrf_token(judge, f"/cases/{case_id}")
    local = "2026-03-02T15:00"  # the clock's now, in Almaty
    posted = judge.post(f"/cases/{case_id}/custody/extensions", data={
        "csrf_token": token, "petition_at": local, "ordered_at": local, "extended_until": "2026-05-20T15:00",
        "order_number": "IJ-9", "reasons": "risk of flight", "alternatives_considered": "bail"})
    assert posted.status_code == 302
    page = judge.get(f"/cases/{case_id}").get_data(as_text=True)
    assert f"Not recorded: complaint {filed['number']} challenges the lawfulness of the detention" in page
    assert api.case(case_id)["facts"]["custody_expires_at"] == iso(NOW + timedelta(days=59))


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_a_refused_complaint_or_allegation_answers_in_the_readers_language_with_english_codes(api, language):
    """The JSON API keeps its code and field names; its ``message`` follows Accept-Language."""
    case_id = in_custody(api)
    said = {"Accept-Language": language}
    for path, body in ((f"/cases/{case_id}/complaints", {"learned_of_act_at": iso(NOW)}),
                       (f"/cases/{case_id}/allegations", {"description": " "})):
        english = api.post(path, "defence", json=body).get_json()
        answer = api.post(path, "defence", json=body, headers=said).get_json()
        assert answer["error"] == english["error"] == "invalid_data"
        assert set(answer["fields"]) == set(english["fields"])
        assert answer["message"] != english["message"] and not answer["message"].isascii()
