"""The JSON API under /api/v1: the same services and rules as the pages, Bearer tokens for scripts.

Every body in and out goes through a marshmallow schema (``schemas``); every endpoint is
described for the OpenAPI document at /api/v1/openapi.json (``docs``, ``openapi``); every error
is JSON (``web.errors``)."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.after_request
def _challenge(response):
    """A 401 says how to authenticate."""
    if response.status_code == 401:
        response.headers.setdefault("WWW-Authenticate", 'Bearer realm="habeas"')
    return response


from . import cases, complaints, inbox, incidents, openapi, procedure, processes, reports, rights, training  # noqa: E402,F401  (routes register on import)
