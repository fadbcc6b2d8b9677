"""A case's saved workflow does not grow with its history (``spiff_internals.prune``), and pruning
changes nothing a case does: the same diagrams are run twice, side by side, one workflow kept
whole in memory and one saved and loaded (so pruned) around every step; at every step both have
the same ready tasks, data, timers and path.  Loops, parallel gateways, timers, boundary events
and subprocesses are each in a diagram; a migration after pruning still refuses a version that
lacks an element the case ran before the prune."""
import json
from datetime import datetime, timedelta, timezone

import pytest

from engine.domain.errors import WorkflowError
from engine.workflow.adapter import CaseRun, ProcessModel, saved_timers

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
T0 = datetime(2020, 1, 6, 9, 0, tzinfo=timezone.utc)
ROUNDS = 24


def _user(node_id):
    return f'<bpmn:userTask id="{node_id}" name="{node_id.capitalize()}"/>'


def _timer(node_id, hours, tag="intermediateCatchEvent", extra=""):
    return (f'<bpmn:{tag} id="{node_id}" name="{node_id}"{extra}><bpmn:timerEventDefinition>'
            f'<bpmn:timeDuration>"PT{hours}H"</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:{tag}>')


def _flow(source, target, condition=None):
    cond = f"<bpmn:conditionExpression>{condition}</bpmn:conditionExpression>" if condition else ""
    return f'<bpmn:sequenceFlow id="f_{source}_{target}" sourceRef="{source}" targetRef="{target}">{cond}</bpmn:sequenceFlow>'


def loop_diagram(section: str, open_task: bool = True, process_id: str = "rounds") -> str:
    """start -> open -> again -> [section] -> count (script) -> ask -> more? (yes: again; no: close -> end).

    ``section``: "plain" (nothing), "parallel" (three user tasks between a parallel split and
    join), "timer" (an intermediate timer of 1 h), "boundary" (an interrupting 2 h timer on
    ask, leading to chase and back to again), "subprocess" (a subprocess with one user task),
    "multiinstance" (a user task done twice in sequence, a BPMN loop characteristic)."""
    nodes = ['<bpmn:startEvent id="start"/>', '<bpmn:exclusiveGateway id="again"/>',
             '<bpmn:scriptTask id="count"><bpmn:script>rounds = rounds + 1</bpmn:script></bpmn:scriptTask>',
             _user("ask"), '<bpmn:exclusiveGateway id="more" default="f_more_close"/>', _user("close"),
             '<bpmn:endEvent id="end"/>']
    flows = [_flow("more", "again", "another == True"), _flow("more", "close"), _flow("close", "end"),
             _flow("count", "ask"), _flow("ask", "more")]
    if open_task:
        nodes.append(_user("open"))
        flows += [_flow("start", "open"), _flow("open", "again")]
    else:
        flows.append(_flow("start", "again"))
    if section == "parallel":
        nodes += ['<bpmn:parallelGateway id="split"/>', '<bpmn:parallelGateway id="join"/>',
                  _user("a"), _user("b"), _user("c")]
        flows += [_flow("again", "split"), _flow("join", "count")]
        flows += [_flow("split", x) for x in "abc"] + [_flow(x, "join") for x in "abc"]
    elif section == "timer":
        nodes.append(_timer("wait", 1))
        flows += [_flow("again", "wait"), _flow("wait", "count")]
    elif section == "boundary":
        nodes += [_timer("late", 2, "boundaryEvent", ' attachedToRef="ask" cancelActivity="true"'), _user("chase")]
        flows += [_flow("again", "count"), _flow("late", "chase"), _flow("chase", "again")]
    elif section == "subprocess":
        nodes.append('<bpmn:subProcess id="sub"><bpmn:startEvent id="sub_start"/>' + _user("inner")
                     + '<bpmn:endEvent id="sub_end"/>' + _flow("sub_start", "inner") + _flow("inner", "sub_end")
                     + '</bpmn:subProcess>')
        flows += [_flow("again", "sub"), _flow("sub", "count")]
    elif section == "multiinstance":
        nodes.append('<bpmn:userTask id="each" name="Each"><bpmn:multiInstanceLoopCharacteristics isSequential="true">'
                     '<bpmn:loopCardinality>2</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics></bpmn:userTask>')
        flows += [_flow("again", "each"), _flow("each", "count")]
    else:
        flows.append(_flow("again", "count"))
    return (f'<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions xmlns:bpmn="{BPMN}" id="defs" '
            f'targetNamespace="https://habeas.test"><bpmn:process id="{process_id}" isExecutable="true">'
            + "".join(nodes) + "".join(flows) + "</bpmn:process></bpmn:definitions>")


def _plan(section: str) -> list:
    """What a person (or the clock) does, round after round; ("fire", hours) moves the clock."""
    plan = [("open", {})]
    for i in range(ROUNDS):
        last = i == ROUNDS - 1
        if section == "parallel":
            plan += [(x, {x: i}) for x in ("abc", "cab", "bca")[i % 3]]
        elif section == "timer":
            plan.append(("fire", 1))
        elif section == "subprocess":
            plan.append(("inner", {"inner": i}))
        elif section == "multiinstance":
            plan += [("each [child]", {"each": i}), ("each [child]", {"each": -i})]
        if section == "boundary" and i % 2 and not last:
            plan += [("fire", 2), ("chase", {})]  # late: chased, then round again
            continue
        plan.append(("ask", {"another": not last, "answer": i}))
    return plan + [("close", {})]


def _view(run: CaseRun) -> tuple:
    return (sorted(t.definition.name for t in run.ready_tasks()), run.data,
            sorted((t.bpmn_id, t.due_at) for t in run.timers()), run.completed, set(run.path_taken()))


def _saved_tasks(state: str) -> int:
    dct = json.loads(state)
    return len(dct["tasks"]) + sum(len(sp["tasks"]) for sp in dct["subprocesses"].values())


def _act(run: CaseRun, action, now) -> None:
    name, value = action
    if name == "fire":
        run.fire_due_timers(now)
    else:
        task = next(t for t in run.ready_tasks() if t.definition.name == name)
        run.complete(task.id, value)
    run.anchor_timers(now)


@pytest.mark.parametrize("section", ["plain", "timer", "boundary", "subprocess", "multiinstance"])
def test_a_pruned_case_runs_exactly_like_one_kept_whole(section):
    model = ProcessModel.from_bpmn(loop_diagram(section))
    whole, saved = CaseRun.start(model, {"rounds": 0}), CaseRun.start(model, {"rounds": 0})
    now = T0
    for run in (whole, saved):
        run.anchor_timers(now)
    state, sizes = saved.dump(), []
    for action in _plan(section):
        now += timedelta(hours=action[1]) if action[0] == "fire" else timedelta(minutes=1)
        pruned = CaseRun.load(model, state)
        _act(whole, action, now)
        _act(pruned, action, now)
        assert _view(pruned) == _view(whole), action
        state = pruned.dump()
        assert _view(CaseRun.load(model, state)) == _view(whole), action
        sizes.append(_saved_tasks(state))
    assert whole.completed and (section == "boundary" or whole.data["rounds"] == ROUNDS)
    tenth = len(sizes) // 10
    assert max(sizes[5 * tenth:9 * tenth]) <= max(sizes[tenth:3 * tenth])  # flat: no task kept per round


def _parallel_rounds(saved: bool, rounds: int = 6) -> list[list[str]]:
    """The ready tasks after each branch of each round, the workflow saved and loaded between
    steps (``saved``) or kept whole in memory."""
    model = ProcessModel.from_bpmn(loop_diagram("parallel"))
    run = CaseRun.start(model, {"rounds": 0})
    run.complete(run.ready_tasks()[0].id, {})
    seen = []
    for i in range(rounds):
        for name in ("abc", "cab", "bca")[i % 3]:
            if saved:
                run = CaseRun.load(model, run.dump())
            run.complete(next(t.id for t in run.ready_tasks() if t.definition.name == name), {})
            seen.append(sorted(t.definition.name for t in run.ready_tasks()))
        if "ask" in seen[-1]:
            run.complete(next(t.id for t in run.ready_tasks() if t.definition.name == "ask"), {"another": True})
    return seen


def test_a_parallel_join_waits_for_every_branch_in_every_round_after_pruning():
    assert _parallel_rounds(saved=True) == [["b", "c"], ["c"], ["ask"], ["a", "b"], ["b"], ["ask"],
                                            ["a", "c"], ["a"], ["ask"]] * 2


def test_kept_whole_spiffworkflow_fires_a_looped_join_early_which_pruning_prevents():
    """SpiffWorkflow 3.2.0 counts the previous round's cancelled join tasks as arrived branches:
    in a loop kept whole, the join fires from the second round on before every branch is done.
    Pruning takes the previous rounds out of the tree, so a case waits, as BPMN says.  (If an
    upgrade fixes this, this test says so: the two then agree.)"""
    whole = _parallel_rounds(saved=False, rounds=2)
    assert whole[:3] == [["b", "c"], ["c"], ["ask"]] and "ask" in whole[3]


def test_the_path_and_the_last_completed_tasks_survive_pruning():
    model = ProcessModel.from_bpmn(loop_diagram("plain"))
    run = CaseRun.start(model, {"rounds": 0})
    run.complete(run.ready_tasks()[0].id, {})
    done = []
    for _ in range(10):
        task = run.ready_tasks()[0]
        run.complete(task.id, {"another": True})
        done.append(task.id)
        run = CaseRun.load(model, run.dump())
    assert "open" not in json.dumps(json.loads(run.dump())["tasks"])  # pruned from the tree ...
    assert {"open", "again", "count", "ask", "more"} <= set(run.path_taken())  # ... yet on the path
    assert run.was_completed(done[0]) and run.was_completed(done[-1])
    assert not run.was_completed(run.ready_tasks()[0].id)
    assert set(done) <= run.completed_user_tasks()  # what the load test checks acknowledgements against
    assert run.ready_tasks()[0].id not in run.completed_user_tasks()
    assert run.data["rounds"] == 11  # counted before each question, the one now ready too


def test_subprocesses_that_finished_are_not_kept():
    model = ProcessModel.from_bpmn(loop_diagram("subprocess"))
    run = CaseRun.start(model, {"rounds": 0})
    run.complete(run.ready_tasks()[0].id, {})
    for i in range(8):
        run.complete(run.ready_tasks()[0].id, {})  # inner
        run.complete(run.ready_tasks()[0].id, {"another": True})  # ask
        run = CaseRun.load(model, run.dump())
    assert len(json.loads(run.dump())["subprocesses"]) == 1  # the one running now
    assert "inner" in run.path_taken()


def test_timers_of_a_pruned_case_are_read_from_its_saved_json():
    model = ProcessModel.from_bpmn(loop_diagram("timer"))
    run = CaseRun.start(model, {"rounds": 0})
    now = T0
    run.complete(run.ready_tasks()[0].id, {})
    for _ in range(5):
        run.anchor_timers(now)
        now += timedelta(hours=1)
        run.fire_due_timers(now)
        run.complete(run.ready_tasks()[0].id, {"another": True})
        run.anchor_timers(now)
        run = CaseRun.load(model, run.dump())
    assert [(t.bpmn_id, t.due_at) for t in saved_timers(run.dump())] == [("wait", now + timedelta(hours=1))]


def _pruned_after_rounds(model, rounds=6) -> CaseRun:
    run = CaseRun.start(model, {"rounds": 0})
    run.complete(run.ready_tasks()[0].id, {})
    for _ in range(rounds):
        run.complete(run.ready_tasks()[0].id, {"another": True})
        run = CaseRun.load(model, run.dump())
    assert "open" not in {t["task_spec"] for t in json.loads(run.dump())["tasks"].values()}
    return run


def test_a_migration_after_pruning_refuses_a_version_without_an_element_the_case_ran():
    model = ProcessModel.from_bpmn(loop_diagram("plain"))
    run = _pruned_after_rounds(model)
    without_open = ProcessModel.from_bpmn(loop_diagram("plain", open_task=False))
    with pytest.raises(WorkflowError, match="Open"):
        run.migrate(without_open)


def test_a_migration_after_pruning_keeps_the_path_and_runs_on():
    model = ProcessModel.from_bpmn(loop_diagram("plain"))
    run = _pruned_after_rounds(model)
    newer = ProcessModel.from_bpmn(loop_diagram("plain").replace('<bpmn:endEvent id="end"/>',
                                                                  '<bpmn:endEvent id="end" name="Done"/>'))
    moved = CaseRun.load(newer, run.migrate(newer).dump())
    assert "open" in moved.path_taken() and [t.definition.name for t in moved.ready_tasks()] == ["ask"]
    moved.complete(moved.ready_tasks()[0].id, {"another": False})
    moved.complete(moved.ready_tasks()[0].id, {})
    assert moved.completed and moved.data["rounds"] == 7


def test_a_tree_pruning_cannot_handle_is_saved_whole(monkeypatch):
    from engine.workflow import spiff_internals

    def fails(workflow):
        raise RuntimeError("an unforeseen tree")
    model = ProcessModel.from_bpmn(loop_diagram("plain"))
    run = _pruned_after_rounds(model, rounds=2)
    monkeypatch.setattr(spiff_internals, "prune", fails)
    run.complete(run.ready_tasks()[0].id, {"another": True})
    again = CaseRun.load(model, run.dump())
    assert [t.definition.name for t in again.ready_tasks()] == ["ask"] and again.data["rounds"] == 4
