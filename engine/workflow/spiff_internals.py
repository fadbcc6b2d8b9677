"""Every SpiffWorkflow internal the adapter relies on, in one place, each with a contract test.

Why: SpiffWorkflow is pinned at 3.2.0, and the adapter needs a few things its public API does
not give: a task's internal data (where timers keep their state), the layout of a saved
workflow (read without loading it), the serializer's converter (to leave the spec out), the
task tree's parent/child links (to prune what a case has finished with).  Kept here, they are
the list to check on an upgrade; ``tests/unit/test_spiff_contracts.py`` pins each one, so an
upgrade that changes one fails a named test instead of a case in production.

Nothing else in Habeas may use a name of SpiffWorkflow's that starts with ``_``, the saved JSON's
keys, or the timer's internal data keys.  Three assumptions live elsewhere and are pinned by the
same tests: ``sandbox`` implements the script environment's ``evaluate``/``execute`` signatures
and relies on subprocesses delegating ``script_engine`` to the top workflow; ``bpmn_xml`` predicts
the lanes and properties the parser gives a task; ``engine.domain.payload`` refuses ``typename``
keys, which the serializer would restore as one of its own types.  One behaviour of 3.2.0 is
corrected by pruning and pinned as well: kept whole, a parallel join inside a loop counts the
previous round's branches and fires early (tests/unit/test_workflow_pruning.py).
"""
import json
from uuid import UUID

from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.util.diff import SpecDiff, diff_workflow, migrate_workflow  # noqa: F401 - see below
from SpiffWorkflow.util.task import TaskState

SPIFF_VERSION = "3.2.0"  # the version these contracts were written against (setup.cfg pins it)

# ---------------------------------------------------------------- a task's internal data

def get_internal(task, name: str):
    """``Task._get_internal_data``: the task's internal (not script-visible) data."""
    return task._get_internal_data(name)


def set_internal(task, **values) -> None:
    """``Task._set_internal_data``: kept with the task, saved and restored with it."""
    task._set_internal_data(**values)


# ---------------------------------------------------------------- timers
# A date or duration timer keeps its evaluated due time in ``internal_data['event_value']``
# (ISO-8601) and compares it with the wall clock each time it is refreshed; ``event_fired``
# makes it fire on the next refresh whatever the time.

EVENT_VALUE = "event_value"
EVENT_FIRED = "event_fired"
NEVER = "9999-12-31T00:00:00+00:00"  # a due time SpiffWorkflow's own wall-clock check never reaches


def disarm_timer(task, **keep) -> None:
    """Make SpiffWorkflow's own check of this waiting timer never fire (the engine fires it on
    its own clock), keeping ``keep`` (the engine's anchored due time) in its internal data."""
    set_internal(task, **keep, **{EVENT_VALUE: NEVER})


def fire_timer(task) -> None:
    """Fire this waiting timer at the workflow's next ``refresh_timers``."""
    set_internal(task, **{EVENT_FIRED: True})


# ---------------------------------------------------------------- the saved JSON
# A saved workflow is ``{"tasks": {id: task}, "subprocesses": {id: {"tasks": ...}}, ...}`` and
# each task ``{"state": int (TaskState), "task_spec": element id, "internal_data": {...}, ...}``.

def may_wait_on_a_timer(state: str) -> bool:
    """Cheap test on the saved text: a workflow none of whose tasks ever evaluated a timer
    cannot be waiting on one (the key is only written by a timer)."""
    return f'"{EVENT_VALUE}"' in state


def saved_waiting_timers(dct: dict):
    """``(task id, element id, internal data)`` of each saved task waiting with timer state."""
    for tasks in [dct.get("tasks", {})] + [sp.get("tasks", {}) for sp in dct.get("subprocesses", {}).values()]:
        for task_id, task in tasks.items():
            internal = task.get("internal_data") or {}
            if task.get("state") == TaskState.WAITING and EVENT_VALUE in internal:
                yield task_id, task["task_spec"], internal


# ---------------------------------------------------------------- the serializer
# A serialized workflow embeds its whole spec; cases are saved with the spec left out and given
# back on restore (``dct['spec']``/``dct['subprocess_specs']`` hold the objects).  This reuses the
# base converter's attribute handling (``WorkflowConverter.to_dict``, ``set_default_attributes``,
# ``mapping_*``, ``subprocesses_from_dict``) and ``BpmnWorkflow(..., deserializing=True)``.

HISTORY_KEY = "habeas_history"  # what pruning set aside (see ``History``), saved beside the tasks


class SpecByReference(BpmnWorkflowConverter):
    """Serialize a workflow without its specs; on restore, take them from ``dct['spec']`` objects.
    The workflow's ``History`` travels with it under ``HISTORY_KEY``."""

    def to_dict(self, workflow):
        dct = super(BpmnWorkflowConverter, self).to_dict(workflow)
        dct['subprocesses'] = self.mapping_to_dict(workflow.subprocesses)
        dct['bpmn_events'] = self.registry.convert(workflow.bpmn_events)
        history = history_of(workflow)
        if history:
            dct[HISTORY_KEY] = history.to_dict()
        return dct

    def from_dict(self, dct):
        spec, subprocess_specs = dct.pop('spec'), dct.pop('subprocess_specs')
        history = History.from_dict(dct.pop(HISTORY_KEY, None))
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct['tasks'], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct['root']))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct['subprocesses'], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop('bpmn_events', []))
        workflow.habeas_history = history
        return workflow


SPEC_SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
_CASE_CONFIG = dict(SPIFF_CONFIG)
_CASE_CONFIG[BpmnWorkflow] = SpecByReference
CASE_SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(_CASE_CONFIG))


def load_case(state: str, spec, subprocess_specs):
    """A saved case's workflow, its spec given back (the saved JSON's format migrated first)."""
    dct = json.loads(state)
    dct["spec"], dct["subprocess_specs"] = spec, subprocess_specs
    CASE_SERIALIZER.migrate(dct)
    return CASE_SERIALIZER.from_dict(dct)


def dump_case(workflow) -> str:
    return CASE_SERIALIZER.serialize_json(workflow)


# ---------------------------------------------------------------- migration
# ``SpiffWorkflow.bpmn.util.diff`` (3.x): ``diff_workflow(registry, workflow, spec, subprocess
# specs)`` gives a ``WorkflowDiff`` whose ``removed`` lists the tasks without a counterpart, and
# one per subprocess (``None`` when the new version lacks its spec); ``migrate_workflow`` swaps
# the specs and resets READY/WAITING tasks; ``SpecDiff(registry, old, new).alignment`` maps each
# old task spec to its counterpart (by id, then by structure), ``None`` when it has none.


# ---------------------------------------------------------------- the task tree
# Tasks link to each other by id: ``task._parent`` (a UUID) and ``task._children`` (UUIDs),
# resolved through ``workflow.tasks``; a link to a task no longer there reads as ``None``.
# ``workflow.task_tree`` is the root, ``workflow.last_task`` the task completed last, and
# ``workflow.subprocesses`` maps the id of the task that runs a subprocess to its workflow.

RECENT = 20  # completed user tasks remembered by id, to tell "done by someone else" from "no such task"


class History:
    """What pruning took out of a case's task tree: the element ids each process has completed
    (in the order first completed, once each: the diagram's highlighted path, and what a new
    version must still have) and the ids of the user tasks completed last.  The audit trail and
    the stage entries keep the full account of what happened; this is only what the engine reads."""

    def __init__(self, path: dict | None = None, done: list | None = None):
        self.path = {name: list(ids) for name, ids in (path or {}).items()}
        self.done = list(done or [])

    def __bool__(self):
        return bool(self.path or self.done)

    @classmethod
    def from_dict(cls, dct):
        return cls(**dct) if isinstance(dct, dict) else cls()

    def to_dict(self) -> dict:
        return {"path": self.path, "done": self.done}

    def add(self, process: str, element_ids, done_ids) -> None:
        seen = self.path.setdefault(process, [])
        known = set(seen)
        for element_id in element_ids:
            if element_id not in known:
                seen.append(element_id)
                known.add(element_id)
        self.done = (self.done + list(done_ids))[-RECENT:]


def history_of(workflow) -> History:
    history = getattr(workflow, "habeas_history", None)
    if history is None:
        history = workflow.habeas_history = History()
    return history


def prune(workflow) -> int:
    """Take out of the task tree (the top workflow's and each subprocess's) every finished task
    the workflow can no longer need, recording what they ran in its ``History``; returns how
    many tasks were taken out.

    Kept: the smallest subtree holding every unfinished task, rooted at the parent of their
    lowest common ancestor (a task about to run inherits its parent's data; a join, a boundary
    event's split and a migration's reset find what they look for in it), and the root (new
    branches such as event subprocesses start from it) linked to that subtree.  A workflow with
    nothing unfinished, whose unfinished tasks meet only at the root (parallel branches started
    from the start), or whose task completed last (the case's data is read from it) lies
    outside that subtree, is left as it is.
    Subprocesses run by a task taken out go too, once finished (a running one is never dropped)."""
    history = history_of(workflow)
    removed = _prune_tree(workflow, history)
    for sp in list(workflow.subprocesses.values()):
        removed += _prune_tree(sp, history)
    while True:  # finished subprocesses whose task is gone (nested ones after their parents)
        gone = [sp_id for sp_id, sp in workflow.subprocesses.items()
                if not _has_task(workflow, sp.parent_task_id) and not _running(sp)]
        if not gone:
            break
        for sp_id in gone:
            sp = workflow.subprocesses.pop(sp_id)
            finished = [t for t in sp.tasks.values() if t.state == TaskState.COMPLETED]
            history.add(sp.spec.name, [t.task_spec.name for t in finished],
                        [str(t.id) for t in finished if t.task_spec.manual])
            removed += len(sp.tasks)
    return removed


def _running(workflow) -> bool:
    return any(not t.has_state(TaskState.FINISHED_MASK) for t in workflow.tasks.values())


def _has_task(workflow, task_id) -> bool:
    if task_id in workflow.tasks:
        return True
    return any(task_id in sp.tasks for sp in workflow.subprocesses.values())


def _prune_tree(wf, history: History) -> int:
    root = wf.task_tree
    live = [t for t in wf.tasks.values() if not t.has_state(TaskState.FINISHED_MASK)]
    if root is None or not live:
        return 0
    lowest = _common_ancestor(live)
    cut = lowest.parent if lowest is not None else None
    if cut is None or cut is root or cut.parent is None or cut.parent is root:
        return 0
    keep = {root.id}
    stack = [cut]
    while stack:
        task = stack.pop()
        keep.add(task.id)
        stack.extend(c for c in task.children if c is not None)
    if wf.last_task is not None and wf.last_task.id not in keep:
        return 0  # the case's data is read from it: keep the tree whole this time
    removed = [t for t in wf.tasks.values() if t.id not in keep]
    finished = [t for t in removed if t.state == TaskState.COMPLETED]
    history.add(wf.spec.name, [t.task_spec.name for t in finished],
                [str(t.id) for t in finished if t.task_spec.manual])
    for task in removed:
        del wf.tasks[task.id]
    root._children = [cut.id] + [c for c in root._children if c in keep and c != cut.id]
    cut._parent = root.id
    return len(removed)


def _common_ancestor(tasks):
    """The lowest task that is an ancestor of (or is) every task in ``tasks``."""
    chain = []
    task = tasks[0]
    while task is not None:
        chain.append(task)
        task = task.parent
    position = {t.id: i for i, t in enumerate(chain)}
    highest = 0
    for task in tasks[1:]:
        while task is not None and task.id not in position:
            task = task.parent
        if task is None:
            return None
        highest = max(highest, position[task.id])
    return chain[highest]
