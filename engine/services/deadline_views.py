"""The one listing of open legal deadlines: which case owes which right by when.

``visible`` is the single query and the single role rule behind every list of open deadlines:
the API's (``open_deadlines``), the command line's (``clocks.list_deadlines``) and the case
dashboard's (``dashboards.my_cases``).  The rule: whoever may read cases
(``access.READERS``) may list their clocks; a defence lawyer only those of the cases where they
are counsel; practice cases never (they keep their own, virtual, time).  Reading only; the
clocks themselves are kept by ``clocks`` (and the scheduler)."""
from datetime import datetime, timedelta

from sqlalchemy import select

from ..domain import roles
from ..persistence.models import Case, CaseParty, Deadline
from . import access
from .context import Actor, Habeas

OPEN, BREACHED = "open", "breached"
MOST = 500  # rows one listing returns at most


def require_lister(actor: Actor) -> None:
    access.require_role(actor, access.READERS, "list deadlines")


def visible(session, actor: Actor, now: datetime, *, case_ids=None, due_within: timedelta | None = None,
            overdue: bool = False, limit: int | None = MOST, offset: int = 0) -> list[tuple[Deadline, str]]:
    """(deadline, case number) of the running deadlines this actor may see, the most urgent
    first: all of them, those of some cases, those due within a span (overdue ones included),
    or only the overdue (running or breached).  At most ``MOST`` rows, except for a list of
    cases (``limit=None``: every deadline of those cases)."""
    require_lister(actor)
    query = (select(Deadline, Case.number).join(Case, Case.id == Deadline.case_id)
             .where(Case.training.is_(False)).order_by(Deadline.due_at, Deadline.id).offset(max(0, offset)))
    if limit is not None or case_ids is None:
        query = query.limit(max(1, min(limit or MOST, MOST)))
    if overdue:
        query = query.where(Deadline.status.in_((OPEN, BREACHED)), Deadline.due_at <= now)
    else:
        query = query.where(Deadline.status == OPEN)
    if due_within is not None:
        query = query.where(Deadline.due_at <= now + due_within)
    if case_ids is not None:
        query = query.where(Deadline.case_id.in_(list(case_ids)))
    if actor.role == roles.DEFENCE:
        query = query.join(CaseParty, CaseParty.case_id == Case.id).where(CaseParty.username == actor.username)
    return session.execute(query).all()


def open_deadlines(ctx: Habeas, actor: Actor, *, case_id: int | None = None, limit: int = 50,
                   offset: int = 0) -> list[dict]:
    """Open deadlines (the API's list), the most urgent first, with the hours left (negative once overdue)."""
    require_lister(actor)
    now = ctx.now()
    with ctx.unit_of_work() as session:
        rows = visible(session, actor, now, case_ids=None if case_id is None else [case_id], limit=limit,
                       offset=offset)
        return [_row(d, number, now) for d, number in rows]


def _row(d: Deadline, number: str, now) -> dict:
    return {"id": d.id, "case": d.case_id, "number": number, "checkpoint": d.checkpoint, "kind": d.kind,
            "starts_at": d.starts_at.isoformat() if d.starts_at else None, "due_at": d.due_at.isoformat(),
            "hours_left": round((d.due_at - now).total_seconds() / 3600, 1), "status": d.status}
