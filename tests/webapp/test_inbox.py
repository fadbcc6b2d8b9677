"""The inbox over HTTP, on SQLite and PostgreSQL: a mandatory release reaches the supervising
prosecutor's inbox, at the top, after one scheduler tick; filters and search; claim and reassign
(audited, role-checked, stale or forbidden attempts change nothing); comments on a case; and the
dashboard's "waiting for you" means a task the role may act on or an urgent item for it."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.persistence.models import AuditEntry, CaseComment, TaskClaim
from engine.services import scheduler
from engine.services.demo import Driver, registration
from tests.webapp.api_support import api, fast_password_hashing, script_user, tokens  # noqa: F401
from tests.webapp.conftest import login

pytestmark = pytest.mark.usefixtures("fast_password_hashing")


def detained(driver, hours_ago: int, **facts) -> int:
    """A case whose suspect was apprehended ``hours_ago`` hours ago, the family told."""
    now = driver.ctx.now()
    case_id = driver.open(registration(now, **facts))
    driver.complete(case_id, "register_report")
    driver.complete(case_id, "open_investigation", next_step="detain")
    driver.complete(case_id, "apprehend_suspect", apprehended_at=(now - timedelta(hours=hours_ago)).isoformat())
    driver.complete(case_id, "notify_family_consulate", family_member="mother", method="telephone",
                    family_notified_at=now.isoformat(), consulate_notified_at=now.isoformat())
    return case_id


def waiting_for_prosecutor(driver, **facts) -> int:
    case_id = driver.open(registration(driver.ctx.now(), **facts))
    driver.complete(case_id, "register_report")
    driver.complete(case_id, "open_investigation", next_step="summon")
    driver.complete(case_id, "draft_suspicion_decision")
    return case_id


def inbox(api, role, **query):
    response = api.get("/inbox", role, query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def audit_actions(habeas, case_id):
    with habeas.unit_of_work() as s:
        return [(e.action, e.actor, e.payload) for e in s.execute(
            select(AuditEntry).where(AuditEntry.case_id == case_id).order_by(AuditEntry.seq)).scalars()]


def test_a_mandatory_release_is_at_the_top_of_the_supervisors_inbox_after_one_tick(api, habeas, actors, clock):
    driver = Driver(habeas, actors)
    ordinary = waiting_for_prosecutor(driver, suspect_name="Asel Nurlanova")
    held = detained(driver, hours_ago=40, suspect_name="Daniyar Omarov")
    number = driver.view(held)["number"]
    before = inbox(api, "supervising_prosecutor")
    assert not [i for i in before["items"] if i["kind"] == "release"]

    clock.advance(hours=9)  # the 48 hours for a judge's order have passed
    scheduler.tick(habeas)

    after = inbox(api, "supervising_prosecutor")
    top = after["items"][0]
    assert (top["kind"], top["severity"], top["urgent"], top["number"]) == ("release", "critical", True, number)
    assert top["due_at"] and top["reason"].startswith("MANDATORY RELEASE")
    assert after["urgent"] >= 1
    # the investigator, who holds the person, has it first too; the ordinary task comes after
    investigator = inbox(api, "investigator")["items"]
    assert investigator[0]["kind"] == "release" and investigator[0]["case"] == held
    prosecutor = inbox(api, "prosecutor")["items"]
    assert [i["case"] for i in prosecutor if i["kind"] == "task"] == [ordinary]
    # a defence lawyer never sees another's urgent items
    assert inbox(api, "defence")["items"] == []


def test_filters_and_search_narrow_the_inbox_and_bad_ones_are_422(api, habeas, actors, clock):
    driver = Driver(habeas, actors)
    one = waiting_for_prosecutor(driver, suspect_name="Asel Nurlanova")
    two = detained(driver, hours_ago=40, suspect_name="Daniyar Omarov")
    number = driver.view(two)["number"]
    assert {i["case"] for i in inbox(api, "investigator")["items"]} == {two}
    assert [i["case"] for i in inbox(api, "investigator", q="omarov")["items"]] == [two]
    assert inbox(api, "investigator", q="nobody by this name")["items"] == []
    assert [i["case"] for i in inbox(api, "investigator", case=number)["items"]] == [two]
    assert [i["case"] for i in inbox(api, "prosecutor", case=str(one))["items"]] == [one]
    assert [i["case"] for i in inbox(api, "investigator", stage="detention")["items"]] == [two]
    assert inbox(api, "investigator", stage="trial")["items"] == []
    assert [i["case"] for i in inbox(api, "investigator", due_within=12)["items"]] == [two]  # 8 h left
    assert inbox(api, "prosecutor", due_within=12)["items"] == []
    everything = inbox(api, "investigator")["items"]
    blocked, free = inbox(api, "investigator", blocked="true")["items"], inbox(api, "investigator", blocked="false")["items"]
    assert all(i["blocked"] for i in blocked) and not any(i["blocked"] for i in free)
    assert sorted(i["key"] for i in blocked + free) == sorted(i["key"] for i in everything)
    for bad in ({"stage": "nowhere"}, {"blocked": "maybe"}, {"due_within": "-1"}, {"whose": "theirs"},
                {"unknown": "1"}):
        response = api.get("/inbox", "investigator", query_string=bad)
        assert response.status_code == 422 and response.get_json()["error"] == "invalid_data"


def test_claim_and_reassign_are_audited_role_checked_and_stale_ones_change_nothing(api, habeas, actors):
    driver = Driver(habeas, actors)
    case_id = waiting_for_prosecutor(driver)
    item = inbox(api, "prosecutor")["items"][0]
    path = f"/cases/{case_id}/tasks/{item['task_id']}"
    assert item["holder"] is None and item["lane"] == "prosecutor"

    # not the investigator's lane: refused, nothing written
    assert api.post(path + "/claim", "investigator", json={}).status_code == 403
    # a stale version: refused
    assert api.post(path + "/claim", "prosecutor", json={"version": item["version"] + 5}).status_code == 409
    assert _claims(habeas) == []

    claimed = api.post(path + "/claim", "prosecutor", json={"version": item["version"]})
    assert claimed.status_code == 200 and claimed.get_json()["holder"] == script_user("prosecutor")
    shown = inbox(api, "prosecutor", whose="mine")["items"]
    assert [(i["task_id"], i["holder"]) for i in shown] == [(item["task_id"], script_user("prosecutor"))]
    # another prosecutor cannot take it over, nor hand it on
    response = api.post(path + "/claim", "supervising_prosecutor", json={})
    assert response.status_code == 409
    # reassigning: only to a user whose role may work the task
    assert api.post(path + "/reassign", "prosecutor", json={"to": "judge"}).status_code == 422
    assert api.post(path + "/reassign", "prosecutor", json={"to": "nobody-here"}).status_code == 422
    assert api.post(path + "/reassign", "prosecutor", json={}).status_code == 422
    assert _claims(habeas) == [(case_id, item["task_id"], script_user("prosecutor"))]

    moved = api.post(path + "/reassign", "prosecutor", json={"to": "prosecutor"})
    assert moved.status_code == 200 and moved.get_json()["holder"] == "prosecutor"
    assert inbox(api, "prosecutor", whose="mine")["items"] == []
    # the supervising prosecutor may reassign any task
    back = api.post(path + "/reassign", "supervising_prosecutor", json={"to": script_user("prosecutor")})
    assert back.status_code == 200
    trail = [(a, who, p.get("to") or p.get("holder")) for a, who, p in audit_actions(habeas, case_id)
             if a.startswith("task.claimed") or a.startswith("task.reassigned")]
    assert trail == [("task.claimed", script_user("prosecutor"), script_user("prosecutor")),
                     ("task.reassigned", script_user("prosecutor"), "prosecutor"),
                     ("task.reassigned", script_user("supervising_prosecutor"), script_user("prosecutor"))]

    # once completed, the task is no longer waiting: claims on it are stale
    driver.complete(case_id, "approve_suspicion", approved=True)
    assert api.post(path + "/claim", "prosecutor", json={}).status_code == 409
    assert api.post(f"/cases/{case_id}/tasks/no-such-task/claim", "prosecutor", json={}).status_code == 409


def _claims(habeas):
    with habeas.unit_of_work() as s:
        return [(c.case_id, c.task_id, c.holder) for c in s.execute(select(TaskClaim).order_by(TaskClaim.id)).scalars()]


def test_comments_on_a_case_are_audited_shown_in_the_inbox_and_not_to_the_defence(api, habeas, actors):
    driver = Driver(habeas, actors)
    case_id = waiting_for_prosecutor(driver)
    posted = api.post(f"/cases/{case_id}/comments", "investigator", json={"body": "  Witness statement attached.  "})
    assert posted.status_code == 201
    assert posted.get_json()["body"] == "Witness statement attached."
    listed = api.get(f"/cases/{case_id}/comments", "reviewer").get_json()["items"]
    assert [(c["author"], c["body"]) for c in listed] == [(script_user("investigator"), "Witness statement attached.")]
    item = inbox(api, "prosecutor")["items"][0]
    assert item["comments"] == 1 and item["last_comment"]["body"] == "Witness statement attached."
    assert ("case.commented", script_user("investigator")) in [(a, w) for a, w, _ in audit_actions(habeas, case_id)]

    for bad in ({"body": "   "}, {}, {"body": "x" * 4001}, {"body": "ok", "extra": 1}):
        assert api.post(f"/cases/{case_id}/comments", "investigator", json=bad).status_code == 422
    assert api.post(f"/cases/{case_id}/comments", "investigator",
                    json={"body": "ok", "task_id": "no-such-task"}).status_code == 409
    assert api.post(f"/cases/{case_id}/comments", "defence", json={"body": "hello"}).status_code == 403
    assert api.get(f"/cases/{case_id}/comments", "defence").status_code == 403
    assert api.post(f"/cases/{case_id}/comments", "reviewer", json={"body": "hello"}).status_code == 403
    assert api.post("/cases/999999/comments", "investigator", json={"body": "hello"}).status_code == 404
    with habeas.unit_of_work() as s:
        assert s.execute(select(CaseComment.body)).scalars().all() == ["Witness statement attached."]


def test_waiting_for_you_lists_only_tasks_the_role_may_act_on_or_urgent_items_for_it(app, habeas, actors, clock):
    driver = Driver(habeas, actors)
    waiting_for_prosecutor(driver, suspect_name="Asel Nurlanova")  # opened by the investigator
    investigator, judge = login(app.test_client(), "investigator"), login(app.test_client(), "judge")
    assert "Asel Nurlanova" not in investigator.get("/cases/").get_data(as_text=True)
    assert "Asel Nurlanova" in investigator.get("/cases/?scope=all").get_data(as_text=True)
    assert "Asel Nurlanova" not in judge.get("/cases/").get_data(as_text=True)
    held = detained(driver, hours_ago=40, suspect_name="Daniyar Omarov")
    driver.complete(held, "draft_suspicion_decision")  # now waiting for the prosecutor only
    assert "Daniyar Omarov" not in investigator.get("/cases/").get_data(as_text=True)
    clock.advance(hours=9)
    scheduler.tick(habeas)  # the release is addressed to the investigator: waiting for them again
    investigator = login(app.test_client(), "investigator")  # a new session: nine hours have passed
    assert "Daniyar Omarov" in investigator.get("/cases/").get_data(as_text=True)


def csrf(page: str) -> str:
    import re
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_the_inbox_page_puts_the_release_first_claims_and_comments_through_forms(app, habeas, actors, clock):
    driver = Driver(habeas, actors)
    ordinary = waiting_for_prosecutor(driver, suspect_name="Asel Nurlanova")
    held = detained(driver, hours_ago=40, suspect_name="Daniyar Omarov")
    clock.advance(hours=9)
    scheduler.tick(habeas)
    supervisor = login(app.test_client(), "supervisor")
    page = supervisor.get("/cases/inbox").get_data(as_text=True)
    first = page.index('class="inbox-item')
    assert page[first:].startswith('class="inbox-item severity-critical" data-kind="release" data-case="%d"' % held)
    assert "Severity: critical" in page

    prosecutor = login(app.test_client(), "prosecutor")
    page = prosecutor.get("/cases/inbox").get_data(as_text=True)
    task = driver.task(ordinary, "approve_suspicion")
    response = prosecutor.post(f"/cases/{ordinary}/tasks/{task['id']}/claim",
                               data={"csrf_token": csrf(page), "back": "/cases/inbox?q=Asel"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/cases/inbox?q=Asel")
    page = prosecutor.get("/cases/inbox?q=Asel").get_data(as_text=True)
    assert "You hold the task now." in page and "Held by prosecutor" in page

    response = prosecutor.post(f"/cases/{ordinary}/comments", data={"csrf_token": csrf(page), "body": "Call me first."})
    assert response.status_code == 303
    case_page = prosecutor.get(f"/cases/{ordinary}").get_data(as_text=True)
    assert "Your comment is added." in case_page and "Call me first." in case_page
    assert "1 comment on the case" in prosecutor.get("/cases/inbox").get_data(as_text=True)

    bad = prosecutor.get("/cases/inbox?stage=nowhere&due_within=7")
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "Choose a stage from the list." in text and "Choose a deadline window" in text
