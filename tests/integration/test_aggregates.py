"""Issue 14, the read side: the reviewers' page from snapshots refreshed by the tick worker, the
audit chain verified incrementally from its last verified entry, and the report's counts
unchanged by practice cases (on SQLite and PostgreSQL)."""
import json
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select

from engine.persistence.models import AuditEntry, AuditVerification, Case, CheckpointEvaluation, ReportSnapshot
from engine.services import cases, queries, reports, scheduler, snapshots
from engine.fixtures.demo import registration


def open_case(habeas, actors, unit="Almaty"):
    return cases.open_case(habeas, actors["investigator"], "criminal_case", registration(habeas.now()),
                           unit=unit, prosecutor="prosecutor")


def mark(habeas):
    with habeas.unit_of_work() as s:
        row = s.get(AuditVerification, 1)
        return (row.seq, row.hash, row.ok) if row else None


def head_seq(habeas):
    with habeas.unit_of_work() as s:
        return s.execute(select(AuditEntry.seq).order_by(AuditEntry.seq.desc()).limit(1)).scalar()


def test_the_chain_is_verified_from_the_last_verified_entry_on(seeded, actors):
    reviewer = actors["reviewer"]
    open_case(seeded, actors)
    first = queries.audit_status(seeded, reviewer)
    assert first["ok"] and first["entries"] == head_seq(seeded) and mark(seeded)[0] == head_seq(seeded)
    verified = mark(seeded)
    case_id = open_case(seeded, actors)
    assert queries.audit_status(seeded, reviewer)["ok"]
    assert mark(seeded)[0] == head_seq(seeded) > verified[0]
    # an entry appended since the last check and then edited is caught by the next check
    later = open_case(seeded, actors)
    with seeded.unit_of_work() as s:
        s.execute(select(AuditEntry).where(AuditEntry.case_id == later)).scalars().first().actor = "someone else"
    status = queries.audit_status(seeded, reviewer)
    assert not status["ok"] and any("does not match its hash" in p for p in status["problems"])
    assert mark(seeded)[2] is False and mark(seeded)[0] < head_seq(seeded)  # the mark stays before the break
    assert not queries.audit_status(seeded, reviewer)["ok"]  # and the break is reported again
    assert case_id


def test_an_old_edit_needs_the_full_walk_whose_verdict_then_stands(seeded, actors):
    reviewer, admin = actors["reviewer"], actors["admin"]
    case_id = open_case(seeded, actors)
    assert queries.audit_status(seeded, reviewer)["ok"]
    with seeded.unit_of_work() as s:
        s.execute(select(AuditEntry).where(AuditEntry.case_id == case_id)).scalars().first().actor = "someone else"
    # already verified: the incremental check does not walk it again; the full one does
    assert queries.audit_status(seeded, reviewer)["ok"]
    full = queries.verify_audit(seeded, admin)
    assert not full["ok"] and mark(seeded)[2] is False
    assert not queries.audit_status(seeded, reviewer)["ok"]  # the break stands until a full walk is clean
    with seeded.unit_of_work() as s:  # repaired (the entry restored): the full walk clears it
        s.execute(select(AuditEntry).where(AuditEntry.case_id == case_id)).scalars().first().actor = "investigator"
    assert queries.verify_audit(seeded, admin)["ok"] and queries.audit_status(seeded, reviewer)["ok"]


def test_a_truncated_tail_shows_in_the_incremental_check(seeded, actors):
    open_case(seeded, actors)
    assert queries.audit_status(seeded, actors["reviewer"])["ok"]
    with seeded.unit_of_work() as s:
        last = s.execute(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).scalar_one()
        s.delete(last)
    status = queries.audit_status(seeded, actors["reviewer"])
    assert not status["ok"] and any("no longer the entry verified last" in p for p in status["problems"])


def test_the_page_reads_its_snapshot_while_fresh_and_the_tick_worker_refreshes_it(seeded, actors, clock):
    reviewer = actors["reviewer"]
    ctx = replace(seeded, report_staleness=60)
    open_case(ctx, actors)
    end = ctx.now() + timedelta(days=1)
    period = {"start": end - timedelta(days=91), "end": end}
    first = snapshots.page(ctx, reviewer, **period)
    assert first == {**snapshots.compute(ctx, reviewer, **period), "as_of": ctx.now()}
    assert first["report"]["indicators"]["cepej"]["overall"]["incoming"] == 1
    open_case(ctx, actors)
    again = snapshots.page(ctx, reviewer, **period)  # within the staleness: the snapshot
    assert again["report"]["indicators"]["cepej"]["overall"]["incoming"] == 1
    clock.advance(seconds=40)  # past half the staleness: the tick worker recomputes it
    assert scheduler.refresh_reports(ctx) == 1
    fresh = snapshots.page(ctx, reviewer, **period)
    assert fresh["report"]["indicators"]["cepej"]["overall"]["incoming"] == 2 and fresh["as_of"] == ctx.now()
    assert fresh["report"] == json.loads(json.dumps(reports.dashboard(ctx, reviewer, **period), default=str))
    clock.advance(seconds=61)  # stale and not refreshed: the render computes it
    open_case(ctx, actors)
    assert snapshots.page(ctx, reviewer, **period)["report"]["indicators"]["cepej"]["overall"]["incoming"] == 3
    clock.advance(days=2)  # nobody read it for a day: forgotten
    snapshots.refresh(ctx, reviewer)
    with ctx.unit_of_work() as s:
        assert s.execute(select(ReportSnapshot)).first() is None


def test_practice_cases_stay_out_of_the_counts(seeded, actors):
    live = open_case(seeded, actors)
    practice = open_case(seeded, actors)
    with seeded.unit_of_work() as s:
        for case_id in (live, practice):
            for status in ("failed", "waived", "pending"):
                s.add(CheckpointEvaluation(case_id=case_id, status=status,
                                           checkpoint="interpreter" if status != "waived" else "medical_examination", unit="Almaty",
                                           prosecutor="prosecutor", evaluated_at=seeded.now(), actor="investigator",
                                           due_at=seeded.now() - timedelta(hours=1), detail={}))
    before = reports.compliance(seeded, actors["reviewer"])
    with seeded.unit_of_work() as s:
        s.get(Case, practice).training = True
    after = reports.compliance(seeded, actors["reviewer"])
    total = lambda r: sum(line["total"] for line in r["checkpoints"])  # noqa: E731
    assert 0 < total(after) < total(before) and live
    assert total(after) * 2 == total(before)  # the two cases were opened alike
    overdue = lambda r: next(x for x in r["checkpoints"] if x["checkpoint"] == "interpreter")["overdue"]  # noqa: E731
    assert (overdue(before), overdue(after)) == (2, 1)


def test_a_costly_page_is_recomputed_at_most_every_ten_times_its_cost(seeded, actors, clock):
    reviewer = actors["reviewer"]
    ctx = replace(seeded, report_staleness=60)
    snapshots.page(ctx, reviewer)
    with ctx.unit_of_work() as s:
        s.execute(select(ReportSnapshot)).scalar_one().seconds = 20.0  # as if it took 20 s: 200 s between refreshes
    clock.advance(seconds=90)
    assert snapshots.refresh(ctx, reviewer) == 0 and snapshots.page(ctx, reviewer)["as_of"] < ctx.now()
    clock.advance(seconds=20)  # past half of 200 s
    assert snapshots.refresh(ctx, reviewer) == 1 and snapshots.page(ctx, reviewer)["as_of"] == ctx.now()


def test_indicators_read_long_lists_of_cases_in_chunks(seeded, actors, monkeypatch):
    """PostgreSQL takes at most 65,535 parameters in a statement: the indicators that read the
    evidence of every apprehended case of the period ask in chunks (here of 1, with 2 cases)."""
    from engine.services import indicators
    from tests.integration.test_clocks import detained
    from engine.fixtures.demo import Driver
    d = Driver(seeded, actors)
    detained(d), detained(d)
    whole = indicators.indicators(seeded, actors["reviewer"])
    monkeypatch.setattr(indicators, "CHUNK", 1)
    assert indicators.indicators(seeded, actors["reviewer"])["indicators"] == whole["indicators"]
    lawyer = next(i for i in whole["indicators"] if i["id"] == "lawyer")
    assert lawyer["figures"]["apprehended"] == 2
