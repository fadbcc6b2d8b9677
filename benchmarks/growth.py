"""Does a step cost the same late in a case as early on?  ``python -m benchmarks.growth [STEPS]``.

One case of processes/criminal_case.bpmn is taken along its happy path to the interrogation of
the suspect, then questioned STEPS times (the diagram's loop "Another interrogation?"), each
interrogation with counsel, caution and medical examination recorded before it (outside the
clock, as in ``steps``).  Every interrogation is one ``complete_task``: load, check, run, save,
audit.  The figure is ``step_growth``: the median cost of the last quarter's steps divided by the
first quarter's (steps 151-200 over 1-50 for 200 steps).  A case whose saved workflow, or
whatever else a step reads, grows with its history shows it here; a flat step gives about 1.

Custody extensions (``procedure.extend_custody``) are bounded by the law's ceilings and do not
touch the saved workflow, so the loop is of interrogations only.  Prints one JSON line."""
import json
import statistics
import sys
import time

from engine.domain import roles
from engine.services import cases
from engine.workflow.adapter import ProcessModel

from . import databases, scenario as scenarios, steps
from .databases import ACTORS

clock = time.perf_counter
LOOPED = "interrogate_suspect"


def interrogations(ctx, sc, n: int) -> list[float]:
    """Seconds of each of ``n`` interrogations of one case (the same case, one after another)."""
    case_id = steps.open_engine_case(ctx, sc)
    looped = None
    for step in sc.steps:
        if step.name == LOOPED:
            looped = step
            break
        steps.record_evidence(ctx, sc, case_id, step.name)
        cases.complete_task(ctx, ACTORS[step.lane], case_id, steps.ready_ids(ctx, case_id)[step.name], step.data)
    again = {**looped.data, "another_interrogation": True}
    times = []
    for i in range(n):
        steps.record_evidence(ctx, sc, case_id, LOOPED)
        task_id = steps.ready_ids(ctx, case_id)[LOOPED]
        data = {**again, "protocol_number": f"INT-{i + 1}"}
        t0 = clock()
        cases.complete_task(ctx, ACTORS[looped.lane or roles.INVESTIGATOR], case_id, task_id, data)
        times.append(clock() - t0)
    return times


def growth(times: list[float]) -> float:
    """Median of the last quarter over the median of the first quarter."""
    quarter = max(1, len(times) // 4)
    return statistics.median(times[-quarter:]) / statistics.median(times[:quarter])


def measure(n: int = 200) -> dict:
    model = ProcessModel.from_bpmn(scenarios.CRIMINAL_CASE.read_bytes(), scenarios.PROCESS_ID)
    sc = scenarios.build(model)
    with databases.sqlite_database("growth") as db:
        ctx = databases.habeas_for(db[1])
        databases.seed(ctx, password=None)
        times = interrogations(ctx, sc, n)
    quarter = max(1, n // 4)
    return {"steps": n, "step_growth": round(growth(times), 3),
            "first_quarter_ms": round(statistics.median(times[:quarter]) * 1e3, 3),
            "last_quarter_ms": round(statistics.median(times[-quarter:]) * 1e3, 3)}


def main(argv=None) -> None:
    args = argv if argv is not None else sys.argv[1:]
    print(json.dumps(measure(int(args[0]) if args else 200)), flush=True)


if __name__ == "__main__":
    main()
