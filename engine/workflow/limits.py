"""Limits on what one process script may cost: time, memory and the size of what it builds.

Why: a script runs inside a case's step, in the step's database transaction.  On SQLite that
transaction holds the write lock, so ``while True: pass`` in one case stalls every other request;
``10**10**8`` or ``"x" * 10**10`` takes the worker's memory.  Signals only reach the main thread
and the scheduler runs in a thread, so the limits are built into the compiled code instead:

- every loop iteration, comprehension item and function call first calls ``_tick_``, which
  checks the script's wall-clock budget (``HABEAS_SCRIPT_SECONDS``, default 2 s) and how much
  the process's peak memory grew while it ran (``HABEAS_SCRIPT_MEMORY_MB``, default 256 MB);
- ``**``, ``*``, ``<<`` and ``+`` go through guards that refuse a number of more than
  ``MAX_INT_BITS`` bits or a string or list of more than ``MAX_SEQUENCE`` items before computing
  it (so do ``list.extend``, ``str.ljust`` and the like), and ``range`` refuses more than
  ``MAX_SEQUENCE`` steps, so no single operation runs unbounded in C where no tick can
  interrupt it, and what one operation can build between two checks of the budget is small;
- at compile time (so at deploy, naming the element) a constant expression the guards would
  refuse, a ``while`` loop on a constant true condition with no ``break``, and computed or huge
  format widths are refused.

A whole step (every script and condition it runs, as a loop in the diagram would) has a limit
too, ``HABEAS_STEP_SECONDS`` (default 10 s), checked whenever a script or condition starts.

A script over its limit raises ``ScriptLimitExceeded``; the step fails, its transaction is
rolled back and the case is left as it was.
"""
import ast
import os
import resource
import threading
import time
from contextlib import contextmanager

MAX_INT_BITS = 100_000        # about 30,000 decimal digits
MAX_SEQUENCE = 1_000_000      # characters or items one operation may produce
MAX_FORMAT_WIDTH = 10_000
_CHECK_EVERY = 16             # ticks between two looks at the clock and the memory


def script_seconds() -> float:
    return float(os.environ.get("HABEAS_SCRIPT_SECONDS", "2"))


def script_memory_kb() -> int:
    return int(float(os.environ.get("HABEAS_SCRIPT_MEMORY_MB", "256")) * 1024)


def step_seconds() -> float:
    return float(os.environ.get("HABEAS_STEP_SECONDS", "10"))


class ScriptLimitExceeded(Exception):
    """A script went over its time, memory or size limit."""


_STEP = threading.local()  # the running step's deadline, per thread (one step per thread at a time)


@contextmanager
def step_limit(seconds: float | None = None):
    """Every script and condition run inside shares one wall-clock deadline."""
    seconds = step_seconds() if seconds is None else seconds
    outer = getattr(_STEP, "deadline", None)
    _STEP.deadline, _STEP.seconds = time.monotonic() + seconds, seconds
    try:
        yield
    finally:
        _STEP.deadline = outer


def _peak_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


class Budget:
    """One script run's allowance.  ``tick`` is what the compiled code calls (``_tick_``).

    Memory is the growth of the process's peak resident size during the run (the only figure
    the kernel gives cheaply): a script that builds a large structure pushes the peak up."""

    __slots__ = ("seconds", "deadline", "memory_kb", "memory_ceiling", "count")

    def __init__(self, seconds: float | None = None, memory_kb: int | None = None):
        self.seconds = script_seconds() if seconds is None else seconds
        self.memory_kb = script_memory_kb() if memory_kb is None else memory_kb
        now = time.monotonic()
        self.deadline = now + self.seconds
        step_deadline = getattr(_STEP, "deadline", None)
        if step_deadline is not None:
            if now > step_deadline:
                raise ScriptLimitExceeded(f"the step ran longer than its limit of {_STEP.seconds:g} s "
                                          "(a loop in the diagram?)")
            self.deadline = min(self.deadline, step_deadline)
        self.memory_ceiling = _peak_kb() + self.memory_kb
        self.count = 0

    def tick(self) -> bool:
        self.count += 1
        if self.count % _CHECK_EVERY:
            return True
        if time.monotonic() > self.deadline:
            raise ScriptLimitExceeded(f"the script ran longer than its limit of {self.seconds:g} s")
        if _peak_kb() > self.memory_ceiling:
            raise ScriptLimitExceeded(f"the script used more than its limit of {self.memory_kb // 1024} MB")
        return True


# ---------------------------------------------------------------- guarded operations

_SEQUENCES = (str, bytes, bytearray, list, tuple)


def _int_bits(value) -> int:
    return abs(value).bit_length() if isinstance(value, int) else 0


def guarded_pow(base, exponent, modulo=None):
    """``**`` and ``pow``: a whole-number result of more than MAX_INT_BITS bits is refused."""
    if modulo is None and isinstance(base, int) and isinstance(exponent, int) and exponent > 1 \
            and abs(base) > 1 and (_int_bits(base) - 1) * exponent > MAX_INT_BITS:
        raise ScriptLimitExceeded(f"{_what(base)} ** {_what(exponent)} would have more than "
                                  f"{MAX_INT_BITS} bits")
    return pow(base, exponent) if modulo is None else pow(base, exponent, modulo)


def guarded_mul(left, right):
    """``*``: too large a number, string or list is refused before it is built."""
    if isinstance(left, int) and isinstance(right, int):
        if _int_bits(left) + _int_bits(right) > MAX_INT_BITS:
            raise ScriptLimitExceeded(f"the product would have more than {MAX_INT_BITS} bits")
    else:
        _check_repeat(left, right)
        _check_repeat(right, left)
    return left * right


def _check_repeat(sequence, times) -> None:
    if isinstance(sequence, _SEQUENCES) and isinstance(times, int) and len(sequence) * times > MAX_SEQUENCE:
        raise ScriptLimitExceeded(f"repeating {len(sequence)} items {_what(times)} times would make "
                                  f"more than {MAX_SEQUENCE}")


def guarded_add(left, right):
    """``+``: joining sequences into more than MAX_SEQUENCE items is refused (``x = x + x``
    doubles; a few lines of it would take the machine's memory between two ticks)."""
    if isinstance(left, _SEQUENCES) and isinstance(right, _SEQUENCES) \
            and len(left) + len(right) > MAX_SEQUENCE:
        raise ScriptLimitExceeded(f"joining would make more than {MAX_SEQUENCE} items")
    return left + right


def bounded_extend(method, target):
    """``list.extend`` that refuses to grow the list past MAX_SEQUENCE items."""
    def extend(items):
        if hasattr(items, "__len__") and len(target) + len(items) > MAX_SEQUENCE:
            raise ScriptLimitExceeded(f"the list would hold more than {MAX_SEQUENCE} items")
        return method(items)
    return extend


def guarded_lshift(value, shift):
    """``<<``: a shift past MAX_INT_BITS is refused."""
    if isinstance(shift, int) and isinstance(value, int) and value and _int_bits(value) + shift > MAX_INT_BITS:
        raise ScriptLimitExceeded(f"the shift would make a number of more than {MAX_INT_BITS} bits")
    return value << shift


def guarded_range(*args):
    """``range`` of at most MAX_SEQUENCE steps (``sum(range(10**12))`` would run in C for hours)."""
    steps = range(*args)
    try:
        too_long = len(steps) > MAX_SEQUENCE
    except OverflowError:
        too_long = True
    if too_long:
        raise ScriptLimitExceeded(f"a range of more than {MAX_SEQUENCE} steps")
    return steps


GUARDED_OPERATORS = {ast.Pow: "_pow_", ast.Mult: "_mul_", ast.LShift: "_lshift_", ast.Add: "_add_"}
OPERATOR_GUARDS = {"_pow_": guarded_pow, "_mul_": guarded_mul, "_lshift_": guarded_lshift, "_add_": guarded_add}
INPLACE_GUARDS = {"**=": guarded_pow, "*=": guarded_mul, "<<=": guarded_lshift, "+=": guarded_add}


def _what(number) -> str:
    text = str(number) if _int_bits(number) < 64 else f"a {_int_bits(number)}-bit number"
    return text


# ---------------------------------------------------------------- compiling

def _call(name: str, *args) -> ast.Call:
    return ast.Call(func=ast.Name(id=name, ctx=ast.Load()), args=list(args), keywords=[])


def tick_statement() -> ast.stmt:
    return ast.Expr(value=_call("_tick_"))


def guard_binop(node: ast.BinOp) -> ast.AST:
    """``a ** b`` -> ``_pow_(a, b)`` (and ``*``, ``<<``); other operators unchanged."""
    name = GUARDED_OPERATORS.get(type(node.op))
    if name is None:
        return node
    return ast.copy_location(_call(name, node.left, node.right), node)


def unbounded_constant(node: ast.BinOp) -> str | None:
    """Why a constant expression is plainly unbounded (``10**10**8``), or ``None``."""
    try:
        _fold(node)
    except ScriptLimitExceeded as err:
        return f"unbounded constant expression: {err}"
    except _NotConstant:
        return None
    except (ArithmeticError, ValueError, TypeError):
        return None  # fails at run time with an ordinary error
    return None


class _NotConstant(Exception):
    pass


_FOLDERS = {ast.Pow: guarded_pow, ast.Mult: guarded_mul, ast.LShift: guarded_lshift,
            ast.Add: guarded_add, ast.Sub: lambda a, b: a - b}


def _fold(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, str, bytes)):
        if isinstance(node.value, (str, bytes)) and len(node.value) > MAX_SEQUENCE:
            raise ScriptLimitExceeded("a literal that is too long")
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_fold(node.operand)
    if isinstance(node, (ast.List, ast.Tuple)) and len(node.elts) < 100:
        return [_fold(e) for e in node.elts]
    if isinstance(node, ast.BinOp) and type(node.op) in _FOLDERS:
        left, right = _fold(node.left), _fold(node.right)
        return _FOLDERS[type(node.op)](left, right)
    raise _NotConstant


def endless_loop(node: ast.While) -> str | None:
    """Why a ``while`` loop can never end (a constant true test and no ``break``), or ``None``."""
    test = node.test
    if not (isinstance(test, ast.Constant) and test.value):
        return None
    if any(isinstance(n, ast.Break) for n in _own_statements(node.body)):
        return None
    return "a while loop on a constant true condition with no break never ends"


def _own_statements(body):
    """The statements of a loop body, not descending into nested loops or functions (their
    ``break`` leaves them, not this loop)."""
    stack = list(body)
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, (ast.For, ast.While, ast.AsyncFor, ast.FunctionDef, ast.Lambda,
                                      ast.AsyncFunctionDef)):
                stack.append(child)


def format_problem(node: ast.FormattedValue) -> str | None:
    """Why an f-string field's format is refused: computed, or wider than MAX_FORMAT_WIDTH."""
    spec = node.format_spec
    if spec is None:
        return None
    if any(isinstance(v, ast.FormattedValue) for v in spec.values):
        return "computed format specifications are not allowed in a process script"
    text = "".join(v.value for v in spec.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
    return _width_problem(text)


def percent_format_problem(node: ast.BinOp) -> str | None:
    """``"%10000000000d" % x`` or ``"%*d"``: refused when the format is a literal."""
    if not (isinstance(node.op, ast.Mod) and isinstance(node.left, ast.Constant)
            and isinstance(node.left.value, str)):
        return None
    if "%*" in node.left.value or ".*" in node.left.value:
        return "computed widths ('*') in % formatting are not allowed in a process script"
    return _width_problem(node.left.value)


def _width_problem(text: str) -> str | None:
    digits = ""
    for char in text + " ":
        if char.isdigit():
            digits += char
            continue
        if digits and int(digits) > MAX_FORMAT_WIDTH:
            return f"a format width above {MAX_FORMAT_WIDTH}"
        digits = ""
    return None
