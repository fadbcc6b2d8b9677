"""Legal clocks as rows: every evaluated right with a deadline keeps one row per case, due time
indexed, computed from the facts.  A model change never touches them."""
from sqlalchemy import select

from ..persistence.models import Deadline

CHECKPOINT_CLOCK = "checkpoint"


def sync(session, case, assessments, now) -> None:
    """Open, move or close each assessed checkpoint's clock."""
    timed = [a for a in assessments if a.evaluation.due_at is not None]
    if not timed:
        return
    existing = {d.checkpoint: d for d in session.execute(select(Deadline).where(
        Deadline.case_id == case.id, Deadline.kind == CHECKPOINT_CLOCK)).scalars()}
    for a in timed:
        ev = a.evaluation
        row = existing.get(a.checkpoint.id)
        status = "met" if ev.satisfied else ("breached" if ev.status.value == "failed" else "open")
        if row is None:
            session.add(Deadline(case_id=case.id, checkpoint=a.checkpoint.id, kind=CHECKPOINT_CLOCK,
                                 starts_at=ev.clock_started_at, due_at=ev.due_at, status=status, updated_at=now))
        elif (row.due_at, row.status, row.starts_at) != (ev.due_at, status, ev.clock_started_at):
            row.due_at, row.status, row.starts_at, row.updated_at = ev.due_at, status, ev.clock_started_at, now
