"""Between HTML forms and the engine's form vocabulary (name, type, required, label, help,
choices).  People enter times in the configured zone; the engine stores UTC ISO-8601, so
datetimes are converted here, both ways.  Validation itself is the engine's (marshmallow)."""
from collections.abc import Iterable, Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app

from engine.domain.clock import parse_instant

LOCAL_INPUT = "%d.%m.%Y %H:%M"  # as people in Kazakhstan write it: 02.03.2026 14:00, 24-hour
DATE_INPUT = "%d.%m.%Y"


def zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def as_dicts(form_fields: Iterable) -> list[dict]:
    """Form fields as plain dicts, whether they came as ``FormField`` or already as dicts."""
    return [f if isinstance(f, Mapping) else f.to_dict() for f in form_fields]


def _moment(text: str) -> datetime | None:
    """``02.03.2026 14:00`` (or ISO-8601, as scripts and older forms send it), or None."""
    try:
        return datetime.strptime(text, LOCAL_INPUT)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def local_to_utc(text: str) -> str:
    """``02.03.2026 14:00`` entered in the configured zone -> UTC ISO-8601.  Anything that does
    not parse is passed on untouched so that the engine reports it as a field error."""
    text = (text or "").strip()
    if not text:
        return ""
    moment = _moment(text)
    if moment is None:
        return text
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone())
    return moment.astimezone(ZoneInfo("UTC")).isoformat()


def local_date_to_iso(text: str) -> str:
    """``11.02.1994`` -> ``1994-02-11``; anything else untouched (the engine then says why)."""
    try:
        return datetime.strptime(text, DATE_INPUT).date().isoformat()
    except ValueError:
        return text


def iso_date_to_local(value) -> str:
    try:
        return datetime.strptime(str(value)[:10], "%Y-%m-%d").strftime(DATE_INPUT)
    except ValueError:
        return str(value)


def utc_to_local(value) -> str:
    """A stored instant as people type it, in the configured zone (``02.03.2026 14:00``)."""
    try:
        moment = parse_instant(value)
    except (TypeError, ValueError):
        return str(value)
    return moment.astimezone(zone()).strftime(LOCAL_INPUT) if moment else ""


YES, NO = ("on", "true", "1", "yes", True), ("no", "false", "0", False)
DECISION = "decision"  # a yes/no field shown as an explicit choice: neither chosen is not given


def _decided(value):
    return True if value in YES else False if value in NO else None


def submitted(form_fields: list[dict], form: Mapping) -> dict:
    """What the engine receives: each declared field from the request, datetimes in UTC, an
    unticked checkbox as ``False``; fields left empty are left out (so "required" can bite).  A
    decision (approve or refuse) is never read from silence: neither chosen is not given."""
    data = {}
    for f in form_fields:
        name, kind = f["name"], f["type"]
        if f.get("widget") == DECISION:
            if _decided(form.get(name)) is not None:
                data[name] = _decided(form.get(name))
            continue
        if kind == "boolean":
            data[name] = form.get(name) in YES
            continue
        value = form.get(name)
        value = "" if value is None else str(value).strip()  # a page's prefill may hold numbers
        if not value:
            continue
        data[name] = (local_to_utc(value) if kind == "datetime" else
                      local_date_to_iso(value) if kind == "date" else value)
    return data


def entered(form_fields: list[dict], form: Mapping) -> dict:
    """What to show again after a refusal: exactly what the person typed (times still local)."""
    values = {}
    for f in form_fields:
        if f.get("widget") == DECISION:
            values[f["name"]] = _decided(form.get(f["name"]))
        elif f["type"] == "boolean":
            values[f["name"]] = form.get(f["name"]) in YES
        else:
            values[f["name"]] = form.get(f["name"], "")
    return values


def prefilled(form_fields: list[dict], known: Mapping) -> dict:
    """Initial values from what the case already knows (its facts), times shown local."""
    values = {}
    for f in form_fields:
        if f["name"] not in known or known[f["name"]] is None:
            continue
        value = known[f["name"]]
        values[f["name"]] = (utc_to_local(value) if f["type"] == "datetime" else
                             iso_date_to_local(value) if f["type"] == "date" else value)
    return values


def errors_by_field(fields_errors: Mapping, form_fields: list[dict]) -> tuple[dict, list[str]]:
    """Split the engine's field errors into those shown beside a field and the rest."""
    names = {f["name"] for f in form_fields}
    beside, general = {}, []
    for name, messages in (fields_errors or {}).items():
        if name in names:
            beside[name] = list(messages)
        else:
            general.extend(f"{name}: {m}" if name != "_schema" else m for m in messages)
    return beside, general
