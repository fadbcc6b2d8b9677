"""Where a step's time goes: ``python -m benchmarks.breakdown [--postgres] [--cases N]``.

Wraps the parts of ``engine.services.cases.complete_task`` with wall-clock timers (no profiler
overhead) and prints, per step, the median milliseconds of each part and its share.  Parts nest
the way the code calls them; "ORM flush" is time SQLAlchemy spends writing pending rows, wherever
a query or the commit triggers it."""
import argparse
import statistics
import time
from collections import defaultdict
from contextlib import ExitStack

from sqlalchemy.orm import Session

from engine.services import cases, checks, clocks, forms
from engine.persistence import audit
from engine.workflow.adapter import CaseRun, ProcessModel

from . import databases, scenario as scenarios, steps

clock = time.perf_counter


class Timers:
    def __init__(self):
        self.current = defaultdict(float)
        self.steps = []

    def wrap(self, owner, name, label, static=False):
        original = getattr(owner, name, None)
        if original is None:  # a part the code no longer has (renamed in a refactoring): not timed
            return lambda: None
        fn = original.__func__ if isinstance(original, classmethod) else original
        timers = self

        def timed(*args, **kwargs):
            t0 = clock()
            try:
                return original(*args, **kwargs)
            finally:
                timers.current[label] += clock() - t0
        setattr(owner, name, staticmethod(timed) if static else timed)
        return lambda: setattr(owner, name, original)

    def close_step(self, total):
        self.current["total complete_task"] = total
        self.steps.append(dict(self.current))
        self.current = defaultdict(float)


PARTS = [
    (cases, "load_case", "load case row (ORM get)"),
    (checks, "latest_evidence", "latest evidence (ORM select)"),
    (checks, "evidence_book", "evidence book (ORM select of the case's evidence)"),
    (checks, "open_overrides", "open overrides (ORM select)"),
    (forms, "clean", "form validation (marshmallow schema built per call)"),
    (checks, "assess", "checkpoint evaluation (domain rules)"),
    (clocks, "sync", "deadline sync (select + autoflush)"),
    (checks, "resolve_escalations", "resolve escalations"),
    (audit, "append", "audit append (head FOR UPDATE + insert)"),
    (Session, "flush", "ORM flush (all pending inserts/updates)"),
    (Session, "commit", "commit (incl. final flush)"),
]


def run(url_engine, n_cases: int) -> list[dict]:
    _, engine = url_engine
    ctx = databases.habeas_for(engine)
    databases.seed(ctx, password=None)
    model = ProcessModel.from_bpmn(scenarios.CRIMINAL_CASE.read_bytes(), scenarios.PROCESS_ID)
    sc = scenarios.build(model)
    for _ in range(2):
        steps.engine_case(ctx, sc)
    timers = Timers()
    restore = [timers.wrap(owner, name, label) for owner, name, label in PARTS]
    load, dump, complete = CaseRun.load, CaseRun.dump, CaseRun.complete

    def t_load(cls, model, state, _f=load.__func__):
        t0 = clock()
        try:
            return _f(cls, model, state)
        finally:
            timers.current["SpiffWorkflow load (JSON + restore)"] += clock() - t0
    CaseRun.load = classmethod(t_load)
    restore.append(lambda: setattr(CaseRun, "load", load))
    restore.append(timers.wrap(CaseRun, "dump", "SpiffWorkflow dump (serialize)"))
    restore.append(timers.wrap(CaseRun, "complete", "SpiffWorkflow run task + engine steps"))
    original = cases.complete_task

    def timed_complete(*args, **kwargs):
        timers.current.clear()
        t0 = clock()
        try:
            return original(*args, **kwargs)
        finally:
            timers.close_step(clock() - t0)
    try:
        cases.complete_task = timed_complete
        steps.cases.complete_task = timed_complete
        for _ in range(n_cases):
            steps.engine_case(ctx, sc)
    finally:
        cases.complete_task = original
        for r in reversed(restore):
            r()
    return timers.steps


def report(samples: list[dict]) -> list[tuple[str, float]]:
    labels = ["total complete_task", "SpiffWorkflow load (JSON + restore)", "SpiffWorkflow run task + engine steps",
              "SpiffWorkflow dump (serialize)"] + [label for _, _, label in PARTS]

    out = []
    for label in labels:
        values = [s.get(label, 0.0) for s in samples]
        out.append((label, statistics.mean(values) * 1e3))
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--cases", type=int, default=20)
    args = parser.parse_args(argv)
    with ExitStack() as stack:
        db = stack.enter_context(databases.postgres_database("habeas_breakdown") if args.postgres
                                 else databases.sqlite_database())
        samples = run(db, args.cases)
    rows = report(samples)
    total = rows[0][1]
    print(f"mean per step over {len(samples)} steps ({'PostgreSQL' if args.postgres else 'SQLite'}):")
    for label, ms in rows:
        print(f"  {ms:7.2f} ms  {100 * ms / total:5.1f}%  {label}")


if __name__ == "__main__":
    main()
