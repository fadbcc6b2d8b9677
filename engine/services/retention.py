"""Retention: the personal data of cases closed before a date are erased, the trail kept whole.

What is erased, per case: its facts, the data of its workflow's tasks, its evidence records'
data, its overrides' written reasons (and their copy in the evaluations), its admissibility flags' records, and the payloads of its
audit entries.  What stays: the case's number, stages, dates, units and staff, every rights
evaluation and deadline (the statistics), and every entry's hashes: an erased entry keeps the
digest of its payload, so the chain still verifies, and the erasure itself is an entry naming
the entries it erased and sealing the rows as they are now."""
import json
from datetime import datetime

from sqlalchemy import select, update

from ..domain import roles
from ..domain.errors import Forbidden
from ..persistence import audit
from ..persistence.models import (AdmissibilityFlag, AuditEntry, Case, CaseComment, CheckpointEvaluation, Evidence,
                                  Override)
from .context import Actor, Habeas

ERASED = {"erased": True}
ERASED_TEXT = "[erased]"


def closed_before(ctx: Habeas, before: datetime) -> list[int]:
    """Closed cases whose last change is older than ``before`` and not erased yet."""
    erased = select(AuditEntry.id).where(AuditEntry.case_id == Case.id, AuditEntry.action == audit.ERASED_ACTION)
    with ctx.unit_of_work() as session:
        return list(session.execute(select(Case.id).where(Case.status == "closed", Case.updated_at < before,
                                                          ~erased.exists()).order_by(Case.id)).scalars())


def erase_closed(ctx: Habeas, actor: Actor, before: datetime, dry_run: bool = False) -> dict:
    if actor.role != roles.ADMIN:
        raise Forbidden("only an admin erases personal data")
    ids = closed_before(ctx, before)
    if not dry_run:
        for case_id in ids:
            erase_case(ctx, actor, case_id, before)
    return {"closed_before": before.isoformat(), "cases": ids, "erased": not dry_run}


def erase_case(ctx: Habeas, actor: Actor, case_id: int, before: datetime) -> None:
    """One case, one transaction: its personal data out, one ``data.erased`` entry in."""
    with ctx.unit_of_work() as session:
        case = session.get(Case, case_id)
        now = ctx.now()
        case.facts = dict(ERASED)
        case.workflow_state = scrub_workflow(case.workflow_state)
        for row in session.execute(select(Evidence).where(Evidence.case_id == case_id)).scalars():
            row.data = dict(ERASED)
        for row in session.execute(select(Override).where(Override.case_id == case_id)).scalars():
            row.reason = ERASED_TEXT
        for row in session.execute(select(CheckpointEvaluation).where(CheckpointEvaluation.case_id == case_id)).scalars():
            if isinstance(row.detail, dict) and "reason" in row.detail:  # an override's written reason
                row.detail = {**row.detail, "reason": ERASED_TEXT}
        session.execute(update(AdmissibilityFlag).where(AdmissibilityFlag.case_id == case_id)
                        .values(record=dict(ERASED)))
        session.execute(update(CaseComment).where(CaseComment.case_id == case_id).values(body=ERASED_TEXT))
        entries = list(session.execute(select(AuditEntry.seq).where(AuditEntry.case_id == case_id,
                                                                    AuditEntry.erased_at.is_(None))).scalars())
        session.execute(update(AuditEntry).where(AuditEntry.case_id == case_id, AuditEntry.erased_at.is_(None))
                        .values(payload=dict(ERASED), erased_at=now))
        audit.append(session, at=now, actor=actor.username, action=audit.ERASED_ACTION, case_id=case_id,
                     payload={"entries": entries, "closed_before": before.isoformat(),
                              "erased": ["facts", "workflow data", "evidence data", "override reasons",
                                         "flagged records", "comments", "audit payloads"]})


def scrub_workflow(state: str) -> str:
    """The workflow without its data (task and workflow data emptied, structure kept), so the
    closed case still loads and shows its path."""
    doc = json.loads(state)

    def scrub(workflow: dict) -> None:
        if isinstance(workflow.get("data"), dict):
            workflow["data"] = {}
        for task in (workflow.get("tasks") or {}).values():
            if isinstance(task, dict) and isinstance(task.get("data"), dict):
                task["data"] = {}
        for sub in (workflow.get("subprocesses") or {}).values():
            if isinstance(sub, dict):
                scrub(sub)
    scrub(doc)
    return json.dumps(doc)
