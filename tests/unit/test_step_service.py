"""The step's services on the fake unit of work (tests/fake_uow.py): no database, the same code.

Completion allowed or refused per right (each refusal naming the right and its legal basis, the
refused attempt audited and the case unchanged), a release never refused, evidence read in the
scope of its own act, the case read once per step."""
from datetime import datetime, timedelta, timezone

import pytest

from engine.domain import roles
from engine.domain.samples import sample_value
from engine.domain.errors import CheckpointBlocked, Conflict, Forbidden
from engine.persistence.models import CheckpointEvaluation, Evidence, StageEntry
from engine.services import cases, procedure
from tests.fake_uow import ACTORS, fake_habeas, open_case

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def registration(**changes) -> dict:
    data = {"erdr_number": "241100031000123", "report_summary": "Theft of a mobile phone at the central market",
            "offence_article": "188 part 2", "offence_category": "medium", "jury_eligible": False,
            "suspect_name": "Arman Seitkali", "suspect_birth_date": "1994-02-11", "age_in_doubt": False,
            "suspect_citizenship": "KZ", "speaks_language_of_proceedings": "yes", "suspect_language": "ru",
            "registered_at": (NOW - timedelta(days=3)).isoformat()}
    return {**data, **changes}


def sample(field):
    return sample_value(field, NOW)  # the suspect's language "ru": a letter of rights in another is none


def complete(ctx, record, name, actor=None, **data):
    """Complete the ready task ``name``: given values, else what the case knows, else a sample."""
    task = next(t for t in record.run.ready_tasks() if t.definition.name == name)
    known = {**record.row.facts, **data}
    filled = {f.name: known[f.name] if f.name in known else sample(f)
              for f in cases.task_fields(task.definition) if f.required or f.name in known}
    return cases.complete_task(ctx, actor or ACTORS[task.definition.lane], record.id, task.id, filled)


def to_interrogation(ctx, record, *, detained=False, apprehended_hours_ago=5):
    complete(ctx, record, "register_report")
    complete(ctx, record, "open_investigation", next_step="detain" if detained else "summon")
    if detained:
        apprehended = NOW - timedelta(hours=apprehended_hours_ago)
        complete(ctx, record, "apprehend_suspect", apprehended_at=apprehended.isoformat())
        complete(ctx, record, "notify_family_consulate", family_member="mother", method="telephone",
                 family_notified_at=(apprehended + timedelta(hours=1)).isoformat())
    complete(ctx, record, "draft_suspicion_decision")
    complete(ctx, record, "approve_suspicion", approved=True)
    complete(ctx, record, "serve_suspicion_notice", signed=True)


def evidence(record, checkpoint, scope, **data):
    """Evidence as recorded before an act, bound to the act it is for."""
    record.evidence.append(Evidence(case_id=record.id, checkpoint=checkpoint, data=data, occurred_at=NOW,
                                    recorded_at=NOW, recorded_by="investigator", task=None, scope=scope))


def counsel_and_caution(record, scope):
    evidence(record, "counsel_before_interrogation", scope, lawyer_name="Aigerim Bekova", bar_number="AL-1187",
             requested_at=(NOW - timedelta(hours=3)).isoformat(),
             consulted_at=(NOW - timedelta(hours=2)).isoformat(), present_at_interrogation=True)
    evidence(record, "silence_caution", scope, caution_given=True, cautioned_at=NOW.isoformat(),
             recording_reference="REC-1")


@pytest.fixture
def engine():
    ctx, uow = fake_habeas(NOW)
    return ctx, uow, open_case(uow, registration(), NOW)


def test_a_step_reads_the_case_once_and_answers_its_new_version_and_stage(engine):
    ctx, uow, record = engine
    reads = uow.cases.reads
    step = complete(ctx, record, "register_report")
    assert uow.cases.reads == reads + 1
    assert (step.version, step.stage) == (2, record.row.stage)
    assert [e["action"] for e in uow.entries][-1] == "task.completed"


def test_interrogation_without_counsel_is_refused_naming_the_right_and_changing_nothing(engine):
    ctx, uow, record = engine
    to_interrogation(ctx, record)
    version, entries = record.row.lock_version, len(uow.entries)
    with pytest.raises(CheckpointBlocked) as refused:
        complete(ctx, record, "interrogate_suspect", protocol_number="P-1", another_interrogation=False)
    failures = {f["id"]: f for f in refused.value.failures}
    assert "counsel_before_interrogation" in failures
    assert all(f["right"] and f["legal_basis"] for f in failures.values())
    assert record.row.lock_version == version and record.row.stage != "interrogation"
    assert [e["action"] for e in uow.entries[entries:]] == ["task.refused"]
    refused_rows = [r for r in uow.of(CheckpointEvaluation) if r.status == "refused"]
    assert {r.checkpoint for r in refused_rows} >= {"counsel_before_interrogation"}


def test_interrogation_with_counsel_and_caution_for_this_act_is_allowed(engine):
    ctx, uow, record = engine
    to_interrogation(ctx, record)
    counsel_and_caution(record, "interrogation:1")
    step = complete(ctx, record, "interrogate_suspect", protocol_number="P-1", another_interrogation=False)
    assert step.stage == "interrogation" and step.entered
    passed = {r.checkpoint for r in uow.of(CheckpointEvaluation) if r.status == "passed"}
    assert {"counsel_before_interrogation", "silence_caution"} <= passed
    assert any(isinstance(r, StageEntry) and r.stage == "interrogation" for r in uow.rows)


def test_evidence_counts_only_for_its_own_act(engine):
    """Counsel at the first interrogation is not counsel at the second (Directive 2013/48 art 3)."""
    ctx, uow, record = engine
    to_interrogation(ctx, record)
    counsel_and_caution(record, "interrogation:1")
    complete(ctx, record, "interrogate_suspect", protocol_number="P-1", another_interrogation=True)
    with pytest.raises(CheckpointBlocked) as refused:
        complete(ctx, record, "interrogate_suspect", protocol_number="P-2", another_interrogation=False)
    assert "counsel_before_interrogation" in {f["id"] for f in refused.value.failures}
    counsel_and_caution(record, "interrogation:2")
    assert complete(ctx, record, "interrogate_suspect", protocol_number="P-2", another_interrogation=False)


def test_after_a_missed_judicial_review_only_a_release_goes_ahead(engine):
    ctx, uow, record = engine
    complete(ctx, record, "register_report")
    complete(ctx, record, "open_investigation", next_step="detain")
    apprehended = NOW - timedelta(hours=50)
    complete(ctx, record, "apprehend_suspect", apprehended_at=apprehended.isoformat())
    complete(ctx, record, "notify_family_consulate", family_member="mother", method="telephone",
             family_notified_at=(apprehended + timedelta(hours=1)).isoformat())
    with pytest.raises(CheckpointBlocked) as refused:
        complete(ctx, record, "draft_suspicion_decision")
    review = next(f for f in refused.value.failures if f["id"] == "detention_judicial_review")
    assert any("only lawful act" in r for r in review["reasons"]) and review["legal_basis"]
    answer = procedure.release(ctx, ACTORS[roles.INVESTIGATOR], record.id, None, "no judicial order within 48 hours")
    assert answer["version"] == record.row.lock_version
    assert record.row.facts["detained"] is False
    assert uow.entries[-1]["action"] == "person.released"
    release_review = [r for r in uow.of(CheckpointEvaluation) if r.detail.get("release")]
    assert [r.status for r in release_review] == ["failed"]  # the breach stands


def test_a_stale_version_is_a_conflict_and_a_stranger_defence_lawyer_may_not_act(engine):
    ctx, uow, record = engine
    task = record.run.ready_tasks()[0]
    with pytest.raises(Conflict):
        cases.complete_task(ctx, ACTORS[roles.INVESTIGATOR], record.id, task.id, {}, expected_version=7)
    with pytest.raises(Forbidden):
        cases.complete_task(ctx, ACTORS[roles.DEFENCE], record.id, task.id, {})
    assert uow.commits == 0
