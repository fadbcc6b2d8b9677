"""Read models: what a user sees of a case.  Reading never changes the case; a defence
lawyer's reads are logged in the audit trail."""
from typing import NamedTuple

from sqlalchemy import select

from ..domain import acts, catalogue, roles
from ..domain.facts import CaseFacts
from ..domain.wording import say
from ..persistence import audit
from ..persistence.models import (AdmissibilityFlag, AuditEntry, Case, CaseParty, CheckpointEvaluation, Deadline,
                                  Escalation, Evidence,
                                  ProcessVersion, StageEntry)
from ..workflow.adapter import Unloadable
from . import access, allegations, checks, complaints, incidents
from .cases import describe_task, load_case, procedure_of, reading_run, task_fields
from .context import Actor, Habeas


def show_case(ctx: Habeas, actor: Actor, case_id: int) -> dict:
    with access.denials_audited(ctx, actor, case_id, "case.read"), ctx.unit_of_work() as session:
        case = load_case(session, case_id)
        access.require_read(session, actor, case)
        version = session.get(ProcessVersion, case.process_version_id)
        now = ctx.now()
        evidence = session.execute(select(Evidence).where(Evidence.case_id == case.id)
                                   .order_by(Evidence.id)).scalars().all()
        reading = _Reading(procedure_of(case), CaseFacts.from_data(case.facts or {}, ctx.params),
                           checks.EvidenceBook(evidence), now, ctx.params)
        try:
            with reading_run(ctx, session, case) as run:
                tasks, path = [_task(t) for t in run.ready_tasks()], run.path_taken()
        except Unloadable as err:  # shown as an incident, never a 500 on every read
            tasks, path = [], []
            incidents.note(session, case.id, incidents.LOAD_FAILED, err.message, now)
        view = {
            "id": case.id, "number": case.number, "process": version.process_id, "process_version": version.version,
            "version": case.lock_version, "stage": case.stage, "status": case.status, "unit": case.unit,
            "prosecutor": case.prosecutor, "non_compliant": case.non_compliant,
            "opened_at": case.opened_at.isoformat(), "updated_at": case.updated_at.isoformat(),
            "facts": case.facts,
            "tasks": tasks,
            "checkpoints": _checkpoints(case, _next_act_evidence(reading, tasks), now, ctx.params),
            "deadlines": _rows(session, Deadline, case.id, ("checkpoint", "kind", "starts_at", "due_at", "status", "basis",
                                                           "action_taken"), "due_at"),
            "escalations": _rows(session, Escalation, case.id, ("id", "kind", "assigned_role", "checkpoint", "stage", "reason", "status",
                                                                 "created_at", "due_at", "resolved_by", "resolution")),
            "flags": _rows(session, AdmissibilityFlag, case.id, ("id", "checkpoint", "task", "reason", "created_at", "ruling")),
            "stages": _rows(session, StageEntry, case.id, ("stage", "entered_at", "task", "actor")),
            "evidence": [_plain_row(row, ("id", "checkpoint", "scope", "data", "occurred_at", "recorded_at",
                                          "recorded_by", "corrects_id")) for row in evidence],
            "defence": list(session.execute(select(CaseParty.username).where(CaseParty.case_id == case.id)).scalars()),
            "path": path,
            "incidents": incidents.open_for(session, [case.id]).get(case.id, []),
        }
        view.update(_procedure_view(session, case, reading))
        view["about_case_id"] = case.about_case_id
        view["complaints"] = complaints.of_case(session, case, now, ctx.params)
        view["allegations"] = allegations.of_case(session, case.id)
        if actor.role == roles.DEFENCE:
            audit.append(session, at=now, actor=actor.username, action="case.read", case_id=case.id, payload={})
    return view


class _Reading(NamedTuple):
    """What a case view reads once: the procedure, the facts, the evidence, the time."""
    procedure: acts.Procedure
    facts: CaseFacts
    book: checks.EvidenceBook
    now: object
    params: object


def _next_act_evidence(reading: _Reading, tasks: list[dict]) -> dict:
    """The evidence each right reads for the next act it guards: the rights panel shows where the
    next interrogation (or notice, or hearing) stands, not where the last one stood."""
    ready = [acts.act_of(t.get("act"), {}) for t in tasks]
    out = {}
    for cid in catalogue.CATALOGUE:
        scope = acts.scope_for_record(cid, reading.procedure, ready)
        rec = reading.book.in_scope(cid, scope, reading.facts, reading.now, reading.params)
        if rec is not None:
            out[cid] = rec
    return out


EVALUATIONS_SHOWN = 200  # a case view lists the latest evaluations; a long case keeps the rest in reports


def _procedure_view(session, case: Case, reading: _Reading) -> dict:
    """The case in acts: its detention episodes (each with its judicial-review clock and status),
    the qualification in force, and each right's latest evaluations per act."""
    procedure, facts, book, now, params = reading
    episodes = []
    for episode in procedure.episodes:
        scope = f"episode:{episode.no}"
        review = catalogue.get("detention_judicial_review")
        rec = book.best(review.id, scope, facts, now, params)
        ev = checks.assess([review], facts, {review.id: rec} if rec else {}, now, params, case.stage)[0].evaluation
        ended = not episode.open and rec is None
        episodes.append({**episode.to_dict(), "judicial_review": {
            "status": "ended" if ended else ev.status.value, "due_at": _iso(ev.due_at),
            "reasons": [say(acts.DETENTION_ENDED_BY, ended_by=episode.ended_by)] if ended
            else list(ev.reasons)}})
    latest = session.execute(select(CheckpointEvaluation).where(CheckpointEvaluation.case_id == case.id)
                             .order_by(CheckpointEvaluation.id.desc()).limit(EVALUATIONS_SHOWN)).scalars().all()
    rows = list(reversed(latest))
    return {"episodes": episodes, "qualification_no": procedure.qualification,
            "acts_done": dict(procedure.done),
            "evaluations": [{"checkpoint": r.checkpoint, "status": r.status, "task": r.task, "stage": r.stage,
                             "act": (r.detail or {}).get("act"), "scope": (r.detail or {}).get("scope"),
                             "evaluated_at": _iso(r.evaluated_at), "reasons": (r.detail or {}).get("reasons", [])}
                            for r in rows]}


def _iso(moment):
    return moment.isoformat() if moment is not None else None


def _task(task) -> dict:
    return describe_task(task)


def _checkpoints(case: Case, evidence: dict, now, params) -> list[dict]:
    """Every right that applies to the case now, with its status as the latest evidence stands."""
    facts = CaseFacts.from_data(case.facts, params)
    out = []
    for a in checks.assess(list(catalogue.CATALOGUE.values()), facts, evidence, now, params, case.stage):
        if a.evaluation.status.value == "not_applicable":
            continue
        out.append({**a.failure(), "stages": sorted(a.checkpoint.stages), "failure": a.checkpoint.failure.value,
                    "satisfied": a.evaluation.satisfied, "satisfied_at": _iso(a.evaluation.satisfied_at)})
    return out


def _rows(session, model, case_id: int, columns, order="id") -> list[dict]:
    rows = session.execute(select(model).where(model.case_id == case_id).order_by(getattr(model, order))).scalars()
    return [_plain_row(r, columns) for r in rows]


def _plain_row(row, columns) -> dict:
    return {c: _plain(getattr(row, c)) for c in columns}


def _plain(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def list_cases(ctx: Habeas, actor: Actor, *, stage: str | None = None, status: str | None = None,
               limit: int = 50, offset: int = 0) -> list[dict]:
    access.require_role(actor, access.READERS, "list cases")
    query = (select(Case.id, Case.number, Case.stage, Case.status, Case.non_compliant, Case.prosecutor,
                   Case.updated_at, Case.lock_version).where(Case.training.is_(False))
             .order_by(Case.id.desc()).limit(min(limit, 500)).offset(offset))
    if stage:
        query = query.where(Case.stage == stage)
    if status:
        query = query.where(Case.status == status)
    if actor.role == roles.DEFENCE:
        query = query.join(CaseParty, CaseParty.case_id == Case.id).where(CaseParty.username == actor.username)
    with ctx.unit_of_work() as session:
        return [{"id": r.id, "number": r.number, "stage": r.stage, "status": r.status,
                 "non_compliant": r.non_compliant, "prosecutor": r.prosecutor,
                 "updated_at": r.updated_at.isoformat(), "version": r.lock_version}
                for r in session.execute(query).all()]


def case_audit(ctx: Habeas, actor: Actor, case_id: int) -> list[dict]:
    with access.denials_audited(ctx, actor, case_id, "case.audit"), ctx.unit_of_work() as session:
        case = load_case(session, case_id)
        access.require_read(session, actor, case)
        rows = session.execute(select(AuditEntry).where(AuditEntry.case_id == case_id).order_by(AuditEntry.seq)).scalars()
        return [{"seq": e.seq, "at": e.at.isoformat(), "actor": e.actor, "action": e.action, "payload": e.payload,
                 "hash": e.hash} for e in rows]


AUDIT_VERIFIERS = {roles.REVIEWER, roles.ADMIN, roles.SUPERVISING_PROSECUTOR}


def verify_audit(ctx: Habeas, actor: Actor, *, rows: bool = True) -> dict:
    """The chain, its anchor outside the database and (``rows``) the case, evidence and
    override rows it seals.  Without rows it reads only the trail (the dashboard's quick check)."""
    access.require_role(actor, AUDIT_VERIFIERS, "verify the audit trail")
    with ctx.unit_of_work() as session:
        report = audit.verify(session, anchor_file=ctx.anchor, rows=rows)
        audit.record_verification(session, report, ctx.now(), full=rows)
        return report.to_dict()


def audit_status(ctx: Habeas, actor: Actor) -> dict:
    """The chain's status for the reviewers' page: the entries appended since the last
    verification are verified (and the mark moved), the rest stands as verified before; the
    full walk stays with ``verify_audit`` (``habeas audit verify``, the API)."""
    access.require_role(actor, AUDIT_VERIFIERS, "verify the audit trail")
    with ctx.unit_of_work() as session:
        return audit.verify_since(session, ctx.now()).to_dict()


def anchor_audit(ctx: Habeas, actor: Actor) -> dict:
    """The chain's head now, added to the anchor file and returned to be kept on record."""
    access.require_role(actor, AUDIT_VERIFIERS, "anchor the audit trail")
    with ctx.unit_of_work() as session:
        head = audit.current_head(session)
    at = ctx.now()
    if ctx.anchor and head["seq"]:
        from ..persistence import anchor
        anchor.record(ctx.anchor, head["seq"], head["hash"], at)
    return {**head, "at": at.isoformat(), "anchor_file": ctx.anchor}
