"""Habeas web front end: the Flask app factory.  Pages and the JSON API call the engine's
services; nothing here holds business rules."""
from flask import Flask, redirect, url_for

from . import errors, extensions, filters, i18n, input_guard, settings
from .auth import current_actor, exempt_token_requests

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                               "script-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; "
                               "form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}

HOME_BY_ROLE = {"designer": "designer.index", "reviewer": "reviewer.dashboard", "admin": "reviewer.dashboard",
                "trainee": "training.index", "trainer": "training.index"}


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    settings.load(app, test_config)
    _trust_proxies(app)
    extensions.init_app(app)
    i18n.init_app(app)
    exempt_token_requests(app)
    errors.register(app)
    input_guard.register(app)
    filters.register(app)
    _register_blueprints(app)

    @app.after_request
    def _security_headers(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    @app.get("/")
    def home():
        actor = current_actor()
        if actor is None:
            return redirect(url_for("auth.login"))
        return redirect(url_for(HOME_BY_ROLE.get(actor.role, "cases.dashboard")))

    @app.get("/health")
    def health():
        from engine.services import health as checks
        scheduler = _scheduler_liveness(app)
        database = checks.database(extensions.habeas_for(app))
        if not database["ok"]:
            return {"status": "unavailable", "database": "unreachable", "scheduler": scheduler}, 503
        ok = scheduler["status"] in ("alive", "off")
        return {"status": "ok" if ok else "degraded", "database": "ok", "scheduler": scheduler}, 200 if ok else 503

    if app.config["SCHEDULER"]:
        _start_scheduler(app)
    return app


def _trust_proxies(app: Flask) -> None:
    """Behind N reverse proxies (``HABEAS_TRUSTED_PROXIES=N``) the client's address and scheme
    come from their X-Forwarded-* headers: login throttling counts per real address, and a
    proxied HTTPS request is secure.  Without it those headers are not believed."""
    hops = app.config["TRUSTED_PROXIES"]
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def _register_blueprints(app: Flask) -> None:
    from . import api, auth, cases, designer, incidents, reviewer, training
    for module in (auth, cases, designer, reviewer, incidents, training, api):
        app.register_blueprint(module.bp)


def _scheduler_liveness(app: Flask) -> dict:
    """Whether the legal-clock scheduler beside this server is ticking (``off`` when switched off)."""
    from engine.services import scheduler
    if not app.config["SCHEDULER"]:
        return {"status": "off", "last_tick_at": None}
    return scheduler.liveness()


def _start_scheduler(app: Flask) -> None:
    """Legal clocks fire on time: the scheduler runs beside the server unless switched off."""
    try:
        from engine.services import scheduler
    except ImportError:  # the scheduler arrives with the legal-clocks work
        return
    app.extensions["scheduler_stop"] = scheduler.start_background(extensions.habeas_for(app),
                                                                  app.config["SCHEDULER_INTERVAL"])
