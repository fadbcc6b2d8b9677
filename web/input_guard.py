"""No NUL character gets into a request's handling.

Why: PostgreSQL's text columns refuse NUL (0x00), so a NUL in a form field, a query argument or
a JSON string answered 500 there, in several places, while SQLite stored it.  It is refused here,
once, for every endpoint: 422 ``invalid_data`` naming where it was, and nothing changed."""
import json

from flask import request

from engine.domain.errors import InvalidData

_JSON_NUL = (b"\\u0000", b"\x00")


def register(app) -> None:
    app.before_request(refuse_nul)


def refuse_nul() -> None:
    where = _nul_in_request()
    if where:
        raise InvalidData(f"the request contains a NUL character ({where})", {where: ["contains a NUL character"]})


def _nul_in_request() -> str | None:
    if "\x00" in request.path:
        return "path"
    for key, value in request.args.items(multi=True):
        if "\x00" in key or "\x00" in value:
            return "query"
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for key, value in request.form.items(multi=True):
            if "\x00" in key or "\x00" in value:
                return f"form.{key}".replace("\x00", "")
    elif request.is_json:
        raw = request.get_data(cache=True)
        if any(marker in raw for marker in _JSON_NUL) and _json_has_nul(raw):
            return "body"
    return None


def _json_has_nul(raw: bytes) -> bool:
    """Whether a decoded JSON string (key or value) holds NUL; a body that is not JSON is left
    to the endpoint, which says so."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return False
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                return True
        elif isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return False
