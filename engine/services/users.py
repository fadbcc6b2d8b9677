"""Users, roles and API tokens.  Tokens are random, shown once, stored only as a SHA-256; they
expire when given a lifetime and can be revoked.  Passwords follow ``domain.passwords``."""
import hashlib
import secrets
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from sqlalchemy import select, update

from ..domain import passwords, roles
from ..domain.errors import Conflict, Forbidden, InvalidData, NotFound, Unauthenticated
from ..persistence import audit
from ..persistence.models import ApiToken, User, UserSession
from .context import Actor, Habeas

_HASHER = PasswordHasher()
SYSTEM = Actor("system", roles.ADMIN)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def add_user(ctx: Habeas, actor: Actor, username: str, role: str, *, password: str | None = None,
             unit: str = "", expires: datetime | None = None) -> str:
    """Create a user and return their API token (the only time it is shown; valid until
    ``expires`` when given, else until revoked)."""
    if actor.role != roles.ADMIN:
        raise Forbidden("only an admin may add users")
    if role not in roles.ROLES:
        raise InvalidData(f"unknown role '{role}'", {"role": [f"one of: {', '.join(roles.ROLES)}"]})
    if not username or not username.replace("_", "").replace(".", "").replace("-", "").isalnum():
        raise InvalidData("invalid user name", {"username": ["letters, digits, '.', '_' and '-' only"]})
    weak = passwords.problems(username, password) if password is not None else []
    if weak:
        raise InvalidData("the password does not meet the policy", {"password": weak})
    if expires is not None and expires <= ctx.now():
        raise InvalidData("the token would be expired already", {"expires": ["a moment in the future"]})
    with ctx.unit_of_work() as session:
        if session.execute(select(User.id).where(User.username == username)).first():
            raise Conflict(f"user '{username}' exists already")
        now = ctx.now()
        user = User(username=username, role=role, unit=unit, created_at=now,
                    password_hash=_HASHER.hash(password) if password else None)
        session.add(user)
        session.flush()
        token = secrets.token_urlsafe(32)
        session.add(ApiToken(user_id=user.id, token_hash=token_digest(token), created_at=now, expires_at=expires))
        audit.append(session, at=now, actor=actor.username, action="user.added", case_id=None,
                     payload={"username": username, "role": role, "unit": unit,
                              "token_expires": expires.isoformat() if expires else None})
        return token


def actor_for_token(ctx: Habeas, token: str) -> Actor:
    """The user a Bearer token stands for; refused (401) when unknown, revoked, expired, or its
    user is deactivated.  The refusal names the user when the token was theirs.  A valid token is
    remembered for a few seconds (``context.TokenCache``, whose docstring gives the bound)."""
    digest = token_digest(token)
    cached = ctx.tokens.get(digest, ctx.now())
    if cached is not None:
        return cached
    with ctx.unit_of_work() as session:
        found = session.execute(select(ApiToken, User).join(User, ApiToken.user_id == User.id).where(
            ApiToken.token_hash == digest)).first()
    if found is None:
        raise Unauthenticated("unknown API token")
    row, user = found
    if row.revoked:
        raise Unauthenticated("this API token was revoked", user.username)
    if row.expires_at is not None and row.expires_at <= ctx.now():
        raise Unauthenticated("this API token has expired", user.username)
    if not user.active:
        raise Unauthenticated("this user is deactivated", user.username)
    actor = Actor(user.username, user.role)
    ctx.tokens.put(digest, actor, row.expires_at)
    return actor


def _admin_change(ctx: Habeas, actor: Actor, username: str, action: str, payload: dict, change) -> None:
    """An admin's change to a user, audited; ``change(session, user, now)`` does it."""
    if actor.role != roles.ADMIN:
        raise Forbidden("only an admin may change users")
    with ctx.unit_of_work() as session:
        user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
        if user is None:
            raise NotFound(f"no user '{username}'")
        now = ctx.now()
        change(session, user, now)
        audit.append(session, at=now, actor=actor.username, action=action, case_id=None,
                     payload={"username": username, **payload})
    ctx.tokens.forget(username)  # a revoked token, or an old role, stops working here at once


def revoke_tokens(ctx: Habeas, actor: Actor, username: str) -> None:
    """Revoke every API token of a user (a new one comes with ``issue_token``)."""
    _admin_change(ctx, actor, username, "user.tokens_revoked", {}, lambda session, user, now: session.execute(
        update(ApiToken).where(ApiToken.user_id == user.id).values(revoked=True)))


def issue_token(ctx: Habeas, actor: Actor, username: str, expires: datetime | None = None) -> str:
    token = secrets.token_urlsafe(32)

    def add(session, user, now):
        session.add(ApiToken(user_id=user.id, token_hash=token_digest(token), created_at=now, expires_at=expires))
    _admin_change(ctx, actor, username, "user.token_issued",
                  {"expires": expires.isoformat() if expires else None}, add)
    return token


def end_sessions(session, user_id: int, now) -> None:
    session.execute(update(UserSession).where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
                    .values(revoked_at=now))


def deactivate(ctx: Habeas, actor: Actor, username: str) -> None:
    """The user can no longer log in; their sessions and tokens stop working at once."""
    def change(session, user, now):
        user.active = False
        end_sessions(session, user.id, now)
    _admin_change(ctx, actor, username, "user.deactivated", {}, change)


def change_role(ctx: Habeas, actor: Actor, username: str, role: str) -> None:
    """A new role; sessions opened under the old one end (tokens follow the user's role)."""
    if role not in roles.ROLES:
        raise InvalidData(f"unknown role '{role}'", {"role": [f"one of: {', '.join(roles.ROLES)}"]})

    def change(session, user, now):
        user.role = role
        end_sessions(session, user.id, now)
    _admin_change(ctx, actor, username, "user.role_changed", {"role": role}, change)


def check_password(ctx: Habeas, username: str, password: str) -> Actor | None:
    with ctx.unit_of_work() as session:
        user = session.execute(select(User).where(User.username == username, User.active.is_(True))).scalar_one_or_none()
        if user is None or not user.password_hash:
            _HASHER.hash("timing-equaliser")
            return None
        try:
            _HASHER.verify(user.password_hash, password)
        except (VerifyMismatchError, InvalidHashError):
            return None
        return Actor(user.username, user.role)


def actor_named(ctx: Habeas, username: str) -> Actor:
    with ctx.unit_of_work() as session:
        user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
        if user is None:
            raise NotFound(f"no user '{username}'")
        return Actor(user.username, user.role)


LANGUAGE_CODES = ("kk", "ru", "en")


def language_of(ctx: Habeas, username: str) -> str | None:
    """The interface language the user chose last, or None (the web layer then asks the browser)."""
    with ctx.unit_of_work() as session:
        return session.execute(select(User.language).where(User.username == username)).scalar_one_or_none()


def save_language(ctx: Habeas, username: str, language: str) -> None:
    """Remember a user's interface language; an unknown code is refused and changes nothing."""
    if language not in LANGUAGE_CODES:
        raise InvalidData(f"unknown language '{language}'", {"language": [f"one of: {', '.join(LANGUAGE_CODES)}"]})
    with ctx.unit_of_work() as session:
        user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
        if user is not None and user.language != language:
            user.language = language
