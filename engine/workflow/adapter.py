"""The adapter around SpiffWorkflow: parse a deployed model, start, load, run and save a case.

Everything that touches SpiffWorkflow objects lives here (and in ``sandbox``/``bpmn_xml``; what
relies on SpiffWorkflow's internals, in ``spiff_internals``, each with a contract test), so
the services see only plain values: ``ProcessModel`` (a parsed, deployed version), ``CaseRun``
(one case's running workflow) and ``ReadyTask`` (a task a person can complete).

Three lessons from running SpiffWorkflow shape it:
- a serialized workflow embeds its whole spec; we store each deployed spec once and serialize
  instances with the spec left out (``spiff_internals.SpecByReference``), restoring it from a
  per-process cache;
- a workflow keeps every task it ever ran, so a case's saved state (and the cost of each step's
  load and save) would grow with its history; ``dump`` prunes the finished part of the task tree
  (``spiff_internals.prune``), keeping in a small ``History`` the elements run (the highlighted
  path, and what a migration checks) and the user tasks completed last;
- loading a workflow reinstalls the default, unrestricted script engine, so ``CaseRun`` attaches
  the sandbox after every start and every load, in one place.
"""
import json
import logging
import time
from datetime import datetime, timezone
from uuid import UUID
from dataclasses import dataclass
from functools import cached_property

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (CycleTimerEventDefinition,
                                                              DurationTimerEventDefinition,
                                                              TimerEventDefinition)
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

from ..domain import payload
from ..domain.errors import InvalidBpmn, NotFound, WorkflowError
from ..domain.forms import FormField, translated_keys
from . import limits, sandbox, spiff_internals as spiff
from .bpmn_xml import parse_xml_safely


_SPEC_SERIALIZER = spiff.SPEC_SERIALIZER
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TaskDefinition:
    """What a diagram declares about a user task: its stage, lane (role) and form."""

    name: str
    title: str
    stage: str | None
    lane: str | None
    form: tuple[FormField, ...]
    evidence: tuple[str, ...]  # checkpoints whose evidence this task's form records
    checkpoints: tuple[str, ...]
    instructions: str
    act: str | None = None  # the kind of act (engine.domain.acts.ActKind) the task is
    translations: tuple[tuple[str, str], ...] = ()  # name_ru, instructions_kk, ... as the diagram gives them


@dataclass(frozen=True)
class ReadyTask:
    id: str
    definition: TaskDefinition


class ProcessModel:
    """A parsed, deployed process version: its spec, subprocess specs and task definitions."""

    def __init__(self, process_id: str, spec, subprocess_specs: dict):
        self.process_id = process_id
        self.spec = spec
        self.subprocess_specs = subprocess_specs

    @classmethod
    def from_bpmn(cls, xml: bytes | str, process_id: str | None = None) -> "ProcessModel":
        """Parse a BPMN document safely (no DTD, no entities, no network, size-limited)."""
        root = parse_xml_safely(xml)
        parser = SpiffBpmnParser(validator=VALIDATOR)
        try:
            parser.add_bpmn_xml(root, filename="deployment.bpmn")
            ids = parser.get_process_ids()
            if not ids:
                raise InvalidBpmn("no executable process", [{"element": None, "message": "no executable process"}])
            chosen = process_id or _main_process(parser, ids)
            spec = parser.get_spec(chosen)
            subprocess_specs = parser.get_subprocess_specs(chosen)
        except InvalidBpmn:
            raise
        except (SpiffWorkflowException, Exception) as err:  # the parser raises many kinds
            element = getattr(err, "id", None) or getattr(err, "sourceline", None)
            message = f"the model does not parse: {_short(err)}"
            raise InvalidBpmn(message, [{"element": str(element) if element else None, "message": message}]) from None
        return cls(chosen, spec, subprocess_specs)

    def to_json(self) -> str:
        return json.dumps({
            "process_id": self.process_id,
            "spec": _SPEC_SERIALIZER.to_dict(self.spec),
            "subprocess_specs": {k: _SPEC_SERIALIZER.to_dict(v) for k, v in self.subprocess_specs.items()},
        })

    @classmethod
    def from_json(cls, text: str) -> "ProcessModel":
        dct = json.loads(text)
        return cls(dct["process_id"], _SPEC_SERIALIZER.from_dict(dct["spec"]),
                   {k: _SPEC_SERIALIZER.from_dict(v) for k, v in dct["subprocess_specs"].items()})

    @cached_property
    def tasks(self) -> dict[str, TaskDefinition]:
        """Every user task of the process and its subprocesses, by spec name."""
        found = {}
        for spec in (self.spec, *self.subprocess_specs.values()):
            for task_spec in spec.task_specs.values():
                if getattr(task_spec, "manual", False):
                    found[task_spec.name] = _definition(task_spec)
        return found

    @property
    def title(self) -> str:
        return self.spec.description or self.process_id


def _main_process(parser, ids: list[str]) -> str:
    """The process no other executable process calls (a document may hold called processes too)."""
    called = set()
    for pid in ids:
        for spec in parser.get_subprocess_specs(pid).values():
            called.add(spec.name)
    roots = [pid for pid in ids if pid not in called]
    return (roots or ids)[0]


def _definition(task_spec) -> TaskDefinition:
    ext = getattr(task_spec, "extensions", {}) or {}
    props = ext.get("properties", {}) or {}
    try:
        form = tuple(FormField.from_dict(f) for f in json.loads(props.get("form") or "[]"))
    except (ValueError, TypeError):
        form = ()
    extra = _ids(props.get("checkpoints"))
    return TaskDefinition(
        name=task_spec.name, title=task_spec.bpmn_name or task_spec.name, stage=props.get("stage"),
        lane=task_spec.lane, form=form, evidence=_ids(props.get("evidence")), checkpoints=extra,
        instructions=ext.get("instructionsForEndUser") or "", act=(props.get("act") or "").strip() or None,
        translations=translated_keys(props, ("name", "instructions")))


def _ids(text: str | None) -> tuple[str, ...]:
    """A comma-separated list of checkpoint ids, as diagrams write them."""
    return tuple(c.strip() for c in (text or "").split(",") if c.strip())


class CaseRun:
    """One case's workflow, always with the sandboxed script engine attached."""

    def __init__(self, model: ProcessModel, workflow: BpmnWorkflow):
        self.model = model
        self.workflow = sandbox.attach(workflow)

    @classmethod
    def start(cls, model: ProcessModel, data: dict) -> "CaseRun":
        since = time.time()
        workflow = BpmnWorkflow(model.spec, model.subprocess_specs)
        run = cls(model, workflow)
        start = workflow.get_next_task(state=TaskState.READY)
        start.set_data(**data)
        run._engine_steps(since)
        return run

    @classmethod
    def load(cls, model: ProcessModel, state: str) -> "CaseRun":
        """The saved workflow, running again; ``Unloadable`` (whatever the cause: bad JSON,
        data SpiffWorkflow cannot restore, nesting that exhausts its recursion) if it cannot be."""
        try:
            return cls(model, spiff.load_case(state, model.spec, model.subprocess_specs))
        except Exception as err:  # noqa: BLE001 - any failure to restore is the same incident
            raise Unloadable(f"the case's saved workflow cannot be loaded: {type(err).__name__}: {_short(err)}") from None

    def dump(self) -> str:
        """The case's workflow as saved JSON, the finished part of its task tree pruned first
        (so neither the text nor the next step's load grows with the case's history)."""
        try:
            spiff.prune(self.workflow)
        except Exception:  # noqa: BLE001 - a tree pruning does not foresee: saved whole, as before
            _log.warning("the case's workflow could not be pruned; saved whole", exc_info=True)
        try:
            return spiff.dump_case(self.workflow)
        except Exception as err:  # noqa: BLE001 - a value in task data that JSON cannot hold
            raise WorkflowError(f"the case's data cannot be saved: {type(err).__name__}: {_short(err)}") from None

    def ready_tasks(self) -> list[ReadyTask]:
        tasks = self.workflow.get_tasks(state=TaskState.READY, manual=True)
        return [ReadyTask(str(t.id), self.model.tasks.get(t.task_spec.name) or _definition(t.task_spec))
                for t in tasks]

    def ready_task(self, task_id: str) -> ReadyTask:
        for task in self.ready_tasks():
            if task.id == task_id:
                return task
        raise NotFound(f"no ready task '{task_id}' in this case")

    def complete(self, task_id: str, data: dict) -> None:
        since = time.time()
        task = self._task(task_id)
        task.set_data(**data)
        try:
            with limits.step_limit():
                task.run()
        except Exception as err:  # noqa: BLE001 - SpiffWorkflow's, a script's, or a limit's
            raise WorkflowError(f"task '{task.task_spec.bpmn_name or task.task_spec.name}' failed: {_cause(err)}") from None
        self._engine_steps(since)

    def update_data(self, values: dict) -> None:
        """Facts established outside the diagram (a release) reach every task still to run, so
        the gateways that read them take the right branch."""
        for task in self.workflow.get_tasks(state=TaskState.READY | TaskState.WAITING | TaskState.FUTURE
                                            | TaskState.LIKELY | TaskState.MAYBE):
            task.data.update(values)
        self.workflow.data.update(values)

    def fire_due_timers(self, now: datetime | None = None) -> list["Timer"]:
        """Fire the timers due at ``now`` (by default the wall clock) and run on; the timers
        the run then waits on are anchored to ``now``.  Returns the timers that fired."""
        now = now or datetime.now(timezone.utc)
        since = time.time()
        fired = []
        for task in self._timer_tasks():
            due = _anchored_due(task)
            if due is not None and due <= now:
                spiff.fire_timer(task)
                fired.append(_timer(task))
        self.workflow.refresh_timers()
        self._engine_steps(since)
        self.anchor_timers(now)
        return fired

    def anchor_timers(self, now: datetime) -> bool:
        """Put every waiting timer on the engine's clock: its due time is computed from ``now``
        (the moment the timer started, in the injectable clock), kept in the task, and
        SpiffWorkflow's own wall-clock check is disarmed, so that only ``fire_due_timers``
        fires it.  Returns whether any timer was anchored."""
        changed = False
        for task in self._timer_tasks():
            if _anchored_due(task) is not None:
                continue
            due = self._due_from(task, now)
            if due is None:
                continue
            spiff.disarm_timer(task, **{_DUE: due.isoformat()})
            changed = True
        return changed

    def timers(self) -> list["Timer"]:
        """The timers the case waits on, each with its due time (``None`` if not anchored)."""
        return [_timer(task) for task in self._timer_tasks()]

    def migrate(self, new: "ProcessModel") -> "CaseRun":
        """Move this case to another version of its process (``SpiffWorkflow.bpmn.util.diff``).

        Refused (``WorkflowError``) when the new version lacks an element the case has run or
        waits at, or a subprocess it is in.  SpiffWorkflow resets waiting tasks when it
        migrates; the timers' due times are carried over by element id, so a model change
        never restarts a timer."""
        dues = {t.bpmn_id: t.due_at for t in self.timers() if t.due_at is not None}
        registry = _SPEC_SERIALIZER.registry
        top, subs = spiff.diff_workflow(registry, self.workflow, new.spec, new.subprocess_specs)
        lost = [t for t in top.removed if t.state & _LIVE_STATES]
        for sp_id, sp_diff in subs.items():
            if sp_diff is None:
                raise WorkflowError("the new version lacks a subprocess this case is in")
            lost += [t for t in sp_diff.removed if t.state & _LIVE_STATES]
        history, lost_earlier = self._history_in(new)
        if lost or lost_earlier:
            names = sorted({t.task_spec.bpmn_name or t.task_spec.name for t in lost} | lost_earlier)
            raise WorkflowError("the new version lacks elements this case has run or waits at: "
                                + ", ".join(names))
        spiff.migrate_workflow(top, self.workflow, new.spec)
        self.workflow.habeas_history = history
        for sp_id, sp in self.workflow.subprocesses.items():
            spiff.migrate_workflow(subs[sp_id], sp, new.subprocess_specs[sp.spec.name])
        self.workflow.subprocess_specs = new.subprocess_specs
        run = CaseRun(new, self.workflow)
        run._engine_steps()
        for task in run._timer_tasks():
            bpmn_id = getattr(task.task_spec, "bpmn_id", None) or task.task_spec.name
            if bpmn_id in dues and _anchored_due(task) is None:
                spiff.disarm_timer(task, **{_DUE: dues[bpmn_id].isoformat()})
        return run

    def _history_in(self, new: "ProcessModel") -> tuple["spiff.History", set[str]]:
        """The elements run before pruning, as the new version names them (``SpecDiff`` aligns
        elements by id, then by structure), and the names of those it lacks."""
        old = {**{s.name: s for s in self.model.subprocess_specs.values()}, self.model.spec.name: self.model.spec}
        new_specs = {**new.subprocess_specs, new.spec.name: new.spec}
        before = spiff.history_of(self.workflow)
        after, lost = spiff.History(done=before.done), set()
        for process, names in before.path.items():
            old_spec, new_spec = old.get(process), new_specs.get(process)
            if old_spec is None or new_spec is None:
                lost |= set(names) if new_spec is None else set()
                after.add(process, names if new_spec is not None else [], [])
                continue
            diff = spiff.SpecDiff(_SPEC_SERIALIZER.registry, old_spec, new_spec)
            kept = []
            for name in names:
                spec = old_spec.task_specs.get(name)
                aligned = diff.alignment.get(spec) if spec is not None else None
                if aligned is None:
                    lost.add(getattr(spec, "bpmn_name", None) or name)
                else:
                    kept.append(aligned.name)
            after.add(process, kept, [])
        return after, lost

    def _timer_tasks(self) -> list:
        return [t for t in self.workflow.get_tasks(state=TaskState.WAITING)
                if isinstance(getattr(t.task_spec, "event_definition", None), TimerEventDefinition)]

    def _due_from(self, task, now: datetime) -> datetime | None:
        definition = task.task_spec.event_definition
        if isinstance(definition, CycleTimerEventDefinition):
            return None  # cycles stay with SpiffWorkflow
        try:
            value = self.workflow.script_engine.evaluate(task, definition.expression)
            if isinstance(definition, DurationTimerEventDefinition):
                parsed = TimerEventDefinition.parse_iso_duration(value)
                return now + TimerEventDefinition.get_timedelta_from_start(parsed, now)
            return TimerEventDefinition.parse_time_or_duration(value)
        except Exception as err:  # an expression that fails is a model error
            raise WorkflowError(f"timer '{task.task_spec.bpmn_name or task.task_spec.name}' "
                                f"failed: {_short(err)}") from None

    @property
    def completed(self) -> bool:
        return self.workflow.is_completed()

    @property
    def data(self) -> dict:
        """The data as the latest completed task left it (what the case's facts are read from)."""
        last = self.workflow.last_task
        return dict(last.data) if last is not None else dict(self.workflow.data)

    def path_taken(self) -> list[str]:
        """Element ids of the tasks the case has completed (each once, in the order first
        completed), for highlighting in a diagram: those pruned, then those still in the tree."""
        specs = {**{s.name: s for s in self.model.subprocess_specs.values()}, self.model.spec.name: self.model.spec}
        path = {}
        for process, names in spiff.history_of(self.workflow).path.items():
            spec = specs.get(process)
            for name in names:
                bpmn_id = getattr(spec.task_specs.get(name), "bpmn_id", None) if spec is not None else None
                if bpmn_id:
                    path[bpmn_id] = None
        for t in self.workflow.get_tasks(state=TaskState.COMPLETED):
            if getattr(t.task_spec, "bpmn_id", None):
                path[t.task_spec.bpmn_id] = None
        return list(path)

    def completed_user_tasks(self) -> set[str]:
        """Ids of the user tasks the saved workflow knows as completed: those still in the tree
        and the last ones pruned (``spiff_internals.RECENT``).  The audit trail keeps them all."""
        in_tree = {str(t.id) for t in self.workflow.get_tasks(state=TaskState.COMPLETED, manual=True)}
        return in_tree | set(spiff.history_of(self.workflow).done)

    def was_completed(self, task_id: str) -> bool:
        """Whether the task was completed: still in the tree, or among the user tasks completed last."""
        task = self._find(task_id)
        if task is not None:
            return task.state == TaskState.COMPLETED
        return task_id in spiff.history_of(self.workflow).done

    def _find(self, task_id: str):
        try:
            return self.workflow.get_task_from_id(UUID(task_id))
        except Exception:  # not a UUID, or no such task
            return None

    def _task(self, task_id: str):
        task = self._find(task_id)
        if task is None or task.state != TaskState.READY or not task.task_spec.manual:
            raise NotFound(f"no ready task '{task_id}' in this case")
        return task

    def _engine_steps(self, since: float | None = None) -> None:
        try:
            with limits.step_limit():
                self.workflow.do_engine_steps()
        except Exception as err:  # noqa: BLE001 - SpiffWorkflow's, a script's, or a limit's
            raise WorkflowError(f"the process failed: {_cause(err)}") from None
        if self.workflow.get_tasks(state=TaskState.ERROR):
            names = [t.task_spec.bpmn_name or t.task_spec.name for t in self.workflow.get_tasks(state=TaskState.ERROR)]
            raise WorkflowError(f"the process is stuck in error at: {', '.join(names)}")
        if since is not None:
            self._check_data(since)

    def _check_data(self, since: float) -> None:
        """What the scripts run in this step left in task data must load back (plain, bounded
        JSON, no ``typename`` key): a script that leaves bytes, an exception or a set fails the
        step here, with the task named, instead of the save or a later load.  Only tasks that
        ran Python are looked at: everyone else's data is a copy of theirs or of validated forms."""
        for task in self._all_tasks():
            if task.last_state_change < since or not task.data or not _runs_python(task.task_spec):
                continue
            try:
                payload.check(task.data, "data")
            except payload.PayloadError as err:
                name = task.task_spec.bpmn_name or task.task_spec.name
                raise WorkflowError(f"task '{name}' left data the case cannot keep: {err}") from None

    def _all_tasks(self):
        yield from self.workflow.tasks.values()
        for subprocess in self.workflow.subprocesses.values():
            yield from subprocess.tasks.values()


def _runs_python(spec) -> bool:
    """A script task, or any task with a pre- or post-script: what can write task data."""
    return bool(getattr(spec, "script", None) or getattr(spec, "prescript", None)
                or getattr(spec, "postscript", None))


class Unloadable(WorkflowError):
    """A saved workflow that cannot be restored: the case is in incident until an admin repairs it."""

    code = "incident"


@dataclass(frozen=True)
class Timer:
    """A timer event a case waits on: its task, element id and name, and when it is due."""

    id: str
    bpmn_id: str
    name: str
    due_at: datetime | None


_DUE = "habeas_due"  # internal task data: the anchored due time (ISO-8601, UTC)
_LIVE_STATES = TaskState.COMPLETED | TaskState.READY | TaskState.WAITING | TaskState.STARTED


def _anchored_due(task) -> datetime | None:
    value = spiff.get_internal(task, _DUE)
    return datetime.fromisoformat(value) if value else None


def _timer(task) -> Timer:
    spec = task.task_spec
    bpmn_id = getattr(spec, "bpmn_id", None) or spec.name
    return Timer(str(task.id), bpmn_id, getattr(spec, "bpmn_name", None) or bpmn_id, _anchored_due(task))


def saved_timers(state: str) -> list[Timer] | None:
    """The timers a saved case waits on, read from its JSON without loading the workflow;
    ``None`` when one of them is not yet anchored (load the case and ``anchor_timers``)."""
    if not spiff.may_wait_on_a_timer(state):
        return []
    found = []
    for task_id, element_id, internal in spiff.saved_waiting_timers(json.loads(state)):
        if not internal.get(_DUE):
            return None
        found.append(Timer(task_id, element_id, element_id, datetime.fromisoformat(internal[_DUE])))
    return found


def _cause(err: BaseException) -> str:
    """The error and, when SpiffWorkflow wrapped it without saying why ("Error evaluating
    expression ..."), the error it wrapped: a limit reached in a condition names the limit."""
    text = _short(err)
    cause = err.__cause__ or err.__context__
    if cause is not None and str(cause).strip() and str(cause).strip().splitlines()[0] not in text:
        text = f"{text} ({type(cause).__name__}: {_short(cause)})"
    return text[:600]


def _short(err: Exception) -> str:
    text = str(err).strip().splitlines()[0] if str(err).strip() else err.__class__.__name__
    return text[:300]
