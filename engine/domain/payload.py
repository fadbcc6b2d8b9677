"""What data may become part of a case: plain JSON that the engine can always load back.

Why: a case's workflow is saved as one JSON document and restored by SpiffWorkflow's serializer,
which reads any object with a ``typename`` key as one of its own types and recurses through
nesting.  So ``{"meta": {"typename": "datetime"}}`` or a list nested 500 deep is stored without
complaint and then never loads again; a NUL character is refused by PostgreSQL's text columns.
Every value that enters a case (opening data, form data, what a script leaves in task data) is
checked here first, so nothing is stored that the engine cannot read back.

The walk is iterative: hostile nesting cannot exhaust Python's stack while it is being checked.
"""
import math
from dataclasses import dataclass

from .errors import InvalidData

MAX_DEPTH = 16           # an object inside a list inside an object ... counts 3
MAX_ITEMS = 5_000        # values in one payload, all levels together
MAX_TEXT = 100_000       # characters in one string
MAX_KEY = 100            # characters in one key
MAX_TOTAL_TEXT = 500_000  # characters in all strings and keys together
MAX_INTEGER = 2 ** 63 - 1
RESERVED_KEYS = frozenset({"typename"})  # SpiffWorkflow's serializer takes such objects for its own


class PayloadError(ValueError):
    """Data that may not enter a case; ``problems`` maps a path (``meta.kind``) to its messages."""

    def __init__(self, problems: dict[str, list[str]]):
        self.problems = problems
        first = next(iter(problems.items()))
        super().__init__(f"{first[0]}: {first[1][0]}")


def require_plain(data, what: str, where: str = "data") -> None:
    """``check``, answered as ``InvalidData`` (422 on the API, exit 3 on the command line)."""
    try:
        check(data, where)
    except PayloadError as err:
        raise InvalidData(f"{what} cannot be stored: {err}", err.problems) from None


@dataclass
class _Budget:
    items: int = 0
    text: int = 0


def check(data, where: str = "data") -> None:
    """Raise ``PayloadError`` naming each problem if ``data`` is not plain, bounded JSON.

    Plain means: objects with text keys, lists, text, whole numbers within 64 bits, finite
    numbers, booleans and null; no NUL character anywhere; no key named ``typename`` at any
    depth; at most ``MAX_DEPTH`` levels, ``MAX_ITEMS`` values and ``MAX_TOTAL_TEXT`` characters."""
    problems: dict[str, list[str]] = {}
    budget = _Budget()
    stack = [(data, where, 1)]
    while stack:
        value, path, depth = stack.pop()
        budget.items += 1
        if budget.items > MAX_ITEMS:
            _add(problems, where, f"more than {MAX_ITEMS} values")
            break
        if isinstance(value, dict) or isinstance(value, (list, tuple)):
            if depth > MAX_DEPTH:
                _add(problems, path, f"nested deeper than {MAX_DEPTH} levels")
                continue
            stack.extend(_children(value, path, depth, problems, budget))
        else:
            _scalar(value, path, problems, budget)
        if budget.text > MAX_TOTAL_TEXT:
            _add(problems, where, f"more than {MAX_TOTAL_TEXT} characters of text")
            break
    if problems:
        raise PayloadError(problems)


def _children(value, path, depth, problems, budget):
    if isinstance(value, (list, tuple)):
        return [(item, f"{path}[{i}]", depth + 1) for i, item in enumerate(value)]
    out = []
    for key, item in value.items():
        if not isinstance(key, str):
            _add(problems, path, f"key {key!r} is not text")
            continue
        budget.text += len(key)
        where = f"{path}.{_short(key)}"
        if "\x00" in key:
            _add(problems, path, "a key contains a NUL character")
        elif len(key) > MAX_KEY:
            _add(problems, where, f"key longer than {MAX_KEY} characters")
        elif key in RESERVED_KEYS:
            _add(problems, where, f"'{key}' is a reserved name; use another key")
        else:
            out.append((item, where, depth + 1))
    return out


def _scalar(value, path, problems, budget) -> None:
    if value is None or isinstance(value, bool):
        return
    if isinstance(value, str):
        budget.text += len(value)
        if "\x00" in value:
            _add(problems, path, "contains a NUL character")
        elif len(value) > MAX_TEXT:
            _add(problems, path, f"text longer than {MAX_TEXT} characters")
    elif isinstance(value, int):
        if abs(value) > MAX_INTEGER:
            _add(problems, path, "whole number out of range (64 bits)")
    elif isinstance(value, float):
        if not math.isfinite(value):
            _add(problems, path, "numbers must be finite")
    else:
        _add(problems, path, f"a {type(value).__name__} is not a plain JSON value "
                             "(text, number, boolean, null, list or object)")


def _add(problems: dict, path: str, message: str) -> None:
    if path not in problems and len(problems) >= 20:
        return  # enough to say what is wrong
    messages = problems.setdefault(path, [])
    if message not in messages:
        messages.append(message)


def _short(key: str) -> str:
    return key if len(key) <= 40 else key[:40] + "..."
