"""One place turns every failure into an answer: JSON under /api, a page elsewhere; never a
traceback."""
from flask import jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from engine.domain.errors import HabeasError

STATUS = {"not_found": 404, "forbidden": 403, "override_refused": 403, "unauthenticated": 401, "conflict": 409,
          "checkpoint_blocked": 409, "confirmation_required": 409, "invalid_data": 422, "invalid_bpmn": 422, "workflow_error": 422}


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def register(app) -> None:
    @app.errorhandler(HabeasError)
    def _domain(err: HabeasError):
        status = STATUS.get(err.code, 400)
        if wants_json():
            return jsonify(err.to_dict()), status
        return render_template("error.html", error=err, status=status), status

    @app.errorhandler(CSRFError)
    def _csrf(err: CSRFError):
        body = {"error": "csrf", "message": "the form expired or did not come from Habeas; reload and try again"}
        if wants_json():
            return jsonify(body), 400
        return render_template("error.html", error=body, status=400), 400

    @app.errorhandler(HTTPException)
    def _http(err: HTTPException):
        body = {"error": (err.name or "error").lower().replace(" ", "_"), "message": err.description}
        if err.code == 413:
            body = {"error": "too_large", "message": f"the request is larger than {app.config['MAX_CONTENT_LENGTH']} bytes"}
        if wants_json():
            return jsonify(body), err.code
        return render_template("error.html", error=body, status=err.code), err.code

    @app.errorhandler(Exception)
    def _unexpected(err: Exception):
        app.logger.exception("unexpected failure")
        body = {"error": "internal", "message": "something went wrong on our side; it has been logged"}
        if wants_json():
            return jsonify(body), 500
        return render_template("error.html", error=body, status=500), 500
