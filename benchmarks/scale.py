"""Reports and the tick at scale, over cases written by ``engine.fixtures.bulk``.

- ``report_vs_groupby``: the compliance report (``engine.services.reports.compliance``) against
  the bare ``SELECT checkpoint, status, count(*) FROM checkpoint_evaluations GROUP BY checkpoint,
  status`` on the same database, at growing numbers of cases.
- ``dashboard_vs_groupby``: the whole reviewers' page (its figures, read from the snapshot the
  tick worker refreshes, and the audit chain's status, verified incrementally) against the same
  GROUP BY; what one refresh costs (the page computed live) is reported beside it.
- ``tick_vs_small``: one scheduler tick over many open cases of which a fixed number have a clock
  due, against a tick over a database holding only those cases.  The due clocks are re-armed
  between repetitions, so every tick does the same work.
"""
import statistics
import time
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select, text, update

from engine.domain import roles
from engine.persistence.models import CheckpointEvaluation, Deadline
from engine.services import queries, reports, snapshots
from engine.fixtures import bulk

from . import databases

clock = time.perf_counter
REVIEWER = databases.ACTORS[roles.REVIEWER]
GROUP_BY = text("SELECT checkpoint, status, count(*) FROM checkpoint_evaluations GROUP BY checkpoint, status")


def median_time(fn, repeat: int, warmup: int = 1) -> float:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        t0 = clock()
        fn()
        samples.append(clock() - t0)
    return statistics.median(samples)


def side_by_side(fns: dict, repeat: int, warmup: int = 1) -> dict[str, float]:
    """Median of each function, run alternately so that noise hits them alike."""
    for _ in range(warmup):
        for fn in fns.values():
            fn()
    samples = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            t0 = clock()
            fn()
            samples[name].append(clock() - t0)
    return {name: statistics.median(v) for name, v in samples.items()}


def reports_at_scale(db, sizes: list[int], repeat: int, log=print) -> list[dict]:
    """Grow one database through ``sizes`` cases; at each size time the report and the GROUP BY."""
    _, engine = db
    ctx = databases.habeas_for(engine)
    databases.seed(ctx, password=None)
    have, out = 0, []
    for size in sizes:
        t0 = clock()
        counts = bulk.create_cases(engine, size - have, seed=size, batch=5000)
        created = clock() - t0
        have = size
        with engine.connect() as conn:
            evaluations = conn.execute(select(func.count()).select_from(CheckpointEvaluation)).scalar()

        def group_by():
            with engine.connect() as conn:
                conn.execute(GROUP_BY).all()

        def report():
            reports.compliance(ctx, REVIEWER)
        def page():  # the whole reviewers' page: its figures (snapshot) and the chain's status
            snapshots.page(ctx, REVIEWER, **period)
            queries.audit_status(ctx, REVIEWER)
        period = default_period(ctx)
        t0 = clock()
        page()  # no snapshot yet: computed and stored, as the tick worker's refresh does
        refresh = clock() - t0
        fns = {"report": report, "group_by": group_by, "dashboard": page}
        m = side_by_side(fns, repeat)
        row = {"cases": size, "evaluations": evaluations, "bulk_seconds": round(created, 2),
               "bulk_cases_per_second": round(counts.cases / created) if created else None,
               "report_ms": m["report"] * 1e3, "group_by_ms": m["group_by"] * 1e3,
               "ratio": m["report"] / m["group_by"]}
        row["dashboard_ms"] = m["dashboard"] * 1e3
        row["dashboard_ratio"] = m["dashboard"] / m["group_by"]
        row["page_refresh_ms"] = refresh * 1e3
        log(f"    {size:>7} cases, {evaluations:>8} evaluations (bulk {created:5.1f} s): report "
            f"{row['report_ms']:8.1f} ms, GROUP BY {row['group_by_ms']:8.1f} ms, ratio {row['ratio']:.2f}"
            + f"; reviewer page {row['dashboard_ms']:.1f} ms, ratio {row['dashboard_ratio']:.2f} (its refresh "
            f"by the tick worker {row['page_refresh_ms']:.0f} ms)")
        out.append(row)
    return out


def default_period(ctx) -> dict:
    """The period the reviewers' page opens on: the last 90 days, whole days in the office's zone."""
    from engine.domain.display import display_zone
    zone = display_zone(ctx.params)
    today = ctx.now().astimezone(zone).date()
    end = datetime.combine(today + timedelta(days=1), datetime.min.time(), zone)
    return {"start": end - timedelta(days=91), "end": end}


def tick_available() -> bool:
    try:
        from engine.services import scheduler  # noqa: F401
    except ImportError:
        return False
    return hasattr(scheduler, "tick")


def tick_at_scale(db, n_cases: int, due: int, repeat: int, now: datetime | None = None) -> float:
    """Median seconds of one tick acting on ``due`` due clocks among ``n_cases`` open cases."""
    from engine.services import scheduler

    _, engine = db
    now = now or datetime.now(timezone.utc)
    ctx = databases.habeas_for(engine)
    databases.seed(ctx, password=None)
    bulk.create_cases(engine, n_cases, seed=11, now=now, due=due, open_share=1.0, batch=5000)
    with engine.connect() as conn:
        due_ids = list(conn.execute(select(Deadline.id).where(Deadline.status == "open",
                                                              Deadline.due_at <= now)).scalars())
    assert len(due_ids) == due, (len(due_ids), due)
    armed = {c.name: getattr(Deadline, c.name) for c in Deadline.__table__.c}

    def rearm():
        values = {"status": "open", "updated_at": now}
        for name, value in (("next_action_at", Deadline.due_at), ("warnings_sent", 0), ("attempts", 0),
                            ("action_taken", None), ("acted_at", None), ("last_error", None)):
            if name in armed:
                values[name] = value
        with engine.begin() as conn:
            conn.execute(update(Deadline).where(Deadline.id.in_(due_ids)).values(**values))

    samples = []
    for i in range(repeat + 1):
        rearm()
        t0 = clock()
        scheduler.tick(ctx, now=now + timedelta(seconds=1))
        if i:  # the first is the warm-up
            samples.append(clock() - t0)
    return statistics.median(samples)
