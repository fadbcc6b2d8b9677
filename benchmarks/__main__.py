"""``python -m benchmarks [--quick]`` (``make bench``): everything side by side on one machine.

(a) bare SpiffWorkflow in memory, (b) bare SpiffWorkflow with a default JSON save and load around
every user task, (c) the engine's service layer on SQLite, (d) on PostgreSQL when
``HABEAS_TEST_DATABASE_URL`` is set, (e) through the HTTP API when the app serves it; then the
compliance report and the tick at scale, a worker's memory, the growth of a step's cost along one
long case (``growth``) and (full run only) the scale-out load test.  Variants (a)-(d) run in interleaved rounds after a warm-up, so noise hits them alike; every
figure is a median.  The last line printed is one JSON object with every ratio and raw median.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from contextlib import ExitStack

from engine.workflow.adapter import ProcessModel

from . import databases, growth, scale, scenario as scenarios, steps

PLANS = {
    # rounds of (a)-(e); cases for the report sizes; tick cases; memory advances
    "quick": {"rounds": 2, "warmup": 1, "report_sizes": [300, 1000], "report_repeat": 3,
              "tick_cases": 500, "tick_due": 10, "tick_repeat": 2, "memory": (40, 160), "growth_steps": 100,
              "load": False},
    "full": {"rounds": 15, "warmup": 2, "report_sizes": [10_000, 100_000], "report_repeat": 7,
             "tick_cases": 100_000, "tick_due": 100, "tick_repeat": 5, "memory": (1_000, 10_000), "growth_steps": 200,
             "load": True},
}


def log(*args):
    print(*args, flush=True)


def ms(seconds):
    return round(seconds * 1e3, 3) if seconds is not None else None


def ratio(a, b):
    return round(a / b, 3) if a is not None and b else None


class Variant:
    """Timings of one way of running the case: per case (opening + steps) and per step."""

    def __init__(self, key: str, title: str, run):
        self.key, self.title, self.run = key, title, run
        self.cases: list[float] = []
        self.steps: list[list[float]] = []

    def once(self, record: bool) -> None:
        opening, times = self.run()
        if record:
            self.cases.append(opening + sum(times))
            self.steps.append(times)

    @property
    def per_case(self) -> float:
        return statistics.median(self.cases)

    @property
    def per_step(self) -> float:
        return statistics.median(t for case in self.steps for t in case)

    def step_medians(self) -> list[float]:
        return [statistics.median(case[i] for case in self.steps) for i in range(len(self.steps[0]))]


def run_variants(plan: dict, stack: ExitStack, results: dict) -> dict[str, Variant]:
    model = ProcessModel.from_bpmn(scenarios.CRIMINAL_CASE.read_bytes(), scenarios.PROCESS_ID)
    sc = scenarios.build(model)
    specs = steps.parse_bare()
    variants = [Variant("a", "bare SpiffWorkflow in memory", lambda: steps.bare_memory(sc, specs)),
                Variant("b", "bare SpiffWorkflow, JSON save+load per task", lambda: steps.bare_naive(sc, specs))]
    _, sqlite_engine = stack.enter_context(databases.sqlite_database("engine"))
    sqlite_ctx = databases.habeas_for(sqlite_engine)
    databases.seed(sqlite_ctx, password=None)
    variants.append(Variant("c", "engine services, SQLite", lambda: steps.engine_case(sqlite_ctx, sc)))
    if databases.PG_URL:
        _, pg_engine = stack.enter_context(databases.postgres_database("habeas_bench_engine"))
        pg_ctx = databases.habeas_for(pg_engine)
        databases.seed(pg_ctx, password=None)
        variants.append(Variant("d", "engine services, PostgreSQL", lambda: steps.engine_case(pg_ctx, sc)))
    else:
        log("  (d) skipped: HABEAS_TEST_DATABASE_URL is not set")
    from . import http_bench
    server = http_bench.start_if_available(stack, sc, log)
    if server is not None:
        variants.append(Variant("e", "HTTP API (live server, SQLite)", lambda: server.case()))
    for i in range(plan["warmup"] + plan["rounds"]):
        for v in variants:
            v.once(record=i >= plan["warmup"])
    log(f"  {plan['rounds']} interleaved rounds after {plan['warmup']} warm-up; {len(sc.steps)} user tasks per case")
    log(f"  {'variant':<46} {'per case ms':>12} {'per step ms':>12}")
    for v in variants:
        log(f"  ({v.key}) {v.title:<42} {v.per_case * 1e3:12.2f} {v.per_step * 1e3:12.3f}")
    log("  median per step, ms:")
    log("  " + f"{'task':<30}" + "".join(f"{'(' + v.key + ')':>9}" for v in variants))
    medians = {v.key: v.step_medians() for v in variants}
    for i, step in enumerate(sc.steps):
        log("  " + f"{step.name:<30}" + "".join(f"{medians[v.key][i] * 1e3:9.2f}" for v in variants))
    found = {v.key: v for v in variants}
    for key in "abcde":
        v = found.get(key)
        results["medians"][f"{key}_case_ms"] = ms(v.per_case) if v else None
        results["medians"][f"{key}_step_ms"] = ms(v.per_step) if v else None
    return found


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes, under a minute (no load test)")
    parser.add_argument("--skip-load", action="store_true", help="leave out the scale-out load test")
    args = parser.parse_args(argv)
    plan = PLANS["quick" if args.quick else "full"]
    started = time.perf_counter()
    results = {"engine_vs_naive": None, "engine_vs_memory": None, "postgres_vs_sqlite": None,
               "http_vs_engine": None, "report_vs_groupby": None, "tick_vs_small": None, "step_growth": None,
               "mode": "quick" if args.quick else "full", "cpus": os.cpu_count(), "medians": {}, "notes": []}

    log("== 1. one case, start to end: (a) memory, (b) naive save/load, (c) SQLite, (d) PostgreSQL, (e) HTTP")
    with ExitStack() as stack:
        variants = run_variants(plan, stack, results)
    a, b, c = (variants[k].per_case for k in "abc")
    results["engine_vs_naive"] = ratio(c, b)
    results["engine_vs_memory"] = ratio(c, a)
    results["postgres_vs_sqlite"] = ratio(variants["d"].per_case, c) if "d" in variants else None
    results["http_vs_engine"] = ratio(variants["e"].per_case, c) if "e" in variants else None
    if "e" not in variants:
        results["notes"].append("http_vs_engine: the JSON API (/api/v1) is not served by this checkout yet")
    log(f"  c/b engine_vs_naive {results['engine_vs_naive']} (target <= 0.7)   c/a engine_vs_memory "
        f"{results['engine_vs_memory']}   d/c postgres_vs_sqlite {results['postgres_vs_sqlite']}   "
        f"e/c http_vs_engine {results['http_vs_engine']} (target <= 1.5)")

    log("== 2. compliance report vs bare GROUP BY at scale")
    report_rows = {}
    dbs = [("sqlite", lambda: databases.sqlite_database("reports"))]
    if databases.PG_URL:
        dbs.append(("postgres", lambda: databases.postgres_database("habeas_bench_reports")))
    for name, make in dbs:
        log(f"  {name}:")
        with make() as db:
            report_rows[name] = scale.reports_at_scale(db, plan["report_sizes"], plan["report_repeat"], log)
    biggest = [rows[-1]["ratio"] for rows in report_rows.values()]
    results["report_vs_groupby"] = round(max(biggest), 3)
    results["reports"] = {name: [{k: (round(v, 3) if isinstance(v, float) else v) for k, v in r.items()}
                                 for r in rows] for name, rows in report_rows.items()}
    log(f"  report_vs_groupby (largest size, worst database) {results['report_vs_groupby']} (target <= 3)")

    log("== 3. tick: many open cases with a few due clocks vs only those cases")
    if scale.tick_available():
        tick = {}
        for name, make in dbs:
            with make() as db:
                big = scale.tick_at_scale(db, plan["tick_cases"], plan["tick_due"], plan["tick_repeat"])
            with make() as db:
                small = scale.tick_at_scale(db, plan["tick_due"], plan["tick_due"], plan["tick_repeat"])
            tick[name] = {"big_ms": ms(big), "small_ms": ms(small), "ratio": ratio(big, small)}
            log(f"  {name}: {plan['tick_cases']} cases {big * 1e3:.1f} ms, {plan['tick_due']} cases "
                f"{small * 1e3:.1f} ms, ratio {tick[name]['ratio']}")
        results["tick"] = tick
        results["tick_vs_small"] = max(t["ratio"] for t in tick.values())
    else:
        results["notes"].append("tick_vs_small: engine.services.scheduler.tick is not in this checkout yet")
        log("  skipped: engine.services.scheduler.tick is not in this checkout yet")

    log("== 4. memory of a worker (own process, SQLite)")
    first, second = plan["memory"]
    out = subprocess.run([sys.executable, "-m", "benchmarks.memory", str(first), str(second)],
                         capture_output=True, text=True, check=True)
    memory = json.loads(out.stdout.strip().splitlines()[-1])
    results["memory"] = memory
    results["memory_peak_vs_first"] = round(memory["peak_vs_first"], 3)
    log(f"  RSS after {memory['first_advances']} advances {memory['rss_after_first_kb']} kB; peak after "
        f"{memory['second_advances']} {memory['peak_rss_kb']} kB; ratio {results['memory_peak_vs_first']} "
        "(target <= 1.10)")

    log("== 5. one long case: a step late in it vs early (python -m benchmarks.growth)")
    grown = growth.measure(plan["growth_steps"])
    results["step_growth"] = grown["step_growth"]
    results["growth"] = grown
    log(f"  {grown['steps']} interrogations of one case: median {grown['first_quarter_ms']} ms a step in the "
        f"first quarter, {grown['last_quarter_ms']} ms in the last; step_growth {grown['step_growth']} (target <= 1.2)")

    if plan["load"] and not args.skip_load:
        log("== 6. scale-out: python -m benchmarks.load")
        out = subprocess.run([sys.executable, "-m", "benchmarks.load", "--json"], text=True, capture_output=True)
        sys.stdout.write(out.stdout)
        lines = out.stdout.strip().splitlines()
        try:
            results["load"] = json.loads(lines[-1]) if lines else None
        except json.JSONDecodeError:
            results["load"] = None
        if out.returncode:
            results["notes"].append(f"load test did not run to the end: {out.stderr.strip().splitlines()[-1:]} ")
    results["seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(results, sort_keys=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
