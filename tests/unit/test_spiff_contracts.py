"""Contracts with SpiffWorkflow: one test for each internal ``engine/workflow/spiff_internals.py``
relies on (and for the version-specific behaviour the adapter assumes).  On an upgrade of the
pinned 3.2.0, a failure here names what changed before a case finds out."""
import inspect
import json
from datetime import datetime, timedelta, timezone
from importlib.metadata import version

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.domain import payload
from engine.workflow import sandbox, spiff_internals as spiff
from engine.workflow.adapter import CaseRun, ProcessModel
from tests.unit.test_sandbox import subprocess_doc, timer_doc
from tests.unit.test_workflow_pruning import loop_diagram


def _waiting_timer():
    model = ProcessModel.from_bpmn(timer_doc('"PT48H"'))
    run = CaseRun.start(model, {})
    run.complete(run.ready_tasks()[0].id, {})
    [task] = [t for t in run.workflow.get_tasks(state=TaskState.WAITING)]
    return run, task


def _raw(model: ProcessModel) -> BpmnWorkflow:
    workflow = sandbox.attach(BpmnWorkflow(model.spec, model.subprocess_specs))
    workflow.get_next_task(state=TaskState.READY).set_data(rounds=0)
    workflow.do_engine_steps()
    return workflow


def test_the_installed_version_is_the_one_these_contracts_were_written_for():
    assert version("spiffworkflow") == spiff.SPIFF_VERSION


def test_a_tasks_internal_data_is_read_and_written_by_its_private_methods_and_saved():
    run, task = _waiting_timer()
    spiff.set_internal(task, habeas_probe="kept")
    assert spiff.get_internal(task, "habeas_probe") == "kept" and task.internal_data["habeas_probe"] == "kept"
    again = CaseRun.load(run.model, run.dump())
    assert spiff.get_internal(again.workflow.get_task_from_id(task.id), "habeas_probe") == "kept"


def test_a_duration_timer_keeps_its_due_time_in_event_value_and_compares_it_with_the_wall_clock():
    run, task = _waiting_timer()
    due = datetime.fromisoformat(spiff.get_internal(task, spiff.EVENT_VALUE))
    assert timedelta(hours=47) < due - datetime.now(timezone.utc) <= timedelta(hours=48)
    spiff.set_internal(task, **{spiff.EVENT_VALUE: "2000-01-01T00:00:00+00:00"})  # long past
    run.workflow.refresh_timers()
    run.workflow.do_engine_steps()
    assert run.workflow.is_completed()


def test_a_disarmed_timer_never_fires_on_the_wall_clock_but_fires_when_told():
    run, task = _waiting_timer()
    spiff.disarm_timer(task, habeas_due="2000-01-01T00:00:00+00:00")
    assert spiff.get_internal(task, "habeas_due") == "2000-01-01T00:00:00+00:00"
    run.workflow.refresh_timers()
    run.workflow.do_engine_steps()
    assert task.state == TaskState.WAITING and not run.workflow.is_completed()
    spiff.fire_timer(task)
    run.workflow.refresh_timers()
    run.workflow.do_engine_steps()
    assert run.workflow.is_completed()


def test_the_timer_helpers_the_adapter_computes_due_times_with():
    start = datetime(2024, 1, 31, 12, tzinfo=timezone.utc)
    parsed = TimerEventDefinition.parse_iso_duration("P1MT2H")
    # a month is the length of the month it starts in: from 31 January, 31 days
    assert start + TimerEventDefinition.get_timedelta_from_start(parsed, start) == datetime(2024, 3, 2, 14, tzinfo=timezone.utc)
    assert TimerEventDefinition.parse_time_or_duration("2024-03-01T00:00:00+00:00") == \
        datetime(2024, 3, 1, tzinfo=timezone.utc)


def test_the_saved_json_names_a_waiting_timers_state_spec_and_internal_data_as_read_without_loading():
    run, task = _waiting_timer()
    state = run.dump()
    assert spiff.may_wait_on_a_timer(state)
    assert list(spiff.saved_waiting_timers(json.loads(state))) == [(str(task.id), "wait", task.internal_data)]
    saved = json.loads(state)["tasks"][str(task.id)]
    assert saved["state"] == TaskState.WAITING == 8 and saved["task_spec"] == "wait"
    plain = CaseRun.start(ProcessModel.from_bpmn(loop_diagram("plain")), {"rounds": 0})
    assert not spiff.may_wait_on_a_timer(plain.dump())  # the key is written by timers only


def test_the_saved_layout_the_services_read_and_scrub():
    run = CaseRun.start(ProcessModel.from_bpmn(subprocess_doc("x = 1")), {})
    run.complete(run.ready_tasks()[0].id, {})
    dct = json.loads(run.dump())
    assert {"tasks", "subprocesses", "root", "last_task", "data", "serializer_version"} <= set(dct)
    assert "spec" not in dct and "subprocess_specs" not in dct  # left out by SpecByReference
    [sub] = dct["subprocesses"].values()
    assert "tasks" in sub and sub["parent_task_id"] in dct["tasks"]
    task = next(iter(dct["tasks"].values()))
    assert {"id", "parent", "children", "state", "task_spec", "internal_data", "data", "delta"} <= set(task)


def test_a_case_saved_without_its_spec_loads_back_with_the_spec_given():
    model = ProcessModel.from_bpmn(subprocess_doc("x = 1"))
    run = CaseRun.start(model, {"a": 1})
    run.complete(run.ready_tasks()[0].id, {"b": 2})
    state = spiff.dump_case(run.workflow)
    again = spiff.load_case(state, model.spec, model.subprocess_specs)
    assert again.spec is model.spec and set(again.subprocesses) == set(run.workflow.subprocesses)
    assert [t.task_spec.name for t in again.get_tasks(state=TaskState.READY, manual=True)] == ["sub_wait"]
    assert json.loads(state)["serializer_version"] == spiff.CASE_SERIALIZER.VERSION == "1.5"


def test_loading_installs_spiffworkflows_own_script_engine_so_the_sandbox_is_attached_again():
    model = ProcessModel.from_bpmn(subprocess_doc("x = 1"))
    run = CaseRun.start(model, {})
    run.complete(run.ready_tasks()[0].id, {})
    raw = spiff.load_case(run.dump(), model.spec, model.subprocess_specs)
    assert raw.script_engine is not sandbox.SCRIPT_ENGINE
    sandbox.attach(raw)
    assert all(sp.script_engine is sandbox.SCRIPT_ENGINE for sp in raw.subprocesses.values())  # delegated


def test_the_script_environment_is_called_with_the_signatures_the_sandbox_implements():
    for name in ("evaluate", "execute"):
        params = list(inspect.signature(getattr(BasePythonScriptEngineEnvironment, name)).parameters)
        assert params[:3] == ["self", "expression" if name == "evaluate" else "script", "context"]
        assert "external_context" in params


def test_spiffworkflow_takes_a_typename_key_for_one_of_its_types():
    restored = spiff.CASE_SERIALIZER.registry.restore({"typename": "datetime", "value": "2024-01-01T00:00:00"})
    assert isinstance(restored, datetime)
    assert payload.RESERVED_KEYS == {"typename"}


def test_tasks_link_by_id_through_the_workflow_and_a_missing_parent_reads_as_none():
    workflow = _raw(ProcessModel.from_bpmn(loop_diagram("plain")))
    [ready] = workflow.get_tasks(state=TaskState.READY, manual=True)
    assert isinstance(ready._parent, type(ready.id)) and workflow.tasks[ready._parent] is ready.parent
    assert all(workflow.tasks[c] is child for c, child in zip(ready._children, ready.children))
    assert workflow.task_tree.parent is None and workflow.last_task is ready.parent
    parent = workflow.tasks.pop(ready._parent)
    assert ready.parent is None
    workflow.tasks[parent.id] = parent


def test_a_task_saved_without_its_parent_keeps_its_whole_data_and_one_with_it_a_delta():
    """Pruning relinks the kept subtree under the root and leaves no task whose parent is gone
    unless it is saved with its whole data; a delta is restored on top of the parent's data."""
    workflow = _raw(ProcessModel.from_bpmn(loop_diagram("plain")))
    converter = spiff.CASE_SERIALIZER.registry
    [ready] = workflow.get_tasks(state=TaskState.READY, manual=True)
    assert ready.parent.data == {"rounds": 0}
    ready.data = {"rounds": 0, "more": 1}
    saved = converter.convert(ready)
    assert saved["data"] == {} and saved["delta"] == {"updates": {"more": 1}, "deletions": []}
    ready._parent = None
    assert converter.convert(ready)["data"] == {"rounds": 0, "more": 1}


def test_finished_means_completed_cancelled_or_in_error_and_a_state_change_is_timed():
    assert TaskState.FINISHED_MASK == TaskState.COMPLETED | TaskState.CANCELLED | TaskState.ERROR
    workflow = _raw(ProcessModel.from_bpmn(loop_diagram("plain")))
    [ready] = workflow.get_tasks(state=TaskState.READY, manual=True)
    before = ready.last_state_change
    ready.run()
    assert ready.state == TaskState.COMPLETED and ready.last_state_change >= before
    assert workflow.last_task is ready


def test_a_subprocess_is_kept_by_the_id_of_the_task_that_runs_it_and_stays_after_it_finishes():
    model = ProcessModel.from_bpmn(loop_diagram("subprocess"))
    workflow = _raw(model)
    workflow.get_tasks(state=TaskState.READY, manual=True)[0].run()  # open
    workflow.do_engine_steps()
    [(sp_id, sp)] = workflow.subprocesses.items()
    assert sp.parent_task_id == sp_id and workflow.tasks[sp_id].task_spec.name == "sub"
    sp.get_tasks(state=TaskState.READY, manual=True)[0].run()  # inner
    workflow.do_engine_steps()
    assert sp_id in workflow.subprocesses and workflow.tasks[sp_id].state == TaskState.COMPLETED  # pruning drops it


def test_migration_diffs_name_removed_tasks_and_align_specs_by_id():
    old = ProcessModel.from_bpmn(loop_diagram("plain"))
    new = ProcessModel.from_bpmn(loop_diagram("plain", open_task=False))
    workflow = _raw(old)
    workflow.get_tasks(state=TaskState.READY, manual=True)[0].run()
    workflow.do_engine_steps()
    top, subs = spiff.diff_workflow(spiff.SPEC_SERIALIZER.registry, workflow, new.spec, new.subprocess_specs)
    assert [t.task_spec.name for t in top.removed] == ["open"] and subs == {}
    diff = spiff.SpecDiff(spiff.SPEC_SERIALIZER.registry, old.spec, new.spec)
    assert diff.alignment[old.spec.task_specs["ask"]] is new.spec.task_specs["ask"]
    assert diff.alignment.get(old.spec.task_specs["open"]) is None
    assert "reset_mask" in inspect.signature(spiff.migrate_workflow).parameters


def test_task_specs_carry_the_attributes_the_adapter_reads():
    model = ProcessModel.from_bpmn(loop_diagram("plain"))
    ask = model.spec.task_specs["ask"]
    assert ask.manual is True and ask.bpmn_id == "ask" and ask.bpmn_name == "Ask"
    assert model.spec.task_specs["count"].manual is False and model.spec.task_specs["count"].script
    assert Task.__init__ is not None and hasattr(ask, "lane") and hasattr(ask, "extensions")


LANED = (f'<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
         'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="https://habeas.test">'
         '<bpmn:process id="laned" isExecutable="true"><bpmn:laneSet id="ls">'
         '<bpmn:lane id="l1" name="investigator"><bpmn:flowNodeRef>start</bpmn:flowNodeRef>'
         '<bpmn:flowNodeRef>first</bpmn:flowNodeRef><bpmn:flowNodeRef>inner</bpmn:flowNodeRef></bpmn:lane>'
         '<bpmn:lane id="l2" name="judge"><bpmn:flowNodeRef>sub</bpmn:flowNodeRef><bpmn:flowNodeRef>end</bpmn:flowNodeRef>'
         '</bpmn:lane></bpmn:laneSet><bpmn:startEvent id="start"/>'
         '<bpmn:userTask id="first"><bpmn:extensionElements><spiffworkflow:properties>'
         '<spiffworkflow:property name="stage" value="registration"/><spiffworkflow:property name="form" value="[]"/>'
         '</spiffworkflow:properties></bpmn:extensionElements></bpmn:userTask>'
         '<bpmn:subProcess id="sub"><bpmn:startEvent id="s0"/><bpmn:userTask id="inner"/><bpmn:endEvent id="s1"/>'
         '<bpmn:sequenceFlow id="g0" sourceRef="s0" targetRef="inner"/><bpmn:sequenceFlow id="g1" sourceRef="inner" targetRef="s1"/>'
         '</bpmn:subProcess><bpmn:endEvent id="end"/>'
         '<bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="first"/><bpmn:sequenceFlow id="f1" sourceRef="first" targetRef="sub"/>'
         '<bpmn:sequenceFlow id="f2" sourceRef="sub" targetRef="end"/></bpmn:process></bpmn:definitions>')


def test_the_parser_gives_a_subprocess_task_its_subprocess_lane_as_bpmn_xml_predicts():
    from engine.workflow import bpmn_xml
    model = ProcessModel.from_bpmn(LANED)
    root = bpmn_xml.parse_xml_safely(LANED)
    lanes = bpmn_xml._lanes_by_node(root)
    inner = next(n for n in root.iter(f"{{{bpmn_xml.BPMN_NS}}}userTask") if n.get("id") == "inner")
    assert model.tasks["inner"].lane == bpmn_xml._lane_of(inner, lanes) == "judge"
    assert model.tasks["first"].lane == "investigator"


def test_the_parser_reads_spiffworkflow_properties_as_bpmn_xml_does():
    from engine.workflow import bpmn_xml
    model = ProcessModel.from_bpmn(LANED)
    root = bpmn_xml.parse_xml_safely(LANED)
    first = next(n for n in root.iter(f"{{{bpmn_xml.BPMN_NS}}}userTask") if n.get("id") == "first")
    assert model.spec.task_specs["first"].extensions["properties"] == bpmn_xml._properties(first) == \
        {"stage": "registration", "form": "[]"}
