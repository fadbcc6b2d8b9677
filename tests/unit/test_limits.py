"""Scripts run with limits: refused at compile time (so at deploy) when plainly unbounded, stopped
at run time when they go over their time, size or memory allowance; whatever they raise is an
ordinary error of their step."""
import pytest

from engine.workflow.limits import Budget, ScriptLimitExceeded, step_limit
from engine.workflow.sandbox import RestrictedEnvironment, ScriptFailed, ScriptRejected, compile_script


@pytest.mark.parametrize("script, reason", [
    ("while True: pass", "never ends"),
    ("while 1:\n    x = 1", "never ends"),
    ("x = 10**10**8", "unbounded constant"),
    ("x = 'a' * 10**10", "unbounded constant"),
    ("x = [0] * (10**9)", "unbounded constant"),
    ("x = 1 << 10**9", "unbounded constant"),
    ("x = f'{1:>99999999999}'", "format width"),
    ("w = 3\nx = f'{1:>{w}}'", "computed format"),
    ("x = '%99999999999d' % 1", "format width"),
    ("x = '%*d' % (5, 1)", "computed widths"),
])
def test_plainly_unbounded_scripts_do_not_compile(script, reason):
    with pytest.raises(ScriptRejected, match=reason):
        compile_script(script)


@pytest.mark.parametrize("script", [
    "while True:\n    if done:\n        break",   # a loop that can end compiles (and is timed)
    "x = 2 ** 64\ny = 'ab' * 3\nz = [0] * 10",
    "x = [i * i for i in range(10)]",
    "x = str(7).zfill(6)",
])
def test_bounded_scripts_compile(script):
    compile_script(script)


def run(script, **data):
    context = dict(data)
    RestrictedEnvironment().execute(script, context)
    return context


@pytest.mark.parametrize("script, message", [
    ("n = 10\nx = n ** n ** n", "bits"),
    ("n = 10 ** 9\nx = pow(3, n)", "bits"),
    ("y = 2\ny **= 10 ** 9", "bits"),
    ("s = 'ab'\nx = s * 10 ** 9", "more than"),
    ("n = 10 ** 9\nx = 1 << n", "bits"),
    ("x = sum(range(10 ** 12))", "range of more than"),
    ("n = 10 ** 10\nx = 'a'.ljust(n)", "width"),
    ("x = [0] * 1000\nfor i in range(20):\n    x = x + x", "joining"),
    ("x = 'ab' * 1000\nfor i in range(20):\n    x += x", "joining"),
    ("x = [0] * 1000\nfor i in range(20):\n    x.extend(x)", "would hold"),
])
def test_guarded_operations_refuse_huge_results_before_computing_them(script, message):
    with pytest.raises(ScriptLimitExceeded, match=message):
        run(script)


def test_a_script_stops_at_its_time_limit(monkeypatch):
    monkeypatch.setenv("HABEAS_SCRIPT_SECONDS", "0.05")
    with pytest.raises(ScriptLimitExceeded, match="longer than its limit"):
        run("n = 0\nwhile n >= 0:\n    n += 1")
    with pytest.raises(ScriptLimitExceeded, match="longer than its limit"):
        run("x = [i for i in range(10 ** 6) for j in range(10 ** 6)]")


def test_a_script_stops_at_its_memory_limit():
    budget = Budget(seconds=60, memory_kb=1024)
    with pytest.raises(ScriptLimitExceeded, match="MB"):
        hoard = []
        while True:
            hoard.append(bytearray(1 << 16))
            budget.tick()


def test_the_step_limit_bounds_every_script_of_a_step():
    with step_limit(0.0):
        with pytest.raises(ScriptLimitExceeded, match="step ran longer"):
            run("x = 1")
    assert run("x = 1")["x"] == 1  # outside a step, only the script's own limit


@pytest.mark.parametrize("script", ["raise SystemExit(3)", "raise KeyboardInterrupt"])
def test_base_exceptions_cannot_be_raised_by_name(script):
    with pytest.raises(NameError):
        run(script)


def test_whatever_escapes_a_script_becomes_an_ordinary_error():
    class Escape(BaseException):
        pass

    def leave():
        raise Escape("out")

    with pytest.raises(ScriptFailed, match="Escape"):
        RestrictedEnvironment().execute("leave()", {}, {"leave": leave})
