"""Incidents: a case the engine could not load or move on, kept visible until an admin repairs it.

Why (as Camunda's incidents): a case whose saved workflow no longer loads, or whose step or
timer keeps failing in a script, must not answer 500 forever nor take other cases down with it.
The failure is recorded on that case only; the case page and the API show it, the case lists
keep working, and an admin can

- ``retry``: load the case again (and re-arm its failed deadlines for the next tick); the
  incident is resolved if the case loads;
- ``repair``: take out of the saved workflow and the facts the values the engine cannot load
  back (a ``typename`` key, nesting too deep, non-JSON values), keep them in the audit trail,
  and resolve the incident once the case loads;
- ``resolve``: close it with a note (refused while the case still does not load).

Every act on an incident is audited.
"""
import json
import logging
from datetime import datetime

from sqlalchemy import select, update

from ..domain import payload, roles
from ..domain.errors import Conflict, Forbidden, InvalidData, NotFound
from ..persistence import audit
from ..persistence.models import Case, Deadline, Incident
from ..workflow.adapter import CaseRun, Unloadable
from .context import Actor, Habeas

LOAD_FAILED, STEP_FAILED, DEADLINE_FAILED = "load_failed", "step_failed", "deadline_failed"
OPEN, RESOLVED = "open", "resolved"
READERS = frozenset({roles.ADMIN, roles.REVIEWER, roles.SUPERVISING_PROSECUTOR})
REPAIRERS = frozenset({roles.ADMIN})
ENGINE = "engine"
log = logging.getLogger("habeas.incidents")


# ---------------------------------------------------------------- recording

def note(session, case_id: int, kind: str, message: str, now: datetime, actor: str = ENGINE) -> Incident:
    """Record a failure on a case in the caller's transaction: the open incident of that kind
    counts one more occurrence, or a new one is opened (and audited)."""
    message = message[:2000]
    row = session.execute(select(Incident).where(Incident.case_id == case_id, Incident.kind == kind,
                                                 Incident.status == OPEN).limit(1)).scalar_one_or_none()
    if row is not None:
        row.occurrences, row.message, row.updated_at = (row.occurrences or 1) + 1, message, now
        return row
    row = Incident(case_id=case_id, kind=kind, status=OPEN, message=message, occurrences=1, created_at=now,
                   updated_at=now)
    session.add(row)
    session.flush()
    audit.append(session, at=now, actor=actor, action="incident.opened", case_id=case_id,
                 payload={"incident": row.id, "kind": kind, "message": message})
    return row


def settle(session, case_id: int, kind: str, now: datetime, resolution: str, actor: str = ENGINE) -> None:
    """The engine resolves the case's open incident of this kind itself (a retry succeeded)."""
    for row in session.execute(select(Incident).where(Incident.case_id == case_id, Incident.kind == kind,
                                                      Incident.status == OPEN)).scalars():
        row.status, row.resolved_at, row.resolved_by, row.resolution, row.updated_at = (
            RESOLVED, now, actor, resolution, now)
        audit.append(session, at=now, actor=actor, action="incident.resolved", case_id=case_id,
                     payload={"incident": row.id, "note": resolution})


def record(ctx: Habeas, case_id: int, kind: str, message: str, actor: str = ENGINE) -> None:
    """``note`` in a transaction of its own (the failed step's was rolled back).  Recording is
    best effort: if even that fails, the failure is logged and the caller's error stands."""
    try:
        with ctx.unit_of_work() as session:
            if session.get(Case, case_id) is not None:
                note(session, case_id, kind, message, ctx.now(), actor)
    except Exception:  # noqa: BLE001 - never hide the original failure behind this one
        log.exception("could not record an incident on case %s", case_id)


def open_for(session, case_ids) -> dict[int, list[dict]]:
    """The open incidents of these cases, by case id."""
    out: dict[int, list[dict]] = {}
    ids = list(case_ids)
    if not ids:
        return out
    rows = session.execute(select(Incident).where(Incident.case_id.in_(ids), Incident.status == OPEN)
                           .order_by(Incident.id)).scalars()
    for row in rows:
        out.setdefault(row.case_id, []).append(describe(row))
    return out


def describe(row: Incident) -> dict:
    return {"id": row.id, "case_id": row.case_id, "kind": row.kind, "status": row.status,
            "message": row.message, "occurrences": row.occurrences or 1,
            "created_at": row.created_at.isoformat(), "updated_at": row.updated_at.isoformat(),
            "resolved_at": row.resolved_at.isoformat() if row.resolved_at else None,
            "resolved_by": row.resolved_by, "resolution": row.resolution}


# ---------------------------------------------------------------- reading

def list_incidents(ctx: Habeas, actor: Actor, status: str | None = OPEN, limit: int = 200) -> list[dict]:
    _require(actor, READERS, "list incidents")
    if status not in (None, OPEN, RESOLVED):
        raise InvalidData("unknown incident status", {"status": [f"one of {OPEN}, {RESOLVED}"]})
    query = select(Incident).order_by(Incident.id.desc()).limit(max(1, min(limit, 500)))
    if status:
        query = query.where(Incident.status == status)
    with ctx.unit_of_work() as session:
        return [describe(row) for row in session.execute(query).scalars()]


# ---------------------------------------------------------------- repairing

def retry(ctx: Habeas, actor: Actor, incident_id: int) -> dict:
    """Load the case again and re-arm its failed deadlines; resolved if the case loads."""
    _require(actor, REPAIRERS, "retry incidents")
    with ctx.unit_of_work() as session:
        row, case = _open_incident(session, incident_id)
        now = ctx.now()
        problem = _load_problem(ctx, session, case)
        rearmed = _rearm_failed_deadlines(session, case.id, now)
        if problem:
            row.message, row.updated_at, row.occurrences = problem[:2000], now, (row.occurrences or 1) + 1
        else:
            _close(row, actor, now, "retried: the case loads")
        audit.append(session, at=now, actor=actor.username, action="incident.retried", case_id=case.id,
                     payload={"incident": row.id, "loads": problem is None, "rearmed": rearmed})
        result = describe(row)
    if problem:
        raise Conflict(f"incident {incident_id}: the case still does not load ({problem}); "
                       "repair it to set aside the data that cannot be loaded")
    ctx.runs.take(case.id, -1)
    return result


def repair(ctx: Habeas, actor: Actor, incident_id: int, note_text: str = "") -> dict:
    """Set aside what the engine cannot load back (kept, in full, in the audit trail) and
    resolve the incident once the case loads."""
    _require(actor, REPAIRERS, "repair incidents")
    with ctx.unit_of_work() as session:
        row, case = _open_incident(session, incident_id)
        now = ctx.now()
        state, removed_state = _strip_state(case.workflow_state)
        facts, removed_facts = _strip(dict(case.facts or {}), "facts")
        model = ctx.models.get(session, case.process_version_id)
        try:
            CaseRun.load(model, state)
        except Unloadable as err:
            raise Conflict(f"incident {incident_id} cannot be repaired by setting data aside: {err.message}") from None
        removed = _by_key(removed_state + removed_facts)
        case.workflow_state, case.facts, case.updated_at = state, facts, now
        _close(row, actor, now, note_text.strip()[:2000] or "repaired: data that could not be loaded set aside")
        session.flush()
        audit.append(session, at=now, actor=actor.username, action="incident.repaired", case_id=case.id,
                     payload={"incident": row.id, "removed": removed})
        result = {**describe(row), "removed": [r["key"] for r in removed]}
    ctx.runs.take(case.id, -1)
    return result


def resolve(ctx: Habeas, actor: Actor, incident_id: int, note_text: str) -> dict:
    """Close an incident with a note; refused while the case does not load."""
    _require(actor, REPAIRERS, "resolve incidents")
    note_text = (note_text or "").strip()
    if not note_text:
        raise InvalidData("say how the incident was resolved", {"note": ["required"]})
    payload.require_plain(note_text, "the note", "note")
    with ctx.unit_of_work() as session:
        row, case = _open_incident(session, incident_id)
        problem = _load_problem(ctx, session, case)
        if problem:
            raise Conflict(f"incident {incident_id}: the case does not load ({problem}); retry or repair it first")
        now = ctx.now()
        _close(row, actor, now, note_text[:2000])
        audit.append(session, at=now, actor=actor.username, action="incident.resolved", case_id=case.id,
                     payload={"incident": row.id, "note": note_text[:2000]})
        return describe(row)


def _require(actor: Actor, allowed, what: str) -> None:
    if actor.role not in allowed:
        raise Forbidden(f"a {actor.role.replace('_', ' ')} may not {what}")


def _open_incident(session, incident_id: int) -> tuple[Incident, Case]:
    row = session.get(Incident, incident_id)
    if row is None:
        raise NotFound(f"no incident {incident_id}")
    if row.status != OPEN:
        raise Conflict(f"incident {incident_id} is already resolved")
    return row, session.get(Case, row.case_id)


def _close(row: Incident, actor: Actor, now, resolution: str) -> None:
    row.status, row.resolved_at, row.resolved_by, row.resolution, row.updated_at = (
        RESOLVED, now, actor.username, resolution, now)


def _load_problem(ctx, session, case: Case) -> str | None:
    try:
        CaseRun.load(ctx.models.get(session, case.process_version_id), case.workflow_state)
    except Unloadable as err:
        return err.message
    return None


def _rearm_failed_deadlines(session, case_id: int, now) -> int:
    """Deadlines whose action failed and are backing off: due again now, attempts reset."""
    result = session.execute(update(Deadline).where(
        Deadline.case_id == case_id, Deadline.status == "open", Deadline.last_error.is_not(None))
        .values(next_action_at=now, attempts=0, updated_at=now))
    return result.rowcount or 0


def _strip_state(state: str) -> tuple[str, list]:
    """The saved workflow with every task's (and the workflow's) data values that the engine
    cannot load back taken out; the removed values with their paths."""
    try:
        dct = json.loads(state)
    except (ValueError, RecursionError):
        raise Conflict("the saved workflow is not JSON; it cannot be repaired here") from None
    removed = []
    for path, holder in _data_holders(dct):
        data, taken = _strip(holder.get("data") or {}, path)
        holder["data"] = data
        removed += taken
    return json.dumps(dct), removed


def _data_holders(dct: dict):
    yield "workflow", dct
    for task_id, task in (dct.get("tasks") or {}).items():
        yield f"task {task_id}", task
    for sp_id, sp in (dct.get("subprocesses") or {}).items():
        yield f"subprocess {sp_id}", sp
        for task_id, task in (sp.get("tasks") or {}).items():
            yield f"task {task_id}", task


def _strip(data: dict, where: str) -> tuple[dict, list]:
    if not isinstance(data, dict):
        return {}, [(where, data)]
    kept, removed = {}, []
    for key, value in data.items():
        try:
            payload.check({key: value}, where)
        except (payload.PayloadError, RecursionError):
            removed.append((f"{where}.{key}", value))
            continue
        kept[key] = value
    return kept, removed


def _by_key(removed: list) -> list[dict]:
    """Opening data is copied into every task's data: one entry per key set aside, with the
    places it was found and its value (once)."""
    out: dict[str, dict] = {}
    for path, value in removed:
        key = path.rsplit(".", 1)[-1]
        entry = out.setdefault(key, {"key": key, "found_in": [], "value": _kept(value)})
        if len(entry["found_in"]) < 20:
            entry["found_in"].append(path.rsplit(".", 1)[0])
    return list(out.values())


def kind_of(error) -> str:
    """The incident a failed step is: the case did not load, or the step itself failed."""
    return LOAD_FAILED if isinstance(error, Unloadable) else STEP_FAILED


def _kept(value):
    """A set-aside value as the audit trail can hold it: as it was if plain, else its JSON text."""
    try:
        payload.check(value)
        return value
    except (payload.PayloadError, RecursionError):
        pass
    try:
        return json.dumps(value, default=repr)[:10_000]
    except (ValueError, RecursionError):
        return repr(value)[:10_000]
