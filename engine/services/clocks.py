"""Legal clocks as rows: one ``Deadline`` per case and clock, due time indexed, computed from the
facts (``engine.domain.deadlines``) and recomputed whenever a fact changes, the change written to
the audit trail.  The case's BPMN timers are rows too (kind ``timer``), so one list shows every
deadline and one scheduler acts on them.  A model change never touches the legal clocks: they do
not come from the diagram."""
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from ..domain import acts, deadlines, step
from ..domain.assessment import EvidenceBook
from ..domain.deadlines import CHECKPOINT, PROCEDURE, TIMER, LegalClock, State
from ..domain.display import display_zone, local_time, time_left
from ..domain.wording import N_, say, when
from ..persistence.models import AdmissibilityFlag, Case, Deadline, Escalation
from ..persistence.unit_of_work import CaseRecord, SqlUnitOfWork
from ..workflow.adapter import CaseRun, saved_timers
from .context import Actor, Habeas, ModelCache

CHECKPOINT_CLOCK = CHECKPOINT
ENGINE = "engine"        # the actor of recomputations the engine makes on a user's act
OPEN, MET, BREACHED, CANCELLED, SUSPENDED, FIRED = "open", "met", "breached", "cancelled", "suspended", "fired"
RUNNING = (OPEN, SUSPENDED)
AUDITED = frozenset({"moved", "reopened", "cancelled"})
_MODELS = ModelCache()   # for anchoring timers when a service hands us no engine object
TAKEN_AFTER = N_("statement taken after the %(title)s deadline (%(due)s) had passed unmet")


def sync(uow, case: CaseRecord, clocks: list[LegalClock], now: datetime, *, timers: list,
         actor: str = ENGINE) -> list[dict]:
    """Bring the case's deadline rows in line with the legal clocks it must now run (computed
    from its facts and evidence: ``engine.domain.step.clocks_after``) and the BPMN timers its
    workflow waits on.

    Everything is given: the case as the repository loaded it (its deadline rows and open
    escalations), the clocks and the timers; new rows and the audit entry go through the unit of
    work.  Called in the transaction of every act that may change a fact (a completed task,
    recorded evidence, a migration, a fired timer).  Returns the changes, which are also audited."""
    row_of, rows = case.row, dict(case.deadlines)
    changes = []
    seen = set()
    for clock in clocks:
        seen.add((clock.kind, clock.id))
        change = _apply_clock(uow, case, rows.get((clock.kind, clock.id)), clock, now)
        if change:
            changes.append(change)
    for key, row in rows.items():
        if key[0] in (CHECKPOINT, PROCEDURE) and key not in seen and row.status in RUNNING:
            _close_in(case, row, CANCELLED, now, "the facts no longer start this clock")
            changes.append({"clock": row.checkpoint, "kind": row.kind, "change": "cancelled"})
    changes += _sync_timers(uow, case, now, timers)
    if row_of.stage == "interrogation":
        for row in rows.values():
            if row.status == BREACHED and _flags_acts(row):
                _flag_acts_after(uow, case, row, now)
    if any(c["change"] in AUDITED for c in changes):
        # A deadline that moves or ends because a fact changed is audited; one that opens, or is
        # met, follows from the act's own audited data.
        uow.audit(at=now, actor=actor, action="deadlines.recomputed", case_id=row_of.id,
                  payload={"changes": [c for c in changes if c["change"] in AUDITED]})
    return changes


def resync(ctx: Habeas, session, case: Case, now: datetime, actor: str = ENGINE) -> list[dict]:
    """``sync`` for an act outside the step, in the caller's transaction: the case's evidence,
    deadlines and escalations come from the repository, the timers from its saved workflow."""
    uow = SqlUnitOfWork.within(session)
    record = uow.cases.attach(case)
    procedure = (acts.Procedure.from_dict(case.procedure) if case.procedure is not None
                 else acts.derive(case.facts or {}))
    clocks = step.clocks_after(case.facts or {}, EvidenceBook(record.evidence), procedure, case.stage,
                               case.status == "closed", now, ctx.params)
    return sync(uow, record, clocks, now, timers=_timers(ctx.models, session, case, now), actor=actor)


def saved_or_anchored(ctx: Habeas, uow, case: Case, now) -> list:
    """The timers a case's saved workflow waits on (anchored now if saved before anchoring)."""
    return _timers(ctx.models, uow.session, case, now)


def _timers(models, session, case: Case, now) -> list:
    timers = saved_timers(case.workflow_state)
    if timers is None:  # a workflow saved before timers were anchored: anchor them now
        run = CaseRun.load((models or _MODELS).get(session, case.process_version_id), case.workflow_state)
        run.anchor_timers(now)
        case.workflow_state = run.dump()
        timers = run.timers()
    return timers


def _flags_acts(row: Deadline) -> bool:
    rule = deadlines.RULES.get(row.checkpoint)
    return row.kind in (CHECKPOINT, PROCEDURE) and rule is not None and rule.flags_acts_after


def _apply_clock(uow, case: CaseRecord, row: Deadline | None, clock: LegalClock, now) -> dict | None:
    status = {State.OPEN: OPEN, State.MET: MET, State.SUSPENDED: SUSPENDED}[clock.state]
    if row is None:
        row = Deadline(case_id=case.id, checkpoint=clock.id, kind=clock.kind, starts_at=clock.starts_at,
                       due_at=clock.due_at, status=status, updated_at=now, warnings_sent=0, attempts=0,
                       basis=clock.basis[:200])
        row.next_action_at = next_action(clock.due_at, clock.warnings, 0) if status == OPEN else None
        uow.add(row)
        case.deadlines[(clock.kind, clock.id)] = row
        return {"clock": clock.id, "kind": clock.kind, "change": "opened", "due_at": _iso(clock.due_at),
                "status": status, "basis": clock.basis}
    moved = row.due_at != clock.due_at
    if row.status == BREACHED:
        # A breach stands (its failed evaluation and audit entry stay).  Only a new term (an
        # extension granted later) or a new detention episode (a later apprehension: each episode
        # has its own judicial review) opens the clock again; a missed review is never cured.
        new_episode = (clock.starts_at is not None and row.starts_at is not None
                       and clock.starts_at > row.starts_at and status == OPEN)
        if not new_episode and not (moved and clock.due_at > row.due_at and status == OPEN
                                    and clock.rule.action is not deadlines.Action.RELEASE_AND_BREACH):
            return None
    if not moved and row.status == status and row.starts_at == clock.starts_at:
        return None
    change = {"clock": clock.id, "kind": clock.kind, "change": "moved" if moved else status,
              "from": _iso(row.due_at), "due_at": _iso(clock.due_at), "status": status, "basis": clock.basis}
    if row.status == BREACHED:
        change["change"] = "reopened"
    if moved or row.status == BREACHED:
        _close_warnings_in(case, row, now, f"deadline moved to {_iso(clock.due_at)}")
        row.warnings_sent, row.attempts, row.last_error = 0, 0, None
        row.action_taken, row.acted_at = None, None
    row.due_at, row.starts_at, row.basis, row.updated_at = clock.due_at, clock.starts_at, clock.basis[:200], now
    if status == OPEN:
        row.status = OPEN
        row.next_action_at = next_action(clock.due_at, clock.warnings, row.warnings_sent or 0)
    else:
        _close_in(case, row, status, now, "the right was shown respected in time" if status == MET else None)
    return change


def _close_in(case: CaseRecord, row: Deadline, status: str, now, resolution: str | None, by: str = ENGINE) -> None:
    """``_close`` on a case the repository loaded: its open warnings are already in hand."""
    row.status, row.next_action_at, row.updated_at = status, None, now
    if status == SUSPENDED:
        return
    if resolution:
        _close_warnings_in(case, row, now, resolution, by)


def _close_warnings_in(case: CaseRecord, row: Deadline, now, resolution: str, by: str = ENGINE) -> None:
    if row.id is None:
        return
    for task in case.escalations:
        if task.deadline_id == row.id and task.kind == "warning" and task.status == "open":
            task.status, task.resolved_at, task.resolved_by, task.resolution = "resolved", now, by, resolution


def next_action(due: datetime, warnings, sent: int) -> datetime:
    """When the scheduler must next look at a clock: its next warning, else the deadline."""
    pending = list(warnings)[sent:]
    return min(pending + [due])


def _close(session, row: Deadline, status: str, now, resolution: str | None, by: str = ENGINE) -> None:
    row.status, row.next_action_at, row.updated_at = status, None, now
    if status == SUSPENDED:
        return
    if resolution:
        close_warnings(session, row, now, resolution, by)


def close_warnings(session, row: Deadline, now, resolution: str, by: str = ENGINE) -> None:
    """Warnings about a clock are moot once it is met, cancelled or breached."""
    if row.id is None:
        return
    for task in session.execute(select(Escalation).where(Escalation.deadline_id == row.id,
                                                         Escalation.kind == "warning",
                                                         Escalation.status == "open")).scalars():
        task.status, task.resolved_at, task.resolved_by, task.resolution = "resolved", now, by, resolution


def sync_timers(session, case: Case, now, rows: dict | None = None, models: ModelCache | None = None,
               timers: list | None = None) -> list[dict]:
    """``timer`` rows for a case outside the step (opening, migration, a fired timer), in the
    caller's transaction; the timers from its saved workflow when not given."""
    if rows is None:
        rows = {(d.kind, d.checkpoint): d for d in session.execute(
            select(Deadline).where(Deadline.case_id == case.id, Deadline.kind == TIMER)).scalars()}
    if timers is None:
        timers = _timers(models, session, case, now)
    return _sync_timers(SqlUnitOfWork.within(session), CaseRecord(case, deadlines=dict(rows)), now, timers)


def _sync_timers(uow, case: CaseRecord, now, timers: list) -> list[dict]:
    """One ``timer`` row per BPMN timer the case waits on, with the timer's due time (timers
    started by this act were anchored to the engine's clock by the caller)."""
    rows = case.deadlines
    open_rows = {k: r for k, r in rows.items() if k[0] == TIMER and r.status == OPEN}
    if not timers and not open_rows:
        return []
    changes = []
    for timer in timers:
        row = rows.get((TIMER, timer.bpmn_id))
        if row is None:
            uow.add(Deadline(case_id=case.id, checkpoint=timer.bpmn_id[:60], kind=TIMER, starts_at=now,
                             due_at=timer.due_at, status=OPEN, updated_at=now, next_action_at=timer.due_at,
                             warnings_sent=0, attempts=0, ref=timer.id, basis=timer.name[:200]))
            changes.append({"clock": timer.bpmn_id, "kind": TIMER, "change": "opened", "due_at": _iso(timer.due_at)})
        elif row.ref != timer.id or row.status != OPEN or row.due_at != timer.due_at:
            changes.append({"clock": timer.bpmn_id, "kind": TIMER, "change": "opened" if row.ref != timer.id else "moved",
                            "from": _iso(row.due_at), "due_at": _iso(timer.due_at)})
            if row.ref != timer.id:
                row.starts_at, row.action_taken, row.acted_at, row.attempts, row.last_error = now, None, None, 0, None
            row.ref, row.due_at, row.status, row.next_action_at, row.updated_at = (
                timer.id, timer.due_at, OPEN, timer.due_at, now)
    waiting = {(TIMER, t.bpmn_id) for t in timers}
    for key, row in open_rows.items():
        if key not in waiting:
            row.status, row.next_action_at, row.updated_at = CANCELLED, None, now
            changes.append({"clock": row.checkpoint, "kind": TIMER, "change": "cancelled"})
    return changes


def flag_acts_after(session, case: Case, row: Deadline, now) -> list[int]:
    """``_flag_acts_after`` in the caller's transaction (the scheduler's breach)."""
    return _flag_acts_after(SqlUnitOfWork.within(session), CaseRecord(case), row, now)


def _flag_acts_after(uow, case: CaseRecord, row: Deadline, now) -> list[int]:
    """Statements (interrogation records) taken after a breached deadline go to an admissibility
    ruling; each once."""
    entries = uow.cases.stage_entries_after(case.id, "interrogation", row.due_at)
    if not entries:
        return []
    done = uow.cases.flagged_refs(case.id, row.checkpoint)
    rule = deadlines.RULES[row.checkpoint]
    flagged = []
    for entry in entries:
        ref = f"stage-entry:{entry.id}"
        if ref in done:
            continue
        uow.add(AdmissibilityFlag(
            case_id=case.id, checkpoint=row.checkpoint, task=entry.task, task_id=ref,
            record={"stage_entry": entry.id, "entered_at": _iso(entry.entered_at), "actor": entry.actor},
            reason=say(TAKEN_AFTER, title=rule.title, due=when(row.due_at)),
            created_at=now))
        flagged.append(entry.id)
    return flagged


# ---------------------------------------------------------------------------------------------
# Listing
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Listing:
    now: datetime
    zone: str
    deadlines: list[dict]

    def to_dict(self) -> dict:
        return {"now": self.now.isoformat(), "zone": self.zone, "deadlines": self.deadlines}


def list_deadlines(ctx: Habeas, actor: Actor, *, due_within: timedelta | None = None, overdue: bool = False,
                   now: datetime | None = None, limit: int = 500) -> Listing:
    """Running deadlines by due time (through the due-time index), as the command line shows
    them: all of them, those due within a span (overdue ones included), or only the overdue
    (running or breached).  Who sees what: ``deadline_views.visible``, the one rule."""
    from . import deadline_views
    deadline_views.require_lister(actor)
    now = now or ctx.now()
    zone = display_zone(ctx.params)
    with ctx.unit_of_work() as session:
        rows = deadline_views.visible(session, actor, now, due_within=due_within, overdue=overdue, limit=limit)
    return Listing(now, zone.key, [describe(row, number, now, zone) for row, number in rows])


def describe(row: Deadline, number: str, now: datetime, zone) -> dict:
    rule = deadlines.RULES.get(row.checkpoint)
    return {"id": row.id, "case_id": row.case_id, "case": number, "clock": row.checkpoint, "kind": row.kind,
            "title": rule.title if rule and row.kind != TIMER else (row.basis or row.checkpoint),
            "due_at": _iso(row.due_at), "due_local": local_time(row.due_at, zone),
            "time_left": time_left(row.due_at, now), "status": row.status, "basis": row.basis,
            "warnings_sent": row.warnings_sent or 0, "action_taken": row.action_taken,
            "attempts": row.attempts or 0, "last_error": row.last_error}


def _iso(moment) -> str | None:
    return moment.isoformat() if moment is not None else None


def release_done(case: CaseRecord, now: datetime, actor: str) -> None:
    """The person is free: the mandatory-release task and the prosecutor's notice of it are
    done.  A breach of the judicial-review deadline stands (it is never cured)."""
    for row in case.escalations:
        if row.status == "open" and row.checkpoint in ("detention_judicial_review", "custody_term_review") \
                and row.kind in ("release", "warning"):
            row.status, row.resolved_at, row.resolved_by, row.resolution = "resolved", now, actor, \
                "the person was released"
