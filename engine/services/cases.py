"""Opening a case and advancing it task by task, with the stage's rights enforced on entry."""
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from ..domain import catalogue, roles
from ..domain.errors import CheckpointBlocked, Conflict, InvalidData, NotFound
from ..domain.facts import CaseFacts
from ..domain.rights import FailureClass, Status
from ..domain.clock import parse_instant
from ..domain.stages import is_entry
from ..persistence import audit
from ..persistence.models import (AdmissibilityFlag, Case, CaseParty, Escalation, Evidence, ProcessVersion,
                                  StageEntry, User)
from ..workflow.adapter import CaseRun, ReadyTask, TaskDefinition
from . import access, checks, clocks, forms
from .context import Actor, Habeas


def task_fields(definition: TaskDefinition):
    """A task's form: its own fields, then the evidence fields of the checkpoint it records."""
    fields = list(definition.form)
    names = {f.name for f in fields}
    for checkpoint_id in definition.evidence:
        for f in catalogue.get(checkpoint_id).evidence:
            if f.name not in names:
                fields.append(f)
                names.add(f.name)
    return fields


def open_case(ctx: Habeas, actor: Actor, process_id: str, data: dict | None = None, *,
              unit: str = "", prosecutor: str | None = None, defence: list[str] | None = None) -> int:
    """Open a case on the newest deployed version of a process; returns the case id."""
    access.require_role(actor, roles.OPENERS, "open cases")
    data = _opening_data(data or {})
    with ctx.unit_of_work() as session:
        version = latest_version(session, process_id)
        model = ctx.models.get(session, version.id)
        run = CaseRun.start(model, data)
        now = ctx.now()
        case = Case(number="pending", process_version_id=version.id, stage=None, status="open", unit=unit,
                    prosecutor=prosecutor or (actor.username if actor.role != roles.INVESTIGATOR else None),
                    facts=data, workflow_state=run.dump(), opened_at=now, opened_by=actor.username,
                    updated_at=now)
        _require_users(session, {case.prosecutor: _PROSECUTORS} if case.prosecutor else {})
        _require_users(session, {username: {roles.DEFENCE} for username in defence or ()})
        session.add(case)
        session.flush()
        _number(session, case, f"HB-{now:%Y}-{case.id:06d}")
        for username in defence or ():
            session.add(CaseParty(case_id=case.id, username=username, role=roles.DEFENCE))
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
    clean = forms.clean(task_fields(definition), data)
    now = ctx.now()
    facts_data = {**case.facts, **clean}
    stage = definition.stage
    entering = bool(stage) and is_entry(case.stage, stage)
    recorded = [_evidence_from_task(cid, definition, clean, actor, now, case.id) for cid in definition.evidence]
    facts = CaseFacts.from_data(facts_data)
    evidence = checks.latest_evidence(session, case.id)  # the clocks need it on every step
    evidence.update({row.checkpoint: checks.to_record(row) for row in recorded})
    assessments = _check_entry(ctx, session, case, definition, facts, evidence, now) if entering else []
    assessed = {a.checkpoint.id for a in assessments}
    evidenced = checks.assess([catalogue.get(r.checkpoint) for r in recorded if r.checkpoint not in assessed],
                              facts, evidence, now, ctx.params, stage)
    run.complete(task_id, clean)
    run.anchor_timers(now)  # timers this step started run on the engine's clock
    _save(session, case, run, definition, actor, now, facts_data, entering)
    session.add_all(recorded)
    session.add_all(checks.evaluation_rows(case, assessments + evidenced, now=now, stage=stage,
                                           task=definition.title, actor=actor.username))
    checks.resolve_escalations(session, case, [a.checkpoint.id for a in evidenced if a.evaluation.satisfied],
                               now, actor.username, f"evidence recorded with '{definition.title}'")
    escalated = _escalate(ctx, session, case, assessments, now)
    flagged = _flag(session, case, assessments, task, clean, now)
    clocks.sync(session, case, assessments + evidenced, now, ctx.params, ctx.models, actor=actor.username,
                evidence=evidence, timers=run.timers())
    session.flush()
    audit.append(session, at=now, actor=actor.username, action="task.completed", case_id=case.id,
                 payload={"task": definition.title, "task_id": task_id, "stage": stage, "entered": entering,
                          "data": clean, "checkpoints": {a.checkpoint.id: a.evaluation.status.value
                                                         for a in assessments},
                          "escalated": escalated, "flagged": flagged})
    return Step(case.id, case.lock_version, case.stage, entering, tuple(escalated), tuple(flagged)), run


def _check_entry(ctx, session, case, definition, facts, evidence, now) -> list:
    """The rights guarding the stage: refuse if a block is unmet, use up any override applied."""
    overrides = checks.open_overrides(session, case.id)
    assessments = checks.assess(checks.entry_checkpoints(definition.stage, definition.checkpoints), facts,
                                evidence, now, ctx.params, definition.stage, overrides)
    blocked = [a for a in assessments if a.blocks]
    if blocked:
        raise _Refusal(CheckpointBlocked(definition.stage, [a.failure() for a in blocked]), assessments, definition)
    for a in assessments:
        if a.evaluation.status is Status.OVERRIDDEN and a.checkpoint.id in overrides:
            overrides[a.checkpoint.id].used_at = now
    return assessments


def _save(session, case, run, definition, actor, now, facts_data, entering) -> None:
    case.workflow_state = run.dump()
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


def _evidence_from_task(checkpoint_id, definition, clean, actor, now, case_id) -> Evidence:
    """A task that records a checkpoint's evidence (``evidence`` property) appends it, dated by
    the fact it records, never by the moment the form was filled in."""
    cp = catalogue.get(checkpoint_id)
    names = {f.name for f in cp.evidence}
    data = {k: v for k, v in clean.items() if k in names}
    occurred = parse_instant(data.get(cp.occurred_field)) if cp.occurred_field else None
    return Evidence(case_id=case_id, checkpoint=cp.id, data=data, occurred_at=occurred or now,
                    recorded_at=now, recorded_by=actor.username, task=definition.title)


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
    """Failed flag checkpoints: the record this act produced goes to an admissibility ruling."""
    out = []
    for a in assessments:
        if a.checkpoint.failure is FailureClass.FLAG and not a.evaluation.satisfied:
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
                                               task=title, actor=actor.username))
        audit.append(session, at=now, actor=actor.username, action="task.refused", case_id=case_id,
                     payload={"task": title, "task_id": task_id, "stage": stage,
                              "checkpoints": refusal.error.failures})
