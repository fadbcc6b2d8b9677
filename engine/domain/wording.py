"""The engine's sentences with values in them, kept translatable without the engine translating.

The engine words its reasons, bases and escalations in English: the audit trail, the database,
the JSON API and the CLI's JSON keep them so, as stable text.  A sentence with a time or a
number in it cannot be looked up in a catalogue as it is, so each one is a message id with named
placeholders, marked with ``N_`` (a no-op for the reader; ``pybabel extract -k N_`` collects it
into the catalogues) and formatted with ``say``:

    CUSTODY_EXPIRED = N_("custody term expired at %(when)s without an extension: release is mandatory")
    say(CUSTODY_EXPIRED, when=when(due))

Whoever shows the sentence to a person (the web layer, the CLI's text output) hands it to
``translate`` with its own ``gettext`` and clock: the sentence is recognised by its message id --
also when it was read back from the database, where only the English is stored -- and said in the
reader's language, with each value formatted for them.  What a value is follows from its
placeholder's name (``PLACEHOLDERS``): a time (``2026-03-04 10:00 UTC``) is shown in the reader's
zone, a span (``3 h 05 min``) in their units, a nested sentence (``reason``, ``basis``) is
translated in turn, the name of a right by its catalogue wording, an internal code (a stage, a
role, a choice offered by a form) by the reader's own words for it (``terms``, given by whoever
shows the sentence: the engine does not know how the web layer names a role); a number or a
citation stays as it is.  A sentence nobody marked is not recognised (``translate`` answers ``None``) and the
reader sees the engine's English, marked as such."""
import re
from datetime import datetime, timedelta
from typing import Callable

from .clock import as_utc

_TEMPLATES: dict[str, re.Pattern] = {}
_ORDER: list[str] = []

TIME_TEXT = r"\d{4}-\d\d-\d\d \d\d:\d\d UTC|unknown"
SPAN_TEXT = r"\d+ h \d\d min"
LEFT_TEXT = r"(?:\d+ d )?\d+ h \d\d min"
NUMBER_TEXT = r"-?\d+(?:\.\d+)?"
# any other value: text whose parentheses are balanced (two levels deep), so that a value never
# swallows half of "(%(citation)s)" -- citations such as "ICCPR 9(3)" carry parentheses of their own
BALANCED_TEXT = r"(?:[^()]|\((?:[^()]|\([^()]*\))*\))+?"

# What each placeholder holds (by its name), hence how it is recognised and shown.
TIME, SPAN, LEFT, NUMBER, SENTENCE, SENTENCES, TERM, RIGHT, CODE, TEXT = (
    "time", "span", "left", "number", "sentence", "sentences", "term", "right", "code", "text")
PLACEHOLDERS = {
    "when": TIME, "due": TIME, "started": TIME, "expires": TIME, "escalate": TIME, "bound": TIME, "until": TIME,
    "held": SPAN, "elapsed": SPAN, "late": SPAN, "limit": SPAN, "left": LEFT,
    "hours": NUMBER, "days": NUMBER, "number": NUMBER, "months": NUMBER, "appeal_days": NUMBER, "warning_days": NUMBER,
    "family_hours": NUMBER, "consulate_hours": NUMBER,
    "reason": SENTENCE, "basis": SENTENCE, "advice": TERM,
    "reasons": SENTENCES, "mandatory": SENTENCES,
    # internal codes, named for the reader by ``terms(name, value)``: a stage id (its underscores
    # written as spaces), a role id, the offence category, the derogation grounds ("a, b"), the
    # ground given, the fields an extension lacks ("a, b"), who ended a detention
    "stage": CODE, "role": CODE, "category": CODE, "grounds": CODE, "delay_grounds": CODE, "ground": CODE, "derogation_ground": CODE, "lacking": CODE,
    "ended_by": CODE,
    "right": RIGHT, "title": TERM,
}
_PATTERNS = {TIME: TIME_TEXT, SPAN: SPAN_TEXT, LEFT: LEFT_TEXT, NUMBER: NUMBER_TEXT}
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def N_(msgid: str) -> str:
    """Mark a message id: the catalogues carry it and ``translate`` recognises its sentences."""
    if msgid not in _TEMPLATES:
        _TEMPLATES[msgid] = None  # compiled when first needed (a right's pattern names the catalogue's rights)
        _ORDER.append(msgid)
        # the most literal text first: "%(reason)s (%(right)s; %(basis)s)" is tried last
        _ORDER.sort(key=lambda m: -len(_PLACEHOLDER.sub("", m)))
    return msgid


def say(msgid: str, **values) -> str:
    """The sentence in English, its values formatted in (``msgid`` must be marked with ``N_``)."""
    assert msgid in _TEMPLATES, f"not a marked message: {msgid!r}"
    return msgid % {name: str(value) for name, value in values.items()}


def when(moment: datetime | None) -> str:
    """A moment as the engine writes it in a sentence (UTC, to the minute)."""
    return as_utc(moment).strftime("%Y-%m-%d %H:%M UTC") if moment else "unknown"


def span(delta: timedelta) -> str:
    """A duration as the engine writes it in a sentence: ``27 h 05 min``."""
    minutes = int(delta.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def number(value: float) -> str:
    return f"{value:g}"


def _pattern(msgid: str) -> re.Pattern:
    out, last = [], 0
    for match in _PLACEHOLDER.finditer(msgid):
        out.append(re.escape(msgid[last:match.start()]))
        kind = PLACEHOLDERS.get(match.group(1), TEXT)
        pattern = _rights_pattern() if kind == RIGHT else _PATTERNS.get(kind, BALANCED_TEXT)
        out.append(f"(?P<{match.group(1)}>{pattern})")
        last = match.end()
    out.append(re.escape(msgid[last:]))
    return re.compile("".join(out), re.DOTALL)


def _rights_pattern() -> str:
    """The rights by their catalogue wording (a right's name may hold "; " as a citation does)."""
    from .catalogue import CATALOGUE
    names = sorted({cp.right for cp in CATALOGUE.values()}, key=len, reverse=True)
    return "|".join(re.escape(name) for name in names) + "|" + BALANCED_TEXT


def recognise(sentence: str) -> tuple[str, dict[str, str]] | None:
    """The message id a sentence was said from, and its values (``None`` for any other text)."""
    for msgid in _ORDER:
        if _TEMPLATES[msgid] is None:
            _TEMPLATES[msgid] = _pattern(msgid)
        match = _TEMPLATES[msgid].fullmatch(sentence)
        if match:
            return msgid, match.groupdict()
    return None


def marked() -> tuple[str, ...]:
    return tuple(_ORDER)


def split_reasons(text: str) -> list[str]:
    """``a; b (x; y); c`` -> ``[a, b (x; y), c]``: reasons joined with "; ", parentheses kept whole."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(text):
        depth += char == "("
        depth -= char == ")"
        if depth == 0 and text.startswith("; ", i):
            parts.append(text[start:i])
            start = i + 2
    parts.append(text[start:])
    return parts


def translate(sentence: str, gettext: Callable[[str], str], moment: Callable[[str], str],
              own: Callable[[str], str | None] | None = None, english: bool = False,
              terms: Callable[[str, str], str | None] | None = None) -> str | None:
    """The sentence in the reader's language (``gettext`` of the reader's catalogue; ``moment``
    shows ``2026-03-04 10:00 UTC`` in the reader's zone), or ``None`` when it is not one the
    engine marked, or a part of it has no translation (the caller shows the English as it is).
    ``own`` words a sentence the caller knows better (``None`` when it does not); ``english``
    says the reader reads English, where a fixed sentence is its own translation; ``terms(name,
    value)`` names an internal code held by the placeholder ``name`` (``None`` when it cannot:
    the sentence is then not translated; without ``terms`` an English reader sees the code)."""
    found = recognise(sentence)
    if found is None:
        return None
    msgid, values = found
    shown = {}
    for name, value in values.items():
        shown[name] = _value(PLACEHOLDERS.get(name, TEXT), value, gettext, moment, own, english, terms, name)
        if shown[name] is None:
            return None
    return gettext(msgid) % shown


def _value(kind: str, value: str, gettext, moment, own=None, english=False, terms=None, name="") -> str | None:
    if kind == TIME:
        return moment(value) if value != "unknown" else gettext("unknown")
    if kind == SPAN:
        hours, minutes = re.findall(r"\d+", value)
        return gettext(N_SPAN) % {"hours": hours, "minutes": minutes}
    if kind == LEFT:
        numbers = re.findall(r"\d+", value)
        if len(numbers) == 3:
            return gettext(N_DAYS_SPAN) % dict(zip(("days", "hours", "minutes"), numbers))
        return gettext(N_SPAN) % dict(zip(("hours", "minutes"), numbers))
    if kind == SENTENCE:
        return _sentence(value, gettext, moment, own, english, terms)
    if kind == SENTENCES:
        parts = [_sentence(part, gettext, moment, own, english, terms) for part in split_reasons(value)]
        return None if None in parts else "; ".join(parts)
    if kind in (TERM, RIGHT):
        return gettext(value)
    if kind == CODE:
        named = terms(name, value) if terms else None
        return named if named is not None else (value if english else None)
    return value


def _sentence(text: str, gettext, moment, own=None, english=False, terms=None) -> str | None:
    """A sentence inside a sentence: the caller's own words, a marked one, else a fixed one by
    its catalogue entry."""
    said = (own(text) if own else None) or translate(text, gettext, moment, own, english, terms)
    if said is not None:
        return said
    fixed = gettext(text)
    return fixed if fixed != text or english else None


# a reason naming the right and its legal basis (``Checkpoint.cite``)
CITED = N_("%(reason)s (%(right)s; %(citation)s)")
N_SPAN = N_("%(hours)s h %(minutes)s min")
N_DAYS_SPAN = N_("%(days)s d %(hours)s h %(minutes)s min")
UNKNOWN = N_("unknown")
