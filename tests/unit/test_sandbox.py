"""The sandbox, proven with real SpiffWorkflow runs: scripts, gateway conditions and timer
expressions, on a fresh workflow and on one saved and loaded again.

Every escape payload has a side effect (it creates a canary directory or file) so that a test can
show the side effect did not happen; the control tests show the same payloads do create the canary
when the sandbox is missing, so "blocked" is never vacuous.
"""
import contextlib
from xml.sax.saxutils import escape

import pytest
from RestrictedPython import safe_globals
from SpiffWorkflow.bpmn.script_engine.python_environment import TaskDataEnvironment
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

from engine.workflow.sandbox import (
    BUILTINS,
    SCRIPT_ENGINE,
    RestrictedEnvironment,
    RestrictedScriptEngine,
    ScriptRejected,
    attach,
    compile_expression,
    compile_script,
    guarded_getattr,
)

SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))

# ---------------------------------------------------------------- tiny diagrams

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"'
        ' id="defs" targetNamespace="https://habeas.test">'
        '<bpmn:process id="p" isExecutable="true">'
        '<bpmn:startEvent id="start"/>'
        '<bpmn:sequenceFlow id="f_start" sourceRef="start" targetRef="review"/>'
        '<bpmn:userTask id="review"/>')  # a wait state, so a case can be saved before the payload
TAIL = '</bpmn:process></bpmn:definitions>'


def script_doc(script: str) -> str:
    return (HEAD + '<bpmn:sequenceFlow id="f_review" sourceRef="review" targetRef="act"/>'
            f'<bpmn:scriptTask id="act"><bpmn:script>{escape(script)}</bpmn:script></bpmn:scriptTask>'
            '<bpmn:sequenceFlow id="f_act" sourceRef="act" targetRef="end"/>'
            '<bpmn:endEvent id="end"/>' + TAIL)


def condition_doc(condition: str) -> str:
    return (HEAD + '<bpmn:sequenceFlow id="f_review" sourceRef="review" targetRef="gw"/>'
            '<bpmn:exclusiveGateway id="gw" default="f_no"/>'
            '<bpmn:sequenceFlow id="f_yes" sourceRef="gw" targetRef="end_yes">'
            f'<bpmn:conditionExpression>{escape(condition)}</bpmn:conditionExpression>'
            '</bpmn:sequenceFlow>'
            '<bpmn:sequenceFlow id="f_no" sourceRef="gw" targetRef="end_no"/>'
            '<bpmn:endEvent id="end_yes"/><bpmn:endEvent id="end_no"/>' + TAIL)


def timer_doc(expression: str) -> str:
    return (HEAD + '<bpmn:sequenceFlow id="f_review" sourceRef="review" targetRef="wait"/>'
            '<bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition id="wait_def">'
            f'<bpmn:timeDuration>{escape(expression)}</bpmn:timeDuration>'
            '</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>'
            '<bpmn:sequenceFlow id="f_wait" sourceRef="wait" targetRef="end"/>'
            '<bpmn:endEvent id="end"/>' + TAIL)


def subprocess_doc(script: str) -> str:
    return (HEAD + '<bpmn:sequenceFlow id="f_review" sourceRef="review" targetRef="sub"/>'
            '<bpmn:subProcess id="sub"><bpmn:startEvent id="sub_start"/>'
            '<bpmn:sequenceFlow id="sf1" sourceRef="sub_start" targetRef="sub_wait"/>'
            '<bpmn:userTask id="sub_wait"/>'
            '<bpmn:sequenceFlow id="sf2" sourceRef="sub_wait" targetRef="sub_act"/>'
            f'<bpmn:scriptTask id="sub_act"><bpmn:script>{escape(script)}</bpmn:script></bpmn:scriptTask>'
            '<bpmn:sequenceFlow id="sf3" sourceRef="sub_act" targetRef="sub_end"/>'
            '<bpmn:endEvent id="sub_end"/></bpmn:subProcess>'
            '<bpmn:sequenceFlow id="f_sub" sourceRef="sub" targetRef="end"/>'
            '<bpmn:endEvent id="end"/>' + TAIL)


DOCS = {"script": script_doc, "condition": condition_doc, "timer": timer_doc}

# ---------------------------------------------------------------- running them


def start(doc: str, data: dict | None = None) -> BpmnWorkflow:
    parser = SpiffBpmnParser()
    parser.add_bpmn_str(doc.encode())
    workflow = attach(BpmnWorkflow(parser.get_spec("p"), parser.get_subprocess_specs("p")))
    if data:
        workflow.get_next_task(state=TaskState.READY).set_data(**data)
    workflow.do_engine_steps()
    return workflow


def save_and_load(workflow: BpmnWorkflow) -> BpmnWorkflow:
    return SERIALIZER.deserialize_json(SERIALIZER.serialize_json(workflow))


def advance(workflow: BpmnWorkflow) -> BpmnWorkflow:
    """Complete the waiting user task(s) and let the engine and timers run."""
    while (task := workflow.get_next_task(state=TaskState.READY, manual=True)) is not None:
        task.run()
        workflow.do_engine_steps()
        workflow.refresh_timers()
        workflow.do_engine_steps()
    return workflow


def prepared(doc: str, mode: str, data: dict | None = None) -> BpmnWorkflow:
    workflow = start(doc, data)
    if mode == "loaded":
        workflow = attach(save_and_load(workflow))
    return workflow


def caused_by(error: BaseException, kind: type, text: str) -> bool:
    """Whether the exception chain holds a ``kind`` whose message mentions ``text``."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, kind) and text in str(error):
            return True
        error = error.__cause__ or error.__context__
    return False


def end_data(workflow: BpmnWorkflow) -> dict:
    return workflow.get_next_task(spec_name="end").data


# ---------------------------------------------------------------- payloads


def subclasses_walk(path) -> str:
    return ("[c for c in ().__class__.__bases__[0].__subclasses__() if c.__name__ == '_wrap_close']"
            f"[0].__init__.__globals__['mkdir']({str(path)!r})")


# name -> (source with a side effect on `path`, exception the sandbox raises, text of its message)
EXPRESSION_ESCAPES = {
    "dunder_import": (lambda p: f"__import__('os').mkdir({str(p)!r})", ScriptRejected, "__import__"),
    "open": (lambda p: f"open({str(p)!r}, 'w').close()", NameError, "open"),
    "subclasses_walk": (subclasses_walk, ScriptRejected, "__class__"),
    "generator_frame_walk": (
        lambda p: ("(x for x in ()).gi_frame.f_globals['__builtins__']['__import__']('os')"
                   f".mkdir({str(p)!r})"),
        ScriptRejected, "gi_frame"),
    "str_format_walk": (lambda p: "'{0.__class__}'.format(1)", AttributeError, "str.format"),
    "str_format_generator_walk": (lambda p: "'{0.gi_frame}'.format((x for x in ()))",
                                  AttributeError, "str.format"),
}


def running_generator_walk(path) -> str:
    """Escapes TaskDataEnvironment(safe_globals): the running generator's caller's caller is
    SpiffWorkflow's own frame, whose globals hold the real builtins."""
    return ("def walk():\n"
            "    yield gen.gi_frame.f_back\n"
            "gen = walk()\n"
            "for frame in gen:\n"
            "    frame.f_back.f_globals['__builtins__']['__import__']('os')"
            f".mkdir({str(path)!r})\n")


SCRIPT_ESCAPES = {
    **{name: (lambda p, make=make: f"leak = {make(p)}", kind, text)
       for name, (make, kind, text) in EXPRESSION_ESCAPES.items()},
    "import_os": (lambda p: f"import os\nos.mkdir({str(p)!r})", ScriptRejected, "import"),
    "running_generator_walk": (running_generator_walk, ScriptRejected, "gi_frame"),
}

SIDE_EFFECT_ESCAPES = [n for n in SCRIPT_ESCAPES if not n.startswith("str_format")]


def cases(escapes):
    return [pytest.param(mode, name, id=f"{mode}-{name}")
            for mode in ("fresh", "loaded") for name in escapes]


# ---------------------------------------------------------------- blocked


def assert_blocked(doc_kind, escapes, mode, name, tmp_path):
    make, kind, text = escapes[name]
    canary = tmp_path / "canary"
    workflow = prepared(DOCS[doc_kind](make(canary)), mode)
    assert type(workflow.script_engine) is RestrictedScriptEngine
    with pytest.raises(SpiffWorkflowException) as raised:
        advance(workflow)
    assert caused_by(raised.value, kind, text), raised.value
    assert not canary.exists()
    assert all("leak" not in task.data for task in workflow.get_tasks())


@pytest.mark.parametrize("mode,name", cases(SCRIPT_ESCAPES))
def test_escape_blocked_in_script_task(mode, name, tmp_path):
    assert_blocked("script", SCRIPT_ESCAPES, mode, name, tmp_path)


@pytest.mark.parametrize("mode,name", cases(EXPRESSION_ESCAPES))
def test_escape_blocked_in_gateway_condition(mode, name, tmp_path):
    assert_blocked("condition", EXPRESSION_ESCAPES, mode, name, tmp_path)


@pytest.mark.parametrize("mode,name", cases(EXPRESSION_ESCAPES))
def test_escape_blocked_in_timer_expression(mode, name, tmp_path):
    assert_blocked("timer", EXPRESSION_ESCAPES, mode, name, tmp_path)


def test_escape_blocked_inside_a_subprocess_after_load(tmp_path):
    canary = tmp_path / "canary"
    workflow = prepared(subprocess_doc(SCRIPT_ESCAPES["import_os"][0](canary)), "fresh")
    workflow.get_next_task(state=TaskState.READY, manual=True).run()
    workflow.do_engine_steps()  # now waiting inside the subprocess
    loaded = attach(save_and_load(workflow))
    assert loaded.subprocesses
    assert all(sub.script_engine is SCRIPT_ENGINE for sub in loaded.subprocesses.values())
    with pytest.raises(SpiffWorkflowException) as raised:
        advance(loaded)
    assert caused_by(raised.value, ScriptRejected, "import")
    assert not canary.exists()


# ---------------------------------------------------------------- controls: the payloads are real


@pytest.mark.parametrize("name", SIDE_EFFECT_ESCAPES)
def test_loading_reinstalls_the_unrestricted_engine_so_attach_is_what_protects(name, tmp_path):
    canary = tmp_path / "canary"
    loaded = save_and_load(start(script_doc(SCRIPT_ESCAPES[name][0](canary))))
    assert type(loaded.script_engine) is not RestrictedScriptEngine
    with contextlib.suppress(SpiffWorkflowException):
        advance(loaded)  # no attach(): SpiffWorkflow's default engine runs the payload
    assert canary.exists()


@pytest.mark.parametrize("doc_kind", ["condition", "timer"])
def test_unattached_engine_runs_expression_payloads(doc_kind, tmp_path):
    canary = tmp_path / "canary"
    loaded = save_and_load(start(DOCS[doc_kind](EXPRESSION_ESCAPES["dunder_import"][0](canary))))
    with contextlib.suppress(Exception):  # the timer then fails to parse None: the harm is done
        advance(loaded)
    assert canary.exists()


@pytest.mark.parametrize("make", [subclasses_walk, running_generator_walk],
                         ids=["subclasses_walk", "running_generator_walk"])
def test_safe_globals_recipe_is_escapable_but_restricted_environment_is_not(make, tmp_path):
    source = make(tmp_path / "escaped")
    TaskDataEnvironment(safe_globals).execute(source, {})
    assert (tmp_path / "escaped").exists()

    source = make(tmp_path / "canary")
    with pytest.raises(ScriptRejected):
        RestrictedEnvironment().execute(source, {})
    assert not (tmp_path / "canary").exists()


def test_safe_globals_recipe_leaks_through_str_format_but_restricted_does_not():
    leak = "'{0.__class__.__base__.__subclasses__}'.format(1)"
    assert "__subclasses__" in TaskDataEnvironment(safe_globals).evaluate(leak, {})
    with pytest.raises(AttributeError, match="str.format"):
        RestrictedEnvironment().evaluate(leak, {})


# ---------------------------------------------------------------- harmless code works

DATA = {"amount": 12, "status": "open", "tags": ["urgent", "night"],
        "suspect": {"name": "ivanov", "age": 31}}

HARMLESS_SCRIPT = """
total = amount * 2 + len(tags)
name_upper = suspect['name'].upper()
first_tag = tags[0]
adult = suspect['age'] >= 18 and status in ('open', 'pending')
summary = {'count': len(tags), 'sorted': sorted(tags), 'max': max(amount, 3)}
counter = 0
for i, tag in enumerate(tags):
    counter += i
label = f"{suspect['name'].title()} ({suspect['age']})"
def double(x):
    return x * 2
doubled = [double(x) for x in range(3)]
"""


@pytest.mark.parametrize("mode", ["fresh", "loaded"])
def test_harmless_script_writes_task_data(mode):
    workflow = advance(prepared(script_doc(HARMLESS_SCRIPT), mode, DATA))
    assert workflow.is_completed()
    data = end_data(workflow)
    assert data["total"] == 26 and data["name_upper"] == "IVANOV" and data["first_tag"] == "urgent"
    assert data["adult"] is True and data["counter"] == 1 and data["label"] == "Ivanov (31)"
    assert data["summary"] == {"count": 2, "sorted": ["night", "urgent"], "max": 12}
    assert data["doubled"] == [0, 2, 4]
    assert "double" not in data  # callables are removed, as SpiffWorkflow does
    assert not any(key.startswith("_") for key in data)  # no builtins or guards left behind
    SERIALIZER.serialize_json(workflow)  # the task data still serializes


@pytest.mark.parametrize("mode", ["fresh", "loaded"])
@pytest.mark.parametrize("amount,expected_end", [(12, "end_yes"), (5, "end_no")])
def test_harmless_condition_picks_the_branch(mode, amount, expected_end):
    condition = "amount > 10 and status.upper() == 'OPEN' and tags[0] == 'urgent' and suspect['age'] >= 18"
    workflow = advance(prepared(condition_doc(condition), mode, {**DATA, "amount": amount}))
    assert workflow.is_completed()
    completed = {t.task_spec.name for t in workflow.get_tasks(state=TaskState.COMPLETED)}
    assert expected_end in completed and ({"end_yes", "end_no"} - {expected_end}).isdisjoint(completed)


@pytest.mark.parametrize("mode", ["fresh", "loaded"])
def test_quoted_timer_literal_fires(mode):
    workflow = advance(prepared(timer_doc('"PT0S"'), mode))
    assert workflow.is_completed()


def test_timer_expression_computed_from_task_data_waits():
    workflow = advance(start(timer_doc('f"PT{hours}H"'), {"hours": 48}))
    assert not workflow.is_completed()
    waiting = workflow.get_next_task(spec_name="wait")
    assert waiting.state == TaskState.WAITING
    assert waiting.internal_data["event_value"]  # the deadline SpiffWorkflow computed


def test_unquoted_timer_literal_is_a_name_error():
    with pytest.raises(SpiffWorkflowException) as raised:
        advance(start(timer_doc("PT48H")))
    assert caused_by(raised.value, NameError, "PT48H")


def test_task_data_may_not_replace_a_guard():
    with pytest.raises(SpiffWorkflowException) as raised:
        advance(start(script_doc("x = 1"), {"_getattr_": "mine"}))
    assert caused_by(raised.value, ValueError, "_getattr_")


# ---------------------------------------------------------------- compiling and guards


@pytest.mark.parametrize("source", [
    "__import__('os')",
    "().__class__.__bases__[0].__subclasses__()",
    "(x for x in ()).gi_frame.f_back.f_globals",
    "_getattr_",
    "1 +",
    "",
])
def test_compile_expression_rejects(source):
    with pytest.raises(ScriptRejected):
        compile_expression(source)


@pytest.mark.parametrize("source", [
    "import os", "from os import path", "class A: pass", "x.__dict__", "def f(:\n pass", None,
])
def test_compile_script_rejects(source):
    with pytest.raises(ScriptRejected):
        compile_script(source)


def test_script_rejected_is_a_value_error():
    assert issubclass(ScriptRejected, ValueError)


def test_compiled_code_is_cached():
    assert compile_expression("amount > 1") is compile_expression("  amount > 1\n")
    assert compile_script("x = 1") is compile_script("x = 1")


@pytest.mark.parametrize("obj,name", [
    ((x for x in ()), "gi_frame"), ((x for x in ()), "gi_code"), ("text", "format"),
    ("text", "format_map"), (str, "format"), (1, "__class__"),
])
def test_guarded_getattr_refuses_at_run_time(obj, name):
    with pytest.raises((AttributeError, NotImplementedError)):
        guarded_getattr(obj, name)


def test_builtins_are_small():
    for name in ("__import__", "open", "eval", "exec", "compile", "getattr", "type", "vars",
                 "globals", "locals", "setattr", "__build_class__"):
        assert name not in BUILTINS
    for name in ("len", "sorted", "zip", "enumerate", "isinstance", "dict", "set", "round"):
        assert name in BUILTINS


def test_validate_keeps_syntax_error_for_dmn_and_rejects_escapes():
    SCRIPT_ENGINE.validate("v < 5")
    with pytest.raises(SyntaxError):
        SCRIPT_ENGINE.validate("< 5")  # SpiffWorkflow's DMN engine relies on SyntaxError here
    with pytest.raises(ScriptRejected):
        SCRIPT_ENGINE.validate("__import__('os')")


def test_attach_returns_the_workflow_with_the_singleton_engine():
    parser = SpiffBpmnParser()
    parser.add_bpmn_str(script_doc("x = 1").encode())
    workflow = BpmnWorkflow(parser.get_spec("p"))
    assert type(workflow.script_engine) is not RestrictedScriptEngine
    assert attach(workflow) is workflow
    assert workflow.script_engine is SCRIPT_ENGINE
