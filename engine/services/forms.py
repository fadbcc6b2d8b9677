"""Validation of submitted forms at the edge, with marshmallow.

Task forms (declared in BPMN) and evidence forms (declared by checkpoints) share one vocabulary,
``FormField``.  ``clean`` turns a submitted dict into JSON-safe values the domain can store:
datetimes as ISO-8601 text in UTC (a naive datetime is taken as UTC), dates as ISO dates,
booleans and integers as such.  Unknown keys are refused, so a typo never passes silently.
"""
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timezone
from functools import lru_cache

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from engine.domain.clock import as_utc
from engine.domain import payload
from engine.domain.errors import InvalidData
from engine.domain.forms import FIELD_TYPES, FormField

_INTEGER_TEXT = re.compile(r"^[+-]?\d+$")


def _marshmallow_field(spec: FormField) -> fields.Field:
    """One marshmallow field for a form field; the key on the wire is the field's name."""
    common = {"required": spec.required, "data_key": spec.name, "attribute": spec.name}
    if spec.type in ("string", "text"):
        return fields.String(**common)
    if spec.type == "integer":
        return fields.Integer(strict=True, **common)
    if spec.type == "boolean":
        return fields.Boolean(**common)
    if spec.type == "date":
        return fields.Date(**common)
    if spec.type == "datetime":
        return fields.AwareDateTime(default_timezone=timezone.utc, **common)
    if spec.type == "choice":
        return fields.String(validate=validate.OneOf(spec.choices), **common)
    raise ValueError(f"field '{spec.name}' has unknown type '{spec.type}' "
                     f"(one of {', '.join(FIELD_TYPES)})")


def build_schema(form_fields: Iterable[FormField]) -> Schema:
    """A marshmallow schema instance for these fields, refusing unknown keys.

    Attributes are named by position (the field names travel as ``data_key``), so a field
    called ``load`` or ``fields`` cannot shadow the schema's own methods.  Forms are few and
    immutable, so each schema class is built once (building one costs more than a whole load).
    """
    return _schema_class(tuple(form_fields))(unknown=RAISE)


@lru_cache(maxsize=1024)
def _schema_class(form_fields: tuple[FormField, ...]) -> type[Schema]:
    declared, seen = {}, set()
    for index, spec in enumerate(form_fields):
        if spec.name in seen:
            raise ValueError(f"field '{spec.name}' is declared twice")
        seen.add(spec.name)
        declared[f"field_{index}"] = _marshmallow_field(spec)
    return Schema.from_dict(declared, name="FormSchema")


def _prepare(form_fields: list[FormField], data: Mapping) -> dict:
    """Even out what browsers and clients send before validation.

    Empty values (``None``, blank text) count as not given, so a required field reports
    "missing" and an optional one is left out; text is trimmed; date and datetime objects
    become ISO text; integer text becomes an integer.
    """
    by_name = {spec.name: spec for spec in form_fields}
    prepared = {}
    for key, value in data.items():
        spec = by_name.get(key)
        if isinstance(value, str):
            value = value.strip()
        if value is None or value == "":
            continue
        if spec is not None and spec.type in ("date", "datetime") and isinstance(value, date):
            if spec.type == "date" and isinstance(value, datetime):
                value = value.date()
            value = value.isoformat()
        if spec is not None and spec.type == "integer" and isinstance(value, str) \
                and _INTEGER_TEXT.match(value):
            value = int(value)
        prepared[key] = value
    return prepared


def _json_safe(value):
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _messages(error: ValidationError) -> dict[str, list[str]]:
    raw = error.messages if isinstance(error.messages, dict) else {"_schema": error.messages}
    out = {}
    for name, messages in raw.items():
        if isinstance(messages, dict):  # nested detail: flatten to text
            messages = [f"{key}: {msg}" for key, msg in messages.items()]
        elif not isinstance(messages, (list, tuple)):
            messages = [messages]
        out[str(name)] = [str(message) for message in messages]
    return out


def clean(form_fields: Iterable[FormField], data: Mapping) -> dict:
    """Validate a submitted form; return its values JSON-safe, or raise ``InvalidData``.

    ``InvalidData.fields`` maps each offending field name to its messages.
    """
    form_fields = list(form_fields)
    if not isinstance(data, Mapping):
        raise InvalidData("The form data must be an object of field values",
                          fields={"_schema": ["Expected an object of field values."]})
    schema = build_schema(form_fields)
    try:
        loaded = schema.load(_prepare(form_fields, data))
    except ValidationError as error:
        problems = _messages(error)
        raise InvalidData("Invalid form data: " + ", ".join(sorted(problems)),
                          fields=problems) from None
    cleaned = {name: _json_safe(value) for name, value in loaded.items()}
    payload.require_plain(cleaned, "the form data")  # NUL characters, text too long
    return cleaned
