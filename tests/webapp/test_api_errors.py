"""Every way a call to the API can go wrong answers JSON with a code and a clear message, never a
traceback and never a 500, and changes nothing.  (Related refusals share one test: each test
seeds a database, so a table of inputs is walked in a loop, its failing row named in the assert.)"""
import json

import pytest

from tests.conftest import PROCESSES, START
from tests.webapp.api_support import (api, counsel_evidence, fast_password_hashing, registration,  # noqa: F401
                                      to_suspicion, tokens)

NOW = START
pytestmark = pytest.mark.usefixtures("fast_password_hashing")


def refused(response, status: int, code: str | None = None) -> dict:
    """Assert a JSON refusal with ``status`` (and ``code``); return its body."""
    text = response.get_data(as_text=True)
    assert response.status_code == status, text[:500]
    assert response.mimetype == "application/json", text[:500]
    assert "Traceback" not in text and "File \"" not in text
    body = response.get_json()
    assert isinstance(body.get("message"), str) and body["message"], body
    if code is not None:
        assert body["error"] == code, body
    return body


@pytest.fixture
def case(api):
    """An opened case: its view as the API gave it."""
    return api.open_case(registration(NOW))


def unchanged(api, case: dict) -> None:
    now = api.case(case["id"])
    assert (now["version"], now["stage"], len(now["evidence"])) == (case["version"], case["stage"], len(case["evidence"]))


# ---- who is asking ----------------------------------------------------------------------------

def test_no_credentials_is_401_with_a_bearer_challenge(client):
    for method, path in (("get", "/cases"), ("get", "/cases/1"), ("post", "/cases"), ("get", "/deadlines"),
                         ("post", "/cases/1/tasks/x/complete"), ("post", "/processes"), ("get", "/audit/verify")):
        response = getattr(client, method)(f"/api/v1{path}", json={})
        body = refused(response, 401, "unauthenticated")
        assert "Bearer" in body["message"] and response.headers["WWW-Authenticate"].startswith("Bearer"), path


def test_an_unknown_token_is_refused_and_other_schemes_are_no_credentials(client):
    for header in ("Bearer not-a-token", "Bearer ", "Bearer " + "x" * 5000):
        body = refused(client.get("/api/v1/cases", headers={"Authorization": header}), 401, "unauthenticated")
        assert "token" in body["message"]
    for header in ("Basic aW52ZXN0aWdhdG9yOnB3", "Token abc", "bearer-ish"):
        refused(client.post("/api/v1/cases", headers={"Authorization": header}, json={}), 401, "unauthenticated")


def test_a_revoked_token_is_refused(api, habeas):
    from engine.persistence.models import ApiToken
    with habeas.unit_of_work() as session:
        for row in session.query(ApiToken).all():
            row.revoked = True
    body = refused(api.get("/cases", "reviewer"), 401, "unauthenticated")
    assert "revoked" in body["message"]


def test_a_role_without_the_power_is_403_before_its_body_is_read(api, case):
    body = refused(api.post("/cases", "reviewer", data="{not json", content_type="application/json"), 403, "forbidden")
    assert "reviewer" in body["message"]
    refused(api.post("/processes", "investigator", data="<x/>", content_type="application/xml"), 403, "forbidden")
    refused(api.post(f"/cases/{case['id']}/overrides", "prosecutor",
                     json={"checkpoint": "interpreter", "reason": "r", "legal_ground": "g"}), 403, "forbidden")
    refused(api.get("/reports/compliance", "investigator"), 403, "forbidden")
    refused(api.get("/audit/verify", "prosecutor"), 403, "forbidden")
    refused(api.get("/deadlines", "designer"), 403, "forbidden")


# ---- bodies -----------------------------------------------------------------------------------

def test_a_body_that_is_not_json_is_400(api):
    for raw in ('{"process": "criminal_case",', "not json at all", '{"process": NaN}', "[" * 100000 + "]" * 100000,
                b"\xff\xfe{}"):
        body = refused(api.post("/cases", data=raw, content_type="application/json"), 400, "malformed_json")
        assert "JSON" in body["message"]
    assert api.get("/cases").get_json()["items"] == []


def test_a_json_endpoint_refuses_other_content_types_with_415(api, case):
    task = case["tasks"][0]["id"]
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "application/xml", None):
        kwargs = {"content_type": content_type} if content_type else {}
        body = refused(api.post("/cases", data='{"process": "criminal_case"}', **kwargs), 415, "unsupported_media_type")
        assert "application/json" in body["message"]
        refused(api.post(f"/cases/{case['id']}/tasks/{task}/complete", data="{}", **kwargs), 415)
    unchanged(api, case)


WRONG_OPENINGS = [
    ([], "_schema"),
    ("a string", "_schema"),
    ({}, "process"),
    ({"process": 5}, "process"),
    ({"process": ""}, "process"),
    ({"process": "criminal_case", "data": "x"}, "data"),
    ({"process": "criminal_case", "data": {}, "defence": "counsel"}, "defence"),
    ({"process": "criminal_case", "defence": [1]}, "defence.0"),
    ({"process": "criminal_case", "colour": "red"}, "colour"),
    ({"process": "criminal_case", "unit": "u" * 81}, "unit"),
    ({"process": "criminal_case", "data": {"_private": 1}}, "_private"),
    ({"process": "criminal_case", "defence": ["nobody"]}, "nobody"),
    ({"process": "criminal_case", "prosecutor": "judge"}, "judge"),
]


def test_opening_a_case_with_wrong_data_is_422_with_messages_per_field(api):
    for payload, field in WRONG_OPENINGS:
        body = refused(api.post("/cases", json=payload), 422, "invalid_data")
        assert field in body["fields"], (payload, body)
        assert all(isinstance(m, str) for messages in body["fields"].values() for m in messages)
    assert api.get("/cases").get_json()["items"] == []
    refused(api.post("/cases", json={"process": "no_such_process"}), 404, "not_found")


def test_invalid_task_data_is_422_and_changes_nothing(api, case):
    task = case["tasks"][0]
    path = f"/cases/{case['id']}/tasks/{task['id']}/complete"
    body = refused(api.post(path, json={"data": {"registered_at": "yesterday", "typo_field": 1}}), 422, "invalid_data")
    assert {"registered_at", "typo_field"} <= set(body["fields"])
    for payload, field in (({"data": []}, "data"), ({"version": "3"}, "version"), ({"version": 0}, "version"),
                           ({"version": 1.5}, "version"), ({"data": {}, "extra": 1}, "extra")):
        assert field in refused(api.post(path, json=payload), 422, "invalid_data")["fields"], payload
    unchanged(api, case)


def test_a_stale_version_or_a_task_done_meanwhile_is_409_conflict(api, case):
    task = case["tasks"][0]
    path = f"/cases/{case['id']}/tasks/{task['id']}/complete"
    body = refused(api.post(path, json={"data": {}, "version": case["version"] + 7}), 409, "conflict")
    assert str(case["version"]) in body["message"]
    unchanged(api, case)
    assert api.complete(case["id"], "register_report", now=NOW).status_code == 200
    refused(api.post(path, json={"data": {}}), 409, "conflict")


def test_a_blocked_transition_is_409_naming_each_right(api, case):
    to_suspicion(api, case["id"], NOW)
    before = api.case(case["id"])
    body = refused(api.complete(case["id"], "interrogate_suspect", now=NOW), 409, "checkpoint_blocked")
    assert body["checkpoints"] and all({"id", "right", "legal_basis", "missing"} <= set(c) for c in body["checkpoints"])
    unchanged(api, before)


# ---- ids --------------------------------------------------------------------------------------

def test_unknown_or_malformed_ids_are_404(api, case):
    for path in ("/cases/abc", "/cases/-1", "/cases/1.5", "/cases/99999999999999999999", "/cases/2147483648",
                 "/cases/424242", "/cases/424242/audit", "/cases/99999999999999/audit"):
        refused(api.get(path, "reviewer"), 404, "not_found")
    for suffix in ("/tasks/not-a-uuid/complete", "/tasks/00000000-0000-0000-0000-000000000000/complete",
                   "/tasks/" + "x" * 300 + "/complete"):
        refused(api.post(f"/cases/{case['id']}{suffix}", json={"data": {}}), 404, "not_found")
    for path in ("/cases/424242/tasks/x/complete", "/cases/99999999999/tasks/x/complete"):
        refused(api.post(path, json={"data": {}}), 404, "not_found")
    for path in ("/cases/424242/evidence", "/cases/99999999999/evidence"):
        refused(api.post(path, json=counsel_evidence(NOW)), 404, "not_found")
    for escalation in ("424242", "99999999999"):
        refused(api.post(f"/escalations/{escalation}/resolve", "supervising_prosecutor", json={"resolution": "done"}),
                404, "not_found")
    unchanged(api, case)


# ---- evidence, overrides, escalations --------------------------------------------------------

WRONG_EVIDENCE = [
    ({"checkpoint": "no_such_right", "data": {}}, "checkpoint"),
    ({"data": {}}, "checkpoint"),
    ({"checkpoint": "counsel_before_interrogation", "occurred_at": "last tuesday", "data": {}}, "occurred_at"),
    ({"checkpoint": "counsel_before_interrogation", "occurred_at": 12, "data": {}}, "occurred_at"),
    ({**counsel_evidence(NOW), "data": {"present_at_interrogation": "perhaps"}}, "present_at_interrogation"),
    ({**counsel_evidence(NOW), "corrects": 424242}, "corrects"),
    ({**counsel_evidence(NOW), "corrects": "1"}, "corrects"),
    ({**counsel_evidence(NOW), "corrects": 2**40}, "corrects"),
    ({**counsel_evidence(NOW), "witness": "x"}, "witness"),
]


def test_invalid_evidence_is_422_and_records_nothing(api, case):
    for payload, field in WRONG_EVIDENCE:
        body = refused(api.post(f"/cases/{case['id']}/evidence", json=payload), 422, "invalid_data")
        assert field in body["fields"], (payload, body)
    unchanged(api, case)


REFUSED_OVERRIDES = [
    ({"checkpoint": "detention_judicial_review", "reason": "r", "legal_ground": "g"}, 403, "override_refused"),
    ({"checkpoint": "counsel_before_interrogation", "reason": "r", "legal_ground": "g"}, 403, "override_refused"),
    ({"checkpoint": "interpreter", "reason": "r", "legal_ground": "g"}, 403, "override_refused"),
    ({"checkpoint": "family_consular_notice", "reason": "  ", "legal_ground": "g"}, 422, "invalid_data"),
    ({"checkpoint": "family_consular_notice", "reason": "r"}, 422, "invalid_data"),
    ({"checkpoint": "family_consular_notice", "reason": "r", "legal_ground": ["g"]}, 422, "invalid_data"),
    ({"checkpoint": "no_such_right", "reason": "r", "legal_ground": "g"}, 422, "invalid_data"),
]


def test_refused_overrides(api, case):
    for payload, status, code in REFUSED_OVERRIDES:
        refused(api.post(f"/cases/{case['id']}/overrides", "supervising_prosecutor", json=payload), status, code)
    assert "checkpoint.overridden" not in {e["action"] for e in api.get(f"/cases/{case['id']}/audit").get_json()["entries"]}


def test_an_escalation_is_resolved_once_and_with_reasons(api, case):
    to_suspicion(api, case["id"], NOW, detained=True, family_late=True)
    [escalation] = api.case(case["id"])["escalations"]
    path = f"/escalations/{escalation['id']}/resolve"
    assert "resolution" in refused(api.post(path, "supervising_prosecutor", json={}), 422, "invalid_data")["fields"]
    refused(api.post(path, "supervising_prosecutor", json={"resolution": "   "}), 422, "invalid_data")
    assert api.post(path, "supervising_prosecutor", json={"resolution": "done"}).status_code == 200
    refused(api.post(path, "supervising_prosecutor", json={"resolution": "again"}), 422, "invalid_data")


# ---- query strings ----------------------------------------------------------------------------

BAD_QUERIES = [
    ("/cases?limit=0", "limit"), ("/cases?limit=201", "limit"), ("/cases?limit=abc", "limit"),
    ("/cases?offset=-1", "offset"), ("/cases?offset=99999999999999", "offset"), ("/cases?stage=nowhere", "stage"),
    ("/cases?status=pending", "status"), ("/cases?colour=red", "colour"),
    ("/reports/compliance?from=yesterday", "from"), ("/reports/compliance?to=2026-13-01", "to"),
    ("/reports/compliance?format=xml", "format"), ("/reports/compliance?from=2026-03-10&to=2026-03-01", "to"),
    ("/reports/compliance?from=2026-03-10T00:00:00Z&to=2026-03-10T00:00:00Z", "to"),
    ("/reports/compliance?unit=", "unit"), ("/reports/compliance?period=q1", "period"),
    ("/deadlines?case=abc", "case"), ("/deadlines?case=0", "case"), ("/deadlines?limit=1000", "limit"),
]


def test_bad_query_strings_are_422(api):
    for path, field in BAD_QUERIES:
        assert field in refused(api.get(path), 422, "invalid_data")["fields"], path


# ---- process models ---------------------------------------------------------------------------

def test_an_invalid_model_is_422_with_each_problem_at_its_element(api):
    xml = (PROCESSES / "criminal_case.bpmn").read_text()
    broken = xml.replace('name="stage" value="interrogation"', 'name="stage" value="nowhere"', 1)
    assert broken != xml
    body = refused(api.post("/processes", "designer", data=broken, content_type="application/xml"), 422, "invalid_bpmn")
    assert any(p["element"] and "nowhere" in p["message"] for p in body["problems"]), body
    for xml in ("", "not xml", "<definitions/>",
                '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><d>&x;</d>'):
        body = refused(api.post("/processes", "designer", data=xml, content_type="application/xml"), 422, "invalid_bpmn")
        assert body["problems"] and all("message" in p and "element" in p for p in body["problems"]), xml
        assert "root:" not in json.dumps(body)
    assert len(api.get("/processes").get_json()["items"]) == 2


def test_a_model_must_be_sent_as_xml(api):
    for content_type in ("application/json", "text/plain", None):
        kwargs = {"content_type": content_type} if content_type else {}
        body = refused(api.post("/processes", "designer", data="<x/>", **kwargs), 415, "unsupported_media_type")
        assert "application/xml" in body["message"]


def test_a_body_over_two_megabytes_is_413_json(api):
    huge_xml = "<x>" + "a" * 2_100_000 + "</x>"
    huge_json = json.dumps({"process": "a" * 2_100_000})
    for path, role, data, content_type in (("/processes", "designer", huge_xml, "application/xml"),
                                           ("/cases", "investigator", huge_json, "application/json")):
        body = refused(api.post(path, role, data=data, content_type=content_type), 413, "too_large")
        assert "2000000" in body["message"]
    assert api.get("/cases").get_json()["items"] == []


# ---- routing ----------------------------------------------------------------------------------

def test_wrong_methods_and_unknown_paths_answer_json(api, case):
    refused(api.client.delete(f"/api/v1/cases/{case['id']}", headers=api.headers("admin")), 405)
    refused(api.client.put("/api/v1/cases", headers=api.headers("admin")), 405)
    refused(api.get("/nothing/here"), 404, "not_found")
