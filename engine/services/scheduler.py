"""The scheduler: legal clocks and BPMN timers acted on when due.

``tick`` processes everything due and returns.  It reads only due rows, through the
``(status, next_action_at)`` index, one at a time; each deadline's action (a warning, the failure
action at expiry, a timer firing) runs in its own transaction together with the row's new state,
so a failure leaves nothing half-done: it is rolled back, the error is recorded on the row and
the row is retried on the next run.  A second tick finds nothing more to do (idempotent).
Several ticks may run at once: on PostgreSQL each claims its row and the row's case with
``FOR UPDATE SKIP LOCKED``; SQLite writers are serialised by ``BEGIN IMMEDIATE``.

Every act is audited with the actor ``scheduler``.

One case cannot stop the clocks of the others: whatever its action raises (``BaseException``
included) is recorded on the row and as an incident on that case, and the row is retried with an
exponential backoff (``next_action_at``) instead of on every tick.  The loop itself never dies of
a failed tick, and keeps a heartbeat (``liveness``) that ``/health`` reports.
"""
import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Callable

from sqlalchemy import select, update

from ..domain import catalogue, roles
from ..domain.stages import COURT_STAGES
from ..domain.deadlines import (CHECKPOINT, PROCEDURE, TIMER, Action, LegalClock, State, breach_reasons,
                                legal_clocks)
from ..domain.display import time_left
from ..domain.wording import N_, say, when
from ..persistence import audit
from ..persistence.database import is_postgres
from ..persistence.models import Case, CheckpointEvaluation, Deadline, Escalation
from ..workflow.adapter import CaseRun
from . import checks, clocks, complaints, incidents
from .clocks import BREACHED, CANCELLED, FIRED, MET, OPEN, SUSPENDED
from .context import Actor, Habeas

SCHEDULER = "scheduler"
REPORTER = Actor(SCHEDULER, roles.REVIEWER)  # who recomputes the reviewers' page snapshots
_MAX_PER_TICK = 5
BACKOFF_FIRST = timedelta(minutes=1)   # a failed deadline is tried again after 1, 2, 4, ... minutes
BACKOFF_MAX = timedelta(hours=1)
log = logging.getLogger("habeas.scheduler")


@dataclass
class TickReport:
    now: datetime
    done: list[dict] = field(default_factory=list)    # {"deadline", "case", "clock", "kind", "outcome"}
    failed: list[dict] = field(default_factory=list)  # {"deadline", "error"}

    @property
    def processed(self) -> int:
        return len(self.done)

    def count(self, outcome: str) -> int:
        return sum(1 for d in self.done if d["outcome"] == outcome)

    def to_dict(self) -> dict:
        outcomes = {}
        for d in self.done:
            outcomes[d["outcome"]] = outcomes.get(d["outcome"], 0) + 1
        return {"now": self.now.isoformat(), "processed": self.processed, "outcomes": outcomes,
                "done": self.done, "failed": self.failed}

# What the tasks of a clock say, as message ids with named placeholders (``domain.wording``): the
# English is stored; the web says it in the reader's language.
ESCALATION = N_("ESCALATION: %(reason)s")
WARNING = N_("WARNING: %(title)s due %(due)s (%(left)s left; %(basis)s): %(advice)s.")
HEADLINES = {(True, True): N_("MANDATORY RELEASE: %(reasons)s (%(citation)s)"),
             (True, False): N_("MANDATORY RELEASE: %(reasons)s"),
             (False, True): N_("DEADLINE MISSED: %(reasons)s (%(citation)s)"),
             (False, False): N_("DEADLINE MISSED: %(reasons)s")}
RELEASE_NOTICE = N_("FOR INFORMATION: the investigator must release the person now: %(reasons)s")


def tick(ctx: Habeas, now: datetime | None = None, limit: int | None = None, *,
         training_case: int | None = None) -> TickReport:
    """Act on every deadline due at ``now`` (default: the engine's clock), each in its own
    transaction; a failing one is recorded and left for the next run."""
    now = now or ctx.now()
    report = TickReport(now)
    failed_ids: list[int] = []
    seen: dict[int, int] = {}
    while limit is None or report.processed + len(report.failed) < limit:
        deadline_id = None
        try:
            with ctx.unit_of_work() as session:
                claimed = _claim(session, now, failed_ids, training_case is not None, training_case)
                if claimed is None:
                    break
                row, case = claimed
                deadline_id = row.id
                had_failed = row.last_error is not None
                outcome = _act(ctx, session, row, case, now)
                if had_failed:
                    _recovered(session, row, case, now)
            report.done.append({"deadline": row.id, "case": case.number, "clock": row.checkpoint,
                                "kind": row.kind, "outcome": outcome})
            seen[row.id] = seen.get(row.id, 0) + 1
            if seen[row.id] >= _MAX_PER_TICK:
                failed_ids.append(row.id)  # a row that keeps coming back waits for the next run
        except BaseException as err:  # noqa: BLE001 - one deadline's failure, whatever it is
            if deadline_id is None:
                raise  # the claim itself failed: the database is not answering
            failed_ids.append(deadline_id)
            message = f"{type(err).__name__}: {err}"[:2000]
            log.warning("deadline %s failed: %s", deadline_id, message)
            _record_failure(ctx, deadline_id, message, now)
            report.failed.append({"deadline": deadline_id, "error": message})
            if isinstance(err, KeyboardInterrupt):
                raise  # an operator's Ctrl-C (a script's is turned into an error by the sandbox)
    return report


def _recovered(session, row: Deadline, case: Case, now: datetime) -> None:
    """A deadline that failed before has now been acted on: its error is cleared and, when no
    other deadline of the case is failing, the case's deadline incident is resolved."""
    row.last_error = None
    session.flush()
    still_failing = session.execute(select(Deadline.id).where(
        Deadline.case_id == case.id, Deadline.id != row.id, Deadline.status == OPEN,
        Deadline.last_error.is_not(None)).limit(1)).first()
    if still_failing is None:
        incidents.settle(session, case.id, incidents.DEADLINE_FAILED, now, "a later attempt succeeded", SCHEDULER)


def backoff(attempts: int) -> timedelta:
    """How long a deadline whose action failed ``attempts`` times waits before the next try."""
    return min(BACKOFF_FIRST * (2 ** max(0, min(attempts, 20) - 1)), BACKOFF_MAX)


def _claim(session, now: datetime, skip: list[int], training: bool = False, case_id: int | None = None):
    """The next due row and its case, locked (skipping rows another tick holds).  The live tick
    never touches a training case; a training case is ticked alone, on its virtual clock."""
    query = (select(Deadline, Case).join(Case, Case.id == Deadline.case_id)
             .where(Deadline.status == OPEN, Deadline.next_action_at <= now, Case.training == training)
             .order_by(Deadline.next_action_at, Deadline.id).limit(1))
    if skip:
        query = query.where(Deadline.id.not_in(skip))
    if case_id is not None:
        query = query.where(Case.id == case_id)
    if is_postgres(session.get_bind()):
        query = query.with_for_update(skip_locked=True)
    return session.execute(query).first()


def _record_failure(ctx: Habeas, deadline_id: int, message: str, now: datetime) -> None:
    """The error on the row, the next try pushed back, and an incident on the row's case."""
    try:
        with ctx.unit_of_work() as session:
            row = session.get(Deadline, deadline_id)
            if row is None:
                return
            attempts = (row.attempts or 0) + 1
            session.execute(update(Deadline).where(Deadline.id == deadline_id).values(
                attempts=attempts, last_error=message, updated_at=now, next_action_at=now + backoff(attempts)))
            incidents.note(session, row.case_id, incidents.DEADLINE_FAILED,
                           f"{row.kind} '{row.checkpoint}' failed {attempts} time(s): {message}", now, SCHEDULER)
    except Exception:  # noqa: BLE001 - the database itself failing: the next tick tries again
        log.exception("could not record the failure of deadline %s", deadline_id)


def _act(ctx: Habeas, session, row: Deadline, case: Case, now: datetime) -> str:
    if row.kind == TIMER:
        return fire_timer(ctx, session, row, case, now)
    evidence = checks.clock_evidence(session, case, now, ctx.params)
    found = [c for c in legal_clocks(case.facts or {}, evidence, case.stage, case.status == "closed", now,
                                     ctx.params) if c.kind == row.kind and c.id == row.checkpoint]
    clock = found[0] if found else None
    if clock is None:
        return _settle(session, row, case, now, CANCELLED, "the facts no longer start this clock")
    if clock.state is State.MET:
        return _settle(session, row, case, now, MET, "the right was shown respected in time")
    if clock.state is State.SUSPENDED:
        return _settle(session, row, case, now, SUSPENDED, None)
    if clock.due_at != row.due_at:
        clocks.resync(ctx, session, case, now, actor=SCHEDULER)
        return "moved"
    if now >= clock.due_at:
        return breach(ctx, session, row, case, clock, now)
    return warn(session, row, case, clock, now)


def _settle(session, row, case, now, status: str, resolution: str | None) -> str:
    clocks._close(session, row, status, now, resolution, SCHEDULER)
    session.flush()
    audit.append(session, at=now, actor=SCHEDULER, action=f"deadline.{status}", case_id=case.id,
                 payload={"deadline": row.id, "clock": row.checkpoint, "due_at": row.due_at.isoformat()})
    return status


def warn(session, row: Deadline, case: Case, clock: LegalClock, now: datetime) -> str:
    """A warning before the deadline (one per warning level; a late tick sends one for all the
    levels passed), to the supervising prosecutor or, at the court stages, the court.  Where the
    law makes the moment an escalation (a custody term 3 days before expiry without a petition),
    it is one: a task and a non-compliant case, not a mere warning."""
    passed = sum(1 for moment in clock.warnings if moment <= now)
    sent = row.warnings_sent or 0
    outcome = "waiting"
    if passed > sent:
        rule = clock.rule
        escalating = clock.escalate_at is not None and now >= clock.escalate_at
        if escalating:
            reason = say(ESCALATION, reason=clock.escalation_reason)
        else:
            reason = say(WARNING, title=rule.title, due=when(clock.due_at), left=time_left(clock.due_at, now),
                         basis=clock.basis, advice=rule.advice)
        task = Escalation(case_id=case.id, checkpoint=row.checkpoint, stage=case.stage, reason=reason,
                          kind="escalation" if escalating else "warning", deadline_id=row.id, created_at=now,
                          due_at=clock.due_at, assigned_role=clock.escalate_to or roles.SUPERVISING_PROSECUTOR)
        session.add(task)
        row.warnings_sent = passed
        if escalating:
            case.non_compliant = True
        session.flush()
        audit.append(session, at=now, actor=SCHEDULER, action="deadline.escalated" if escalating else "deadline.warning",
                     case_id=case.id, payload={"deadline": row.id, "clock": row.checkpoint,
                                               "due_at": clock.due_at.isoformat(), "level": passed,
                                               "escalation": task.id, "assigned_to": task.assigned_role})
        outcome = "escalation" if escalating else "warning"
    row.next_action_at = clocks.next_action(clock.due_at, clock.warnings, row.warnings_sent or 0)
    row.updated_at = now
    return outcome


def breach(ctx: Habeas, session, row: Deadline, case: Case, clock: LegalClock, now: datetime) -> str:
    """The catalogue's failure action at expiry: a (mandatory) release task or an escalation for
    the supervising prosecutor, a failed evaluation counted in reports, and the statements
    taken after the deadline flagged where the rule says so."""
    rule = clock.rule
    reasons = breach_reasons(clock, ctx.params, case.facts or {})
    release = rule.action in (Action.RELEASE, Action.RELEASE_AND_BREACH)
    basis = catalogue.get(row.checkpoint).legal_basis if row.kind == CHECKPOINT else ""
    task = None
    if not release:
        task = session.execute(select(Escalation).where(
            Escalation.case_id == case.id, Escalation.checkpoint == row.checkpoint,
            Escalation.kind == "escalation", Escalation.status == "open")).scalars().first()
    if task is None:
        # A release task goes to those who hold the person (the investigator and the facility);
        # the prosecutor is informed.  Other failures escalate to whoever supervises the stage.
        task = Escalation(case_id=case.id, checkpoint=row.checkpoint, stage=case.stage,
                          assigned_role=roles.INVESTIGATOR if release else _escalation_role(row.checkpoint, case.stage),
                          kind="release" if release else "escalation", deadline_id=row.id, created_at=now,
                          due_at=now if release else None,
                          reason=say(HEADLINES[release, bool(basis)], reasons="; ".join(reasons), citation=basis))
        session.add(task)
    if row.kind == CHECKPOINT:
        session.add(CheckpointEvaluation(
            case_id=case.id, checkpoint=row.checkpoint, stage=case.stage, status="failed", evaluated_at=now,
            clock_started_at=clock.starts_at, due_at=clock.due_at, task=None, actor=SCHEDULER,
            unit=case.unit, prosecutor=case.prosecutor,
            detail={"reasons": list(reasons), "missing": [], "breach": True, "deadline": row.id}))
    flagged = clocks.flag_acts_after(session, case, row, now) if rule.flags_acts_after else []
    action = ("release_task" if release else "escalation") + ("+breach" if row.kind == CHECKPOINT else "")
    clocks._close(session, row, BREACHED, now, f"deadline passed: {action}", SCHEDULER)
    row.action_taken, row.acted_at, row.last_error = action, now, None
    if release:
        session.add(Escalation(case_id=case.id, checkpoint=row.checkpoint, stage=case.stage, kind="warning",
                               assigned_role=roles.PROSECUTOR, deadline_id=row.id, created_at=now,
                               reason=say(RELEASE_NOTICE, reasons="; ".join(reasons))))
    case.non_compliant = True
    case.updated_at = now
    if row.checkpoint == "complaint_review" and case.about_case_id is not None:
        complaints.escalate_on_case(session, case, "; ".join(reasons), now)
    session.flush()
    audit.append(session, at=now, actor=SCHEDULER, action="deadline.breached", case_id=case.id,
                 payload={"deadline": row.id, "clock": row.checkpoint, "due_at": clock.due_at.isoformat(),
                          "basis": clock.basis, "action": action, "escalation": task.id,
                          "reasons": list(reasons), "flagged": flagged})
    return "breach"


def _escalation_role(checkpoint_id: str, stage: str | None) -> str:
    """At the court stages escalations belong to the court, elsewhere to the supervising
    prosecutor (the brief's precisions on overrides and escalations)."""
    if checkpoint_id in catalogue.CATALOGUE:
        return catalogue.escalation_role(checkpoint_id, stage)
    return roles.JUDGE if stage in COURT_STAGES else roles.SUPERVISING_PROSECUTOR


def fire_timer(ctx: Habeas, session, row: Deadline, case: Case, now: datetime) -> str:
    """A BPMN timer: fired through the workflow adapter and saved with the case's optimistic
    lock (a concurrent change of the case makes this attempt fail and retry)."""
    run = CaseRun.load(ctx.models.get(session, case.process_version_id), case.workflow_state)
    before = {t.id for t in run.ready_tasks()}
    fired = [t for t in run.fire_due_timers(now) if t.id == row.ref]
    if not fired:
        clocks.sync_timers(session, case, now, models=ctx.models)
        if row.status == OPEN and row.next_action_at is not None and row.next_action_at <= now:
            clocks._close(session, row, CANCELLED, now, None)  # the case no longer waits on it
        return "moved"
    case.workflow_state = run.dump()
    case.updated_at = now
    row.status, row.next_action_at, row.action_taken, row.acted_at, row.last_error = FIRED, None, "timer_fired", now, None
    row.updated_at = now
    clocks.sync_timers(session, case, now, models=ctx.models)
    session.flush()
    opened = [t.definition.name for t in run.ready_tasks() if t.id not in before]
    audit.append(session, at=now, actor=SCHEDULER, action="timer.fired", case_id=case.id,
                 payload={"deadline": row.id, "timer": row.checkpoint, "task": row.ref,
                          "due_at": row.due_at.isoformat(), "ready": opened})
    return "timer_fired"


# ---------------------------------------------------------------------------------------------
# Running it
# ---------------------------------------------------------------------------------------------

class Heartbeat:
    """When this process's scheduler loop last ticked, and how that went (for ``/health``)."""

    def __init__(self):
        self.interval: float | None = None
        self.thread: threading.Thread | None = None
        self.started_at: float | None = None
        self.last_tick_at: float | None = None
        self.last_error: str | None = None
        self.last_failed = 0

    def beat(self, report: "TickReport | None", error: str | None) -> None:
        self.last_tick_at = time.time()
        self.last_error = error
        self.last_failed = len(report.failed) if report is not None else 0


HEARTBEAT = Heartbeat()


def liveness(heartbeat: Heartbeat | None = None, now: float | None = None) -> dict:
    """Whether this process's scheduler is alive: ``off`` (none started here), ``dead`` (its
    thread ended), ``stalled`` (no tick for three intervals and a minute), else ``alive``;
    with the last tick's time and error."""
    heartbeat = heartbeat or HEARTBEAT
    now = time.time() if now is None else now
    if heartbeat.interval is None:
        status = "off"
    elif heartbeat.thread is not None and not heartbeat.thread.is_alive():
        status = "dead"
    else:
        last = heartbeat.last_tick_at or heartbeat.started_at or now
        status = "stalled" if now - last > 3 * heartbeat.interval + 60 else "alive"
    return {"status": status, "interval_seconds": heartbeat.interval,
            "last_tick_at": _iso_time(heartbeat.last_tick_at), "last_error": heartbeat.last_error,
            "failed_last_tick": heartbeat.last_failed}


def _iso_time(moment: float | None) -> str | None:
    return datetime.fromtimestamp(moment, timezone.utc).isoformat() if moment is not None else None


def run_loop(ctx: Habeas, interval_seconds: float, stop: threading.Event,
             on_report: Callable[[TickReport], None] | None = None,
             heartbeat: Heartbeat | None = None) -> None:
    """Tick every ``interval_seconds`` until ``stop`` is set.  A failed tick is logged and the
    loop goes on, whatever it raised; only an operator's Ctrl-C in the main thread ends it."""
    heartbeat = heartbeat or HEARTBEAT
    heartbeat.interval, heartbeat.started_at = float(interval_seconds), time.time()
    while not stop.is_set():
        report, error = None, None
        try:
            report = tick(ctx)
            if on_report is not None:
                on_report(report)
            refresh_reports(ctx)
        except BaseException as err:  # noqa: BLE001 - a worker keeps going; the next tick retries
            if isinstance(err, KeyboardInterrupt) and threading.current_thread() is threading.main_thread():
                raise
            error = f"{type(err).__name__}: {err}"[:500]
            log.exception("scheduler tick failed")
        heartbeat.beat(report, error)
        stop.wait(interval_seconds)


def refresh_reports(ctx: Habeas) -> int:
    """After a tick, the audit entries appended since the last verification are verified and the
    reviewers' page snapshots that are growing stale are recomputed (``snapshots.refresh``), so
    a render seldom walks the chain or aggregates the fact tables itself.  A failure
    here never stops the clocks: it is logged and the next round tries again."""
    from . import snapshots
    try:
        with ctx.unit_of_work() as session:  # the entries appended since the last check, verified
            audit.verify_since(session, ctx.now())
        return snapshots.refresh(ctx, REPORTER)
    except Exception:  # noqa: BLE001 - figures can wait; clocks cannot
        log.exception("refreshing the reviewers' page snapshots failed")
        return 0


def start_background(habeas: Habeas, interval_seconds: float | None = None,
                     heartbeat: Heartbeat | None = None) -> Callable[[], None]:
    """Run the scheduler in a daemon thread beside a server; returns a function that stops it."""
    heartbeat = heartbeat or HEARTBEAT
    interval = interval_seconds if interval_seconds is not None else habeas.params.scheduler_interval_seconds
    stop = threading.Event()
    thread = threading.Thread(target=run_loop, args=(habeas, float(interval), stop),
                              kwargs={"heartbeat": heartbeat}, name="habeas-scheduler", daemon=True)
    heartbeat.thread, heartbeat.interval = thread, float(interval)
    thread.start()

    def stop_scheduler(timeout: float = 10.0) -> None:
        stop.set()
        thread.join(timeout)
        if heartbeat.thread is thread:
            heartbeat.thread, heartbeat.interval = None, None  # stopped on purpose: off, not dead

    return stop_scheduler


__all__ = ["tick", "TickReport", "run_loop", "start_background", "liveness", "backoff", "HEARTBEAT", "warn", "breach", "fire_timer", "PROCEDURE",
           "SCHEDULER"]
