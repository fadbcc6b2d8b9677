"""Facts checked before they are acted on (brief, precisions: "Facts are checked").

A wrong fact gets a clear error naming the field and changes nothing: every clock and every
right is computed from the facts, so a birth date in 2031 would give a 40-year-old the
safeguards of a child and an apprehension 30 h ahead would stretch the 48 h clock.

``check_facts`` returns errors by field (empty when all is well); ``normalise_facts`` puts
codes in their canonical case.  Both are pure.  Each message is a sentence for a person.
"""
from datetime import date, datetime, timedelta

from . import codes
from .clock import as_utc, parse_instant
from .facts import yes_no
from .params import DEFAULT_PARAMS, Params

DATETIME = "datetime"
DATE = "date"

# Pairs of times that must come in order: (earlier, later, strictly after?).  The later time is
# checked when it is entered; the earlier comes from the same entry, or, for the case's anchors
# (the apprehension, the pronouncement), from what is already known.  Two times of one record
# (an interrogation's start and end) are compared only within the entry: a second
# interrogation's start is not compared with the first one's end.
ORDERED_PAIRS: tuple[tuple[str, str, bool], ...] = (
    # forms take times to the minute: an act may end in the minute it started, never before
    ("started_at", "ended_at", False),
    ("learned_of_act_at", "complaint_filed_at", False),
    ("ill_treatment_alleged_at", "referral_at", False),
    ("apprehended_at", "protocol_at", False),
    ("apprehended_at", "petition_at", False),
    ("apprehended_at", "hearing_at", False),
    ("apprehended_at", "released_at", False),
    ("apprehended_at", "ordered_at", False),
    ("apprehended_at", "custody_ordered_at", False),
    ("first_ordered_at", "ordered_at", False),
    ("ordered_at", "expires_at", True),
    ("ordered_at", "extended_until", True),
    ("custody_ordered_at", "expires_at", True),
    ("defence_access_from", "defence_access_until", False),
    ("pronounced_at", "copy_served_at", False),
    ("verdict_pronounced_at", "copy_served_at", False),
)
# Case-level anchors an entry's later time is compared with even when entered before.
ANCHORS = frozenset({"apprehended_at", "pronounced_at", "verdict_pronounced_at"})
# Times that look ahead by nature (a term's end, a ruling due): never refused as future.
FUTURE_ALLOWED = frozenset({"expires_at", "extended_until", "defence_access_until",
                            "ruling_due_at", "delay_until"})

LABELS = {
    "started_at": "the start", "ended_at": "the end", "apprehended_at": "the apprehension",
    "ordered_at": "the order", "custody_ordered_at": "the custody order",
    "first_ordered_at": "the first custody order", "pronounced_at": "the pronouncement",
    "verdict_pronounced_at": "the pronouncement", "defence_access_from": "the start of access",
    "defence_access_until": "the end of access", "expires_at": "the end of the term",
    "extended_until": "the end of the extended term", "hearing_at": "the hearing",
    "protocol_at": "the detention protocol", "petition_at": "the petition",
    "released_at": "the release", "copy_served_at": "the service of the copy",
    "learned_of_act_at": "learning of the act", "ill_treatment_alleged_at": "the allegation", "complaint_filed_at": "the complaint",
}


def _label(name: str) -> str:
    return LABELS.get(name, name.replace("_at", "").replace("_", " "))


def _show(moment: datetime) -> str:
    return as_utc(moment).strftime("%Y-%m-%d %H:%M UTC")


def _empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


TIME_FIELDS = frozenset(name for pair in ORDERED_PAIRS for name in pair[:2]) | FUTURE_ALLOWED


def _is_time_field(name: str, field_types: dict[str, str]) -> bool:
    return field_types.get(name) == DATETIME or name.endswith("_at") or name in TIME_FIELDS


def _parse(value) -> datetime | None:
    """A time as entered, or ``ValueError``."""
    if isinstance(value, datetime):
        return as_utc(value)
    if isinstance(value, date):
        raise ValueError("a date without a time")
    return parse_instant(str(value).strip())


def _age(born: date, today: date) -> int:
    years = today.year - born.year
    return years - 1 if (today.month, today.day) < (born.month, born.day) else years


def check_facts(values: dict, *, now: datetime, known: dict | None = None,
                field_types: dict[str, str] | None = None,
                params: Params = DEFAULT_PARAMS) -> dict[str, list[str]]:
    """Errors by field in ``values`` (what is being entered), given what is ``known`` already.

    - times (typed ``datetime`` in ``field_types`` or named ``*_at``) parse and are not in the
      future beyond ``params.clock_skew_minutes`` (except the ends of terms);
    - times come in order (``ORDERED_PAIRS``), on the values merged over ``known``;
    - ``suspect_birth_date``: a date, not in the future, age between ``min_age_plausible`` and
      ``max_age_plausible`` today;
    - ``suspect_citizenship`` an ISO 3166-1 alpha-2 code, ``suspect_language`` ISO 639-1,
      ``offence_category`` from the catalogue's list, ``offence_article`` shaped like an article
      of the Criminal Code; ``speaks_language_of_proceedings`` yes or no.
    """
    field_types = field_types or {}
    now = as_utc(now)
    errors: dict[str, list[str]] = {}

    def err(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    latest = now + timedelta(minutes=params.clock_skew_minutes)
    times: dict[str, datetime] = {}
    for name, value in (known or {}).items():
        if _is_time_field(name, field_types) and not _empty(value):
            try:
                times[name] = _parse(value)
            except (TypeError, ValueError):
                pass
    for name, value in values.items():
        if not _is_time_field(name, field_types) or _empty(value):
            continue
        try:
            moment = _parse(value)
        except (TypeError, ValueError):
            err(name, f"must be a date and time such as 2026-03-02T09:00:00Z, not '{value}'")
            times.pop(name, None)
            continue
        times[name] = moment
        if name not in FUTURE_ALLOWED and moment > latest:
            err(name, f"must not be in the future ({_show(moment)} is after now, "
                      f"{_show(now)})")

    for earlier, later, strict in ORDERED_PAIRS:
        if earlier not in times or later not in times or later not in values:
            continue
        if earlier not in values and earlier not in ANCHORS:
            continue  # another record's time: not comparable
        first, second = times[earlier], times[later]
        if second <= first if strict else second < first:
            shown = (f"{_show(second)} is {'not after' if strict else 'before'} "
                     f"{_show(first)}")
            err(later, f"must be {'after' if strict else 'at or after'} {_label(earlier)} "
                       f"({shown})")

    _check_birth_date(values, now, params, err)
    _check_codes(values, err)
    _check_refusal(values, field_types, err)
    return errors


REFUSAL_NEEDS_REASONS = "required when refusing: say what must be corrected"


def _check_refusal(values, field_types, err) -> None:
    """A refused approval goes back to the one who drafted it: it says why, or it is no decision
    (CPC art 202: the prosecutor's refusal is reasoned).  Only where the form asks for reasons."""
    if values.get("approved") is False and "refusal_reasons" in field_types \
            and _empty(values.get("refusal_reasons")):
        err("refusal_reasons", REFUSAL_NEEDS_REASONS)


def _check_birth_date(values, now, params, err) -> None:
    name = "suspect_birth_date"
    value = values.get(name)
    if _empty(value):
        return
    try:
        born = value if isinstance(value, date) and not isinstance(value, datetime) else \
            date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        err(name, f"must be a date such as 1990-05-17, not '{value}'")
        return
    today = now.date()
    if born > today:
        err(name, f"must not be in the future ({born.isoformat()} is after now, "
                  f"{today.isoformat()})")
        return
    age = _age(born, today)
    if age < params.min_age_plausible:
        err(name, f"makes the person {age} years old today: a suspect is at least "
                  f"{params.min_age_plausible}; check the date ({born.isoformat()})")
    elif age > params.max_age_plausible:
        err(name, f"makes the person {age} years old today, more than "
                  f"{params.max_age_plausible}; check the date ({born.isoformat()})")


def _check_codes(values, err) -> None:
    value = values.get("suspect_citizenship")
    if not _empty(value) and not codes.is_country(value):
        err("suspect_citizenship", f"must be a two-letter country code (ISO 3166-1), such as "
                                   f"KZ or RU, not '{value}'")
    value = values.get("suspect_language")
    if not _empty(value) and not codes.is_language(value):
        err("suspect_language", f"must be a two-letter language code (ISO 639-1), such as kk, "
                                f"ru or uz, not '{value}'")
    value = values.get("offence_category")
    if not _empty(value) and not codes.is_offence_category(value):
        err("offence_category", f"must be one of {', '.join(codes.OFFENCE_CATEGORIES)}, "
                                f"not '{value}'")
    value = values.get("offence_article")
    if not _empty(value) and not codes.is_offence_article(value):
        low, high = codes.ARTICLE_RANGE
        err("offence_article", f"must be an article of the Criminal Code ({low}-{high}), such as "
                               f"'188', '188 part 2' or '188-1 part 3 para 2', not '{value}'")
    if "speaks_language_of_proceedings" in values:
        value = values["speaks_language_of_proceedings"]
        if not _empty(value) and yes_no(value) is None:
            err("speaks_language_of_proceedings", f"must be yes or no, not '{value}'")


def normalise_facts(values: dict) -> dict:
    """The values with codes in canonical form (country upper case, language and category
    lower case, the article's spacing tidied); everything else unchanged."""
    out = dict(values)
    for name, fix in (("suspect_citizenship", str.upper), ("suspect_language", codes.language_code),
                      ("language", codes.language_code), ("offence_category", str.lower)):
        if isinstance(out.get(name), str):
            out[name] = fix(out[name].strip())
    if isinstance(out.get("offence_article"), str):
        out["offence_article"] = codes.canonical_article(out["offence_article"])
    return out
