"""BPMN timers on the engine's injectable clock (the workflow adapter): anchored when they start,
fired only by ``fire_due_timers(now)``, never by the wall clock, and carried over a migration."""
from datetime import datetime, timedelta, timezone

from engine.workflow.adapter import CaseRun, ProcessModel, saved_timers
from tests.unit.test_sandbox import timer_doc

T0 = datetime(2020, 1, 6, 9, 0, tzinfo=timezone.utc)  # long past on the wall clock


def waiting_run(expression='"PT48H"'):
    model = ProcessModel.from_bpmn(timer_doc(expression))
    run = CaseRun.start(model, {})
    run.complete(run.ready_tasks()[0].id, {})
    return model, run


def test_an_intermediate_timer_is_anchored_to_the_engine_clock_and_fired_by_it_only():
    model, run = waiting_run()
    assert [t.bpmn_id for t in run.timers()] == ["wait"] and run.timers()[0].due_at is None
    assert saved_timers(run.dump()) is None  # not anchored yet: the services anchor it
    assert run.anchor_timers(T0) is True and run.anchor_timers(T0) is False
    assert run.timers()[0].due_at == T0 + timedelta(hours=48)
    run = CaseRun.load(model, run.dump())
    assert [(t.bpmn_id, t.due_at) for t in saved_timers(run.dump())] == [("wait", T0 + timedelta(hours=48))]
    assert run.fire_due_timers(T0 + timedelta(hours=47, minutes=59)) == []
    assert not run.completed  # the wall clock is far past the due time, yet nothing fired
    fired = run.fire_due_timers(T0 + timedelta(hours=48))
    assert [t.bpmn_id for t in fired] == ["wait"] and run.completed


def test_a_timer_expression_is_evaluated_with_the_case_data():
    model = ProcessModel.from_bpmn(timer_doc('f"PT{hours}H"'))
    run = CaseRun.start(model, {"hours": 6})
    run.complete(run.ready_tasks()[0].id, {})
    run.anchor_timers(T0)
    assert run.timers()[0].due_at == T0 + timedelta(hours=6)


def test_migrating_keeps_a_timers_due_time():
    model, run = waiting_run()
    run.anchor_timers(T0)
    newer = ProcessModel.from_bpmn(timer_doc('"PT48H"').replace('id="end"/>', 'id="end" name="Done"/>'))
    moved = run.migrate(newer)
    assert moved.model is newer and moved.timers()[0].due_at == T0 + timedelta(hours=48)
