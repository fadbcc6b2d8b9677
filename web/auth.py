"""Who is asking: password login with server-side sessions for people, Bearer tokens for
scripts, and role checks on every page and endpoint.  Failed logins are throttled per user name
and per address in the database (``engine.services.logins``), so every worker counts them."""
from functools import wraps
from ipaddress import ip_address

from flask import (Blueprint, abort, current_app, flash, g, redirect, render_template, request, session,
                   url_for)
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext as _

from engine.domain.errors import Forbidden, Throttled, Unauthenticated
from engine.services import logins, users
from engine.services.context import Actor

from .extensions import csrf, habeas
from .i18n import keep_language_across, labels, said

bp = Blueprint("auth", __name__)


def current_actor() -> Actor | None:
    """The acting user: a Bearer token (scripts) or the server-side session (people)."""
    if "actor" in g:
        return g.actor
    actor = None
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        g.actor = None  # a refused token leaves no actor behind for the error page
        actor = users.actor_for_token(habeas(), header[len("Bearer "):].strip())
        g.token_auth = True
    elif "sid" in session:
        actor = logins.actor_for_session(habeas(), session["sid"])
        if actor is None:
            session.clear()  # logged out, expired, deactivated or given another role
    g.actor = actor
    return actor


def require(*roles):
    """Allow the view only to an authenticated user with one of ``roles`` (any role if none)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            actor = current_actor()
            if actor is None:
                if request.path.startswith("/api/"):
                    raise said(Unauthenticated(_("Log in or send 'Authorization: Bearer TOKEN'.")))
                return redirect(url_for("auth.login", next=request.full_path))
            if roles and actor.role not in roles:
                raise said(Forbidden(_("This is not open to your role (%(role)s).",
                                       role=labels.role_name(actor.role))))
            return view(*args, **kwargs)
        return wrapped
    return decorator


def _policy() -> logins.LoginPolicy:
    config = current_app.config
    return logins.LoginPolicy(per_user=config["LOGIN_ATTEMPTS"], per_address=config["LOGIN_ATTEMPTS_PER_ADDRESS"],
                              window_seconds=config["LOGIN_WINDOW_SECONDS"],
                              session_seconds=int(current_app.permanent_session_lifetime.total_seconds()))


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        return render_template("login.html")
    username = (request.form.get("username") or "").strip()
    try:
        outcome = logins.log_in(habeas(), username, request.form.get("password") or "", request.remote_addr or "",
                                _policy())
    except Throttled as err:
        response = current_app.make_response(
            (render_template("login.html", error=_("Too many failed attempts; wait a few minutes.")), 429))
        response.headers["Retry-After"] = str(err.retry_after)
        return response
    if outcome is None:
        return render_template("login.html", error=_("Wrong user name or password."), username=username), 401
    actor, token = outcome
    keep_language_across(session.clear)
    session.permanent = True
    session["sid"], session["user"] = token, actor.username
    return redirect(safe_next(request.args.get("next")) or url_for("home"))


@bp.post("/logout")
def logout():
    if "sid" in session:
        logins.log_out(habeas(), session["sid"])
    keep_language_across(session.clear)
    flash(_("You are logged out."))
    return redirect(url_for("auth.login"))


def safe_next(target: str | None) -> str | None:
    """Only a same-site path: one leading '/', no backslash, no control or space characters
    (browsers drop a tab or newline and would read '/\\t/evil.example/' as '//evil.example/')."""
    if not target or not target.startswith("/") or len(target) > 2000:
        return None
    if "\\" in target or any(ord(c) < 0x21 or ord(c) == 0x7f for c in target):
        return None
    if target.startswith("//"):
        return None
    return target


LOOPBACK_NAMES = {"localhost"}


def _is_loopback(host: str) -> bool:
    name = host.rsplit(":", 1)[0] if host.count(":") == 1 or host.startswith("[") else host
    name = name.strip("[]")
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ip_address(name).is_loopback
    except ValueError:
        return False


class HabeasSessionInterface(SecureCookieSessionInterface):
    """Session cookies are Secure, except for plain HTTP served and used on this machine only
    (``make run`` on 127.0.0.1): a request through a proxy (X-Forwarded-*) or to any other
    host name gets a Secure cookie.  ``HABEAS_SECURE_COOKIES=1`` or ``0`` decides outright."""

    def get_cookie_secure(self, app) -> bool:
        forced = app.config.get("SESSION_COOKIE_SECURE")
        if forced is not None:
            return bool(forced)
        if request.is_secure or any(h.startswith("X-Forwarded-") for h in request.headers.keys()):
            return True
        return not (_is_loopback(request.host) and _is_loopback(request.remote_addr or ""))


def exempt_token_requests(app) -> None:
    """API calls with a Bearer token carry no cookie, so CSRF does not apply to them."""
    app.session_interface = HabeasSessionInterface()

    @app.before_request
    def _csrf_for_sessions_only():
        if request.headers.get("Authorization", "").startswith("Bearer "):
            return None
        if request.path.startswith("/api/") and "user" not in session:
            return None  # no session to forge: the API answers 401 unauthenticated
        if request.method in ("POST", "PUT", "PATCH", "DELETE"):
            csrf.protect()
        return None


__all__ = ["bp", "current_actor", "require", "Unauthenticated", "abort", "safe_next"]
