"""Issue 13, findings 1-3 over HTTP (SQLite and PostgreSQL): what once answered 500 and poisoned
a case answers a clear 4xx and stores nothing; a case that does not load is an incident that the
API and the case pages show and an admin repairs; deploy refuses unbounded scripts; /health
says whether the scheduler is alive."""
import json
import re

import pytest

from tests.bpmn_samples import tiny_process
from tests.conftest import START
from tests.integration.test_hardening import poison
from tests.webapp.api_support import api, fast_password_hashing, registration, tokens  # noqa: F401
from tests.webapp.conftest import csrf_token, login
from tests.webapp.test_api_errors import refused

pytestmark = pytest.mark.usefixtures("fast_password_hashing")


def case_count(api) -> int:
    return len(api.get("/cases?limit=200", "supervising_prosecutor").get_json()["items"])


def test_opening_data_that_would_poison_a_case_is_refused_with_422_and_nothing_stored(api):
    poisons = {
        "typename nested": {"meta": {"typename": "datetime"}},
        "500 deep": {"deep": json.loads("[" * 500 + "]" * 500)},
        "NUL": {"note": "a\u0000b"},
        "NUL in a key": {"meta": {"a\u0000": 1}},
    }
    for name, extra in poisons.items():
        response = api.post("/cases", json={"process": "criminal_case", "data": {**registration(START), **extra}})
        body = refused(response, 422, "invalid_data")
        assert body["fields"], name
    assert case_count(api) == 0
    assert api.get("/cases").status_code == 200


def test_nul_characters_anywhere_in_a_request_answer_422_not_500(api, app):
    case = api.open_case(registration(START))
    task = case["tasks"][0]
    attempts = [
        api.post(f"/cases/{case['id']}/tasks/{task['id']}/complete", json={"data": {"report_summary": "x\u0000"}}),
        api.post(f"/cases/{case['id']}/overrides", "supervising_prosecutor",
                 json={"checkpoint": "interpreter", "reason": "a\u0000", "legal_ground": "b"}),
        api.get("/cases?stage=%00"),
    ]
    for response in attempts:
        refused(response, 422, "invalid_data")
    client = app.test_client()
    response = client.post("/login", data={"username": "judge\x00", "password": "x",
                                           "csrf_token": csrf_token(client)})
    assert response.status_code == 422
    assert api.case(case["id"])["version"] == case["version"]


def test_a_poisoned_case_is_an_incident_on_the_api_and_the_pages_and_an_admin_repairs_it(api, app, habeas):
    healthy = api.open_case(registration(START))
    poisoned = api.open_case(registration(START))
    poison(habeas, poisoned["id"])
    app.extensions["habeas"].runs.take(poisoned["id"], -1)  # the server's cached copy, too

    view = api.get(f"/cases/{poisoned['id']}")
    assert view.status_code == 200
    [incident] = view.get_json()["incidents"]
    assert incident["kind"] == "load_failed" and view.get_json()["tasks"] == []
    assert case_count(api) == 2
    for user in ("investigator", "judge", "supervisor"):
        client = login(app.test_client(), user)
        assert client.get("/cases/?scope=all").status_code == 200, user
        page = client.get(f"/cases/{poisoned['id']}")
        assert page.status_code == 200 and f'data-incident="{incident["id"]}"' in page.get_data(as_text=True)

    complete = api.post(f"/cases/{poisoned['id']}/tasks/{healthy['tasks'][0]['id']}/complete", json={"data": {}})
    refused(complete, 409, "incident")
    listed = api.get("/incidents", "admin").get_json()["items"]
    assert [i["id"] for i in listed] == [incident["id"]]
    refused(api.post(f"/incidents/{incident['id']}/repair", "reviewer"), 403, "forbidden")
    refused(api.post(f"/incidents/{incident['id']}/retry", "admin"), 409, "conflict")

    repaired = api.post(f"/incidents/{incident['id']}/repair", "admin", json={"note": "meta set aside"})
    assert repaired.status_code == 200 and repaired.get_json()["removed"] == ["meta"]
    after = api.case(poisoned["id"])
    assert after["incidents"] == [] and len(after["tasks"]) == 1
    assert api.get("/incidents", "admin").get_json()["items"] == []
    refused(api.post(f"/incidents/{incident['id']}/resolve", "admin", json={"note": "again"}), 409, "conflict")


def test_deploy_over_the_api_refuses_unbounded_scripts_naming_the_element(api):
    for script in ("while True: pass", "x = 10**10**8"):
        response = api.post("/processes", "designer", data=tiny_process("unbounded", script=script),
                            content_type="application/xml")
        body = refused(response, 422, "invalid_bpmn")
        assert [p["element"] for p in body["problems"]] == ["act"], body


def test_a_script_over_its_time_limit_answers_422_and_the_next_write_goes_through(api, monkeypatch):
    monkeypatch.setenv("HABEAS_SCRIPT_SECONDS", "0.2")
    for process_id, script in (("spinning", "n = 1\nwhile n > 0:\n    n = n + 1"), ("calm", None)):
        deployed = api.post("/processes", "designer", data=tiny_process(process_id, script=script),
                            content_type="application/xml")
        assert deployed.status_code == 201, deployed.get_json()
    spinning = api.post("/cases", json={"process": "spinning", "data": {"suspect_name": "A"}}).get_json()
    calm = api.post("/cases", json={"process": "calm", "data": {"suspect_name": "B"}}).get_json()
    stuck = api.post(f"/cases/{spinning['id']}/tasks/{spinning['tasks'][0]['id']}/complete",
                     json={"data": {}, "version": spinning["version"]})
    body = refused(stuck, 422, "workflow_error")
    assert "longer than its limit" in body["message"]
    moved = api.post(f"/cases/{calm['id']}/tasks/{calm['tasks'][0]['id']}/complete",
                     json={"data": {}, "version": calm["version"]})
    assert moved.status_code == 200 and moved.get_json()["version"] == calm["version"] + 1
    after = api.case(spinning["id"])
    assert after["version"] == spinning["version"] and [i["kind"] for i in after["incidents"]] == ["step_failed"]


def test_health_reports_the_scheduler(app, client):
    body = client.get("/health").get_json()
    assert body["status"] == "ok" and body["scheduler"]["status"] == "off"  # switched off in tests


def test_health_says_whether_the_scheduler_beside_the_server_is_alive(db_engine, clock, seeded, monkeypatch):
    import threading

    from engine.services import scheduler
    from tests.webapp.conftest import make_app
    monkeypatch.setattr(scheduler, "HEARTBEAT", scheduler.Heartbeat())  # this test's own
    app = make_app(db_engine, clock, SCHEDULER=True, SCHEDULER_INTERVAL=3600)
    try:
        client = app.test_client()
        alive = client.get("/health")
        assert alive.status_code == 200 and alive.get_json()["scheduler"]["status"] == "alive"
        dead = threading.Thread(target=lambda: None)
        dead.start()
        dead.join()
        scheduler.HEARTBEAT.thread = dead  # as if the thread had died
        answer = client.get("/health")
        assert answer.status_code == 503
        body = answer.get_json()
        assert (body["status"], body["database"], body["scheduler"]["status"]) == ("degraded", "ok", "dead")
    finally:
        scheduler.HEARTBEAT.thread = None
        app.extensions["scheduler_stop"]()
        with app.app_context():
            from web.extensions import db
            db.engine.dispose()


def test_an_admin_repairs_a_poisoned_case_from_the_incidents_page(api, app, habeas):
    poisoned = api.open_case(registration(START))
    poison(habeas, poisoned["id"])
    app.extensions["habeas"].runs.take(poisoned["id"], -1)
    assert api.get(f"/cases/{poisoned['id']}").get_json()["incidents"]  # read: the incident opens

    reviewer = login(app.test_client(), "reviewer")
    listing = reviewer.get("/incidents/").get_data(as_text=True)
    assert f'href="/cases/{poisoned["id"]}"' in listing and "Repair</button>" not in listing

    admin = login(app.test_client(), "admin")
    page = admin.get("/incidents/").get_data(as_text=True)
    [incident_id] = [int(i) for i in re.findall(r'data-incident="(\d+)"', page)]
    token = csrf_token(admin, "/incidents/")
    retried = admin.post(f"/incidents/{incident_id}/retry", data={"csrf_token": token}, follow_redirects=True)
    assert "still does not load" in retried.get_data(as_text=True)
    repaired = admin.post(f"/incidents/{incident_id}/repair", data={"csrf_token": token}, follow_redirects=True)
    assert f"Incident {incident_id} repaired; it is resolved." in repaired.get_data(as_text=True)
    assert "No open incidents" in admin.get("/incidents/").get_data(as_text=True)
    assert 'data-incident=' not in admin.get(f"/cases/{poisoned['id']}").get_data(as_text=True)
