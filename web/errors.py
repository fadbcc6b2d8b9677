"""One place turns every failure into an answer: JSON under /api, a page elsewhere; never a
traceback.  Codes and field names stay English; the ``message`` is in the reader's language
(``Accept-Language`` for the API), with the engine's own English sentence in ``detail`` when
we have no words for it."""
from flask import g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from engine.domain.errors import HabeasError, Throttled, Unauthenticated
from engine.services import denials

from .filters import error_message

STATUS = {"not_found": 404, "forbidden": 403, "override_refused": 403, "unauthenticated": 401, "conflict": 409,
          "checkpoint_blocked": 409, "confirmation_required": 409, "invalid_data": 422, "invalid_bpmn": 422,
          "workflow_error": 422, "throttled": 429, "incident": 409}


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def _json(body: dict, status: int, error=None):
    message = error_message(error if error is not None else body)
    if body.get("message") and message != body["message"]:
        body = {**body, "message": message, "detail": body["message"]}
    return jsonify(body), status


def register(app) -> None:
    @app.errorhandler(HabeasError)
    def _domain(err: HabeasError):
        status = STATUS.get(err.code, 400)
        _audit_denial(app, err, status)
        if wants_json():
            return _json(err.to_dict(), status, err)
        return render_template("error.html", error=err, status=status), status

    @app.errorhandler(CSRFError)
    def _csrf(err: CSRFError):
        body = {"error": "csrf", "message": _("The form expired or did not come from Habeas; reload and try again.")}
        if wants_json():
            return jsonify(body), 400
        return render_template("error.html", error=body, status=400), 400

    @app.errorhandler(HTTPException)
    def _http(err: HTTPException):
        body = {"error": (err.name or "error").lower().replace(" ", "_"), "message": err.description}
        if err.code == 413:
            body = {"error": "too_large", "message": _("The request is larger than %(size)s bytes.",
                                                     size=app.config["MAX_CONTENT_LENGTH"])}
            if wants_json():
                return jsonify(body), 413
            return render_template("error.html", error=body, status=413), 413
        if wants_json():
            return _json(body, err.code)
        return render_template("error.html", error=body, status=err.code), err.code

    @app.errorhandler(Throttled)
    def _throttled(err: Throttled):
        response = _domain(err)
        response = app.make_response(response)
        response.headers["Retry-After"] = str(err.retry_after)
        return response

    @app.errorhandler(Exception)
    def _unexpected(err: Exception):
        app.logger.exception("unexpected failure")
        body = {"error": "internal", "message": _("Something went wrong on our side; it has been logged.")}
        if wants_json():
            return jsonify(body), 500
        return render_template("error.html", error=body, status=500), 500


def _audit_denial(app, err: HabeasError, status: int) -> None:
    """A 403, or a 401 whose credentials named a user, goes into the audit trail (once: a refused
    case read is audited by the engine, linked to the case, and not again here)."""
    if getattr(err, "audited", False):
        return
    if status == 403:
        actor = g.get("actor")
        who = actor.username if actor is not None else None
    elif status == 401 and isinstance(err, Unauthenticated) and err.username:
        who = err.username
    else:
        return
    try:
        from .extensions import habeas
        denials.record(habeas(), who=who, status=status, what=err.message,
                       where=f"{request.method} {request.path}", address=request.remote_addr)
    except Exception:  # noqa: BLE001 - the refusal is answered even if it cannot be recorded
        app.logger.exception("could not audit a refusal")
