"""Read model of the legal clocks still running: which case owes which right by when.

Reading only; the clocks themselves are kept by ``clocks`` (and the scheduler).  A defence
lawyer sees only the clocks of the cases where they are counsel."""
from sqlalchemy import select

from ..domain import roles
from ..persistence.models import Case, CaseParty, Deadline
from . import access
from .context import Actor, Habeas

OPEN = "open"


def open_deadlines(ctx: Habeas, actor: Actor, *, case_id: int | None = None, limit: int = 50,
                   offset: int = 0) -> list[dict]:
    """Open deadlines, the most urgent first, with the hours left (negative once overdue)."""
    access.require_role(actor, access.READERS, "list deadlines")
    query = (select(Deadline, Case.number).join(Case, Case.id == Deadline.case_id)
             .where(Deadline.status == OPEN, Case.training.is_(False)).order_by(Deadline.due_at, Deadline.id)
             .limit(max(1, min(limit, 500))).offset(max(0, offset)))
    if case_id is not None:
        query = query.where(Deadline.case_id == case_id)
    if actor.role == roles.DEFENCE:
        query = query.join(CaseParty, CaseParty.case_id == Case.id).where(CaseParty.username == actor.username)
    now = ctx.now()
    with ctx.unit_of_work() as session:
        return [_row(d, number, now) for d, number in session.execute(query).all()]


def _row(d: Deadline, number: str, now) -> dict:
    return {"id": d.id, "case": d.case_id, "number": number, "checkpoint": d.checkpoint, "kind": d.kind,
            "starts_at": d.starts_at.isoformat() if d.starts_at else None, "due_at": d.due_at.isoformat(),
            "hours_left": round((d.due_at - now).total_seconds() / 3600, 1), "status": d.status}
