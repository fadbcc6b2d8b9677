"""Does a step cost the same late in a case as early on?  ``python -m benchmarks.growth [STEPS]``.

A case of processes/criminal_case.bpmn is taken along its happy path to the interrogation of
the suspect, then questioned STEPS times (200 by default, 100 in ``make bench QUICK=1``: the
diagram's loop "Another interrogation?"), each
interrogation with counsel, caution and medical examination recorded before it (outside the
clock, as in ``steps``).  Every interrogation is one ``complete_task``: load, check, run, save,
audit.  The figure is ``step_growth``: the median cost of the last quarter's steps divided by the
first quarter's (steps 151-200 over 1-50 for 200 steps).  A case whose saved workflow, or
whatever else a step reads, grows with its history shows it here; a flat step gives about 1.
The two quarters are taken in turns, a young case's steps against an old case's, so that the
load of a shared machine, which drifts over a run, weighs on both alike; the saved workflow's
size at either end is reported beside them (it does not depend on the machine's load).

Custody extensions (``procedure.extend_custody``) are bounded by the law's ceilings and do not
touch the saved workflow, so the loop is of interrogations only.  The worker's run cache is on,
as in ``steps``: a step loads the saved workflow only when another worker moved the case, but
saves it every time.  Prints one JSON line."""
import json
import statistics
import sys
import time

from sqlalchemy import select

from engine.domain import roles
from engine.persistence.models import Case
from engine.services import cases
from engine.workflow.adapter import ProcessModel

from . import databases, scenario as scenarios, steps
from .databases import ACTORS

clock = time.perf_counter
LOOPED = "interrogate_suspect"


def _to_the_loop(ctx, sc):
    """A new case taken along the happy path to its first interrogation; its id and that step."""
    case_id = steps.open_engine_case(ctx, sc)
    for step in sc.steps:
        if step.name == LOOPED:
            return case_id, step
        steps.record_evidence(ctx, sc, case_id, step.name)
        cases.complete_task(ctx, ACTORS[step.lane], case_id, steps.ready_ids(ctx, case_id)[step.name], step.data)
    raise LookupError(f"{LOOPED} is not on the scenario's path")


def _interrogate(ctx, sc, case_id, looped, number: int) -> float:
    """One more interrogation of the case (its evidence recorded first, outside the clock)."""
    steps.record_evidence(ctx, sc, case_id, LOOPED)
    task_id = steps.ready_ids(ctx, case_id)[LOOPED]
    data = {**looped.data, "another_interrogation": True, "protocol_number": f"INT-{number}"}
    t0 = clock()
    cases.complete_task(ctx, ACTORS[looped.lane or roles.INVESTIGATOR], case_id, task_id, data)
    return clock() - t0


def _saved_bytes(ctx, case_id: int) -> int:
    with ctx.unit_of_work() as session:
        return len(session.execute(select(Case.workflow_state).where(Case.id == case_id)).scalar_one())


def measure(n: int = 200) -> dict:
    """Steps 1 to n/4 of a new case and steps 3n/4+1 to n of an old one, taken in turns (so the
    machine's load weighs on both alike); the old one is first questioned 3n/4 times untimed."""
    model = ProcessModel.from_bpmn(scenarios.CRIMINAL_CASE.read_bytes(), scenarios.PROCESS_ID)
    sc = scenarios.build(model)
    quarter = max(1, n // 4)
    early, late = [], []
    with databases.sqlite_database("growth") as db:
        ctx = databases.habeas_for(db[1])
        databases.seed(ctx, password=None)
        old, looped = _to_the_loop(ctx, sc)
        for number in range(1, n - quarter + 1):
            _interrogate(ctx, sc, old, looped, number)
        young, _ = _to_the_loop(ctx, sc)
        young_bytes, old_bytes = _saved_bytes(ctx, young), _saved_bytes(ctx, old)
        for i in range(1, quarter + 1):
            early.append(_interrogate(ctx, sc, young, looped, i))
            late.append(_interrogate(ctx, sc, old, looped, n - quarter + i))
        young_bytes, old_bytes = max(young_bytes, _saved_bytes(ctx, young)), max(old_bytes, _saved_bytes(ctx, old))
    first, last = statistics.median(early), statistics.median(late)
    return {"steps": n, "step_growth": round(last / first, 3), "first_quarter_ms": round(first * 1e3, 3),
            "last_quarter_ms": round(last * 1e3, 3), "saved_workflow_bytes_first": young_bytes,
            "saved_workflow_bytes_last": old_bytes}


def main(argv=None) -> None:
    args = argv if argv is not None else sys.argv[1:]
    print(json.dumps(measure(int(args[0]) if args else 200)), flush=True)


if __name__ == "__main__":
    main()
