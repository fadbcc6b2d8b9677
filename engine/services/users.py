"""Users, roles and API tokens.  Tokens are random, shown once, stored only as a SHA-256."""
import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from sqlalchemy import select

from ..domain import roles
from ..domain.errors import Conflict, Forbidden, InvalidData, NotFound
from ..persistence import audit
from ..persistence.models import ApiToken, User
from .context import Actor, Habeas

_HASHER = PasswordHasher()
SYSTEM = Actor("system", roles.ADMIN)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def add_user(ctx: Habeas, actor: Actor, username: str, role: str, *, password: str | None = None,
             unit: str = "") -> str:
    """Create a user and return their API token (the only time it is shown)."""
    if actor.role != roles.ADMIN:
        raise Forbidden("only an admin may add users")
    if role not in roles.ROLES:
        raise InvalidData(f"unknown role '{role}'", {"role": [f"one of: {', '.join(roles.ROLES)}"]})
    if not username or not username.replace("_", "").replace(".", "").replace("-", "").isalnum():
        raise InvalidData("invalid user name", {"username": ["letters, digits, '.', '_' and '-' only"]})
    with ctx.unit_of_work() as session:
        if session.execute(select(User.id).where(User.username == username)).first():
            raise Conflict(f"user '{username}' exists already")
        now = ctx.now()
        user = User(username=username, role=role, unit=unit, created_at=now,
                    password_hash=_HASHER.hash(password) if password else None)
        session.add(user)
        session.flush()
        token = secrets.token_urlsafe(32)
        session.add(ApiToken(user_id=user.id, token_hash=token_digest(token), created_at=now))
        audit.append(session, at=now, actor=actor.username, action="user.added", case_id=None,
                     payload={"username": username, "role": role, "unit": unit})
        return token


def actor_for_token(ctx: Habeas, token: str) -> Actor:
    with ctx.unit_of_work() as session:
        row = session.execute(select(User).join(ApiToken, ApiToken.user_id == User.id).where(
            ApiToken.token_hash == token_digest(token), ApiToken.revoked.is_(False), User.active.is_(True))).scalar_one_or_none()
        if row is None:
            raise Forbidden("unknown or revoked API token")
        return Actor(row.username, row.role)


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
