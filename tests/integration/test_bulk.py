"""The bulk generator writes the rows it promises, with every status, on SQLite and PostgreSQL,
and the cases it writes are real ones: they can be shown and advanced like any other."""
from sqlalchemy import func, select

from engine.persistence.models import Case, CheckpointEvaluation, Deadline, Evidence, StageEntry
from engine.services import bulk, cases, queries, reports
from engine.services.bulk import STATUSES
from engine.services.demo import Driver


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
