"""The step's legal decision (engine.domain.step.decide), on plain objects: no database, no workflow."""
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from engine.domain import acts, step
from engine.domain.assessment import EvidenceBook
from engine.domain.facts import CaseFacts
from engine.domain.params import Params
from engine.domain.rights import Status

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
PARAMS = Params()
K = acts.ActKind


@dataclass
class Row:
    """An evidence record as the repository gives it (only the attributes the rules read)."""

    checkpoint: str
    scope: str | None
    data: dict
    occurred_at: datetime = NOW
    recorded_at: datetime = NOW
    recorded_by: str = "investigator"


@dataclass
class Override:
    actor: str = "supervisor"
    reason: str = "the lawyer cannot come for two days and a life is at risk"
    legal_ground: str = "Directive 2013/48 art 3(6): urgent need to avert serious adverse consequences"


FACTS = {"suspect_name": "Arman Seitkali", "suspect_birth_date": "1994-02-11", "age_in_doubt": False,
         "suspect_citizenship": "KZ", "speaks_language_of_proceedings": "yes", "suspect_language": "ru",
         "offence_category": "medium", "qualification": "188 part 2"}


def counsel(scope):
    return Row("counsel_before_interrogation", scope, {
        "lawyer_name": "Aigerim Bekova", "bar_number": "AL-1187", "present_at_interrogation": True,
        "requested_at": (NOW - timedelta(hours=3)).isoformat(), "consulted_at": (NOW - timedelta(hours=2)).isoformat()})


def state(rows=(), procedure=None, **kw):
    return step.CaseState("suspicion", procedure or acts.derive(FACTS), EvidenceBook(rows), **kw)


def act(kind, stage="interrogation", **kw):
    return step.Act(kind, "the act", stage, False, "investigator", **kw)


def decide(case_state, the_act, facts=FACTS):
    return step.decide(case_state, the_act, CaseFacts.from_data(facts, PARAMS), NOW, PARAMS)


def refused_ids(decision):
    return {f["id"] for f in decision.refused}


def test_an_interrogation_without_counsel_is_refused_naming_the_right_and_its_basis():
    decision = decide(state(), act(K.INTERROGATION))
    assert not decision.allowed and "counsel_before_interrogation" in refused_ids(decision)
    assert all(f["right"] and f["legal_basis"] for f in decision.refused)
    assert decision.escalations == () and decision.flags == ()  # a refused act raises nothing


def test_counsel_counts_for_its_own_interrogation_only():
    first = decide(state([counsel("interrogation:1")]), act(K.INTERROGATION))
    assert "counsel_before_interrogation" not in refused_ids(first)
    done_once = acts.after(acts.derive(FACTS), K.INTERROGATION, {}, NOW)
    second = decide(state([counsel("interrogation:1")], done_once), act(K.INTERROGATION))
    assert "counsel_before_interrogation" in refused_ids(second)


def test_evidence_the_act_records_is_read_in_its_own_scope():
    recorded = (counsel("interrogation:1"),)
    decision = decide(state(), act(K.INTERROGATION, recorded=recorded))
    assert "counsel_before_interrogation" not in refused_ids(decision)
    assert decision.book is not None and state().evidence.records("counsel_before_interrogation", any_scope=True) == []


def test_an_open_derogation_overrides_counsel():
    decision = decide(state(overrides={"counsel_before_interrogation": Override()}), act(K.INTERROGATION))
    [counsel_check] = [a for a in decision.assessments if a.checkpoint.id == "counsel_before_interrogation"]
    assert counsel_check.evaluation.status is Status.OVERRIDDEN
    assert "counsel_before_interrogation" not in refused_ids(decision)


def detained(hours_ago):
    facts = {**FACTS, "apprehended_at": (NOW - timedelta(hours=hours_ago)).isoformat(), "detained": True}
    return facts, acts.derive(facts)


def test_after_a_missed_judicial_review_every_act_but_a_release_is_refused():
    facts, procedure = detained(50)
    other = decide(state(procedure=procedure), act(K.INVESTIGATIVE_ACT, stage=None), facts)
    [review] = [f for f in other.refused if f["id"] == "detention_judicial_review"]
    assert any("only lawful act" in r for r in review["reasons"])
    release = decide(state(procedure=procedure), act(K.RELEASE, stage=None), facts)
    assert release.allowed and release.assessments == ()


def test_within_the_limit_an_unguarded_act_goes_ahead():
    facts, procedure = detained(5)
    assert decide(state(procedure=procedure), act(K.INVESTIGATIVE_ACT, stage=None), facts).allowed


def test_a_complaint_awaiting_its_ruling_refuses_the_custody_decision_only():
    facts, procedure = detained(5)
    challenged = ({"id": "complaint_review", "right": "r", "legal_basis": "b", "reasons": ["awaits"]},)
    custody = decide(state(procedure=procedure, challenged=challenged), act(K.CUSTODY_DECISION, stage="custody"), facts)
    assert "complaint_review" in refused_ids(custody)
    other = decide(state(procedure=procedure, challenged=challenged), act(K.INVESTIGATIVE_ACT, stage=None), facts)
    assert other.allowed


def test_a_late_family_notice_escalates_at_the_custody_hearing_once():
    """An escalate right failed: a task for the supervising prosecutor, not a second one while
    the first is open (and the hearing goes ahead: it is not a blocking right)."""
    facts, procedure = detained(20)
    rows = [Row("family_consular_notice", "episode:1", {"family_notified_at": (NOW - timedelta(hours=1)).isoformat(),
                                                         "family_member": "mother", "method": "telephone"}),
            Row("medical_examination", "custody_decision:1", {"doctor": "Dr. A. Nurova", "findings": "none",
                                                               "examined_at": (NOW - timedelta(hours=10)).isoformat()})]
    review = Row("detention_judicial_review", "episode:1", {
        "protocol_at": (NOW - timedelta(hours=19)).isoformat(), "petition_at": (NOW - timedelta(hours=10)).isoformat(),
        "hearing_at": (NOW - timedelta(hours=1)).isoformat(), "judge": "A. Judge", "order_number": "O-1",
        "outcome": "custody"})
    hearing = act(K.CUSTODY_DECISION, stage="custody", recorded=(review,))
    fresh = decide(state(rows, procedure=procedure), hearing, facts)
    assert fresh.allowed and fresh.escalated == ("family_consular_notice",)
    [task] = fresh.escalations
    assert "beyond the limit" in task.reason and task.due_at == NOW + timedelta(days=PARAMS.escalation_days)
    again = decide(state(rows, procedure=procedure, escalated=frozenset({"family_consular_notice"})), hearing, facts)
    assert again.escalated == ("family_consular_notice",) and again.escalations == ()


def test_clocks_after_the_act_come_from_the_facts():
    facts, procedure = detained(5)
    clocks = step.clocks_after(facts, EvidenceBook(), procedure, "detention", False, NOW, PARAMS)
    review = [c for c in clocks if c.id == "detention_judicial_review"]
    assert review and review[0].due_at == NOW - timedelta(hours=5) + timedelta(hours=PARAMS.judicial_review_hours)
