"""The sandbox for every piece of Python that SpiffWorkflow runs.

Why: SpiffWorkflow evaluates gateway conditions, scripts, pre/post scripts, timer expressions and
DMN cells with plain ``eval``/``exec`` and full builtins, so a right to deploy a diagram would be a
right to run any code on the server. Handing ``RestrictedPython.safe_globals`` to SpiffWorkflow's
``TaskDataEnvironment`` is not enough: the source itself is not compiled by RestrictedPython, so a
``__subclasses__`` walk, a generator-frame walk or a ``str.format`` attribute walk still escapes.

Here every source is compiled with ``compile_restricted_eval``/``compile_restricted_exec`` (which
refuses names starting with ``_`` and rewrites attribute, item and iteration access into calls of
the guards below) and runs with a small set of builtins: no ``__import__``, ``open``, ``eval``,
``exec``, ``compile``, ``getattr``, ``type``, ``vars`` or ``globals``.

Loading a saved workflow reinstalls SpiffWorkflow's unrestricted engine, so :func:`attach` must be
called after every create and every load.

Each run has limits (``limits``: time, memory, the size of numbers and sequences), and whatever a
script raises, ``SystemExit`` and ``KeyboardInterrupt`` included, comes out as an ordinary
``ScriptFailed`` error of that step: a script can fail its case's step, never the worker.
"""
import ast
import builtins
import functools
import operator

from RestrictedPython import compile_restricted_eval, compile_restricted_exec, safe_builtins
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safer_getattr_raise,
)
from RestrictedPython.transformer import INSPECT_ATTRIBUTES, RestrictingNodeTransformer
from SpiffWorkflow.bpmn.script_engine.python_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from . import limits
from .limits import ScriptLimitExceeded

__all__ = [
    "ScriptRejected", "ScriptFailed", "ScriptLimitExceeded", "compile_expression", "compile_script", "restricted_globals",
    "RestrictedEnvironment", "RestrictedScriptEngine", "SCRIPT_ENGINE", "attach",
]


class ScriptRejected(ValueError):
    """A script or expression the sandbox refuses to compile (bad syntax or a forbidden construct)."""


class ScriptFailed(Exception):
    """A script raised something that is not an ordinary error (``SystemExit``,
    ``KeyboardInterrupt``, ``GeneratorExit``): it fails the step like any other error."""


# ---------------------------------------------------------------- compiling

class _Policy(RestrictingNodeTransformer):
    """RestrictedPython's policy, stricter where a process script never needs the feature.

    RestrictedPython compiles ``import os`` and leaves the refusal to a missing ``__import__`` at
    run time; refusing at compile time lets the deploy-time lint name the element.
    """

    def visit_Import(self, node):
        self.error(node, "import is not allowed in a process script")
        return node

    visit_ImportFrom = visit_Import

    def visit_ClassDef(self, node):
        self.error(node, "class definitions are not allowed in a process script")
        return node

    # Limits (see ``limits``): loops and calls tick the budget, big operations are guarded.

    def visit_While(self, node):
        problem = limits.endless_loop(node)
        if problem:
            self.error(node, problem)
        node = super().visit_While(node)
        node.body.insert(0, limits.tick_statement())
        return ast.fix_missing_locations(node)

    def visit_For(self, node):
        node = super().visit_For(node)
        node.body.insert(0, limits.tick_statement())
        return ast.fix_missing_locations(node)

    def visit_FunctionDef(self, node):
        node = super().visit_FunctionDef(node)
        node.body.insert(0, limits.tick_statement())
        return ast.fix_missing_locations(node)

    def visit_comprehension(self, node):
        node = super().visit_comprehension(node)
        node.ifs.append(ast.copy_location(limits._call("_tick_"), node.iter))
        return ast.fix_missing_locations(node)

    def visit_BinOp(self, node):
        problem = limits.unbounded_constant(node) or limits.percent_format_problem(node)
        if problem:
            self.error(node, problem)
            return node
        return ast.fix_missing_locations(limits.guard_binop(super().visit_BinOp(node)))

    def visit_FormattedValue(self, node):
        problem = limits.format_problem(node)
        if problem:
            self.error(node, problem)
            return node
        return super().visit_FormattedValue(node)


def _compile(source: str, compiler, kind: str):
    result = compiler(source, filename="<string>", policy=_Policy)
    if result.errors or result.code is None:
        raise ScriptRejected("; ".join(result.errors) or f"{kind} does not compile")
    return result.code


@functools.lru_cache(maxsize=4096)
def _compile_expression(source: str):
    return _compile(source, compile_restricted_eval, "expression")


@functools.lru_cache(maxsize=4096)
def _compile_script(source: str):
    return _compile(source, compile_restricted_exec, "script")


def compile_expression(source: str):
    """Restricted code object for an expression (surrounding whitespace ignored); cached by source."""
    if not isinstance(source, str):
        raise ScriptRejected(f"expression must be text, not {type(source).__name__}")
    return _compile_expression(source.strip())


def compile_script(source: str):
    """Restricted code object for a script; cached by source."""
    if not isinstance(source, str):
        raise ScriptRejected(f"script must be text, not {type(source).__name__}")
    return _compile_script(source)


# ---------------------------------------------------------------- guards

# Frame, code and traceback attributes lead from a generator or exception back to real globals.
_REFUSED_ATTRIBUTES = frozenset(INSPECT_ATTRIBUTES) | {
    "gi_frame", "gi_code", "gi_yieldfrom", "cr_frame", "cr_code", "cr_await", "cr_origin",
    "ag_frame", "ag_code", "ag_await", "f_back", "f_globals", "f_locals", "f_builtins", "f_code",
    "tb_frame", "tb_next",
}
# str.format / format_map resolve "{0.attr}" fields with the real getattr, bypassing the guard.
_FORMAT_METHODS = frozenset({"format", "format_map"})


def guarded_getattr(obj, name):
    """``_getattr_``: RestrictedPython's safer_getattr, plus frame attributes and str.format refused."""
    if not isinstance(name, str):
        raise TypeError("attribute name must be str")
    if name in _REFUSED_ATTRIBUTES:
        raise AttributeError(f"attribute '{name}' is not allowed in a process script")
    if name in _FORMAT_METHODS and (
            isinstance(obj, str) or (isinstance(obj, type) and issubclass(obj, str))):
        raise AttributeError(f"str.{name} is not allowed in a process script (use f-strings or %)")
    if name in _PADDING_METHODS and isinstance(obj, (str, bytes)):
        return _bounded_padding(safer_getattr_raise(obj, name))
    if name in _UNBOUNDED_METHODS and isinstance(obj, (str, bytes)):
        raise AttributeError(f"str.{name} is not allowed in a process script")
    if name == "extend" and isinstance(obj, list):
        return limits.bounded_extend(obj.extend, obj)
    return safer_getattr_raise(obj, name)


# Methods whose result size is a number the script chooses.
_PADDING_METHODS = frozenset({"ljust", "rjust", "center", "zfill"})
_UNBOUNDED_METHODS = frozenset({"expandtabs", "replace"})


def _bounded_padding(method):
    def padded(width, *args):
        if isinstance(width, int) and width > limits.MAX_SEQUENCE:
            raise ScriptLimitExceeded(f"a width of more than {limits.MAX_SEQUENCE}")
        return method(width, *args)
    return padded


_INPLACE_OPERATORS = {
    "+=": operator.iadd, "-=": operator.isub, "*=": operator.imul, "/=": operator.itruediv,
    "//=": operator.ifloordiv, "%=": operator.imod, "**=": operator.ipow, "<<=": operator.ilshift,
    ">>=": operator.irshift, "&=": operator.iand, "|=": operator.ior, "^=": operator.ixor,
    "@=": operator.imatmul,
}


def inplace_var(op: str, target, value):
    """``_inplacevar_``: ``x += y`` and friends on plain names (``*=``, ``**=``, ``<<=`` guarded)."""
    if op in limits.INPLACE_GUARDS:
        return limits.INPLACE_GUARDS[op](target, value)
    try:
        return _INPLACE_OPERATORS[op](target, value)
    except KeyError:
        raise NotImplementedError(f"operator {op} is not supported in a process script") from None


def _apply(func, *args, **kwargs):
    """``_apply_``: calls written with ``*args`` or ``**kwargs``."""
    return func(*args, **kwargs)


_HARMLESS_BUILTINS = (
    "len", "min", "max", "sum", "sorted", "any", "all", "abs", "round", "str", "int", "float",
    "bool", "list", "dict", "tuple", "set", "range", "enumerate", "zip", "isinstance",
)
_FORBIDDEN_BUILTINS = frozenset({
    "SystemExit", "KeyboardInterrupt", "GeneratorExit", "BaseException",
    "__import__", "__build_class__", "open", "eval", "exec", "compile", "getattr", "setattr",
    "delattr", "hasattr", "type", "vars", "globals", "locals", "dir", "input", "breakpoint",
    "help", "memoryview", "object", "_getattr_",
})
BUILTINS = {
    name: value
    for name, value in {**safe_builtins,
                        **{n: getattr(builtins, n) for n in _HARMLESS_BUILTINS}}.items()
    if name not in _FORBIDDEN_BUILTINS
}
BUILTINS.update(range=limits.guarded_range, pow=limits.guarded_pow)


def restricted_globals() -> dict:
    """A fresh globals dict: the safe builtins and the guards that restricted code calls."""
    return {
        "__builtins__": BUILTINS,
        "_getattr_": guarded_getattr,
        "_getitem_": operator.getitem,
        "_getiter_": iter,
        "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
        "_unpack_sequence_": guarded_unpack_sequence,
        "_write_": full_write_guard,
        "_inplacevar_": inplace_var,
        "_apply_": _apply,
        "_tick_": _no_budget,
        **limits.OPERATOR_GUARDS,
    }


def _no_budget():
    """``_tick_`` outside a run (the environment replaces it with a run's ``Budget.tick``)."""
    return True


# ---------------------------------------------------------------- SpiffWorkflow integration

class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    """SpiffWorkflow's TaskDataEnvironment semantics, running restricted code.

    ``execute`` runs the script with the task data as its globals, so assignments land in the
    task data; afterwards builtins, guards, external names and anything callable are removed.
    Task data may not use a guard's name: it would replace the guard.
    """

    def __init__(self):
        super().__init__(restricted_globals())

    def evaluate(self, expression, context, external_context=None):
        code = compile_expression(expression)
        external_context = external_context or {}
        self._refuse_overwrites(context, external_context, include_external=False)
        scope = {**external_context, **context, **self.globals, "_tick_": limits.Budget().tick}
        with _ordinary_errors():
            return eval(code, scope)

    def execute(self, script, context, external_context=None):
        code = compile_script(script)
        external_context = external_context or {}
        self._refuse_overwrites(context, external_context, include_external=True)
        context.update(external_context)
        context.update(self.globals)
        context["_tick_"] = limits.Budget().tick
        try:
            with _ordinary_errors():
                exec(code, context)
        finally:
            self._clean(context, external_context)
        return True

    def _refuse_overwrites(self, context, external_context, include_external):
        clashes = set(self.globals) & (set(context) | set(external_context))
        if include_external:
            clashes |= set(external_context) & set(context)
        if clashes:
            raise ValueError(
                "task data overwrites names reserved for the script sandbox; rename: "
                + ", ".join(sorted(clashes)))

    def _clean(self, context, external_context):
        for key in list(context):
            if key in self.globals or key in external_context or callable(context[key]):
                context.pop(key)


class _ordinary_errors:
    """Whatever a script raises becomes an ``Exception`` that SpiffWorkflow reports as the
    task's error; ``SystemExit`` or ``KeyboardInterrupt`` never leave the step."""

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        if kind is None or issubclass(kind, Exception):
            return False
        text = str(error).strip()
        raise ScriptFailed(f"the script raised {kind.__name__}" + (f" ({text[:200]})" if text else "")) from None


class RestrictedScriptEngine(PythonScriptEngine):
    """The only script engine a Habeas workflow runs with; see :func:`attach`."""

    def __init__(self):
        super().__init__(environment=RestrictedEnvironment())

    def validate(self, expression):
        # SpiffWorkflow's DMN engine relies on SyntaxError from validate() to decide whether a
        # cell needs "==": keep that, then refuse what the sandbox would refuse.
        ast.parse(expression)
        compile_expression(expression)


SCRIPT_ENGINE = RestrictedScriptEngine()


def attach(workflow):
    """Install the restricted engine on a workflow just created or just loaded; returns it.

    Deserializing builds ``BpmnWorkflow(spec, subprocess_specs, deserializing=True)``, which
    installs SpiffWorkflow's default, unrestricted engine again. Subprocesses in 3.2.0 delegate
    ``script_engine`` to the top workflow (a read-only property); any that keep their own are set.
    """
    workflow.script_engine = SCRIPT_ENGINE
    for subprocess in getattr(workflow, "subprocesses", {}).values():
        try:
            subprocess.script_engine = SCRIPT_ENGINE
        except AttributeError:
            pass  # read-only property delegating to the top workflow
        if subprocess.script_engine is not SCRIPT_ENGINE:
            raise RuntimeError("a subprocess kept an unrestricted script engine")
    return workflow
