"""The inbox: what waits for one user, urgent items first, and the claims and comments around it.

Two sources, one list:

- **urgent items**, read straight from their tables (never capped by how many cases are scanned):
  open escalations addressed to the user's role (a mandatory release also to every supervising
  prosecutor, who supervises every detention), and admissibility flags awaiting a ruling (the
  judge, the supervising prosecutor and the case's prosecutor);
- **ready tasks** of the open cases in the user's lane (their group's), or that they hold.

Urgent items come first by severity (a mandatory release is critical; a breach, an escalation, an
ill-treatment referral or an admissibility flag is high; a warning is medium), then everything by
its due time.  A task's due time is its case's nearest open legal deadline, read through the
dashboard's listing (``dashboards.open_deadlines``), not a new one.

Claims say who holds a ready task; reassigning goes only to an active user whose role may work the
task's lane.  Comments are the officials' working notes on a case.  Every change here is one
audited transaction, and a refused or stale one changes nothing."""
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from ..domain import roles
from ..domain.errors import Conflict, Forbidden, InvalidData, NotFound
from ..persistence import audit
from ..persistence.models import (AdmissibilityFlag, Case, CaseComment, CaseParty, Deadline, Escalation, TaskClaim,
                                  User)
from ..workflow.adapter import Unloadable
from . import access, dashboards, incidents
from .cases import load_case, reading_run
from .context import Actor, Habeas

INBOX_ROLES = roles.CASE_ACTORS
COMMENTERS = frozenset({roles.INVESTIGATOR, roles.PROSECUTOR, roles.SUPERVISING_PROSECUTOR, roles.JUDGE})
COMMENT_READERS = COMMENTERS | {roles.REVIEWER, roles.ADMIN}
FLAG_READERS = frozenset({roles.JUDGE, roles.SUPERVISING_PROSECUTOR, roles.PROSECUTOR})

CRITICAL, HIGH, MEDIUM, NORMAL = "critical", "high", "medium", "normal"
SEVERITY_RANK = {CRITICAL: 0, HIGH: 1, MEDIUM: 2, NORMAL: 3}
ESCALATION_SEVERITY = {"release": CRITICAL, "escalation": HIGH, "referral": HIGH, "warning": MEDIUM,
                       "request": MEDIUM}
WHOSE = ("all", "mine", "group")
CASES_SCANNED = 300   # ready tasks are read from the most recently changed open cases
COMMENT_MAX = 4000

# What the services say when they refuse; fixed sentences, so the web layer can translate them.
NOT_WAITING = "the task is no longer waiting: reload the inbox"
HELD_BY_OTHER = "the task is held by a colleague: only they or a supervising prosecutor may reassign it"
NOT_YOUR_LANE = "this task is not in your lane"
MAY_NOT_REASSIGN = "only the holder of the task, or a supervising prosecutor, may reassign it"
NO_SUCH_COLLEAGUE = "no active user by that name"
WRONG_ROLE = "that user's role may not work this task"
STALE = "the case changed since you read it: reload and try again"
EMPTY_COMMENT = "write the comment"
LONG_COMMENT = "the comment is longer than 4000 characters"


@dataclass(frozen=True)
class Filters:
    """What the inbox is narrowed to.  Every filter is optional."""

    stage: str | None = None
    case: str | None = None          # a case id or number
    q: str | None = None             # words searched in the case number, suspect, task and reason
    blocked: bool | None = None      # True: only blocked items; False: only unblocked ones
    due_within: int | None = None    # hours: items due by then (overdue ones included)
    whose: str = "all"               # all | mine (tasks I hold) | group (everything else for my role)


# ---- reading -----------------------------------------------------------------------------------

def inbox(ctx: Habeas, actor: Actor, filters: Filters = Filters(), *, limit: int = 200) -> dict:
    """The user's inbox: urgent items first, then ready tasks, each with its severity, due time,
    holder and the case's comments count."""
    access.require_role(actor, INBOX_ROLES, "have an inbox")
    now = ctx.now()
    with ctx.unit_of_work() as session:
        case_ids = _case_filter(session, filters.case)
        urgent = urgent_items(session, actor, now, case_ids)
        tasks = _task_items(ctx, session, actor, now, case_ids)
        items = _with_comments(session, urgent + tasks)
    items = [i for i in items if _matches(i, filters, actor, now)]
    items.sort(key=lambda i: (SEVERITY_RANK[i["severity"]], i["due_at"] is None, i["due_at"] or now,
                              -i["case"]))
    return {"now": now, "items": items[:limit], "total": len(items),
            "urgent": sum(1 for i in items if i["urgent"])}


def addressed(actor: Actor, escalation: Escalation, case: Case) -> bool:
    """Whether an open escalation is for this user: its role's, a procedural prosecutor's only in
    their own cases; and every mandatory release also to the supervising prosecutors."""
    if actor.role == roles.DEFENCE:
        return False
    if escalation.kind == "release" and actor.role == roles.SUPERVISING_PROSECUTOR:
        return True
    if escalation.assigned_role != actor.role:
        return False
    return not (actor.role == roles.PROSECUTOR and case.prosecutor and case.prosecutor != actor.username)


def urgent_items(session, actor: Actor, now: datetime, case_ids: list[int] | None = None) -> list[dict]:
    """Open escalations (releases, breaches, escalations, warnings, referrals) and admissibility
    flags awaiting a ruling, addressed to this user, from live cases."""
    query = (select(Escalation, Case).join(Case, Case.id == Escalation.case_id)
             .where(Escalation.status == "open", Case.training.is_(False)).order_by(Escalation.id))
    if case_ids is not None:
        query = query.where(Case.id.in_(case_ids))
    due_of = _deadline_due(session)
    out = [_escalation_item(e, case, due_of(e), now) for e, case in session.execute(query).all()
           if addressed(actor, e, case)]
    if actor.role in FLAG_READERS:
        flags = (select(AdmissibilityFlag, Case).join(Case, Case.id == AdmissibilityFlag.case_id)
                 .where(AdmissibilityFlag.ruling.is_(None), Case.training.is_(False))
                 .order_by(AdmissibilityFlag.id))
        if case_ids is not None:
            flags = flags.where(Case.id.in_(case_ids))
        if actor.role == roles.PROSECUTOR:
            flags = flags.where((Case.prosecutor == actor.username) | Case.prosecutor.is_(None))
        out += [_flag_item(f, case) for f, case in session.execute(flags).all()]
    return out


def _deadline_due(session):
    """An escalation's due time: its own, else its legal clock's."""
    cache: dict[int, datetime | None] = {}

    def due_of(e: Escalation):
        if e.due_at is not None:
            return e.due_at
        if e.deadline_id is None:
            return None
        if e.deadline_id not in cache:
            cache[e.deadline_id] = session.execute(select(Deadline.due_at)
                                                   .where(Deadline.id == e.deadline_id)).scalar()
        return cache[e.deadline_id]
    return due_of


def _base(case: Case) -> dict:
    return {"case": case.id, "number": case.number, "case_stage": case.stage,
            "suspect": (case.facts or {}).get("suspect_name", "") if isinstance(case.facts, dict) else "",
            "version": case.lock_version, "non_compliant": bool(case.non_compliant)}


def _escalation_item(e: Escalation, case: Case, due: datetime | None, now: datetime) -> dict:
    kind = e.kind or "escalation"
    return {**_base(case), "key": f"escalation-{e.id}", "kind": kind, "id": e.id,
            "severity": ESCALATION_SEVERITY.get(kind, HIGH), "urgent": True, "checkpoint": e.checkpoint,
            "reason": e.reason, "assigned_role": e.assigned_role, "created_at": e.created_at, "due_at": due,
            "blocked": bool(case.non_compliant), "task_id": None, "name": None, "title": None, "lane": None,
            "translations": {}, "holder": None, "claimed_at": None, "refused": []}


def _flag_item(f: AdmissibilityFlag, case: Case) -> dict:
    return {**_base(case), "key": f"flag-{f.id}", "kind": "admissibility_flag", "id": f.id, "severity": HIGH,
            "urgent": True, "checkpoint": f.checkpoint, "reason": f.reason, "assigned_role": roles.JUDGE,
            "created_at": f.created_at, "due_at": None, "blocked": bool(case.non_compliant), "task_id": None,
            "name": f.task, "title": None, "lane": None, "translations": {}, "holder": None, "claimed_at": None,
            "refused": []}


def _task_items(ctx: Habeas, session, actor: Actor, now: datetime, case_ids: list[int] | None) -> list[dict]:
    """Ready tasks in the user's lane (exactly their role's, or any lane's task they hold)."""
    query = select(Case).where(Case.status == "open", Case.training.is_(False))
    if actor.role == roles.DEFENCE:
        query = query.join(CaseParty, CaseParty.case_id == Case.id).where(CaseParty.username == actor.username)
    if case_ids is not None:
        query = query.where(Case.id.in_(case_ids))
    cases = session.execute(query.order_by(Case.updated_at.desc()).limit(CASES_SCANNED)).scalars().all()
    claims = _claims(session, [c.id for c in cases])
    ready = {}
    for case in cases:
        try:
            with reading_run(ctx, session, case) as run:
                ready[case.id] = [t for t in run.ready_tasks()]
        except Unloadable:
            continue  # the case shows its incident; its tasks cannot be read
    ids = [cid for cid, tasks in ready.items() if tasks]
    deadlines = dashboards.open_deadlines(session, ids, now)
    refusals = dashboards.last_refusals(session, ids)
    open_incidents = incidents.open_for(session, ids)
    out = []
    for case in cases:
        for task in ready.get(case.id, []):
            d = task.definition
            claim = claims.get((case.id, task.id))
            holder = claim.holder if claim else None
            if not (holder == actor.username or _in_group(actor, d.lane)):
                continue
            nearest = deadlines.get(case.id, [])
            refusal = refusals.get(case.id)
            refused = refusal["checkpoints"] if refusal and refusal.get("task_id") == task.id else []
            out.append({**_base(case), "key": f"task-{case.id}-{task.id}", "kind": "task", "id": None,
                        "severity": NORMAL, "urgent": False, "checkpoint": None, "reason": None,
                        "assigned_role": d.lane, "created_at": None,
                        "due_at": nearest[0].due_at if nearest else None,
                        "due_checkpoint": nearest[0].checkpoint if nearest else None,
                        "blocked": bool(refused or case.non_compliant or open_incidents.get(case.id)),
                        "task_id": task.id, "name": d.name, "title": d.title, "lane": d.lane, "stage": d.stage,
                        "translations": dict(d.translations), "holder": holder,
                        "claimed_at": claim.claimed_at if claim else None, "refused": refused})
    return out


def _in_group(actor: Actor, lane: str | None) -> bool:
    """A task is the group's when it is in the user's own role's lane (a lane for anyone counts
    for every case role but the defence)."""
    if lane is None:
        return actor.role != roles.DEFENCE
    return lane == actor.role


def _claims(session, case_ids: list[int]) -> dict:
    if not case_ids:
        return {}
    rows = session.execute(select(TaskClaim).where(TaskClaim.case_id.in_(case_ids))).scalars()
    return {(r.case_id, r.task_id): r for r in rows}


def _with_comments(session, items: list[dict]) -> list[dict]:
    ids = sorted({i["case"] for i in items})
    counts, latest = {}, {}
    if ids:
        for case_id, n in session.execute(select(CaseComment.case_id, func.count(CaseComment.id))
                                          .where(CaseComment.case_id.in_(ids)).group_by(CaseComment.case_id)):
            counts[case_id] = n
        newest = (select(func.max(CaseComment.id)).where(CaseComment.case_id.in_(ids))
                  .group_by(CaseComment.case_id))
        for c in session.execute(select(CaseComment).where(CaseComment.id.in_(newest))).scalars():
            latest[c.case_id] = _comment(c)
    for i in items:
        i["comments"] = counts.get(i["case"], 0)
        i["last_comment"] = latest.get(i["case"])
    return items


def _case_filter(session, wanted: str | None) -> list[int] | None:
    """The case filter as ids: a number (exact, any case) or an id."""
    if wanted is None or not str(wanted).strip():
        return None
    wanted = str(wanted).strip()
    query = select(Case.id).where(func.lower(Case.number) == wanted.lower())
    if wanted.isdigit() and len(wanted) < 10:
        query = select(Case.id).where((Case.id == int(wanted)) | (func.lower(Case.number) == wanted.lower()))
    return list(session.execute(query).scalars())


def _matches(item: dict, f: Filters, actor: Actor, now: datetime) -> bool:
    if f.stage and f.stage not in (item["case_stage"], item.get("stage")):
        return False
    if f.blocked is not None and item["blocked"] != f.blocked:
        return False
    if f.due_within is not None and (item["due_at"] is None or item["due_at"] > now + timedelta(hours=f.due_within)):
        return False
    if f.whose == "mine" and not (item["kind"] == "task" and item["holder"] == actor.username):
        return False
    if f.whose == "group" and item["kind"] == "task" and item["holder"] == actor.username:
        return False
    if f.q:
        words = [w for w in f.q.lower().split() if w]
        text = " ".join(str(v) for v in (item["number"], item["suspect"], item["title"], item["name"],
                                         item["reason"], item["checkpoint"], item["kind"], item["holder"],
                                         *item["translations"].values()) if v).lower()
        if not all(w in text for w in words):
            return False
    return True


# ---- claims --------------------------------------------------------------------------------------

def claim(ctx: Habeas, actor: Actor, case_id: int, task_id: str, expected_version: int | None = None) -> dict:
    """Take a ready task of one's lane.  A task a colleague holds is not taken over (they, or a
    supervising prosecutor, reassign it); claiming one's own task again changes nothing."""
    access.require_role(actor, INBOX_ROLES, "claim a task")
    now = ctx.now()
    with ctx.unit_of_work() as session:
        case, task = _ready_task(ctx, session, actor, case_id, task_id)
        lane = task.definition.lane
        if not roles.may_work_lane(actor.role, lane):
            raise Forbidden(NOT_YOUR_LANE)
        _current(case, expected_version)
        row = _claim_row(session, case.id, task.id)
        if row is not None and row.holder == actor.username:
            return _claim_view(row, task)
        if row is not None:
            raise Conflict(HELD_BY_OTHER)
        row = TaskClaim(case_id=case.id, task_id=task.id, lane=lane, holder=actor.username, claimed_at=now,
                        claimed_by=actor.username)
        session.add(row)
        session.flush()
        audit.append(session, at=now, actor=actor.username, action="task.claimed", case_id=case.id,
                     payload={"task_id": task.id, "task": task.definition.name, "lane": lane,
                              "holder": actor.username})
        return _claim_view(row, task)


def reassign(ctx: Habeas, actor: Actor, case_id: int, task_id: str, to: str,
             expected_version: int | None = None) -> dict:
    """Hand a ready task to a colleague whose role may work its lane: by its holder, by a
    supervising prosecutor, or, while nobody holds it, by anyone of the lane."""
    access.require_role(actor, INBOX_ROLES, "reassign a task")
    now = ctx.now()
    with ctx.unit_of_work() as session:
        case, task = _ready_task(ctx, session, actor, case_id, task_id)
        lane = task.definition.lane
        row = _claim_row(session, case.id, task.id)
        holder = row.holder if row is not None else None
        if not may_reassign(actor, lane, holder):
            raise Forbidden(MAY_NOT_REASSIGN)
        _current(case, expected_version)
        target = session.execute(select(User).where(User.username == (to or "").strip(),
                                                    User.active.is_(True))).scalar_one_or_none()
        if target is None:
            raise InvalidData(NO_SUCH_COLLEAGUE, {"to": [NO_SUCH_COLLEAGUE]})
        if target.role == roles.DEFENCE or not roles.may_work_lane(target.role, lane) \
                or target.role not in roles.CASE_ACTORS:
            raise InvalidData(WRONG_ROLE, {"to": [WRONG_ROLE]})
        if holder == target.username:
            return _claim_view(row, task)
        if row is None:
            row = TaskClaim(case_id=case.id, task_id=task.id, lane=lane, holder=target.username,
                            claimed_at=now, claimed_by=actor.username)
            session.add(row)
        else:
            row.holder, row.claimed_at, row.claimed_by = target.username, now, actor.username
        session.flush()
        audit.append(session, at=now, actor=actor.username, action="task.reassigned", case_id=case.id,
                     payload={"task_id": task.id, "task": task.definition.name, "lane": lane, "from": holder,
                              "to": target.username})
        return _claim_view(row, task)


def may_reassign(actor: Actor, lane: str | None, holder: str | None) -> bool:
    """The holder, a supervising prosecutor, or (while nobody holds the task) anyone of its lane."""
    return (holder == actor.username or actor.role == roles.SUPERVISING_PROSECUTOR
            or (holder is None and roles.may_work_lane(actor.role, lane)))


def _current(case: Case, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != case.lock_version:
        raise Conflict(STALE)


def _ready_task(ctx, session, actor, case_id, task_id):
    case = load_case(session, case_id)
    access.require_act(session, actor, case, what="claim or reassign a task")
    try:
        with reading_run(ctx, session, case) as run:
            found = [t for t in run.ready_tasks() if t.id == task_id]
    except Unloadable:
        found = []
    if not found:
        raise Conflict(NOT_WAITING)
    return case, found[0]


def _claim_row(session, case_id: int, task_id: str) -> TaskClaim | None:
    return session.execute(select(TaskClaim).where(TaskClaim.case_id == case_id,
                                                   TaskClaim.task_id == task_id)).scalar_one_or_none()


def _claim_view(row: TaskClaim, task) -> dict:
    return {"case": row.case_id, "task_id": row.task_id, "task": task.definition.name, "lane": row.lane,
            "holder": row.holder, "claimed_at": row.claimed_at, "claimed_by": row.claimed_by}


def holders(ctx: Habeas, case_id: int) -> dict[str, str]:
    """Who holds each task of a case (task id -> user name), for the case page."""
    with ctx.unit_of_work() as session:
        return {r.task_id: r.holder for r in session.execute(
            select(TaskClaim).where(TaskClaim.case_id == case_id)).scalars()}


def colleagues_for(ctx: Habeas, lane: str | None) -> list[str]:
    """Active users whose role may work a lane (whom a task may be reassigned to)."""
    wanted = [r for r in roles.CASE_ACTORS if r != roles.DEFENCE and roles.may_work_lane(r, lane)]
    return dashboards.colleagues(ctx, wanted)


# ---- comments ------------------------------------------------------------------------------------

def add_comment(ctx: Habeas, actor: Actor, case_id: int, body: str, task_id: str | None = None) -> dict:
    """A working note on a case, by an official who acts in it; audited with its text."""
    access.require_role(actor, COMMENTERS, "comment on a case")
    text = (body or "").strip()
    if not text:
        raise InvalidData(EMPTY_COMMENT, {"body": [EMPTY_COMMENT]})
    if len(text) > COMMENT_MAX:
        raise InvalidData(LONG_COMMENT, {"body": [LONG_COMMENT]})
    now = ctx.now()
    with ctx.unit_of_work() as session:
        case = load_case(session, case_id)
        access.require_act(session, actor, case, what="comment on a case")
        if task_id:
            _ready_task(ctx, session, actor, case_id, task_id)
        row = CaseComment(case_id=case.id, author=actor.username, role=actor.role, body=text,
                          task_id=task_id or None, created_at=now)
        session.add(row)
        session.flush()
        audit.append(session, at=now, actor=actor.username, action="case.commented", case_id=case.id,
                     payload={"comment": row.id, "body": text, "task_id": row.task_id})
        return _comment(row)


def comments(ctx: Habeas, actor: Actor, case_id: int) -> list[dict]:
    """A case's comments, oldest first; the officials' notes, not shown to the defence."""
    access.require_role(actor, COMMENT_READERS, "read the comments on a case")
    with ctx.unit_of_work() as session:
        case = session.get(Case, case_id)
        if case is None:
            raise NotFound(f"no case {case_id}")
        access.require_read(session, actor, case)
        rows = session.execute(select(CaseComment).where(CaseComment.case_id == case_id)
                               .order_by(CaseComment.id)).scalars()
        return [_comment(r) for r in rows]


def _comment(row: CaseComment) -> dict:
    return {"id": row.id, "case": row.case_id, "author": row.author, "role": row.role, "body": row.body,
            "task_id": row.task_id, "created_at": row.created_at}
