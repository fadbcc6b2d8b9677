"""A worker's memory over many advances: ``python -m benchmarks.memory FIRST SECOND``.

Runs in its own process (the caller starts it), on a SQLite database of its own: walks cases
through the happy path until FIRST steps are done, reads VmRSS, goes on to SECOND steps, reads
VmRSS and the peak VmHWM, and prints them as one JSON line (kB).  psutil is not needed: Linux
reports both in /proc/self/status."""
import gc
import json
import sys

from engine.workflow.adapter import ProcessModel

from . import databases, scenario as scenarios, steps


def status_kb(key: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise LookupError(key)


def main(argv=None) -> None:
    first, second = (int(a) for a in (argv or sys.argv[1:3]))
    model = ProcessModel.from_bpmn(scenarios.CRIMINAL_CASE.read_bytes(), scenarios.PROCESS_ID)
    sc = scenarios.build(model)
    out = {}
    with databases.sqlite_database("memory") as db:
        ctx = databases.habeas_for(db[1])
        databases.seed(ctx, password=None)
        done = 0
        for target, key in ((first, "first"), (second, "second")):
            while done < target:
                done += len(steps.engine_case(ctx, sc)[1])
            gc.collect()
            out[f"rss_after_{key}_kb"] = status_kb("VmRSS")
            out[f"{key}_advances"] = done
        out["peak_rss_kb"] = status_kb("VmHWM")
    out["peak_vs_first"] = out["peak_rss_kb"] / out["rss_after_first_kb"]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
