"""Scale-out on PostgreSQL: ``python -m benchmarks.load [--duration S] [--clients N] [--json]``.

1. Throughput: gunicorn serving ``web:create_app()`` with 1, then 2 sync workers on one PostgreSQL
   database; a fixed number of client threads (one keep-alive connection each) walk their own
   cases through the happy path over the JSON API (read the case, complete its ready task; open a
   new case when one closes) for a fixed duration, then stop.  Prints requests per second and
   p50/p95 latency; the ratio 2 workers / 1 worker.
2. Contention: 50 clients hammer the same 10 cases for a bounded time: each reads a case and
   completes its ready task with the version it read; a 409 (stale version, or the task already
   done) is retried after a fresh read.  Afterwards: no 5xx; per case, the number of completions
   the clients were told succeeded equals the case's ``task.completed`` audit entries and the
   user tasks its saved workflow has completed (a lost update would show as a difference); how
   many cases reached their end in the time; the audit chain verifies.

The client is Python threads on the same 2-core machine as the server and the database, so it
takes a share of the CPU the workers could use; the figures say what this machine does, not
what the app does on its own hardware.
"""
import argparse
import json
import random
import sys
import threading
import time
from collections import Counter, defaultdict

from sqlalchemy import func, select

from engine.domain import roles
from engine.persistence import audit
from engine.persistence.models import AuditEntry, Case
from engine.workflow.adapter import CaseRun, ProcessModel

from . import databases, http_bench, scenario as scenarios

clock = time.perf_counter


def log(*args):
    print(*args, flush=True)


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.statuses = Counter()

    def add(self, seconds: float, status: int):
        with self.lock:
            self.latencies.append(seconds)
            self.statuses[status] += 1


class Walker:
    """One client: walks cases through the happy path, recording every request."""

    def __init__(self, port, tokens, sc, stats: Stats):
        self.sc, self.stats = sc, stats
        self.clients = {role: http_bench.Client(port, token) for role, token in tokens.items()}
        self.by_name = {s.name: s for s in sc.steps}

    def call(self, role, method, path, body=None):
        t0 = clock()
        status, out = self.clients[role].call(method, path, body)
        self.stats.add(clock() - t0, status)
        return status, out

    def open(self) -> int:
        status, body = self.call(roles.INVESTIGATOR, "POST", "/api/v1/cases",
                                 {"process": "criminal_case", "data": self.sc.opening, "prosecutor": roles.PROSECUTOR})
        if status not in (200, 201):
            raise RuntimeError(f"open: {status} {body}")
        return body.get("id") or body["case"]["id"]

    def advance(self, case_id: int) -> tuple[int, dict | None]:
        """Read the case and complete its ready task; returns (status, view) (status 0: closed)."""
        status, view = self.call(roles.REVIEWER, "GET", f"/api/v1/cases/{case_id}")
        if status != 200:
            return status, None
        tasks = [t for t in view["tasks"] if t["name"] in self.by_name]
        if not tasks:
            return 0, view
        step = self.by_name[tasks[0]["name"]]
        for checkpoint, data, occurred_at in self.sc.evidence.get(step.name, ()):
            self.call(roles.INVESTIGATOR, "POST", f"/api/v1/cases/{case_id}/evidence",
                      {"checkpoint": checkpoint, "data": data, "occurred_at": occurred_at})
        status, _ = self.call(step.lane, "POST", f"/api/v1/cases/{case_id}/tasks/{tasks[0]['id']}/complete",
                              {"data": step.data, "version": view["version"]})
        return status, view


def throughput(url, tokens, sc, workers: int, clients: int, duration: float) -> dict:
    proc, port = http_bench.serve(url, workers=workers)
    try:
        stats = Stats()
        stop = threading.Event()

        def run():
            walker = Walker(port, tokens, sc, stats)
            case_id = walker.open()
            while not stop.is_set():
                status, _ = walker.advance(case_id)
                if status == 0:
                    case_id = walker.open()
        warm = Walker(port, tokens, sc, Stats())
        for _ in range(2):  # warm every worker's model cache
            warm.advance(warm.open())
        threads = [threading.Thread(target=run, daemon=True) for _ in range(clients)]
        t0 = clock()
        for t in threads:
            t.start()
        time.sleep(duration)
        stop.set()
        for t in threads:
            t.join(timeout=60)
        elapsed = clock() - t0
    finally:
        http_bench._stop(proc)
    lat = sorted(stats.latencies)
    return {"workers": workers, "clients": clients, "seconds": round(elapsed, 1), "requests": len(lat),
            "rps": round(len(lat) / elapsed, 1), "p50_ms": round(_pct(lat, 50) * 1e3, 1),
            "p95_ms": round(_pct(lat, 95) * 1e3, 1),
            "server_errors": sum(n for s, n in stats.statuses.items() if s >= 500),
            "statuses": {str(k): v for k, v in sorted(stats.statuses.items())}}


def _pct(values, p):
    if not values:
        return 0.0
    return values[min(len(values) - 1, int(len(values) * p / 100))]


def contention(url, engine, tokens, sc, workers: int, clients: int, n_cases: int, limit: float) -> dict:
    proc, port = http_bench.serve(url, workers=workers)
    try:
        opener = Walker(port, tokens, sc, Stats())
        case_ids = [opener.open() for _ in range(n_cases)]
        stats = Stats()
        done_lock = threading.Lock()
        successes = defaultdict(int)
        finished: set[int] = set()
        conflicts = Counter()
        deadline = clock() + limit

        def run(seed):
            rng = random.Random(seed)
            walker = Walker(port, tokens, sc, stats)
            while clock() < deadline:
                with done_lock:
                    left = [c for c in case_ids if c not in finished]
                if not left:
                    return
                case_id = rng.choice(left)
                status, view = walker.advance(case_id)
                with done_lock:
                    if status == 200:
                        successes[case_id] += 1
                    elif status == 409:
                        conflicts[case_id] += 1
                    elif status == 0:
                        finished.add(case_id)
        threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(clients)]
        t0 = clock()
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=limit + 60)
        elapsed = clock() - t0
    finally:
        http_bench._stop(proc)
    with engine.connect() as conn:
        audited = dict(conn.execute(select(AuditEntry.case_id, func.count()).where(
            AuditEntry.action == "task.completed", AuditEntry.case_id.in_(case_ids)).group_by(AuditEntry.case_id)).all())
        rows = {r.id: r for r in conn.execute(select(Case.id, Case.status)
                                              .where(Case.id.in_(case_ids))).all()}
    ctx = databases.habeas_for(engine)
    with ctx.unit_of_work() as session:
        chain = audit.verify(session)
        in_workflow = {}  # user tasks the saved workflow says are done: a lost update would show here
        for case_id in case_ids:
            case = session.get(Case, case_id)
            run = CaseRun.load(ctx.models.get(session, case.process_version_id), case.workflow_state)
            # the tree keeps only what the case still needs; its history the last user tasks done
            # (more than the 17 of a case here), so every completion is still accounted for
            in_workflow[case_id] = len(run.completed_user_tasks())
    lost = [c for c in case_ids if not successes[c] == audited.get(c, 0) == in_workflow[c]]
    lat = sorted(stats.latencies)
    return {"workers": workers, "clients": clients, "cases": n_cases, "seconds": round(elapsed, 1),
            "requests": len(lat), "completions": sum(successes.values()), "conflicts_409": sum(conflicts.values()),
            "server_errors": sum(n for s, n in stats.statuses.items() if s >= 500),
            "statuses": {str(k): v for k, v in sorted(stats.statuses.items())},
            "lost_updates": len(lost), "cases_closed": sum(1 for c in case_ids if rows[c].status == "closed"),
            "workflows_match": all(in_workflow[c] == successes[c] for c in case_ids),
            "audit_chain_ok": chain.ok, "audit_entries": chain.entries,
            "p50_ms": round(_pct(lat, 50) * 1e3, 1), "p95_ms": round(_pct(lat, 95) * 1e3, 1)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per throughput run")
    parser.add_argument("--clients", type=int, default=8, help="client threads for the throughput runs")
    parser.add_argument("--contention-limit", type=float, default=60.0, help="seconds at most for the contention run")
    parser.add_argument("--json", action="store_true", help="end with one JSON line")
    args = parser.parse_args(argv)
    if not databases.PG_URL:
        log("skipped: the load test needs PostgreSQL (HABEAS_TEST_DATABASE_URL)")
        return 0
    if not http_bench.api_available():
        log("skipped: this checkout's web app does not serve the JSON API (/api/v1) yet")
        return 0
    model = ProcessModel.from_bpmn(scenarios.CRIMINAL_CASE.read_bytes(), scenarios.PROCESS_ID)
    sc = scenarios.build(model)
    out = {}
    with databases.postgres_database("habeas_bench_load", pool_size=5) as (url, engine):
        tokens = databases.seed(databases.habeas_for(engine), password=None)
        for workers in (1, 2):
            r = throughput(url, tokens, sc, workers, args.clients, args.duration)
            out[f"workers_{workers}"] = r
            log(f"  {workers} worker(s), {r['clients']} clients, {r['seconds']} s: {r['rps']} req/s, "
                f"p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms, 5xx {r['server_errors']}")
        out["throughput_2_vs_1"] = round(out["workers_2"]["rps"] / out["workers_1"]["rps"], 3)
        log(f"  throughput 2 workers / 1 worker: {out['throughput_2_vs_1']} (target >= 1.6)")
        c = contention(url, engine, tokens, sc, 2, 50, 10, args.contention_limit)
        out["contention"] = c
        log(f"  contention: 50 clients on 10 cases, {c['seconds']} s, {c['requests']} requests, "
            f"{c['completions']} completions, {c['conflicts_409']} conflicts (409, retried), 5xx {c['server_errors']}, "
            f"lost updates {c['lost_updates']}, cases closed {c['cases_closed']}/10, acknowledged = audited = in "
            f"workflow {c['workflows_match']}, audit chain ok {c['audit_chain_ok']}; p50 {c['p50_ms']} ms, p95 {c['p95_ms']} ms")
    if args.json:
        print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
