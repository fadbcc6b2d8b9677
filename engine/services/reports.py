"""Compliance reports: SQL aggregations over the evaluation rows, never workflow replays."""
import csv
import io
from datetime import datetime

from sqlalchemy import and_, case as when, func, select

from ..domain import catalogue, roles
from ..persistence.models import CheckpointEvaluation as E
from . import access
from .context import Actor, Habeas

STATUSES = ("passed", "failed", "waived", "overridden", "pending", "overdue")


def compliance(ctx: Habeas, actor: Actor, *, start: datetime | None = None, end: datetime | None = None,
               unit: str | None = None, prosecutor: str | None = None) -> dict:
    """Per checkpoint: counts and rates of passed, failed, waived, overridden, pending and overdue
    evaluations in a period, optionally for one unit or one prosecutor."""
    access.require_role(actor, {roles.REVIEWER, roles.ADMIN, roles.SUPERVISING_PROSECUTOR, roles.PROSECUTOR},
                        "read compliance reports")
    now = ctx.now()
    overdue = when((and_(E.status == "pending", E.due_at < now), 1), else_=0)
    query = select(E.checkpoint, E.status, func.count(), func.sum(overdue)).group_by(E.checkpoint, E.status)
    for condition in _filters(start, end, unit, prosecutor):
        query = query.where(condition)
    with ctx.unit_of_work() as session:
        rows = session.execute(query).all()
    counts: dict[str, dict[str, int]] = {}
    for checkpoint, status, n, late in rows:
        bucket = counts.setdefault(checkpoint, dict.fromkeys(STATUSES, 0))
        if status in bucket:
            bucket[status] += n
        bucket["overdue"] += int(late or 0)
    return {"period": {"from": start.isoformat() if start else None, "to": end.isoformat() if end else None},
            "unit": unit, "prosecutor": prosecutor, "generated_at": now.isoformat(),
            "checkpoints": [_line(cid, counts.get(cid, dict.fromkeys(STATUSES, 0))) for cid in catalogue.CATALOGUE]}


def _filters(start, end, unit, prosecutor):
    if start is not None:
        yield E.evaluated_at >= start
    if end is not None:
        yield E.evaluated_at < end
    if unit:
        yield E.unit == unit
    if prosecutor:
        yield E.prosecutor == prosecutor


def _line(checkpoint_id: str, counts: dict) -> dict:
    cp = catalogue.get(checkpoint_id)
    total = sum(counts[s] for s in STATUSES if s != "overdue")
    decided = counts["passed"] + counts["failed"] + counts["waived"] + counts["overridden"]
    rate = (lambda n: round(n / decided, 4) if decided else None)
    return {"checkpoint": cp.id, "right": cp.right, "legal_basis": cp.legal_basis, "failure": cp.failure.value,
            "total": total, **counts,
            "compliance_rate": rate(counts["passed"] + counts["waived"]),
            "failure_rate": rate(counts["failed"]), "override_rate": rate(counts["overridden"])}


def to_csv(report: dict) -> str:
    out = io.StringIO()
    columns = ["checkpoint", "right", "legal_basis", "failure", "total", *STATUSES,
               "compliance_rate", "failure_rate", "override_rate"]
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for line in report["checkpoints"]:
        writer.writerow(line)
    return out.getvalue()
