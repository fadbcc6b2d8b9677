"""Refusals are acts too: every 403, and every 401 where the credentials named a user (a
revoked or expired token, a wrong password), lands in the audit trail with who, what and where."""
from ..persistence import audit
from .context import Habeas

ANONYMOUS = "anonymous"


def record(ctx: Habeas, *, who: str | None, status: int, what: str, where: str, address: str | None) -> None:
    """``what``: the refusal's message; ``where``: the method and path (or the command)."""
    with ctx.unit_of_work() as session:
        audit.append(session, at=ctx.now(), actor=who or ANONYMOUS, action="access.denied", case_id=None,
                     payload={"status": status, "what": what[:500], "where": where[:500],
                              "address": (address or "")[:64]})
