"""Checking the rights that guard a stage, from the catalogue (never from the diagram)."""
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain import acts, catalogue
from ..domain.facts import CaseFacts
from ..domain.params import Params
from ..domain.rights import Checkpoint, EvidenceRecord, Status
from ..domain.assessment import (RELEASE_ONLY, Assessment, EvidenceBook, assess, missed_review,  # noqa: F401
                                 to_record)
from ..persistence.models import CheckpointEvaluation, Escalation, Evidence


def entry_checkpoints(stage: str, extra: tuple[str, ...] = ()) -> list[Checkpoint]:
    """The catalogue's checkpoints for a stage, plus any a diagram adds (it can never remove)."""
    found = list(catalogue.guarding(stage))
    for cid in extra:
        cp = catalogue.CATALOGUE.get(cid)
        if cp is not None and cp not in found:
            found.append(cp)
    return found


def evidence_book(session: Session, case_id: int) -> EvidenceBook:
    rows = session.execute(select(Evidence).where(Evidence.case_id == case_id).order_by(Evidence.id)).scalars()
    return EvidenceBook(rows)


def clock_evidence(session: Session, case, now: datetime, params: Params) -> dict[str, EvidenceRecord]:
    """The evidence the legal clocks read for a case (see ``EvidenceBook.for_clocks``)."""
    procedure = (acts.Procedure.from_dict(case.procedure) if case.procedure is not None
                 else acts.derive(case.facts or {}))
    facts = CaseFacts.from_data(case.facts or {}, params)
    return evidence_book(session, case.id).for_clocks(procedure, facts, now, params)


def latest_evidence(session: Session, case_id: int) -> dict[str, EvidenceRecord]:
    """The latest record per checkpoint, any scope."""
    return evidence_book(session, case_id).latest()


REFUSED = "refused"  # the status of the evaluation rows of a refused attempt


def evaluation_rows(case, assessments: list[Assessment], *, now: datetime, stage: str | None,
                    task: str | None, actor: str, act: str | None = None,
                    procedure: acts.Procedure | None = None, refused: bool = False) -> list[CheckpointEvaluation]:
    """One row per applicable evaluation, with the times used, for SQL reports.  The rows of a
    refused attempt have status ``refused`` (what the right stood at is kept in ``detail``): the
    act did not happen, so they are not evaluations of it and no rate counts them (issue 9: a
    refused data entry is not a failed evaluation)."""
    return [CheckpointEvaluation(
        case_id=case.id, checkpoint=a.checkpoint.id, stage=stage,
        status=REFUSED if refused else a.evaluation.status.value,
        evaluated_at=now, clock_started_at=a.evaluation.clock_started_at, due_at=a.evaluation.due_at,
        satisfied_at=a.evaluation.satisfied_at, task=task, actor=actor, unit=case.unit,
        prosecutor=case.prosecutor,
        detail={"reasons": list(a.evaluation.reasons), "missing": list(a.evaluation.missing),
                **({"attempt_status": a.evaluation.status.value} if refused else {}),
                **({"act": act, "scope": acts.scope_of(a.checkpoint.id, act, procedure)} if procedure else {})})
        for a in assessments if a.evaluation.status is not Status.NOT_APPLICABLE]


def resolve_escalations(session: Session, case, checkpoint_ids: list[str], now: datetime, username: str,
                        resolution: str) -> None:
    """Evidence that satisfies a checkpoint closes its open escalations."""
    if not checkpoint_ids:
        return
    rows = session.execute(select(Escalation).where(Escalation.case_id == case.id, Escalation.status == "open",
                                                    Escalation.checkpoint.in_(checkpoint_ids))).scalars().all()
    for row in rows:
        row.status, row.resolved_at, row.resolved_by, row.resolution = "resolved", now, username, resolution
    if rows:
        session.flush()
        refresh_compliance(session, case)


NOT_NON_COMPLIANT = ("warning", "referral", "request")  # open tasks that leave a case compliant


def resolve_open(record, checkpoint_ids, now: datetime, username: str, resolution: str) -> None:
    """``resolve_escalations`` on a case its repository loaded."""
    if not checkpoint_ids:
        return
    rows = [e for e in record.escalations if e.status == "open" and e.checkpoint in checkpoint_ids]
    for row in rows:
        row.status, row.resolved_at, row.resolved_by, row.resolution = "resolved", now, username, resolution
    if rows:
        record.row.non_compliant = any(e.status == "open" and e.kind not in NOT_NON_COMPLIANT
                                       for e in record.escalations)


def refresh_compliance(session: Session, case) -> None:
    """A case is non-compliant while any escalation (not a mere warning, nor a referral task
    still within its deadline, nor a request to act) is open."""
    still_open = session.execute(select(Escalation.id).where(Escalation.case_id == case.id, Escalation.status == "open",
                                                             Escalation.kind.not_in(NOT_NON_COMPLIANT))
                                 .limit(1)).first()
    case.non_compliant = still_open is not None
