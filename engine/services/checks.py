"""Checking the rights that guard a stage, from the catalogue (never from the diagram)."""
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain import catalogue
from ..domain.facts import CaseFacts
from ..domain.params import Params
from ..domain.rights import Checkpoint, EvidenceRecord, Evaluation, FailureClass, Status
from ..persistence.models import CheckpointEvaluation, Escalation, Evidence, Override


@dataclass(frozen=True)
class Assessment:
    checkpoint: Checkpoint
    evaluation: Evaluation

    @property
    def blocks(self) -> bool:
        return self.checkpoint.failure is FailureClass.BLOCK and not self.evaluation.satisfied

    def failure(self) -> dict:
        """What a refused user is told: the right, its legal basis, what evidence is missing."""
        cp, ev = self.checkpoint, self.evaluation
        return {"id": cp.id, "right": cp.right, "legal_basis": cp.legal_basis, "status": ev.status.value,
                "missing": list(ev.missing), "reasons": list(ev.reasons),
                "override": cp.override.value, "due_at": ev.due_at.isoformat() if ev.due_at else None}


def entry_checkpoints(stage: str, extra: tuple[str, ...] = ()) -> list[Checkpoint]:
    """The catalogue's checkpoints for a stage, plus any a diagram adds (it can never remove)."""
    found = list(catalogue.guarding(stage))
    for cid in extra:
        cp = catalogue.CATALOGUE.get(cid)
        if cp is not None and cp not in found:
            found.append(cp)
    return found


def latest_evidence(session: Session, case_id: int) -> dict[str, EvidenceRecord]:
    """The latest record per checkpoint: a correction is appended and supersedes earlier ones."""
    rows = session.execute(select(Evidence).where(Evidence.case_id == case_id).order_by(Evidence.id)).scalars()
    return {row.checkpoint: to_record(row) for row in rows}


def to_record(row: Evidence) -> EvidenceRecord:
    return EvidenceRecord(checkpoint=row.checkpoint, data=row.data, occurred_at=row.occurred_at,
                          recorded_at=row.recorded_at, actor=row.recorded_by)


def open_overrides(session: Session, case_id: int) -> dict[str, Override]:
    rows = session.execute(select(Override).where(Override.case_id == case_id, Override.used_at.is_(None))).scalars()
    return {row.checkpoint: row for row in rows}


def assess(checkpoints: list[Checkpoint], facts: CaseFacts, evidence: dict[str, EvidenceRecord],
           now: datetime, params: Params, stage: str | None,
           overrides: dict[str, Override] | None = None) -> list[Assessment]:
    """Evaluate each checkpoint; an unused override turns an unsatisfied one into ``overridden``."""
    out = []
    for cp in checkpoints:
        ev = catalogue.evaluate(cp, facts, evidence.get(cp.id), now, params, stage=stage)
        override = (overrides or {}).get(cp.id)
        if not ev.satisfied and override is not None:
            ev = replace(ev, status=Status.OVERRIDDEN,
                         reasons=ev.reasons + (f"overridden by {override.actor}: {override.reason} "
                                               f"(legal ground: {override.legal_ground})",))
        out.append(Assessment(cp, ev))
    return out


def evaluation_rows(case, assessments: list[Assessment], *, now: datetime, stage: str | None,
                    task: str | None, actor: str) -> list[CheckpointEvaluation]:
    """One row per applicable evaluation, with the times used, for SQL reports."""
    return [CheckpointEvaluation(
        case_id=case.id, checkpoint=a.checkpoint.id, stage=stage, status=a.evaluation.status.value,
        evaluated_at=now, clock_started_at=a.evaluation.clock_started_at, due_at=a.evaluation.due_at,
        satisfied_at=a.evaluation.satisfied_at, task=task, actor=actor, unit=case.unit,
        prosecutor=case.prosecutor,
        detail={"reasons": list(a.evaluation.reasons), "missing": list(a.evaluation.missing)})
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


def refresh_compliance(session: Session, case) -> None:
    """A case is non-compliant while any escalation (not a mere warning) is open."""
    still_open = session.execute(select(Escalation.id).where(Escalation.case_id == case.id, Escalation.status == "open",
                                                             Escalation.kind != "warning").limit(1)).first()
    case.non_compliant = still_open is not None
