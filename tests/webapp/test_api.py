"""The JSON API's happy paths, on SQLite and PostgreSQL: a case walked through over HTTP (refused
for want of counsel, evidence recorded, then allowed), the optimistic lock between two clients,
pagination, reports, deadlines, processes, and the OpenAPI document."""
import csv
import io
import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import PROCESSES, START
from tests.webapp.api_support import (api, counsel_evidence, fast_password_hashing, registration,  # noqa: F401
                                      script_user, to_suspicion,
                                      tokens)
from tests.webapp.conftest import login

NOW = START
pytestmark = pytest.mark.usefixtures("fast_password_hashing")


def test_opening_a_case_answers_201_with_the_case_view(api):
    response = api.post("/cases", "investigator", json={"process": "criminal_case", "data": registration(NOW),
                                                        "defence": [script_user("defence")], "unit": "Almaty",
                                                        "prosecutor": "prosecutor"})
    assert response.status_code == 201
    case = response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/cases/{case['id']}")
    assert case["version"] >= 1 and case["stage"] is None and case["status"] == "open"
    assert case["unit"] == "Almaty" and case["prosecutor"] == "prosecutor"
    assert case["defence"] == [script_user("defence")]
    [task] = case["tasks"]
    assert task["name"] == "register_report" and task["stage"] == "registration" and task["id"]
    assert {"name", "type", "required", "label"} <= set(task["form"][0])
    assert all({"id", "status", "legal_basis", "right"} <= set(c) for c in case["checkpoints"])
    assert isinstance(case["deadlines"], list)
    assert case["facts"]["suspect_name"] == "Arman Seitkali"


def test_reading_a_case_gives_stage_version_tasks_checkpoints_and_deadlines(api):
    case_id = api.open_case(registration(NOW))["id"]
    assert api.complete(case_id, "register_report", now=NOW).status_code == 200
    case = api.get(f"/cases/{case_id}", "prosecutor").get_json()
    assert case["stage"] == "registration" and case["version"] > 1
    assert [t["name"] for t in case["tasks"]] == ["open_investigation"]
    assert {c["id"] for c in case["checkpoints"]} >= {"counsel_before_interrogation", "reasonable_time"}
    assert isinstance(case["deadlines"], list)
    assert all({"checkpoint", "due_at", "status", "kind"} <= set(d) for d in case["deadlines"])


def test_a_case_walked_over_the_api_is_refused_for_want_of_counsel_then_proceeds(api):
    case_id = api.open_case(registration(NOW))["id"]
    to_suspicion(api, case_id, NOW)
    before = api.case(case_id)

    refused = api.complete(case_id, "interrogate_suspect", now=NOW)
    assert refused.status_code == 409
    body = refused.get_json()
    assert body["error"] == "checkpoint_blocked" and body["stage"] == "interrogation"
    blocking = {c["id"]: c for c in body["checkpoints"]}
    assert "counsel_before_interrogation" in blocking
    counsel = blocking["counsel_before_interrogation"]
    assert counsel["right"] and "Salduz" in counsel["legal_basis"] and "lawyer_name" in counsel["missing"]
    after_refusal = api.case(case_id)
    assert (after_refusal["version"], after_refusal["stage"]) == (before["version"], before["stage"])

    recorded = api.post(f"/cases/{case_id}/evidence", "investigator", json=counsel_evidence(NOW))
    assert recorded.status_code == 201, recorded.get_json()
    assert recorded.get_json()["checkpoint"]["status"] == "passed" and recorded.get_json()["id"] > 0
    caution = api.post(f"/cases/{case_id}/evidence", "investigator",
                       json={"checkpoint": "silence_caution", "occurred_at": NOW.isoformat(),
                             "data": {"caution_given": True, "cautioned_at": NOW.isoformat(),
                                      "recording_reference": "REC-2026-114"}})
    assert caution.status_code == 201, caution.get_json()

    done = api.complete(case_id, "interrogate_suspect", now=NOW, another_interrogation=False)
    assert done.status_code == 200, done.get_json()
    case = done.get_json()
    assert case["stage"] == "interrogation" and case["step"]["entered"] is True
    assert case["version"] > before["version"]

    actions = [e["action"] for e in api.get(f"/cases/{case_id}/audit", "reviewer").get_json()["entries"]]
    assert actions[0] == "case.opened" and "task.refused" in actions and actions.count("evidence.recorded") == 2
    assert actions[-1] == "task.completed"


def test_of_two_clients_completing_with_the_same_version_exactly_one_wins(api):
    case_id = api.open_case(registration(NOW))["id"]
    task = api.task(case_id, "register_report")
    form = {f["name"]: task["facts"].get(f["name"], "x") for f in task["form"] if f["required"]}
    path = f"/cases/{case_id}/tasks/{task['id']}/complete"
    first = api.post(path, "investigator", json={"data": form, "version": task["version"]})
    second = api.post(path, "investigator", json={"data": form, "version": task["version"]})
    assert first.status_code == 200
    assert second.status_code == 409 and second.get_json()["error"] == "conflict"
    assert "version" in second.get_json()["message"]
    unversioned = api.post(path, "investigator", json={"data": form})
    assert unversioned.status_code == 409 and unversioned.get_json()["error"] == "conflict"


def test_a_completion_answers_briefly_and_the_whole_view_on_request(api):
    case_id = api.open_case(registration(NOW))["id"]
    before = api.case(case_id)
    brief = api.complete(case_id, "register_report", now=NOW)
    assert brief.status_code == 200, brief.get_json()
    answer = brief.get_json()
    assert set(answer) == {"id", "version", "stage", "status", "non_compliant", "tasks", "step"}
    after = api.case(case_id)
    assert (answer["id"], answer["version"], answer["stage"], answer["status"]) == (
        case_id, after["version"], after["stage"], after["status"]) and answer["version"] == before["version"] + 1
    assert [t["id"] for t in answer["tasks"]] == [t["id"] for t in after["tasks"]]
    assert answer["tasks"][0]["form"] == after["tasks"][0]["form"]
    full = api.complete(case_id, "open_investigation", now=NOW, view="full", next_step="summon").get_json()
    assert {"facts", "checkpoints", "deadlines", "evaluations", "step"} <= set(full)
    assert full["version"] == answer["version"] + 1
    wrong = api.complete(case_id, "draft_suspicion_decision", now=NOW, view="everything")
    assert wrong.status_code == 422 and api.case(case_id)["version"] == full["version"]


def test_cases_are_listed_in_pages_and_filtered(api):
    opened = [api.open_case(registration(NOW, suspect_name=f"Suspect {n}"))["id"] for n in range(5)]
    api.complete(opened[0], "register_report", now=NOW)
    first = api.get("/cases?limit=2", "reviewer").get_json()
    assert [c["id"] for c in first["items"]] == sorted(opened, reverse=True)[:2]
    assert (first["limit"], first["offset"], first["next_offset"]) == (2, 0, 2)
    pages, offset = [], 0
    while offset is not None:
        page = api.get(f"/cases?limit=2&offset={offset}", "reviewer").get_json()
        pages.extend(c["id"] for c in page["items"])
        offset = page["next_offset"]
    assert pages == sorted(opened, reverse=True)
    registered = api.get("/cases?stage=registration&status=open", "reviewer").get_json()["items"]
    assert [c["id"] for c in registered] == [opened[0]]
    assert {"number", "stage", "status", "version", "non_compliant"} <= set(registered[0])
    assert api.get("/cases?status=closed", "reviewer").get_json()["items"] == []


def test_defence_counsel_sees_only_their_cases(api):
    theirs = api.open_case(registration(NOW), defence=[script_user("defence")])["id"]
    other = api.open_case(registration(NOW, suspect_name="Someone Else"))["id"]
    listed = api.get("/cases", "defence").get_json()["items"]
    assert [c["id"] for c in listed] == [theirs]
    assert api.get(f"/cases/{theirs}", "defence").status_code == 200
    assert api.get(f"/cases/{other}", "defence").status_code == 403
    read_logged = [e for e in api.get(f"/cases/{theirs}/audit", "reviewer").get_json()["entries"]
                   if e["action"] == "case.read"]
    assert read_logged and read_logged[0]["actor"] == script_user("defence")


def test_no_override_of_the_interpreter_the_interpreter_lets_the_interrogation_through(api):
    case_id = api.open_case(registration(NOW, suspect_name="Li Wei", suspect_citizenship="CN",
                                         speaks_language_of_proceedings=False, suspect_language="zh"))["id"]
    interpreter = {"checkpoint": "interpreter", "occurred_at": NOW.isoformat(), "act": "suspicion_notice",
                   "data": {"language": "zh", "interpreter_name": "Wang Fang", "qualification": "sworn",
                            "translated_documents": "letter of rights; notice", "assessed_at": NOW.isoformat()}}
    assert api.post(f"/cases/{case_id}/evidence", "investigator", json=interpreter).status_code == 201
    to_suspicion(api, case_id, NOW, language="zh")
    api.post(f"/cases/{case_id}/evidence", "investigator", json=counsel_evidence(NOW))
    refused = api.complete(case_id, "interrogate_suspect", now=NOW, another_interrogation=False)
    assert refused.status_code == 409
    assert "interpreter" in {c["id"] for c in refused.get_json()["checkpoints"]}
    response = api.post(f"/cases/{case_id}/overrides", "supervising_prosecutor",
                        json={"checkpoint": "interpreter", "reason": "no certified interpreter within the day",
                              "legal_ground": "CPC art 192; the protocol to be re-read on arrival"})
    assert response.status_code == 403 and response.get_json()["error"] == "override_refused"
    interpreter["act"] = None  # the next waiting act: this interrogation
    assert api.post(f"/cases/{case_id}/evidence", "investigator", json=interpreter).status_code == 201
    passed = api.complete(case_id, "interrogate_suspect", now=NOW, another_interrogation=False)
    assert passed.status_code == 200, passed.get_json()
    assert passed.get_json()["stage"] == "interrogation"
    trail = api.get(f"/cases/{case_id}/audit", "reviewer").get_json()["entries"]
    assert not [e for e in trail if e["action"] == "checkpoint.overridden"]


def test_the_supervising_prosecutor_resolves_an_escalation(api):
    case_id = api.open_case(registration(NOW))["id"]
    to_suspicion(api, case_id, NOW, detained=True, family_late=True)
    case = api.case(case_id)
    [escalation] = [e for e in case["escalations"] if e["status"] == "open"]
    assert case["non_compliant"] is True
    response = api.post(f"/escalations/{escalation['id']}/resolve", "supervising_prosecutor",
                        json={"resolution": "family told late; the officer reprimanded"})
    assert response.status_code == 200 and response.get_json() == {"id": escalation["id"], "status": "resolved"}
    case = api.case(case_id)
    assert case["non_compliant"] is False and case["escalations"][0]["resolved_by"] == script_user("supervising_prosecutor")


def test_open_deadlines_are_listed_with_the_hours_left(api):
    case_id = api.open_case(registration(NOW))["id"]
    api.complete(case_id, "register_report", now=NOW)
    api.complete(case_id, "open_investigation", now=NOW, next_step="detain")
    api.complete(case_id, "apprehend_suspect", now=NOW, apprehended_at=(NOW - timedelta(hours=2)).isoformat())
    assert "family_consular_notice" in {d["checkpoint"] for d in api.case(case_id)["deadlines"]}
    listing = api.get("/deadlines", "prosecutor").get_json()
    mine = [d for d in listing["items"] if d["case"] == case_id]
    family = next(d for d in mine if d["checkpoint"] == "family_consular_notice")  # 12 h from apprehension
    assert family["hours_left"] == 10.0 and family["number"].startswith("HB-") and family["status"] == "open"
    assert [d["due_at"] for d in listing["items"]] == sorted(d["due_at"] for d in listing["items"])
    only = api.get(f"/deadlines?case={case_id}&limit=1", "reviewer").get_json()
    assert len(only["items"]) == 1 and only["items"][0]["case"] == case_id and only["next_offset"] == 1
    assert api.get("/deadlines", "defence").get_json()["items"] == []


def test_the_compliance_report_in_json_and_csv(app, api):
    case_id = api.open_case(registration(NOW))["id"]
    to_suspicion(api, case_id, NOW)
    api.complete(case_id, "interrogate_suspect", now=NOW)  # refused: an attempt, not an evaluation
    report = api.get("/reports/compliance?from=2026-03-01&to=2026-03-31", "reviewer").get_json()
    lines = {line["checkpoint"]: line for line in report["checkpoints"]}
    counsel = lines["counsel_before_interrogation"]
    assert len(lines) == 16 and counsel["total"] == 0 and counsel["refused_attempts"] == 1
    assert lines["rights_information"]["total"] >= 1
    midnight = datetime(2026, 3, 1, tzinfo=ZoneInfo(app.config["TIMEZONE"])).astimezone(timezone.utc)
    assert report["period"]["from"] == midnight.isoformat()
    assert report["period"]["to"] == (midnight + timedelta(days=31)).isoformat()
    empty = api.get("/reports/compliance?from=2025-01-01&to=2025-02-01", "reviewer").get_json()
    assert all(line["total"] == 0 for line in empty["checkpoints"])
    other_unit = api.get("/reports/compliance?unit=Nowhere", "prosecutor").get_json()
    assert other_unit["unit"] == "Nowhere" and all(line["total"] == 0 for line in other_unit["checkpoints"])
    exported = api.get("/reports/compliance?format=csv&from=2026-03-01T00:00:00Z", "reviewer")
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    assert "attachment" in exported.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    counsel_row = next(r for r in rows if r["checkpoint"] == "counsel_before_interrogation")
    assert {r["checkpoint"] for r in rows} == set(lines)
    assert int(counsel_row["total"]) == 0 and int(counsel_row["refused_attempts"]) == 1


def test_audit_chain_verification(api):
    api.open_case(registration(NOW))
    report = api.get("/audit/verify", "reviewer").get_json()
    assert report["ok"] is True and report["entries"] > 0 and report["problems"] == []


@pytest.mark.parametrize("statements, expected", [
    (["DELETE FROM audit_log", "DELETE FROM audit_head"], "the whole trail was deleted"),
    (["UPDATE cases SET stage = 'trial'"], "does not match the seal"),
], ids=["trail-deleted", "case-edited"])
def test_the_api_verification_detects_a_rewritten_trail_and_an_edited_case(api, habeas, statements, expected):
    """Issue 13, finding 4, through the API (it verified such databases as intact)."""
    from sqlalchemy import text
    api.open_case(registration(NOW))
    with habeas.unit_of_work() as session:
        for statement in statements:
            session.execute(text(statement))
    report = api.get("/audit/verify", "reviewer").get_json()
    assert report["ok"] is False and any(expected in p for p in report["problems"]), report


def test_processes_are_listed_and_a_new_version_deployed(api):
    listed = api.get("/processes", "designer").get_json()["items"]
    assert {p["process"] for p in listed} >= {"criminal_case", "complaint"}
    xml = (PROCESSES / "criminal_case.bpmn").read_text()
    same = api.post("/processes", "designer", data=xml, content_type="application/xml")
    assert same.status_code == 200 and same.get_json()["created"] is False
    changed = xml.replace("</bpmn:definitions>", "<!-- a new version -->\n</bpmn:definitions>")
    assert changed != xml
    deployed = api.post("/processes", "admin", data=changed.encode(), content_type="text/xml")
    assert deployed.status_code == 201, deployed.get_json()
    assert deployed.get_json()["process"] == "criminal_case" and deployed.get_json()["version"] == 2
    versions = [p["version"] for p in api.get("/processes", "investigator").get_json()["items"]
                if p["process"] == "criminal_case"]
    assert versions == [1, 2]


def test_a_browser_session_may_call_the_api_with_its_csrf_token(app, client):
    login(client, "investigator")
    page = client.get("/", follow_redirects=True).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    body = {"process": "criminal_case", "data": registration(NOW)}
    refused = client.post("/api/v1/cases", json=body)
    assert refused.status_code == 400 and refused.get_json()["error"] == "csrf"
    assert client.get("/api/v1/cases").get_json()["items"] == []
    opened = client.post("/api/v1/cases", json=body, headers={"X-CSRFToken": token})
    assert opened.status_code == 201 and opened.get_json()["tasks"][0]["name"] == "register_report"


# ---- the OpenAPI document ---------------------------------------------------------------------

def _rule_path(rule: str) -> str:
    return re.sub(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>", r"{\1}", rule)


def test_the_openapi_document_describes_every_api_endpoint(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    described = {(path, method.upper()) for path, ops in document["paths"].items() for method in ops
                 if method != "parameters"}
    expected = {(_rule_path(rule.rule), method) for rule in app.url_map.iter_rules()
                if rule.rule.startswith("/api/v1") for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert expected and expected == described


def test_the_openapi_document_has_schemas_security_and_error_bodies(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http", "scheme": "bearer", "description": "the API token printed once by `habeas user add`"}
    schemas = document["components"]["schemas"]
    assert {"Case", "Task", "CheckpointStatus", "OpenCaseRequest", "CompleteTaskRequest", "EvidenceRequest",
            "OverrideRequest", "CheckpointBlockedError", "InvalidDataError", "InvalidBpmnError", "Error"} <= set(schemas)
    assert {"stage", "version", "tasks", "checkpoints", "deadlines"} <= set(schemas["Case"]["properties"])
    complete = document["paths"]["/api/v1/cases/{case_id}/tasks/{task_id}/complete"]["post"]
    assert complete["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/CompleteTaskRequest")
    assert complete["responses"]["409"]["content"]["application/json"]["schema"]["$ref"].endswith("/CheckpointBlockedError")
    assert {"200", "400", "401", "403", "404", "409", "413", "415", "422"} <= set(complete["responses"])
    deploy = document["paths"]["/api/v1/processes"]["post"]
    assert "application/xml" in deploy["requestBody"]["content"]
    assert deploy["responses"]["422"]["content"]["application/json"]["schema"]["$ref"].endswith("/InvalidBpmnError")
    listing = document["paths"]["/api/v1/cases"]["get"]
    assert {p["name"] for p in listing["parameters"]} == {"stage", "status", "limit", "offset"}
    assert document["paths"]["/api/v1/openapi.json"]["get"]["security"] == []
    assert schemas["InvalidDataError"]["properties"]["fields"]["type"] == "object"
