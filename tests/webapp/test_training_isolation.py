"""Training never mixes with live data: a practice case, played into a detention with legal
clocks, failures and an escalation, is absent from every live list, report, dashboard, deadline
listing and export, unreadable by live roles, untouched by the live scheduler, and runs on its
own clock."""
import re
from datetime import timedelta

import pytest

from engine.domain.clock import parse_instant
from engine.persistence.models import CheckpointEvaluation, Deadline
from engine.domain.errors import Forbidden
from engine.services import clocks, rights, scheduler, training
from engine.services.context import Actor
from engine.fixtures.demo import Driver, registration
from tests.conftest import all_actors
from tests.webapp.api_support import api, fast_password_hashing, tokens  # noqa: F401
from tests.webapp.conftest import login

pytestmark = pytest.mark.usefixtures("fast_password_hashing")
TRAINEE = Actor("trainee", "trainee")
LIVE_READERS = ("investigator", "prosecutor", "supervising_prosecutor", "judge", "reviewer", "admin")


def live_case(habeas) -> int:
    driver = Driver(habeas, all_actors())
    now = habeas.now()
    case_id = driver.open(registration(now))
    driver.complete(case_id, "register_report")
    driver.complete(case_id, "open_investigation", next_step="detain")
    driver.complete(case_id, "apprehend_suspect", apprehended_at=(now - timedelta(hours=2)).isoformat())
    return case_id


def practice_case(habeas) -> int:
    """Detained, the family never told, the interrogation refused: clocks, failures, flags."""
    case_id = training.start(habeas, TRAINEE, "salduz_first_hours")["case"]
    for step in training.scenario("salduz_first_hours").mistake_walk()[:3]:
        training.play(habeas, TRAINEE, case_id, step)
    return case_id


def page(client, path: str) -> str:
    """A page's HTML without its per-session CSRF tokens, nor the audit chain's length (the one
    global chain verifies every entry, practice ones included: integrity, not a report)."""
    html = re.sub(r'name="csrf_token" value="[^"]+"', "", client.get(path).get_data(as_text=True))
    return re.sub(r"Verified: \d+ entries", "Verified", html)


def snapshots(app, api) -> dict:
    """What every live reader sees: API lists, reports and exports, and the live pages."""
    out = {}
    for role in LIVE_READERS:
        out[f"api cases {role}"] = api.get("/cases?limit=200", role).get_json()
        out[f"api deadlines {role}"] = api.get("/deadlines?limit=200", role).get_json()
    out["api compliance"] = api.get("/reports/compliance", "reviewer").get_json()
    out["api compliance csv"] = api.get("/reports/compliance?format=csv", "reviewer").get_data(as_text=True)
    reviewer = login(app.test_client(), "reviewer")
    out["export csv"] = reviewer.get("/compliance/report.csv").get_data(as_text=True)
    out["export json"] = reviewer.get("/compliance/report.json").get_json()
    out["compliance dashboard"] = page(reviewer, "/compliance/")
    for status in ("failed", "pending", "passed"):
        out[f"drill {status}"] = page(reviewer, f"/compliance/cases?status={status}")
    for username in ("investigator", "prosecutor", "supervisor", "judge"):
        out[f"dashboard {username}"] = page(login(app.test_client(), username), "/cases/?scope=all")
    return out


def test_a_practice_case_is_absent_from_every_live_list_report_dashboard_and_export(app, api, habeas, clock):
    live = live_case(habeas)
    clock.advance(hours=1)
    before = snapshots(app, api)
    case_id = practice_case(habeas)
    with habeas.unit_of_work() as session:
        practice_rows = session.query(CheckpointEvaluation).filter_by(case_id=case_id).count()
        practice_clocks = session.query(Deadline).filter_by(case_id=case_id, status="open").count()
    assert practice_rows > 0 and practice_clocks > 0  # there is something that could leak
    after = snapshots(app, api)
    for name in before:
        assert after[name] == before[name] or _diff(before[name], after[name]), name
    assert any(item["id"] == live for item in after["api cases reviewer"]["items"])  # the lists do list cases
    console = Actor("root", "admin")  # `habeas deadlines`
    listed = clocks.list_deadlines(habeas, console).deadlines + clocks.list_deadlines(habeas, console, overdue=True).deadlines
    assert listed and all(row["case_id"] != case_id for row in listed)
    number = training.view(habeas, TRAINEE, case_id)["case"]["number"]
    assert number.startswith("TR-")
    for name, seen in after.items():
        assert number not in str(seen), name


def test_live_roles_can_neither_read_nor_act_on_a_practice_case(app, api, habeas):
    case_id = practice_case(habeas)
    for role in LIVE_READERS + ("defence",):
        assert api.get(f"/cases/{case_id}", role).status_code == 403, role
        assert api.get(f"/cases/{case_id}/audit", role).status_code == 403, role
    assert api.post(f"/cases/{case_id}/evidence", "investigator",
                    json={"checkpoint": "silence_caution", "data": {}}).status_code in (403, 422)
    assert login(app.test_client(), "investigator").get(f"/cases/{case_id}").status_code == 403


def test_a_trainee_sees_only_training_and_only_their_own_runs(api, habeas):
    case_id = practice_case(habeas)
    assert api.get("/cases", "trainee").status_code == 403
    assert api.get("/reports/compliance", "trainee").status_code == 403
    assert api.get(f"/training/cases/{case_id}", "trainee").status_code == 403  # script-trainee: not theirs
    assert api.get(f"/training/cases/{case_id}", "trainer").status_code == 200  # trainers review any run
    assert api.post(f"/training/cases/{case_id}/steps", "trainer",
                    json={"step": {"do": "advance", "hours": 1}}).status_code == 403


def test_the_virtual_clock_moves_one_case_and_the_live_scheduler_never_ticks_it(seeded, clock):
    habeas = seeded
    case_id = practice_case(habeas)
    live = live_case(habeas)
    opened = parse_instant(training.view(habeas, TRAINEE, case_id)["virtual_now"])
    training.advance(habeas, TRAINEE, case_id, 30)  # past the family-notice deadline
    view = training.view(habeas, TRAINEE, case_id)
    assert parse_instant(view["virtual_now"]) - opened == timedelta(hours=30)
    assert habeas.now() == opened  # the live clock did not move
    assert [e["at_hours"] for e in view["events"]] == [1, 3]  # the scenario's events arrived
    assert any(d["status"] == "breached" for d in view["case"]["deadlines"])  # ticked at the virtual now
    [escalation] = [e for e in view["case"]["escalations"] if e["status"] == "open"]
    with pytest.raises(Forbidden):  # a live supervisor cannot close a practice case's escalation
        rights.resolve_escalation(habeas, Actor("supervisor", "supervising_prosecutor"), escalation["id"], "done")
    clock.advance(hours=100)
    # real time passing is no time in the practice case: only the trainee moves its clock
    assert parse_instant(training.view(habeas, TRAINEE, case_id)["virtual_now"]) - opened == timedelta(hours=30)
    with habeas.unit_of_work() as session:
        open_before = {d.id for d in session.query(Deadline).filter_by(case_id=case_id, status="open")}
    report = scheduler.tick(habeas)
    assert all(d["case"] != view["case"]["number"] for d in report.done)
    assert any(d["case"].startswith("HB-") for d in report.done)  # the live case was ticked
    with habeas.unit_of_work() as session:
        assert {d.id for d in session.query(Deadline).filter_by(case_id=case_id, status="open")} == open_before
    assert live


def test_a_bad_step_is_refused_clearly_and_changes_nothing(api, habeas):
    started = api.post("/training/scenarios/salduz_first_hours/start", "trainee").get_json()
    case_id, version = started["case"]["id"], started["case"]["version"]
    for step in ({"do": "fly"}, {"do": "advance", "hours": -2}, {"do": "advance", "hours": "two"},
                 {"do": "evidence", "checkpoint": "no_such_right"}, {"do": "complete"}):
        response = api.post(f"/training/cases/{case_id}/steps", "trainee", json={"step": step})
        assert response.status_code == 422 and response.get_json()["error"] == "invalid_data", step
    response = api.post(f"/training/cases/{case_id}/steps", "trainee",
                        json={"step": {"do": "complete", "task": "close_case"}})
    assert response.status_code == 422 and "not waiting" in response.get_json()["message"]
    after = api.get(f"/training/cases/{case_id}", "trainee").get_json()
    assert after["case"]["version"] == version and after["hours_played"] == 0
    assert api.post("/training/scenarios/no_such_scenario/start", "trainee").status_code == 404


def _diff(a, b) -> bool:
    import difflib
    print("\n".join(difflib.unified_diff(str(a).splitlines(), str(b).splitlines(), lineterm="", n=1)))
    return False


def test_the_pages_play_the_acts_beside_the_diagram(app, habeas):
    """A release from the training page: the same step as over the API, on the case's clock."""
    case_id = training.start(habeas, TRAINEE, "review_48_hours")["case"]
    for step in training.scenario("review_48_hours").reference_walk[:3]:
        training.play(habeas, TRAINEE, case_id, step)
    client = login(app.test_client(), "trainee")
    html = client.get(f"/training/cases/{case_id}").get_data(as_text=True)
    assert "TRAINING" in html and 'data-act="release"' in html
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    refused = client.post(f"/training/cases/{case_id}/acts/release", data={"csrf_token": token, "ground": ""},
                          follow_redirects=True).get_data(as_text=True)
    assert "Refused: say on what ground" in refused
    done = client.post(f"/training/cases/{case_id}/acts/release",
                       data={"csrf_token": token, "ground": "no grounds to hold him"}, follow_redirects=True)
    assert "Done." in done.get_data(as_text=True)
    assert training.view(habeas, TRAINEE, case_id)["case"]["facts"]["detained"] is False
