"""Issue 13, findings 1-3, reproduced through the services and the command line on SQLite and
PostgreSQL: no case can be poisoned, no script can stall the office or escape its step, and no
case's failure can stop the legal clocks of the others."""
import json
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from engine.cli import EXIT_CODES, main
from engine.domain.errors import Conflict, InvalidBpmn, InvalidData, WorkflowError
from engine.persistence.models import AuditEntry, Case, Deadline, Incident
from engine.persistence.database import normalise_url
from engine.services import bootstrap, cases, dashboards, incidents, processes, queries, scheduler
from tests.bpmn_samples import looping_process, tiny_process
from tests.conftest import PG_SCHEMA, PG_URL


def deploy(habeas, actors, xml):
    return processes.deploy(habeas, actors["designer"], xml)


def open_tiny(habeas, actors, process_id="tiny", data=None):
    return cases.open_case(habeas, actors["investigator"], process_id, data or {"suspect_name": "A"})


def ready(habeas, actors, case_id):
    return {t["name"]: t["id"] for t in queries.show_case(habeas, actors["reviewer"], case_id)["tasks"]}


def case_row(habeas, case_id):
    with habeas.unit_of_work() as s:
        case = s.get(Case, case_id)
        return {"version": case.lock_version, "state": case.workflow_state, "facts": dict(case.facts)}


def open_incidents(habeas, case_id=None):
    with habeas.unit_of_work() as s:
        query = select(Incident).where(Incident.status == "open")
        if case_id is not None:
            query = query.where(Incident.case_id == case_id)
        return [(i.kind, i.message) for i in s.execute(query.order_by(Incident.id)).scalars()]


# ---------------------------------------------------------------- finding 1: poisoned cases

@pytest.mark.parametrize("data, where", [
    ({"suspect_name": "B", "meta": {"typename": "datetime"}}, "data.meta.typename"),
    ({"suspect_name": "B", "deep": json.loads("[" * 500 + "]" * 500)}, "nested deeper"),
    ({"suspect_name": "B\x00C"}, "NUL"),
    ({"suspect_name": "B", "blob": "x" * 200_000}, "text longer"),
    ({"suspect_name": "B", "big": 10 ** 30}, "out of range"),
])
def test_opening_data_the_engine_could_not_load_back_is_refused_and_nothing_is_stored(seeded, actors, data, where):
    with pytest.raises(InvalidData) as refused:
        cases.open_case(seeded, actors["investigator"], "criminal_case", data)
    assert where in json.dumps(refused.value.to_dict())
    with seeded.unit_of_work() as s:
        assert s.execute(select(Case)).first() is None
    assert queries.list_cases(seeded, actors["supervising_prosecutor"]) == []


def poison(habeas, case_id, value=None):
    """What finding 1 left in the database: opening data SpiffWorkflow cannot restore (written
    behind the engine's back, as the unvalidated API once did)."""
    value = {"typename": "datetime"} if value is None else value
    with habeas.unit_of_work() as s:
        case = s.get(Case, case_id)
        state = json.loads(case.workflow_state)
        for task in state["tasks"].values():
            task["data"]["meta"] = value
        s.execute(text("UPDATE cases SET workflow_state = :state WHERE id = :id"),
                  {"state": json.dumps(state), "id": case_id})
    habeas.runs.take(case_id, -1)  # this worker's cached copy is not what the database holds


def test_a_case_nested_too_deep_to_load_is_repaired_too(seeded, actors):
    case_id = open_tiny(seeded, actors, "criminal_case")
    poison(seeded, case_id, json.loads("[" * 500 + "]" * 500))
    [incident] = queries.show_case(seeded, actors["reviewer"], case_id)["incidents"]
    assert "RecursionError" in incident["message"]
    assert incidents.repair(seeded, actors["admin"], incident["id"])["removed"] == ["meta"]
    assert [t["name"] for t in queries.show_case(seeded, actors["reviewer"], case_id)["tasks"]] == ["register_report"]


def test_a_case_that_does_not_load_is_an_incident_readable_listed_and_repaired_by_an_admin(seeded, actors):
    healthy = open_tiny(seeded, actors, "criminal_case")
    poisoned = open_tiny(seeded, actors, "criminal_case")
    poison(seeded, poisoned)

    view = queries.show_case(seeded, actors["reviewer"], poisoned)
    assert view["tasks"] == [] and [i["kind"] for i in view["incidents"]] == ["load_failed"]
    assert "cannot be loaded" in view["incidents"][0]["message"]
    for role in ("investigator", "judge", "supervising_prosecutor"):
        rows = dashboards.my_cases(seeded, actors[role], scope="all")
        assert {r["id"] for r in rows} == {healthy, poisoned}
        assert [r["incidents"] != [] for r in rows if r["id"] == poisoned] == [True]
    queries.show_case(seeded, actors["reviewer"], poisoned)  # read again: the same incident, counted
    assert open_incidents(seeded, poisoned) == [("load_failed", view["incidents"][0]["message"])]

    task_id = ready(seeded, actors, healthy)["register_report"]
    with pytest.raises(WorkflowError) as refused:
        cases.complete_task(seeded, actors["investigator"], poisoned, task_id, {})
    assert refused.value.code == "incident"

    [incident_id] = [i["id"] for i in queries.show_case(seeded, actors["reviewer"], poisoned)["incidents"]]
    with pytest.raises(Conflict, match="still does not load"):
        incidents.retry(seeded, actors["admin"], incident_id)
    with pytest.raises(Conflict, match="does not load"):
        incidents.resolve(seeded, actors["admin"], incident_id, "looked at it")
    with pytest.raises(Exception) as forbidden:
        incidents.repair(seeded, actors["investigator"], incident_id)
    assert forbidden.value.code == "forbidden"

    repaired = incidents.repair(seeded, actors["admin"], incident_id, "set aside the meta block")
    assert repaired["status"] == "resolved" and repaired["removed"] == ["meta"]
    after = queries.show_case(seeded, actors["reviewer"], poisoned)
    assert after["incidents"] == [] and [t["name"] for t in after["tasks"]] == ["register_report"]
    with seeded.unit_of_work() as s:
        entry = s.execute(select(AuditEntry).where(AuditEntry.action == "incident.repaired")).scalar_one()
        assert json.loads(entry.payload["removed"][0]["value"]) == {"typename": "datetime"}
    assert queries.verify_audit(seeded, actors["admin"])["ok"] is True


@pytest.mark.parametrize("script, message", [
    ('blob = b"bytes"', "bytes is not a plain JSON value"),
    ('problem = ValueError("x")', "ValueError is not a plain JSON value"),
    ('meta = {"typename": "datetime"}', "reserved name"),
    ("nest = []\nfor i in range(50):\n    nest = [nest]", "nested deeper"),
])
def test_a_script_that_leaves_data_the_case_cannot_keep_fails_its_step_only(seeded, actors, script, message):
    deploy(seeded, actors, tiny_process(script=script))
    case_id = open_tiny(seeded, actors)
    before = case_row(seeded, case_id)
    with pytest.raises(WorkflowError, match=message):
        cases.complete_task(seeded, actors["investigator"], case_id, ready(seeded, actors, case_id)["first"], {})
    assert case_row(seeded, case_id) == before
    assert [kind for kind, _ in open_incidents(seeded, case_id)] == ["step_failed"]
    assert list(ready(seeded, actors, case_id)) == ["first"]


# ---------------------------------------------------------------- finding 2: scripts with limits

@pytest.mark.parametrize("script, element_message", [
    ("while True: pass", "never ends"),
    ("x = 10**10**8", "unbounded constant expression"),
    ("x = 'a' * 10**10", "unbounded constant expression"),
])
def test_deploy_refuses_plainly_unbounded_scripts_naming_the_element(seeded, actors, script, element_message):
    with pytest.raises(InvalidBpmn) as refused:
        deploy(seeded, actors, tiny_process("unbounded", script=script))
    assert [p["element"] for p in refused.value.problems] == ["act"]
    assert element_message in refused.value.problems[0]["message"]


@pytest.mark.parametrize("script, message", [
    ("n = 1\nwhile n > 0:\n    n = n + 1", "longer than its limit"),
    ("n = 10\nx = n ** n ** n", "more than 100000 bits"),
    ("x = sum(range(10 ** 12))", "range of more than"),
    ("def f(n):\n    return f(n + 1)\nf(0)", "RecursionError"),
    ("raise SystemExit(3)", "SystemExit"),
])
def test_a_script_over_its_limits_fails_its_step_and_frees_the_database(seeded, actors, monkeypatch, script, message):
    monkeypatch.setenv("HABEAS_SCRIPT_SECONDS", "0.2")
    deploy(seeded, actors, tiny_process(script=script))
    deploy(seeded, actors, tiny_process("calm"))
    stuck = open_tiny(seeded, actors)
    other = open_tiny(seeded, actors, "calm")
    with pytest.raises(WorkflowError, match=message):
        cases.complete_task(seeded, actors["investigator"], stuck, ready(seeded, actors, stuck)["first"], {})
    # the step's transaction is gone: another case is written at once
    step = cases.complete_task(seeded, actors["investigator"], other, ready(seeded, actors, other)["first"], {},
                               expected_version=1)
    assert step.version == 2
    assert [kind for kind, _ in open_incidents(seeded, stuck)] == ["step_failed"]
    assert open_incidents(seeded, other) == []


def test_a_loop_in_the_diagram_is_stopped_by_the_step_limit(seeded, actors, monkeypatch):
    monkeypatch.setenv("HABEAS_STEP_SECONDS", "0.3")
    deploy(seeded, actors, looping_process())
    case_id = open_tiny(seeded, actors, "looping")
    before = case_row(seeded, case_id)
    with pytest.raises(WorkflowError, match="step ran longer than its limit|script ran longer"):
        cases.complete_task(seeded, actors["investigator"], case_id, ready(seeded, actors, case_id)["first"], {})
    assert case_row(seeded, case_id) == before


# ---------------------------------------------------------------- finding 3: the legal clocks go on

def test_a_timer_reached_at_opening_has_its_deadline_row_and_fires(seeded, actors):
    deploy(seeded, actors, tiny_process(timer='"PT1H"', timer_at_start=True))
    case_id = open_tiny(seeded, actors)
    with seeded.unit_of_work() as s:
        [row] = s.execute(select(Deadline).where(Deadline.case_id == case_id)).scalars()
        assert (row.kind, row.checkpoint, row.status) == ("timer", "wait", "open")
        assert row.due_at == seeded.now() + timedelta(hours=1)
    assert ready(seeded, actors, case_id) == {}
    report = scheduler.tick(seeded, now=seeded.now() + timedelta(hours=1, minutes=1))
    assert report.count("timer_fired") == 1 and report.failed == []
    assert list(ready(seeded, actors, case_id)) == ["first"]


def timer_then_script(habeas, actors, script):
    deploy(habeas, actors, tiny_process("timed", script=script, timer='"PT1H"'))
    out = []
    for _ in range(2):
        case_id = open_tiny(habeas, actors, "timed")
        cases.complete_task(habeas, actors["investigator"], case_id, ready(habeas, actors, case_id)["first"], {})
        out.append(case_id)
    return out


def test_a_script_raising_systemexit_after_a_timer_fails_that_case_only_and_is_retried_later(seeded, actors):
    failing_case = timer_then_script(seeded, actors, "raise SystemExit(3)")[0]
    deploy(seeded, actors, tiny_process("calm", timer='"PT1H"'))
    calm = open_tiny(seeded, actors, "calm")
    cases.complete_task(seeded, actors["investigator"], calm, ready(seeded, actors, calm)["first"], {})
    later = seeded.now() + timedelta(hours=2)
    report = scheduler.tick(seeded, now=later)
    assert report.count("timer_fired") == 1  # the calm case's timer
    assert len(report.failed) == 2 and all("SystemExit" in f["error"] for f in report.failed)
    assert list(ready(seeded, actors, calm)) == ["second"]
    with seeded.unit_of_work() as s:
        row = s.execute(select(Deadline).where(Deadline.case_id == failing_case)).scalar_one()
        assert (row.status, row.attempts) == ("open", 1)
        assert row.next_action_at == later + scheduler.backoff(1)
    assert [k for k, _ in open_incidents(seeded, failing_case)] == ["deadline_failed"]
    quiet = scheduler.tick(seeded, now=later)
    assert quiet.processed == 0 and quiet.failed == []  # backing off: not tried on every tick
    again = scheduler.tick(seeded, now=later + scheduler.backoff(1))
    assert len(again.failed) == 2  # retried after the backoff, and recorded again
    with seeded.unit_of_work() as s:
        row = s.execute(select(Deadline).where(Deadline.case_id == failing_case)).scalar_one()
        assert row.attempts == 2 and row.next_action_at == later + scheduler.backoff(1) + scheduler.backoff(2)


def cli_url(db_engine) -> str:
    """The test database as ``habeas --database`` takes it (PostgreSQL: the run's own schema)."""
    if db_engine.dialect.name == "sqlite":
        return db_engine.url.render_as_string(hide_password=False)
    return f"{PG_URL}{'&' if '?' in PG_URL else '?'}options=-csearch_path%3D{PG_SCHEMA}"


def test_habeas_tick_goes_on_past_a_script_raising_systemexit_and_records_it(seeded, actors, db_engine, capsys):
    failing = timer_then_script(seeded, actors, "raise SystemExit(3)")
    deploy(seeded, actors, tiny_process("calm", timer='"PT1H"'))
    calm = open_tiny(seeded, actors, "calm")
    cases.complete_task(seeded, actors["investigator"], calm, ready(seeded, actors, calm)["first"], {})
    url = cli_url(db_engine)
    try:
        code = main(["--database", url, "tick", "--now", (seeded.now() + timedelta(hours=2)).isoformat()])
    finally:
        bootstrap._engine(normalise_url(url)).dispose()
    report = json.loads(capsys.readouterr().out)
    assert code == EXIT_CODES["error"]  # some failed: said, not a SystemExit of the command
    assert report["outcomes"] == {"timer_fired": 1} and len(report["failed"]) == 2
    assert list(ready(seeded, actors, calm)) == ["second"]
    assert sorted(c for c in failing if open_incidents(seeded, c)) == sorted(failing)


def test_the_scheduler_survives_base_exceptions_of_one_case(seeded, actors, monkeypatch):
    victims = timer_then_script(seeded, actors, "x = 1")
    real_fire = scheduler.fire_timer

    def fire(ctx, session, row, case, now):
        if case.id == victims[0]:
            raise SystemExit(3)
        return real_fire(ctx, session, row, case, now)

    monkeypatch.setattr(scheduler, "fire_timer", fire)
    later = seeded.now() + timedelta(hours=2)
    report = scheduler.tick(seeded, now=later)
    assert report.count("timer_fired") == 1 and [f["error"] for f in report.failed] == ["SystemExit: 3"]
    assert list(ready(seeded, actors, victims[1])) == ["second"]
    assert [k for k, _ in open_incidents(seeded, victims[0])] == ["deadline_failed"]
    monkeypatch.setattr(scheduler, "fire_timer", real_fire)  # whatever failed is mended
    retried = scheduler.tick(seeded, now=later + scheduler.backoff(1))
    assert retried.count("timer_fired") == 1 and retried.failed == []
    assert list(ready(seeded, actors, victims[0])) == ["second"]
    assert open_incidents(seeded, victims[0]) == []  # resolved by the attempt that succeeded


def test_the_loop_keeps_ticking_through_any_failure_and_reports_its_heartbeat(seeded, monkeypatch):
    calls, stop = [], threading.Event()

    def tick(ctx):
        calls.append(1)
        if len(calls) == 1:
            raise SystemExit(3)
        if len(calls) == 2:
            raise MemoryError()
        stop.set()
        return scheduler.TickReport(seeded.now())

    monkeypatch.setattr(scheduler, "tick", tick)
    beat = scheduler.Heartbeat()
    thread = threading.Thread(target=scheduler.run_loop, args=(seeded, 0.001, stop), kwargs={"heartbeat": beat})
    beat.thread = thread
    thread.start()
    thread.join(30)
    assert len(calls) == 3 and beat.last_error is None
    life = scheduler.liveness(beat, now=beat.last_tick_at + 1)
    assert life["status"] == "dead"  # the loop was stopped, and its thread has ended
    beat.thread = None
    assert scheduler.liveness(beat, now=beat.last_tick_at + 1)["status"] == "alive"
    assert scheduler.liveness(beat, now=beat.last_tick_at + 3600)["status"] == "stalled"
    assert scheduler.liveness(scheduler.Heartbeat())["status"] == "off"


def test_habeas_incident_commands_list_retry_and_repair(seeded, actors, db_engine, capsys):
    case_id = open_tiny(seeded, actors, "criminal_case")
    poison(seeded, case_id)
    queries.show_case(seeded, actors["reviewer"], case_id)  # a read opens the incident
    url = cli_url(db_engine)

    def habeas(*argv):
        capsys.readouterr()
        code = main(["--database", url, *map(str, argv)])
        out = capsys.readouterr()
        return code, json.loads(out.out or out.err)

    try:
        code, listed = habeas("incident", "list")
        assert code == 0 and [(i["case_id"], i["kind"]) for i in listed] == [(case_id, "load_failed")]
        incident_id = listed[0]["id"]
        code, error = habeas("incident", "retry", incident_id)
        assert code == EXIT_CODES["conflict"] and "still does not load" in error["message"]
        code, repaired = habeas("incident", "repair", incident_id, "--note", "meta set aside")
        assert code == 0 and repaired["removed"] == ["meta"] and repaired["resolution"] == "meta set aside"
        code, left = habeas("incident", "list")
        assert code == 0 and left == []
    finally:
        bootstrap._engine(normalise_url(url)).dispose()
