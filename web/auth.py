"""Who is asking: password login with sessions for people, Bearer tokens for scripts, and role
checks on every page and endpoint.  Failed logins are rate-limited per address and user name."""
import time
from collections import defaultdict, deque
from functools import wraps
from threading import Lock

from flask import (Blueprint, abort, current_app, flash, g, redirect, render_template, request, session,
                   url_for)

from engine.domain.errors import Forbidden, HabeasError
from engine.services import users
from engine.services.context import Actor

from .extensions import csrf, habeas

bp = Blueprint("auth", __name__)


class Unauthenticated(HabeasError):
    code = "unauthenticated"


class LoginThrottle:
    """At most N failed logins per address and user name within a window (per worker process)."""

    def __init__(self):
        self._failures: dict[tuple, deque] = defaultdict(deque)
        self._lock = Lock()

    def blocked(self, key, limit: int, window: float) -> bool:
        with self._lock:
            attempts = self._failures[key]
            while attempts and attempts[0] < time.monotonic() - window:
                attempts.popleft()
            return len(attempts) >= limit

    def fail(self, key) -> None:
        with self._lock:
            self._failures[key].append(time.monotonic())

    def clear(self, key) -> None:
        with self._lock:
            self._failures.pop(key, None)


def throttle() -> LoginThrottle:
    return current_app.extensions.setdefault("login_throttle", LoginThrottle())


def current_actor() -> Actor | None:
    """The acting user: a Bearer token (scripts) or the signed session (people)."""
    if "actor" in g:
        return g.actor
    actor = None
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        actor = users.actor_for_token(habeas(), header[len("Bearer "):].strip())
        g.token_auth = True
    elif "user" in session:
        actor = Actor(session["user"], session["role"])
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
                    raise Unauthenticated("log in or send 'Authorization: Bearer TOKEN'")
                return redirect(url_for("auth.login", next=request.full_path))
            if roles and actor.role not in roles:
                raise Forbidden(f"a {actor.role.replace('_', ' ')} may not open this")
            return view(*args, **kwargs)
        return wrapped
    return decorator


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        return render_template("login.html")
    username = (request.form.get("username") or "").strip()
    key = (request.remote_addr, username.lower())
    limit, window = current_app.config["LOGIN_ATTEMPTS"], current_app.config["LOGIN_WINDOW_SECONDS"]
    if throttle().blocked(key, limit, window):
        return render_template("login.html", error="Too many failed attempts; wait a few minutes."), 429
    actor = users.check_password(habeas(), username, request.form.get("password") or "")
    if actor is None:
        throttle().fail(key)
        return render_template("login.html", error="Wrong user name or password.", username=username), 401
    throttle().clear(key)
    session.clear()
    session.permanent = True
    session["user"], session["role"] = actor.username, actor.role
    return redirect(_safe_next(request.args.get("next")) or url_for("home"))


@bp.post("/logout")
def logout():
    session.clear()
    flash("You are logged out.")
    return redirect(url_for("auth.login"))


def _safe_next(target: str | None) -> str | None:
    """Only same-site paths: never redirect a login to another host."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


def exempt_token_requests(app) -> None:
    """API calls with a Bearer token carry no cookie, so CSRF does not apply to them."""

    @app.before_request
    def _csrf_for_sessions_only():
        if request.headers.get("Authorization", "").startswith("Bearer "):
            return None
        if request.path.startswith("/api/") and "user" not in session:
            return None  # no session to forge: the API answers 401 unauthenticated
        if request.method in ("POST", "PUT", "PATCH", "DELETE"):
            csrf.protect()
        return None


__all__ = ["bp", "current_actor", "require", "Unauthenticated", "abort"]
