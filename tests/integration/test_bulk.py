"""The bulk generator writes the rows it promises, with every status, on SQLite and PostgreSQL,
and the cases it writes are real ones: they can be shown and advanced like any other."""
from sqlalchemy import func, select, update

from engine.persistence.models import AuditEntry, Case, CheckpointEvaluation, Deadline, Evidence, StageEntry
from engine.services import cases, queries, reports
from engine.fixtures import bulk
from engine.fixtures.bulk import STATUSES
from engine.fixtures.demo import Driver


def test_bulk_creates_cases_with_realistic_histories(seeded, db_engine, actors, clock):
    counts = bulk.create_cases(db_engine, 120, seed=7, now=clock.now(), due=5, batch=50)
    assert counts.cases == 120 and counts.due_deadlines == 5
    found = bulk.summary(db_engine)
    assert found["cases"] == 120
    assert found["stage_history"] == counts.stage_history > 120
    assert found["checkpoint_evaluations"] == counts.checkpoint_evaluations > 5 * 120
    assert found["evidence"] == counts.evidence > 0
    assert found["deadlines"] == counts.deadlines > 0
    assert set(found["statuses"]) == set(STATUSES) and all(n > 0 for n in found["statuses"].values())
    with db_engine.connect() as conn:
        by_status = dict(conn.execute(select(Case.status, func.count()).group_by(Case.status)).all())
        assert by_status == {"open": 96, "closed": 24}
        due = conn.execute(select(func.count()).select_from(Deadline).where(
            Deadline.status == "open", Deadline.due_at <= clock.now())).scalar()
        assert due == 5
        stages = set(conn.execute(select(StageEntry.stage).distinct()).scalars())
        assert {"registration", "investigation", "detention", "custody", "trial", "closed"} <= stages
        overdue = conn.execute(select(func.count()).select_from(CheckpointEvaluation).where(
            CheckpointEvaluation.status == "pending", CheckpointEvaluation.due_at < clock.now())).scalar()
        assert overdue > 0
        assert conn.execute(select(func.count()).select_from(Evidence)).scalar() == found["statuses"]["passed"]
    report = reports.compliance(seeded, actors["reviewer"])
    assert sum(line["total"] for line in report["checkpoints"]) == counts.checkpoint_evaluations


def test_bulk_cases_are_audited_and_the_whole_chain_verifies(seeded, db_engine, actors, clock):
    before = queries.verify_audit(seeded, actors["admin"])["entries"]  # seeding users, deploying the library
    bulk.create_cases(db_engine, 40, seed=5, now=clock.now(), batch=15)
    with seeded.unit_of_work() as s:
        opened = s.execute(select(AuditEntry.case_id, AuditEntry.actor, AuditEntry.rows).where(
            AuditEntry.action == "case.opened")).all()
        evidence = s.execute(select(Evidence.id, Evidence.case_id)).all()
    assert sorted(r.case_id for r in opened) == list(range(1, 41)) and {r.actor for r in opened} == {"bulk"}
    sealed = {key for r in opened for key in r.rows}
    assert {f"case:{i}" for i in range(1, 41)} | {f"evidence:{e.id}" for e in evidence} == sealed
    # the chain, the seals of every row and the anchor verify; then a case opened normally chains on
    assert queries.verify_audit(seeded, actors["admin"]) == {"ok": True, "entries": before + 40, "problems": []}
    cases.open_case(seeded, actors["investigator"], "criminal_case", {"suspect_name": "A"})
    assert queries.verify_audit(seeded, actors["admin"])["ok"]
    with db_engine.begin() as conn:  # a bulk row edited behind the engine's back no longer matches its seal
        conn.execute(update(Case).where(Case.id == 3).values(unit="Elsewhere"))
    problems = queries.verify_audit(seeded, actors["admin"])["problems"]
    assert any("case 3 does not match the seal" in p for p in problems), problems


def test_bulk_cases_can_be_shown_and_advanced(seeded, db_engine, actors, clock):
    bulk.create_cases(db_engine, 30, seed=3, now=clock.now(), open_share=1.0)
    with seeded.unit_of_work() as s:
        case_id = s.execute(select(Case.id).where(Case.stage == "registration")).scalars().first()
    view = queries.show_case(seeded, actors["reviewer"], case_id)
    assert [t["name"] for t in view["tasks"]] == ["open_investigation"]
    step = Driver(seeded, actors).complete(case_id, "open_investigation", next_step="summon")
    assert step.stage == "investigation" and step.version == view["version"] + 1
    # a case opened normally after the bulk load gets a fresh id
    new_id = cases.open_case(seeded, actors["investigator"], "criminal_case", {"suspect_name": "A"})
    assert new_id == 31

