"""One case, start to end, four ways: (a) bare SpiffWorkflow in memory, (b) bare SpiffWorkflow
with a default JSON save and load around every user task, (c/d) the engine's service layer
(persistence, checkpoint evaluation, audit) on SQLite or PostgreSQL.

Each function runs one case and returns ``(opening_seconds, [seconds per step])``.  Only the
work of the variant is timed: finding the id of the next ready task (which a client learns from
the case it has just read) and recording evidence are done outside the clock, for every variant
alike."""
import time

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select

from engine.domain import roles
from engine.persistence.models import Case
from engine.services import cases, rights
from engine.workflow.adapter import CaseRun

from .databases import ACTORS
from .scenario import CRIMINAL_CASE, PROCESS_ID, Scenario

clock = time.perf_counter


# ---------------------------------------------------------------- bare SpiffWorkflow

def parse_bare():
    """The spec as a plain SpiffWorkflow user would parse it (done once, not timed)."""
    parser = SpiffBpmnParser(validator=VALIDATOR)
    parser.add_bpmn_file(str(CRIMINAL_CASE))
    return parser.get_spec(PROCESS_ID), parser.get_subprocess_specs(PROCESS_ID)


NAIVE_SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))


def _ready(workflow, name):
    for task in workflow.get_tasks(state=TaskState.READY, manual=True):
        if task.task_spec.name == name:
            return task
    raise LookupError(f"{name} is not ready")


def _bare_start(spec, subprocess_specs, data):
    workflow = BpmnWorkflow(spec, subprocess_specs)
    workflow.get_next_task(state=TaskState.READY).set_data(**data)
    workflow.do_engine_steps()
    return workflow


def _bare_step(workflow, name, data):
    task = _ready(workflow, name)
    task.set_data(**data)
    task.run()
    workflow.do_engine_steps()


def bare_memory(scenario: Scenario, specs) -> tuple[float, list[float]]:
    """(a) The whole case in memory, never saved."""
    t0 = clock()
    workflow = _bare_start(*specs, scenario.opening)
    opening = clock() - t0
    times = []
    for step in scenario.steps:
        t0 = clock()
        _bare_step(workflow, step.name, step.data)
        times.append(clock() - t0)
    assert workflow.is_completed()
    return opening, times


def bare_naive(scenario: Scenario, specs) -> tuple[float, list[float]]:
    """(b) What a naive web app does: load the saved JSON (the full spec inside), run the task,
    save the JSON again, around every user task."""
    t0 = clock()
    saved = NAIVE_SERIALIZER.serialize_json(_bare_start(*specs, scenario.opening))
    opening = clock() - t0
    times = []
    for step in scenario.steps:
        t0 = clock()
        workflow = NAIVE_SERIALIZER.deserialize_json(saved)
        _bare_step(workflow, step.name, step.data)
        saved = NAIVE_SERIALIZER.serialize_json(workflow)
        times.append(clock() - t0)
    assert NAIVE_SERIALIZER.deserialize_json(saved).is_completed()
    return opening, times


# ---------------------------------------------------------------- the engine

def ready_ids(ctx, case_id: int) -> dict[str, str]:
    """Task name -> id of the case's ready tasks (what a client reads from the case view)."""
    with ctx.unit_of_work() as session:
        case = session.get(Case, case_id)
        model = ctx.models.get(session, case.process_version_id)
        return {t.definition.name: t.id for t in CaseRun.load(model, case.workflow_state).ready_tasks()}


def record_evidence(ctx, scenario: Scenario, case_id: int, step_name: str) -> None:
    for checkpoint, data, occurred_at in scenario.evidence.get(step_name, ()):
        rights.record_evidence(ctx, ACTORS[roles.INVESTIGATOR], case_id, checkpoint, data, occurred_at=occurred_at)


def open_engine_case(ctx, scenario: Scenario) -> int:
    return cases.open_case(ctx, ACTORS[roles.INVESTIGATOR], PROCESS_ID, scenario.opening,
                           prosecutor=ACTORS[roles.PROSECUTOR].username)


def engine_case(ctx, scenario: Scenario) -> tuple[float, list[float]]:
    """(c/d) The service layer: one transaction per step with persistence, checks and audit."""
    t0 = clock()
    case_id = open_engine_case(ctx, scenario)
    opening = clock() - t0
    times = []
    for step in scenario.steps:
        record_evidence(ctx, scenario, case_id, step.name)
        task_id = ready_ids(ctx, case_id)[step.name]
        t0 = clock()
        cases.complete_task(ctx, ACTORS[step.lane], case_id, task_id, step.data)
        times.append(clock() - t0)
    with ctx.unit_of_work() as session:
        assert session.execute(select(Case.status).where(Case.id == case_id)).scalar_one() == "closed"
    return opening, times
