"""Reading requests and writing answers at the API's edge.

Bad input never reaches a service half-parsed: a body that is not JSON, a JSON body of the wrong
shape, a query string with a wrong type or an out-of-range id is refused here with a JSON error
that says what is wrong, and nothing is changed.
"""
import json

from flask import jsonify, request
from marshmallow import Schema, ValidationError
from werkzeug.exceptions import UnsupportedMediaType

from engine.domain.errors import HabeasError, InvalidData, NotFound

from .schemas import MAX_ID


class MalformedBody(HabeasError):
    """The body could not be read as JSON at all (answered 400)."""

    code = "malformed_json"


def _refuse_constant(name):
    raise ValueError(f"{name} is not a JSON number")


def json_body(schema: Schema) -> dict:
    """The request's JSON object, validated by ``schema``."""
    if not request.is_json:
        raise UnsupportedMediaType(f"send the body as application/json (got '{request.mimetype or 'nothing'}')")
    raw = request.get_data(cache=True)
    try:
        payload = json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as err:
        raise MalformedBody(f"the body is not valid JSON: {_first_line(err)}") from None
    return load(schema, payload, "the request body")


def query_args(schema: Schema) -> dict:
    """The query string, validated by ``schema`` (a repeated parameter counts once)."""
    return load(schema, request.args.to_dict(flat=True), "the query string")


def load(schema: Schema, payload, where: str) -> dict:
    try:
        return schema.load(payload)
    except ValidationError as err:
        problems = _messages(err.messages)
        raise InvalidData(f"{where} is invalid: " + ", ".join(sorted(problems)), problems) from None


def _messages(messages) -> dict[str, list[str]]:
    """marshmallow's nested messages flattened to {"field" or "field.sub": [text]}."""
    if not isinstance(messages, dict):
        return {"_schema": [str(m) for m in (messages if isinstance(messages, list) else [messages])]}
    out: dict[str, list[str]] = {}
    for name, value in messages.items():
        if isinstance(value, dict):
            for sub, texts in _messages(value).items():
                out[f"{name}.{sub}"] = texts
        else:
            out[str(name)] = [str(m) for m in (value if isinstance(value, list) else [value])]
    return out


def _first_line(err: Exception) -> str:
    return str(err).splitlines()[0][:200] if str(err) else err.__class__.__name__


def existing_id(value: int, what: str) -> int:
    """Ids beyond a 32-bit integer cannot exist; say so instead of asking the database."""
    if value > MAX_ID:
        raise NotFound(f"no {what} {value}")
    return value


def answer(schema: Schema, body, status: int = 200, **headers):
    """Dump ``body`` through ``schema`` as the JSON answer."""
    response = jsonify(schema.dump(body))
    response.status_code = status
    response.headers.update(headers)
    return response
