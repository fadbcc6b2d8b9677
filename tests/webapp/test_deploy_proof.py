"""Deploying variants of the shipped criminal case over the API: the proof refuses a detention
dead end naming its path, a weakened element naming the rights it drops, an untyped task naming
it; a re-tagged interrogation is refused as a new version, and guarded by its act in a process of its own; removing a guarded task
waits for a second designer's or admin's confirmation (four eyes), audited; everyday edits deploy."""
import pytest

from engine.persistence.models import AuditEntry
from engine.services import designs
from engine.services.context import Actor
from tests import variants
from tests.conftest import START
from tests.webapp.api_support import (api, fast_password_hashing, registration, script_user,  # noqa: F401
                                      to_suspicion, tokens)

NOW = START
pytestmark = pytest.mark.usefixtures("fast_password_hashing")
XML = {"Content-Type": "application/xml"}


def deploy(api, xml: str, role="designer"):
    return api.post("/processes", role, data=xml.encode(), headers=XML)


def versions(api) -> list[int]:
    return sorted(v["version"] for v in api.get("/processes", "designer").get_json()["items"]
                  if v["process"] == "criminal_case")


def test_re_tagging_the_interrogations_stage_in_a_new_version_is_refused_naming_the_element(api):
    refused = deploy(api, variants.retagged_interrogation())
    assert refused.status_code == 422, refused.get_json()
    problems = {p["element"]: p for p in refused.get_json()["problems"]}
    assert "interrogate_suspect" in problems
    assert "counsel_before_interrogation" in problems["interrogate_suspect"]["message"]
    assert versions(api) == [1]


def test_a_process_whose_interrogation_carries_another_stage_still_guards_it_by_its_act(api):
    xml = variants.retagged_interrogation().replace('"criminal_case"', '"criminal_case_b"')
    deployed = deploy(api, xml)
    assert deployed.status_code == 201, deployed.get_json()
    opened = api.post("/cases", "investigator", json={"process": "criminal_case_b", "data": registration(NOW)})
    case_id = opened.get_json()["id"]
    to_suspicion(api, case_id, NOW)
    refused = api.complete(case_id, "interrogate_suspect", now=NOW, another_interrogation=False)
    assert refused.status_code == 409, refused.get_json()
    body = refused.get_json()
    assert body["error"] == "checkpoint_blocked" and body["stage"] == "investigation"
    assert "counsel_before_interrogation" in {c["id"] for c in body["checkpoints"]}


def test_a_detention_dead_end_is_refused_naming_the_path(api):
    refused = deploy(api, variants.detention_dead_end())
    assert refused.status_code == 422
    body = refused.get_json()
    assert body["error"] == "invalid_bpmn"
    dead = {p["element"]: p for p in body["problems"] if p.get("rule") == "detention_dead_end"}
    assert set(dead) == {"case_terminated", "judgment_final", "overdue_hearing_chased"}
    path = dead["judgment_final"]["path"]
    assert path[0] == "apprehend_suspect" and path[-1] == "judgment_final"
    assert "gw_detained" in path and "decide_custody" not in path
    assert versions(api) == [1]


def test_an_untyped_task_is_refused_naming_it(api):
    refused = deploy(api, variants.without_act())
    assert refused.status_code == 422
    [problem] = refused.get_json()["problems"]
    assert problem["element"] == "interrogate_suspect" and "act kind" in problem["message"]
    unknown = deploy(api, variants.CRIMINAL_CASE.replace('name="act" value="interrogation"', 'name="act" value="chat"'))
    assert unknown.status_code == 422 and "unknown act 'chat'" in unknown.get_json()["problems"][0]["message"]


def test_a_weakened_element_is_refused_naming_it_and_the_rights_it_would_drop(api):
    refused = deploy(api, variants.weakened_interrogation())
    assert refused.status_code == 422
    [problem] = refused.get_json()["problems"]
    assert problem["element"] == "interrogate_suspect"
    assert {"counsel_before_interrogation", "medical_examination"} <= set(problem["rights"])
    assert "counsel_before_interrogation" in problem["message"]
    assert versions(api) == [1]


def test_everyday_edits_deploy(api):
    deployed = deploy(api, variants.everyday_edits())
    assert deployed.status_code == 201, deployed.get_json()
    assert deployed.get_json()["version"] == 2


def test_removing_a_guarded_task_waits_for_a_second_person_then_deploys_audited(api, habeas):
    asked = deploy(api, variants.verdict_service_removed())
    assert asked.status_code == 409
    body = asked.get_json()
    assert body["error"] == "confirmation_required" and body["pending"] > 0
    assert body["removed"][0]["element"] == "serve_verdict" and "appeal_notice" in body["removed"][0]["rights"]
    removed = [c for c in body["changes"] if c["action"] == "removed" and c["element"] == "serve_verdict"]
    assert removed and "appeal_notice" in removed[0]["message"]
    assert versions(api) == [1]
    again = deploy(api, variants.verdict_service_removed())
    assert again.status_code == 409 and again.get_json()["pending"] == body["pending"]  # one request, not two

    listed = api.get("/processes/pending", "admin").get_json()["items"]
    assert [p["id"] for p in listed] == [body["pending"]] and listed[0]["requested_by"] == script_user("designer")
    own = api.post(f"/processes/pending/{body['pending']}/confirm", "designer")
    assert own.status_code == 403 and "four eyes" in own.get_json()["message"]
    assert api.post(f"/processes/pending/{body['pending']}/confirm", "prosecutor").status_code == 403
    assert versions(api) == [1]

    confirmed = api.post(f"/processes/pending/{body['pending']}/confirm", "admin")
    assert confirmed.status_code == 201, confirmed.get_json()
    assert confirmed.get_json()["version"] == 2 and versions(api) == [1, 2]
    twice = api.post(f"/processes/pending/{body['pending']}/confirm", "admin")
    assert twice.status_code == 409 and twice.get_json()["error"] == "conflict"
    assert api.get("/processes/pending", "admin").get_json()["items"] == []
    with habeas.unit_of_work() as session:
        actions = {e.action: e.payload for e in session.query(AuditEntry).filter(AuditEntry.action.like("process.deploy%"))}
    assert actions["process.deploy_requested"]["removed"][0]["element"] == "serve_verdict"
    assert actions["process.deploy_confirmed"]["requested_by"] == script_user("designer")
    assert actions["process.deploy_confirmed"]["confirmed_by"] == script_user("admin")
    diff = designs.diff_versions(habeas, Actor("someone", "designer"), "criminal_case", 1, 2)["changes"]
    [gone] = [c for c in diff if c["action"] == "removed" and c["element"] == "serve_verdict"]
    assert "appeal_notice" in gone["rights"] and "guarded by" in gone["message"]


def test_a_confirmation_of_an_unknown_pending_deployment_is_not_found(api):
    assert api.post("/processes/pending/999/confirm", "admin").status_code == 404
