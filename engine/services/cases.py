"""Opening a case and advancing it task by task, with the stage's rights enforced on entry."""
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from ..domain import acts, catalogue, custody as custody_terms, roles
from ..domain import step as step_rules
from ..domain.errors import CheckpointBlocked, Conflict, InvalidData, NotFound, WorkflowError
from ..domain.facts import CaseFacts
from ..domain.clock import parse_instant
from ..domain.stages import is_entry
from ..domain import payload
from ..persistence import audit
from ..persistence.models import (AdmissibilityFlag, Case, CaseParty, Escalation, Evidence, ProcessVersion,
                                  StageEntry, User)
from ..workflow.adapter import CaseRun, ReadyTask, TaskDefinition
from . import access, checks, clocks, facts_check, forms, incidents
from .context import Actor, Habeas


def task_fields(definition: TaskDefinition, without: tuple[str, ...] = ()):
    """A task's form: its own fields, then the evidence fields of the checkpoints it records
    (but those in ``without``: a custody decision that frees the person sets no custody term)."""
    fields = list(definition.form)
    names = {f.name for f in fields}
    for checkpoint_id in evidenced_by(definition, without):
        for f in catalogue.get(checkpoint_id).evidence:
            if f.name not in names:
                fields.append(f)
                names.add(f.name)
    return fields


def evidenced_by(definition: TaskDefinition, without: tuple[str, ...] = ()) -> tuple[str, ...]:
    return tuple(cid for cid in definition.evidence if cid not in without)


def open_case(ctx: Habeas, actor: Actor, process_id: str, data: dict | None = None, *,
              unit: str = "", prosecutor: str | None = None, defence: list[str] | None = None) -> int:
    """Open a case on the newest deployed version of a process; returns the case id."""
    access.require_role(actor, roles.OPENERS, "open cases")
    data = facts_check.require(_opening_data(data or {}), now=ctx.now())
    with ctx.unit_of_work() as session:
        version = latest_version(session, process_id)
        model = ctx.models.get(session, version.id)
        run = CaseRun.start(model, data)
        now = ctx.now()
        run.anchor_timers(now)  # a timer reached at opening runs on the engine's clock too
        case = Case(number="pending", process_version_id=version.id, stage=None, status="open", unit=unit,
                    prosecutor=prosecutor or (actor.username if actor.role != roles.INVESTIGATOR else None),
                    facts=data, procedure=acts.derive(data).to_dict(), workflow_state=run.dump(),
                    opened_at=now, opened_by=actor.username,
                    updated_at=now, training=actor.training)  # a practice case is one from creation
        _require_users(session, {case.prosecutor: _PROSECUTORS} if case.prosecutor else {})
        _require_users(session, {username: {roles.DEFENCE} for username in defence or ()})
        session.add(case)
        session.flush()
        _number(session, case, f"{'TR' if case.training else 'HB'}-{now:%Y}-{case.id:06d}")
        for username in defence or ():
            session.add(CaseParty(case_id=case.id, username=username, role=roles.DEFENCE))
        clocks.sync_timers(session, case, now, rows={}, timers=run.timers())
        audit.append(session, at=now, actor=actor.username, action="case.opened", case_id=case.id,
                     payload={"number": case.number, "process": process_id, "version": version.version,
                              "data": data, "defence": list(defence or ())})
        return case.id


_PROSECUTORS = frozenset({roles.PROSECUTOR, roles.SUPERVISING_PROSECUTOR})


def _require_users(session: Session, wanted: dict[str, set]) -> None:
    """Parties named at opening must be existing users of the right role."""
    if not wanted:
        return
    found = dict(session.execute(select(User.username, User.role).where(User.username.in_(wanted))).all())
    bad = {name: [f"no {' or '.join(sorted(r.replace('_', ' ') for r in allowed))} named '{name}'"]
           for name, allowed in wanted.items() if found.get(name) not in allowed}
    if bad:
        raise InvalidData("unknown parties", bad)


def _number(session: Session, case: Case, number: str) -> None:
    """Give the new case its number without counting that as a change of version."""
    session.execute(update(Case).where(Case.id == case.id).values(number=number))
    set_committed_value(case, "number", number)


def _opening_data(data: dict) -> dict:
    """Data given when a case is opened becomes workflow data: plain JSON under safe names."""
    import json
    if not isinstance(data, dict):
        raise InvalidData("case data must be an object", {"data": ["must be an object of named values"]})
    bad = {k: ["names must be identifiers not starting with '_' (and not 'typename')"]
           for k in data if not (isinstance(k, str) and k.isidentifier() and not k.startswith("_") and k != "typename")}
    if bad:
        raise InvalidData("case data has invalid names", bad)
    payload.require_plain(data, "the case data")
    try:
        return json.loads(json.dumps(data, allow_nan=False))
    except (TypeError, ValueError):
        raise InvalidData("case data must be plain JSON values", {"data": ["only strings, numbers, booleans, lists and objects"]}) from None


def latest_version(session: Session, process_id: str) -> ProcessVersion:
    row = session.execute(select(ProcessVersion).where(ProcessVersion.process_id == process_id)
                          .order_by(ProcessVersion.version.desc()).limit(1)).scalar_one_or_none()
    if row is None:
        raise NotFound(f"no deployed process '{process_id}'")
    return row


def load_case(session: Session, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(f"no case {case_id}")
    return case


@dataclass(frozen=True)
class Step:
    """What one completion did: the stage entered and what the rights checks produced, and where
    the case stands after it (its version, status and ready tasks: a completion's answer)."""

    case_id: int
    version: int
    stage: str | None
    entered: bool
    escalated: tuple[str, ...]
    flagged: tuple[str, ...]
    status: str = "open"
    non_compliant: bool = False
    tasks: tuple[dict, ...] = ()


def describe_task(task: ReadyTask) -> dict:
    """A ready task as the case view and a completion's answer show it, with its whole form."""
    d = task.definition
    return {"id": task.id, "name": d.name, "title": d.title, "stage": d.stage, "lane": d.lane, "act": d.act,
            "instructions": d.instructions, "evidence": d.evidence, "translations": dict(d.translations),
            "form": [f.to_dict() for f in task_fields(d)]}


def complete_task(ctx: Habeas, actor: Actor, case_id: int, task_id: str, data: dict,
                  expected_version: int | None = None) -> Step:
    """Complete a ready task.  Refused, with nothing changed but the audit trail, when the form is
    invalid, the actor may not, the case moved on, or the rights guarding the stage are unmet."""
    try:
        with ctx.unit() as uow:
            step, run = _complete(ctx, uow, actor, case_id, task_id, data, expected_version)
    except _Refusal as refusal:
        _record_refusal(ctx, actor, case_id, task_id, refusal)
        raise refusal.error from None
    except (StaleDataError, IntegrityError):
        raise Conflict("the case was changed by someone else meanwhile; reload it and try again") from None
    except WorkflowError as err:  # the case did not load, or a script failed: an incident on it
        incidents.record(ctx, case_id, incidents.kind_of(err), err.message, actor=actor.username)
        raise
    ctx.runs.put(case_id, step.version, run)
    return step


def load_run(ctx: Habeas, session: Session, case: Case) -> CaseRun:
    """The case's workflow: the one this worker saved last, or loaded from the database."""
    return ctx.run_of(session, case)


@contextmanager
def reading_run(ctx: Habeas, session: Session, case: Case):
    """Lend the case's workflow for reading; it goes back to the worker's cache for the next step."""
    run = load_run(ctx, session, case)
    yield run
    ctx.runs.put(case.id, case.lock_version, run)


def _complete(ctx, uow, actor, case_id, task_id, data, expected_version) -> tuple[Step, CaseRun]:
    """Load, decide, run, save and audit one step in the unit of work: the law's judgment is
    ``engine.domain.step.decide``'s; this applies it."""
    record = uow.cases.get(case_id)
    case, run = record.row, record.run
    if expected_version is not None and expected_version != case.lock_version:
        raise Conflict(f"stale version {expected_version}: the case is at version {case.lock_version}")
    task = _ready_or_conflict(run, task_id)
    definition = task.definition
    access.require_act_on(actor, case, definition.lane, f"complete '{definition.title}'",
                          is_party=uow.cases.is_party)
    fields = form_for(definition, data)
    clean = forms.clean(fields, kept_data(definition, fields, data))
    now = ctx.now()
    clean = facts_check.require(clean, now=now, known=case.facts, fields=fields)
    attempt = attempt_of(ctx, uow, record, definition, clean, actor, now)
    act = attempt.act
    decision = step_rules.decide(attempt.state, act, attempt.facts, now, ctx.params)
    if not decision.allowed:
        raise _Refusal(CheckpointBlocked(act.stage or "", list(decision.refused)), list(decision.assessments),
                       definition, case.unit, case.prosecutor)
    _apply(ctx, uow, record, task, act, decision, clean, attempt.facts_data, attempt.procedure, now)
    uow.commit()
    return Step(case.id, case.lock_version, case.stage, act.entering, decision.escalated,
                tuple(f.checkpoint for f in decision.flags), case.status, bool(case.non_compliant),
                tuple(describe_task(t) for t in run.ready_tasks())), run


def _apply(ctx, uow, record, task: ReadyTask, act: step_rules.Act, decision: step_rules.Decision, clean: dict,
           facts_data: dict, procedure: acts.Procedure, now) -> None:
    """Carry out an allowed step's decision: the overrides it used, the workflow, the case's facts,
    acts and stage, the rows it appends, its escalations and flags, the clocks, the audit entry."""
    case, run, definition = record.row, record.run, task.definition
    for cid in decision.overrides_used:
        record.overrides[cid].used_at = now
    run.complete(task.id, clean)
    if act.kind == acts.ActKind.RELEASE:
        run.update_data({"detained": False})
    run.anchor_timers(now)  # timers this step started run on the engine's clock
    acted_in, procedure = procedure, acts.after(procedure, act.kind, clean, now)
    _save(uow, case, run, definition, act.actor, now, facts_data, act.entering, procedure)
    if act.kind == acts.ActKind.COMPLAINT_RULING:
        from . import complaints
        complaints.after_ruling(uow.session, case, clean, now, act.actor)
    uow.add_all(act.recorded)
    uow.add_all(checks.evaluation_rows(case, list(decision.evaluated), now=now, stage=act.stage,
                                       task=definition.title, actor=act.actor, act=act.kind,
                                       procedure=acted_in))
    _apply_escalations(uow, record, decision, now, act.actor, f"evidence recorded with '{definition.title}'")
    for flag in decision.flags:
        uow.add(AdmissibilityFlag(case_id=case.id, checkpoint=flag.checkpoint, task=definition.title,
                                  task_id=task.id, record=clean, created_at=now, reason=flag.reason))
    clocks.sync(uow, record, step_rules.clocks_after(case.facts, decision.book, procedure, case.stage,
                                                     case.status == "closed", now, ctx.params),
                now, timers=run.timers(), actor=act.actor)
    if act.kind == acts.ActKind.RELEASE:
        clocks.release_done(record, now, act.actor)
    uow.audit(at=now, actor=act.actor, action="task.completed", case_id=case.id,
              payload={"task": definition.title, "task_id": task.id, "stage": act.stage, "entered": act.entering,
                       "act": act.kind, "data": clean,
                       "checkpoints": {a.checkpoint.id: a.evaluation.status.value for a in decision.assessments},
                       "escalated": list(decision.escalated), "flagged": [f.checkpoint for f in decision.flags]})


class _OpenEscalations:
    """The checkpoints with an open escalation, read only if the decision asks (a right failed)."""

    def __init__(self, record):
        self._record = record

    def __contains__(self, checkpoint: str) -> bool:
        return any(e.checkpoint == checkpoint and e.status == "open" for e in self._record.escalations)


def _apply_escalations(uow, record, decision, now, username: str, resolution: str) -> None:
    """Evidence that satisfies a checkpoint closes its open escalations; failed escalate
    checkpoints open a task for the supervising prosecutor (one per right) and the case is
    non-compliant until it is resolved."""
    case = record.row
    checks.resolve_open(record, decision.resolved, now, username, resolution)
    for new in decision.escalations:
        row = Escalation(case_id=case.id, checkpoint=new.checkpoint, stage=case.stage, reason=new.reason,
                         created_at=now, due_at=new.due_at, kind="escalation", status="open",
                         assigned_role=roles.SUPERVISING_PROSECUTOR)
        uow.add(row)
        record.escalations.append(row)
    if decision.escalated:
        case.non_compliant = True


def _freeing(definition: TaskDefinition, data: dict) -> bool:
    return definition.act == acts.ActKind.CUSTODY_DECISION and (data or {}).get("outcome") in acts.FREEING_OUTCOMES


def form_for(definition: TaskDefinition, data: dict):
    """The fields an attempt is judged on: a custody decision that frees the person sets no
    custody term, so the term's fields are not part of it."""
    return task_fields(definition, without=("custody_term_review",) if _freeing(definition, data) else ())


def kept_data(definition: TaskDefinition, fields, data: dict) -> dict:
    """The custody term's fields, left on a page's form, are not part of a release."""
    if not _freeing(definition, data):
        return data
    kept = {f.name for f in fields}
    return {k: v for k, v in data.items() if k in kept}


@dataclass(frozen=True)
class Attempt:
    """An act as it would happen with the data given: the act (with the evidence its own form
    records), the case as the decision reads it, and the facts after it.  The step decides on
    it and applies; the task page's checklist (``previews``) only decides."""

    act: step_rules.Act
    state: step_rules.CaseState
    facts_data: dict
    facts: CaseFacts
    procedure: acts.Procedure


def attempt_of(ctx, uow, record, definition: TaskDefinition, clean: dict, actor: Actor, now) -> Attempt:
    case = record.row
    procedure = procedure_of(case)
    kind = acts.act_of(definition.act, clean)
    facts_data = {**case.facts, **clean, **(_release_facts(clean, now) if kind == acts.ActKind.RELEASE else {}),
                  **_custody_order(kind, clean, now, ctx.params)}
    if kind == acts.ActKind.VERDICT:
        # the appeal period of a convict held at the verdict runs from service of the copy
        facts_data["in_custody_at_verdict"] = CaseFacts.from_data(case.facts, ctx.params).detained
    stage = definition.stage
    entering = bool(stage) and is_entry(case.stage, stage)
    without = ("custody_term_review",) if _freeing(definition, clean) else ()
    recorded = tuple(_evidence_from_task(cid, definition, clean, actor, now, case.id,
                                         acts.scope_of(cid, kind, procedure))
                     for cid in evidenced_by(definition, without))
    challenged = ()
    if kind == acts.ActKind.CUSTODY_DECISION:  # a freeing decision is a release: never challenged here
        from . import complaints
        challenged = tuple(complaints.failures_among(uow.cases.open_complaints(case.id), case, now, ctx.params))
    state = step_rules.CaseState(case.stage, procedure, checks.EvidenceBook(record.evidence), record.overrides,
                                 _OpenEscalations(record), challenged)
    act = step_rules.Act(kind, definition.title, stage, entering, actor.username,
                         tuple(definition.checkpoints), recorded)
    return Attempt(act, state, facts_data, CaseFacts.from_data(facts_data, ctx.params), procedure)


def procedure_of(case: Case) -> acts.Procedure:
    """The case's acts and episodes; derived from its facts for a case opened before them."""
    if case.procedure is None:
        return acts.derive(case.facts or {})
    return acts.Procedure.from_dict(case.procedure)


def _custody_order(kind, clean: dict, now, params) -> dict:
    """A custody order's term is computed from the law, not typed: at most the first term in
    calendar months from the order (CPC 151); a longer one is refused.  The order and its
    expiry become facts the custody clock and later extensions read."""
    if kind != acts.ActKind.CUSTODY_DECISION or clean.get("outcome") not in acts.DEPRIVING_OUTCOMES:
        return {}
    try:
        ordered = parse_instant(clean.get("ordered_at") or clean.get("hearing_at"))
        expires = parse_instant(clean.get("expires_at"))
    except (TypeError, ValueError):
        raise InvalidData("the custody order's times are not ISO-8601 times",
                          {"expires_at": ["not an ISO-8601 time"]}) from None
    if ordered is None:
        raise InvalidData("say when custody was ordered", {"ordered_at": ["required for a custody order"]})
    expires = expires or custody_terms.first_term_limit(ordered, params)
    errors = custody_terms.check_first_term(ordered, expires, now, params)
    if errors:
        raise InvalidData("; ".join(errors), {"expires_at": errors})
    clean["expires_at"] = expires.isoformat()
    return {"custody_ordered_at": ordered.isoformat(), "custody_expires_at": expires.isoformat(),
            "detained": True, "released_at": None}


def _release_facts(clean: dict, now) -> dict:
    released = clean.get("released_at") or clean.get("hearing_at") or now.isoformat()
    return {"detained": False, "released_at": released}


def _save(uow, case, run, definition, username: str, now, facts_data, entering, procedure) -> None:
    case.workflow_state = run.dump()
    case.procedure = procedure.to_dict()
    case.facts = facts_data
    case.updated_at = now
    if entering:
        case.stage = definition.stage
        uow.add(StageEntry(case_id=case.id, stage=definition.stage, entered_at=now, task=definition.title,
                           actor=username))
    if run.completed:
        case.status, case.stage = "closed", "closed"


def _ready_or_conflict(run: CaseRun, task_id: str) -> ReadyTask:
    try:
        return run.ready_task(task_id)
    except NotFound:
        if run.was_completed(task_id):
            raise Conflict("this task was already completed by someone else; reload the case") from None
        raise


def _evidence_from_task(checkpoint_id, definition, clean, actor, now, case_id, scope) -> Evidence:
    """A task that records a checkpoint's evidence (``evidence`` property) appends it, dated by
    the fact it records, never by the moment the form was filled in."""
    cp = catalogue.get(checkpoint_id)
    names = {f.name for f in cp.evidence}
    if checkpoint_id == "custody_term_review" and definition.act == acts.ActKind.CUSTODY_DECISION:
        # the form's petition_at is the petition for custody, not one to extend the term
        names.discard("petition_at")
    data = {k: v for k, v in clean.items() if k in names}
    occurred = parse_instant(data.get(cp.occurred_field)) if cp.occurred_field else None
    return Evidence(case_id=case_id, checkpoint=cp.id, data=data, occurred_at=occurred or now,
                    recorded_at=now, recorded_by=actor.username, task=definition.title, scope=scope)


class _Refusal(Exception):
    """Carries a refusal out of the rolled-back transaction, with what is needed to record it."""

    def __init__(self, error: CheckpointBlocked, assessments, definition: TaskDefinition, unit, prosecutor):
        super().__init__(error.message)
        self.error, self.assessments, self.definition = error, assessments, definition
        self.unit, self.prosecutor = unit, prosecutor


def _record_refusal(ctx, actor, case_id, task_id, refusal: _Refusal) -> None:
    """The refused attempt is recorded (evaluations and audit) though the case stays unchanged."""
    with ctx.unit() as uow:
        now = ctx.now()
        stage, title = refusal.error.stage, refusal.definition.title
        case = _Named(case_id, refusal.unit, refusal.prosecutor)
        uow.add_all(checks.evaluation_rows(case, refusal.assessments, now=now, stage=stage,
                                           task=title, actor=actor.username, refused=True))
        uow.audit(at=now, actor=actor.username, action="task.refused", case_id=case_id,
                  payload={"task": title, "task_id": task_id, "stage": stage,
                           "checkpoints": refusal.error.failures})
        uow.commit()


@dataclass(frozen=True)
class _Named:
    """What a refusal's evaluation rows say of the case (read before the rollback)."""

    id: int
    unit: str | None
    prosecutor: str | None
