"""Web logins: server-side sessions and throttling shared by every worker (in the database).

A session is a random id in the (signed) cookie and a row holding its SHA-256; it is valid
while not revoked (logout), not expired, its user active and of the role they logged in with.
Failed logins are counted per user name and per address over a window; past the limit the
password is not even checked until the window has passed, so guesses stop being useful but the
right password works again afterwards."""
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, select, update

from ..domain.errors import Throttled
from ..persistence import audit
from ..persistence.models import LoginFailure, User, UserSession
from . import users
from .context import Actor, Habeas


@dataclass(frozen=True)
class LoginPolicy:
    per_user: int = 5          # failures per user name within the window
    per_address: int = 20      # failures from one address within the window, whatever the names
    window_seconds: int = 900
    session_seconds: int = 8 * 3600


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def log_in(ctx: Habeas, username: str, password: str, address: str,
           policy: LoginPolicy = LoginPolicy()) -> tuple[Actor, str] | None:
    """The actor and a new session id, or None for a wrong user name or password; ``Throttled``
    when too many failures came for this name or from this address."""
    name, address = username.strip().lower()[:80], (address or "unknown")[:64]
    now = ctx.now()
    _refuse_if_throttled(ctx, name, address, now, policy)
    actor = users.check_password(ctx, username, password)
    if actor is None:
        _record_failure(ctx, name, address, now, policy)
        return None
    token = secrets.token_urlsafe(32)
    with ctx.unit_of_work() as session:
        user_id = session.execute(select(User.id).where(User.username == actor.username)).scalar_one()
        session.add(UserSession(token_hash=_digest(token), user_id=user_id, role=actor.role, created_at=now,
                                expires_at=now + timedelta(seconds=policy.session_seconds), address=address))
        session.execute(delete(LoginFailure).where(LoginFailure.username == name))
    return actor, token


def _refuse_if_throttled(ctx, name, address, now, policy) -> None:
    since = now - timedelta(seconds=policy.window_seconds)
    with ctx.unit_of_work() as session:
        by_user = session.execute(select(func.count()).where(LoginFailure.username == name,
                                                             LoginFailure.at > since)).scalar_one()
        by_address = session.execute(select(func.count()).where(LoginFailure.address == address,
                                                                LoginFailure.at > since)).scalar_one()
    if by_user >= policy.per_user or by_address >= policy.per_address:
        raise Throttled("too many failed logins; try again in a few minutes", policy.window_seconds)


def _record_failure(ctx, name, address, now, policy) -> None:
    """Count the failure for every worker; a failure for an existing user is audited."""
    with ctx.unit_of_work() as session:
        session.execute(delete(LoginFailure).where(
            LoginFailure.at < now - timedelta(seconds=4 * policy.window_seconds)))
        session.add(LoginFailure(username=name, address=address, at=now))
        known = session.execute(select(User.username).where(func.lower(User.username) == name)).scalar_one_or_none()
        if known:
            audit.append(session, at=now, actor=known, action="auth.login_failed", case_id=None,
                         payload={"address": address})


def actor_for_session(ctx: Habeas, token: str) -> Actor | None:
    """The session's user, or None when it ended (logout, expiry, deactivation, role change)."""
    with ctx.unit_of_work() as session:
        found = session.execute(select(User.username, User.role).join(UserSession, UserSession.user_id == User.id).where(
            UserSession.token_hash == _digest(token), UserSession.revoked_at.is_(None),
            UserSession.expires_at > ctx.now(), User.active.is_(True),
            User.role == UserSession.role)).first()
    return Actor(found.username, found.role) if found else None


def log_out(ctx: Habeas, token: str) -> None:
    with ctx.unit_of_work() as session:
        session.execute(update(UserSession).where(UserSession.token_hash == _digest(token),
                                                  UserSession.revoked_at.is_(None)).values(revoked_at=ctx.now()))
