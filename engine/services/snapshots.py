"""The reviewers' page as snapshots: a materialised view of the page for each choice of filters,
refreshed by the tick worker, so that a render reads one row instead of aggregating every
evaluation, stage entry and case of the period (at 100,000 cases the page costs seconds; the
bare GROUP BY of the evaluations a tenth of one).

A render takes the snapshot of its filters while it is at most ``Habeas.report_staleness``
seconds old (``HABEAS_REPORT_STALENESS``, 60 by default; 0: always computed), or ten times what
it cost to compute if that is longer (``BUDGET``: a page that takes 30 s to compute at 100,000
cases is recomputed every 5 minutes, not every minute); otherwise it computes the page, stores
it and shows it.  ``refresh``, run by the tick worker after each tick,
recomputes the snapshots read in the last day before they grow stale, so readers seldom pay.
The page says when its figures were computed.  What a snapshot holds is exactly what the live
services return at that moment (``reports.dashboard``, ``indicators.indicators``,
``reports.filter_choices``); the audit chain's status is never in it (``queries.audit_status``,
verified incrementally on every render).
"""
import json
import time
from datetime import datetime, timedelta

from sqlalchemy import select

from ..persistence.models import ReportSnapshot
from . import indicators, reports
from .context import Actor, Habeas

WATCHED = timedelta(days=1)   # snapshots read this recently are kept fresh by the tick worker
REFRESH_LIMIT = 20            # snapshots recomputed per refresh at most (the most recently read first)
READ_MARK = timedelta(minutes=5)  # how often a read is noted on the row (not a write per render)
# a snapshot is recomputed at most every BUDGET times what it costs to compute, so that figures
# take at most a tenth of a tick worker's time however large the office; until then it is served
BUDGET = 10


def staleness(ctx: Habeas, row: ReportSnapshot) -> timedelta:
    """How old this snapshot may be when served: the configured staleness, or longer for a page
    so costly that recomputing it that often would keep the tick worker busy with figures."""
    return timedelta(seconds=max(ctx.report_staleness, BUDGET * (row.seconds or 0.0)))


def key_of(start: datetime | None, end: datetime | None, unit: str | None, prosecutor: str | None) -> str:
    """The filters as the snapshot's key; no period: the default one, as of its computation."""
    return json.dumps([start.isoformat() if start else None, end.isoformat() if end else None,
                       unit or None, prosecutor or None])


def _filters(key: str) -> dict:
    start, end, unit, prosecutor = json.loads(key)
    return {"start": datetime.fromisoformat(start) if start else None,
            "end": datetime.fromisoformat(end) if end else None, "unit": unit, "prosecutor": prosecutor}


def compute(ctx: Habeas, actor: Actor, **filters) -> dict:
    """The page's figures, live: what a snapshot holds."""
    return json.loads(json.dumps({
        "report": reports.dashboard(ctx, actor, **filters),
        "indicators": indicators.indicators(ctx, actor, **filters)["indicators"],
        "choices": reports.filter_choices(ctx, actor)}, default=str))


def page(ctx: Habeas, actor: Actor, *, start: datetime | None = None, end: datetime | None = None,
         unit: str | None = None, prosecutor: str | None = None) -> dict:
    """The reviewers' page for these filters: ``report``, ``indicators``, ``choices`` and
    ``as_of`` (when they were computed)."""
    reports._require_reader(actor)
    filters = {"start": start, "end": end, "unit": unit, "prosecutor": prosecutor}
    key, now = key_of(**filters), ctx.now()
    if ctx.report_staleness > 0:
        with ctx.unit_of_work() as session:
            row = session.get(ReportSnapshot, key)
            if row is not None and now - row.computed_at <= staleness(ctx, row):
                if now - row.read_at > READ_MARK:
                    row.read_at = now
                return {**row.body, "as_of": row.computed_at}
    t0 = time.perf_counter()
    body = compute(ctx, actor, **filters)
    if ctx.report_staleness > 0:
        _store(ctx, key, body, now, now, round(time.perf_counter() - t0, 3))
    return {**body, "as_of": now}


def _store(ctx: Habeas, key: str, body: dict, computed_at: datetime, read_at: datetime, seconds) -> None:
    with ctx.unit_of_work() as session:
        row = session.get(ReportSnapshot, key)
        if row is None:
            session.add(ReportSnapshot(key=key, body=body, computed_at=computed_at, read_at=read_at,
                                       seconds=seconds))
        elif row.computed_at <= computed_at:
            row.body, row.computed_at, row.seconds = body, computed_at, seconds


def refresh(ctx: Habeas, actor: Actor, now: datetime | None = None) -> int:
    """Recompute the snapshots read in the last day that are past half their staleness (so the
    next render finds them fresh); forget those nobody read for a day.  Returns how many."""
    if ctx.report_staleness <= 0:
        return 0
    now = now or ctx.now()
    with ctx.unit_of_work() as session:
        for row in session.execute(select(ReportSnapshot).where(ReportSnapshot.read_at < now - WATCHED)).scalars():
            session.delete(row)
        rows = session.execute(select(ReportSnapshot).order_by(ReportSnapshot.read_at.desc())).scalars().all()
        keys = [row.key for row in rows if now - row.computed_at >= staleness(ctx, row) / 2][:REFRESH_LIMIT]
    for key in keys:
        t0 = time.perf_counter()
        body = compute(ctx, actor, **_filters(key))
        _store(ctx, key, body, now, now, round(time.perf_counter() - t0, 3))
    return len(keys)
