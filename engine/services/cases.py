"""Opening a case and advancing it task by task, with the stage's rights enforced on entry."""
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from ..domain import acts, catalogue, custody as custody_terms, roles
from ..domain.errors import CheckpointBlocked, Conflict, InvalidData, NotFound, WorkflowError
from ..domain.facts import CaseFacts
from ..domain.rights import FailureClass, Status
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
    """What one completion did: the stage entered and what the rights checks produced."""

    case_id: int
    version: int
    stage: str | None
    entered: bool
    escalated: tuple[str, ...]
    flagged: tuple[str, ...]


def complete_task(ctx: Habeas, actor: Actor, case_id: int, task_id: str, data: dict,
                  expected_version: int | None = None) -> Step:
    """Complete a ready task.  Refused, with nothing changed but the audit trail, when the form is
    invalid, the actor may not, the case moved on, or the rights guarding the stage are unmet."""
    try:
        with ctx.unit_of_work() as session:
            step, run = _complete(ctx, session, actor, case_id, task_id, data, expected_version)
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
    run = ctx.runs.take(case.id, case.lock_version)
    return run or CaseRun.load(ctx.models.get(session, case.process_version_id), case.workflow_state)


@contextmanager
def reading_run(ctx: Habeas, session: Session, case: Case):
    """Lend the case's workflow for reading; it goes back to the worker's cache for the next step."""
    run = load_run(ctx, session, case)
    yield run
    ctx.runs.put(case.id, case.lock_version, run)


def _complete(ctx, session, actor, case_id, task_id, data, expected_version) -> tuple[Step, CaseRun]:
    """Load, check, run, save and audit one step, in the caller's transaction."""
    case = load_case(session, case_id)
    if expected_version is not None and expected_version != case.lock_version:
        raise Conflict(f"stale version {expected_version}: the case is at version {case.lock_version}")
    run = load_run(ctx, session, case)
    task = _ready_or_conflict(run, task_id)
    definition = task.definition
    access.require_act(session, actor, case, definition.lane, f"complete '{definition.title}'")
    fields = form_for(definition, data)
    clean = forms.clean(fields, kept_data(definition, fields, data))
    now = ctx.now()
    clean = facts_check.require(clean, now=now, known=case.facts, fields=fields)
    procedure = procedure_of(case)
    attempt = attempt_of(ctx, session, case, definition, clean, actor, now, procedure)
    kind, stage, entering, book = attempt.act.kind, attempt.act.stage, attempt.act.entering, attempt.book
    releasing, facts_data, recorded, facts, act = (kind == acts.ActKind.RELEASE, attempt.facts_data,
                                                   attempt.recorded, attempt.facts, attempt.act)
    assessments = _check_act(ctx, session, case, act, procedure, facts, book, now)
    assessed = {a.checkpoint.id for a in assessments}
    evidenced = checks.assess([catalogue.get(r.checkpoint) for r in recorded if r.checkpoint not in assessed],
                              facts, book.for_act([r.checkpoint for r in recorded], kind, procedure, facts, now,
                                                  ctx.params), now, ctx.params, stage, actor=actor.username, act=kind)
    run.complete(task_id, clean)
    if releasing:
        run.update_data({"detained": False})
    run.anchor_timers(now)  # timers this step started run on the engine's clock
    acted_in, procedure = procedure, acts.after(procedure, kind, clean, now)
    _save(session, case, run, definition, actor, now, facts_data, entering, procedure)
    if kind == acts.ActKind.COMPLAINT_RULING:
        from . import complaints
        complaints.after_ruling(session, case, clean, now, actor.username)
    session.add_all(recorded)
    session.add_all(checks.evaluation_rows(case, assessments + evidenced, now=now, stage=stage,
                                           task=definition.title, actor=actor.username, act=kind,
                                           procedure=acted_in))
    checks.resolve_escalations(session, case, [a.checkpoint.id for a in evidenced if a.evaluation.satisfied],
                               now, actor.username, f"evidence recorded with '{definition.title}'")
    escalated = _escalate(ctx, session, case, assessments, now)
    flagged = _flag(session, case, assessments, task, clean, now)
    clocks.sync(session, case, assessments + evidenced, now, ctx.params, ctx.models, actor=actor.username,
                evidence=book.for_clocks(procedure, facts, now, ctx.params), timers=run.timers())
    if releasing:
        clocks.release_done(session, case, now, actor.username)
    session.flush()
    audit.append(session, at=now, actor=actor.username, action="task.completed", case_id=case.id,
                 payload={"task": definition.title, "task_id": task_id, "stage": stage, "entered": entering,
                          "act": kind, "data": clean,
                          "checkpoints": {a.checkpoint.id: a.evaluation.status.value for a in assessments},
                          "escalated": escalated, "flagged": flagged})
    return Step(case.id, case.lock_version, case.stage, entering, tuple(escalated), tuple(flagged)), run


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
    """An act as it would happen with the data given: its facts, the evidence its own form
    records, and the evidence book the rights read (with that evidence in it)."""

    act: "Act"
    facts_data: dict
    facts: CaseFacts
    recorded: list
    book: checks.EvidenceBook


def attempt_of(ctx, session, case: Case, definition: TaskDefinition, clean: dict, actor: Actor, now,
               procedure: acts.Procedure) -> Attempt:
    kind = acts.act_of(definition.act, clean)
    facts_data = {**case.facts, **clean, **(_release_facts(clean, now) if kind == acts.ActKind.RELEASE else {}),
                  **_custody_order(kind, clean, now, ctx.params)}
    if kind == acts.ActKind.VERDICT:
        # the appeal period of a convict held at the verdict runs from service of the copy
        facts_data["in_custody_at_verdict"] = CaseFacts.from_data(case.facts, ctx.params).detained
    stage = definition.stage
    entering = bool(stage) and is_entry(case.stage, stage)
    book = checks.evidence_book(session, case.id)
    without = ("custody_term_review",) if _freeing(definition, clean) else ()
    recorded = [_evidence_from_task(cid, definition, clean, actor, now, case.id, acts.scope_of(cid, kind, procedure))
                for cid in evidenced_by(definition, without)]
    for row in recorded:
        book.add(row)
    return Attempt(Act(kind, definition, stage, entering, actor.username), facts_data,
                   CaseFacts.from_data(facts_data, ctx.params), recorded, book)


@dataclass(frozen=True)
class Act:
    kind: str | None
    definition: TaskDefinition
    stage: str | None
    entering: bool
    actor: str


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


def _check_act(ctx, session, case, act: Act, procedure, facts, book, now) -> list:
    """The rights guarding this act (by its kind), and the stage it enters (by the catalogue),
    each read from the evidence of this act's own scope.  Refuse if a block is unmet; use up any
    override applied.  A release is never refused; after a missed judicial review it is the only
    lawful act."""
    assessments, blocked, challenged, overrides = assess_act(ctx, session, case, act, procedure, facts, book, now)
    if blocked or challenged:
        raise _Refusal(CheckpointBlocked(act.stage or "", [a.failure() for a in blocked] + challenged),
                       assessments, act.definition)
    for a in assessments:
        if a.evaluation.status is Status.OVERRIDDEN and a.checkpoint.id in overrides:
            overrides[a.checkpoint.id].used_at = now
    return assessments


def assess_act(ctx, session, case, act: Act, procedure, facts, book, now):
    """What the rights guarding an act say now, changing nothing: its assessments, those that
    block, the complaints that hold a custody decision back, and the open overrides.  The one
    reading both the step (``_check_act``) and the task page's checklist (``previews``) use."""
    if act.kind == acts.ActKind.RELEASE:
        return [], [], [], {}
    ids = list(acts.guards(act.kind))
    if act.entering:
        ids += [cp.id for cp in catalogue.guarding(act.stage)]
    ids += list(act.definition.checkpoints)
    checkpoints = [catalogue.get(cid) for cid in dict.fromkeys(ids) if cid in catalogue.CATALOGUE]
    overrides = checks.open_overrides(session, case.id)
    evidence = book.for_act(checkpoints, act.kind, procedure, facts, now, ctx.params)
    assessments = checks.assess(checkpoints, facts, evidence, now, ctx.params, act.stage, overrides,
                                actor=act.actor, act=act.kind)
    blocked = [a for a in assessments if a.blocks]
    missed = checks.missed_review(procedure, facts, book, now, ctx.params)
    if missed is not None and act.kind not in acts.ALWAYS_LAWFUL:
        assessments = [a for a in assessments if a.checkpoint.id != missed.checkpoint.id] + [missed]
        blocked = [a for a in blocked if a.checkpoint.id != missed.checkpoint.id] + [missed]
    challenged = []
    if act.kind == acts.ActKind.CUSTODY_DECISION:  # a freeing decision is a release: never here
        from . import complaints
        challenged = complaints.blocking_failures(session, case, now, ctx.params)
    return assessments, blocked, challenged, overrides


def _save(session, case, run, definition, actor, now, facts_data, entering, procedure) -> None:
    case.workflow_state = run.dump()
    case.procedure = procedure.to_dict()
    case.facts = facts_data
    case.updated_at = now
    if entering:
        case.stage = definition.stage
        session.add(StageEntry(case_id=case.id, stage=definition.stage, entered_at=now, task=definition.title,
                               actor=actor.username))
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


def _escalate(ctx, session, case, assessments, now) -> list[str]:
    """Failed escalate checkpoints: a task for the supervising prosecutor; the case is
    non-compliant until it is resolved."""
    failed = [a for a in assessments
              if a.checkpoint.failure is FailureClass.ESCALATE and a.evaluation.status is Status.FAILED]
    if not failed:
        return []
    open_ids = set(session.execute(select(Escalation.checkpoint).where(
        Escalation.case_id == case.id, Escalation.status == "open")).scalars())
    out = []
    for a in failed:
        out.append(a.checkpoint.id)
        if a.checkpoint.id in open_ids:
            continue
        session.add(Escalation(case_id=case.id, checkpoint=a.checkpoint.id, stage=case.stage,
                               reason="; ".join(a.evaluation.reasons) or f"{a.checkpoint.right}: not shown respected",
                               created_at=now, due_at=now + timedelta(days=ctx.params.escalation_days)))
    case.non_compliant = True
    return out


def _flag(session, case, assessments, task: ReadyTask, clean, now) -> list[str]:
    """Failed flag checkpoints: the record this act produced goes to an admissibility ruling.
    A statement taken under a derogation from counsel is always flagged (Directive 2013/48
    art 3(6); the brief's precisions)."""
    out = []
    for a in assessments:
        derogated = (a.checkpoint.id == "counsel_before_interrogation"
                     and a.evaluation.status is Status.OVERRIDDEN) or bool(getattr(a.evaluation, "flags", ()))
        if derogated or a.checkpoint.failure is FailureClass.FLAG and not a.evaluation.satisfied:
            out.append(a.checkpoint.id)
            session.add(AdmissibilityFlag(
                case_id=case.id, checkpoint=a.checkpoint.id, task=task.definition.title, task_id=task.id,
                record=clean, created_at=now,
                reason=f"{a.checkpoint.right} ({a.checkpoint.legal_basis}): "
                       + ("; ".join(a.evaluation.reasons) or "not shown respected")))
    return out


class _Refusal(Exception):
    """Carries a refusal out of the rolled-back transaction, with what is needed to record it."""

    def __init__(self, error: CheckpointBlocked, assessments, definition: TaskDefinition):
        super().__init__(error.message)
        self.error, self.assessments, self.definition = error, assessments, definition


def _record_refusal(ctx, actor, case_id, task_id, refusal: _Refusal) -> None:
    """The refused attempt is recorded (evaluations and audit) though the case stays unchanged."""
    with ctx.unit_of_work() as session:
        case = load_case(session, case_id)
        now = ctx.now()
        stage, title = refusal.error.stage, refusal.definition.title
        session.add_all(checks.evaluation_rows(case, refusal.assessments, now=now, stage=stage,
                                               task=title, actor=actor.username, refused=True))
        audit.append(session, at=now, actor=actor.username, action="task.refused", case_id=case_id,
                     payload={"task": title, "task_id": task_id, "stage": stage,
                              "checkpoints": refusal.error.failures})
