"""The scheduler: idempotent, safe with several ticks at once, crash-safe per deadline, and
reading only the due rows through the index (its cost grows with the due work, not with the
number of cases).  Time is moved on the clock, never slept."""
import threading
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select, text

from engine.persistence.models import Case, Deadline, Escalation
from engine.services import scheduler
from engine.fixtures.demo import Driver, registration


@pytest.fixture
def template(seeded, actors):
    """A real case to copy the process version and workflow state from."""
    d = Driver(seeded, actors)
    case_id = d.open(registration(seeded.now()))
    with seeded.unit_of_work() as s:
        case = s.get(Case, case_id)
        return {"process_version_id": case.process_version_id, "workflow_state": case.workflow_state}


def bulk_cases(habeas, template, n, *, prefix, apprehended_hours_ago, next_action_in=None):
    """Insert ``n`` detained cases with their judicial-review deadline rows directly (Core)."""
    now = habeas.now()
    apprehended = now - timedelta(hours=apprehended_hours_ago)
    due = apprehended + timedelta(hours=48)
    next_action = now + next_action_in if next_action_in is not None else due
    facts = {"apprehended_at": apprehended.isoformat(), "suspect_birth_date": "1990-01-01", "detained": True}
    with habeas.unit_of_work() as s:
        conn = s.connection()
        conn.execute(Case.__table__.insert(), [dict(
            number=f"{prefix}-{i:05d}", stage="detention", status="open", unit="", prosecutor="prosecutor",
            facts=facts, non_compliant=False, opened_at=now, opened_by="investigator", updated_at=now,
            lock_version=1, **template) for i in range(n)])
        ids = list(conn.execute(select(Case.id).where(Case.number.like(f"{prefix}-%")).order_by(Case.id)).scalars())
        conn.execute(Deadline.__table__.insert(), [dict(
            case_id=case_id, checkpoint="detention_judicial_review", kind="checkpoint", starts_at=apprehended,
            due_at=due, status="open", updated_at=now - timedelta(minutes=1), next_action_at=next_action,
            warnings_sent=2, attempts=0)
            for case_id in ids])
    return ids


def releases(habeas, case_ids=None):
    query = select(Escalation.case_id).where(Escalation.kind == "release")
    with habeas.unit_of_work() as s:
        found = list(s.execute(query).scalars())
    return sorted(found) if case_ids is None else sorted(c for c in found if c in case_ids)


def test_a_tick_is_idempotent(seeded, template):
    ids = bulk_cases(seeded, template, 3, prefix="IDEM", apprehended_hours_ago=49)
    first = scheduler.tick(seeded)
    assert first.count("breach") == 3 and first.failed == []
    assert scheduler.tick(seeded).processed == 0
    assert releases(seeded, ids) == ids


def test_a_failure_mid_batch_leaves_the_others_done_and_is_retried_with_the_error_recorded(seeded, template, monkeypatch):
    ids = bulk_cases(seeded, template, 3, prefix="CRASH", apprehended_hours_ago=49)
    failing = ids[1]
    real_breach = scheduler.breach

    def breach(ctx, session, row, case, clock, now):
        outcome = real_breach(ctx, session, row, case, clock, now)  # the work is done, then it fails
        if case.id == failing:
            raise RuntimeError("disk on fire")
        return outcome

    monkeypatch.setattr(scheduler, "breach", breach)
    report = scheduler.tick(seeded)
    assert report.count("breach") == 2 and [f["error"] for f in report.failed] == ["RuntimeError: disk on fire"]
    assert releases(seeded, ids) == [ids[0], ids[2]]  # nothing of the failed one was kept
    with seeded.unit_of_work() as s:
        row = s.execute(select(Deadline).where(Deadline.case_id == failing)).scalar_one()
        assert (row.status, row.attempts, row.last_error) == ("open", 1, "RuntimeError: disk on fire")
        assert s.get(Case, failing).non_compliant is False
    monkeypatch.setattr(scheduler, "breach", real_breach)
    assert scheduler.tick(seeded).processed == 0  # the failed row backs off before its next try
    again = scheduler.tick(seeded, now=seeded.now() + scheduler.backoff(1))
    assert again.count("breach") == 1 and again.failed == []
    assert releases(seeded, ids) == ids
    with seeded.unit_of_work() as s:
        row = s.execute(select(Deadline).where(Deadline.case_id == failing)).scalar_one()
        assert (row.status, row.last_error) == ("breached", None)


def test_two_ticks_at_once_act_once(seeded, template):
    ids = bulk_cases(seeded, template, 8, prefix="RACE", apprehended_hours_ago=49)
    barrier = threading.Barrier(2)
    reports, errors = [], []

    def run():
        try:
            barrier.wait(timeout=30)
            reports.append(scheduler.tick(seeded))
        except Exception as err:  # surfaced below
            errors.append(err)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == [] and len(reports) == 2
    assert sum(r.count("breach") for r in reports) == 8 and all(r.failed == [] for r in reports)
    assert releases(seeded, ids) == ids  # one release task per case, not two
    assert scheduler.tick(seeded).processed == 0


def test_ten_thousand_open_cases_a_tick_touches_only_the_due_ones(seeded, template, db_engine):
    bulk_cases(seeded, template, 10_000, prefix="QUIET", apprehended_hours_ago=1, next_action_in=timedelta(hours=35))
    due = bulk_cases(seeded, template, 5, prefix="DUE", apprehended_hours_ago=49)
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db_engine, "before_cursor_execute", count)
    try:
        report = scheduler.tick(seeded)
    finally:
        event.remove(db_engine, "before_cursor_execute", count)
    assert report.count("breach") == 5 and releases(seeded) == due
    claims = [s for s in statements if "FROM deadlines JOIN cases" in s]
    assert len(claims) == 6 and all("LIMIT" in s for s in claims)  # one per due row, and the last finds none
    if db_engine.dialect.name == "postgresql":
        assert all("FOR UPDATE SKIP LOCKED" in s for s in claims)
    assert len(statements) <= 15 * 5 + 5, len(statements)  # a fixed handful per due deadline
    with seeded.unit_of_work() as s:
        touched = s.execute(select(func.count()).select_from(Deadline).where(Deadline.updated_at == report.now)).scalar()
        assert touched == 5
    statements.clear()
    event.listen(db_engine, "before_cursor_execute", count)
    try:
        assert scheduler.tick(seeded).processed == 0
    finally:
        event.remove(db_engine, "before_cursor_execute", count)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1
    if db_engine.dialect.name == "sqlite":
        with db_engine.connect() as conn:
            plan = " ".join(str(r) for r in conn.execute(text(
                "EXPLAIN QUERY PLAN SELECT id FROM deadlines WHERE status = 'open' AND next_action_at <= :now "
                "ORDER BY next_action_at LIMIT 1"), {"now": report.now.isoformat()}))
        assert "ix_deadlines_next_action" in plan


def test_the_worker_loop_and_the_background_thread(seeded, template):
    ids = bulk_cases(seeded, template, 2, prefix="LOOP", apprehended_hours_ago=49)
    stop, seen = threading.Event(), []

    def on_report(report):
        seen.append(report.count("breach"))
        stop.set()

    scheduler.run_loop(seeded, 0.01, stop, on_report=on_report)
    assert seen == [2] and releases(seeded, ids) == ids
    stop_background = scheduler.start_background(seeded, interval_seconds=3600)
    stop_background()
    assert not any(t.name == "habeas-scheduler" and t.is_alive() for t in threading.enumerate())
