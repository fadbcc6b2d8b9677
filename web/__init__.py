"""Habeas web front end: the Flask app factory.  Pages and the JSON API use the engine's
services; nothing here holds business rules."""
import os

from flask import Flask, jsonify

from engine.domain.errors import HabeasError
from engine.services import bootstrap


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(DATABASE_URL=os.environ.get("HABEAS_DATABASE_URL"))
    if test_config:
        app.config.update(test_config)
    app.extensions["habeas"] = bootstrap.habeas(app.config["DATABASE_URL"])

    @app.errorhandler(HabeasError)
    def _domain_error(err: HabeasError):
        status = {"not_found": 404, "forbidden": 403, "override_refused": 403, "conflict": 409,
                  "checkpoint_blocked": 409, "invalid_data": 422, "invalid_bpmn": 422}.get(err.code, 400)
        return jsonify(err.to_dict()), status

    @app.get("/health")
    def health():
        return {"status": "ok"}

    return app
