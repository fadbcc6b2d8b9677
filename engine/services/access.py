"""Who may do what, checked in the services so that the CLI, the pages and the API agree."""
from contextlib import contextmanager

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain import roles
from ..domain.errors import Forbidden
from ..persistence.models import Case, CaseParty
from .context import Actor

READERS = frozenset({roles.INVESTIGATOR, roles.PROSECUTOR, roles.SUPERVISING_PROSECUTOR, roles.JUDGE,
                     roles.REVIEWER, roles.ADMIN, roles.DEFENCE})


def require_role(actor: Actor, allowed, what: str) -> None:
    if actor.role not in allowed:
        raise Forbidden(f"a {actor.role} may not {what}")


def is_party(session: Session, actor: Actor, case_id: int) -> bool:
    return session.execute(select(CaseParty.id).where(CaseParty.case_id == case_id,
                                                      CaseParty.username == actor.username)).first() is not None


def require_read(session: Session, actor: Actor, case: Case) -> None:
    """A defence lawyer reads only the cases where they are counsel; designers read no case."""
    require_read_on(actor, case, is_party=lambda case_id, username: is_party(session, actor, case_id))


def require_read_on(actor: Actor, case: Case, *, is_party) -> None:
    """``require_read`` with the party check given (``is_party(case_id, username)``)."""
    require_role(actor, READERS, "read cases")
    _same_space(actor, case)
    if actor.role == roles.DEFENCE and not is_party(case.id, actor.username):
        raise Forbidden("a defence lawyer may read only the cases where they are counsel")


def _same_space(actor: Actor, case: Case) -> None:
    """Live and training never mix: practice cases are played on the training pages only."""
    if case.training and not actor.training:
        raise Forbidden("a training case is played on the training pages, never among live cases")
    if actor.training and not case.training:
        raise Forbidden("a trainee acts on training cases only")


def require_act(session: Session, actor: Actor, case: Case, lane: str | None = None, what: str = "act on this case") -> None:
    """Acting on a case: a case role, working its own lane; defence only in their own cases."""
    require_act_on(actor, case, lane, what, is_party=lambda case_id, username: is_party(session, actor, case_id))


def require_act_on(actor: Actor, case: Case, lane: str | None, what: str, *, is_party) -> None:
    """``require_act`` with the party check given (``is_party(case_id, username)``, asked only of
    a defence lawyer): what a unit of work's repository offers."""
    require_role(actor, roles.CASE_ACTORS, what)
    _same_space(actor, case)
    if lane is not None and not roles.may_work_lane(actor.role, lane):
        raise Forbidden(f"this task is for the {lane.replace('_', ' ')}; a {actor.role} may not complete it")
    if actor.role == roles.DEFENCE and not is_party(case.id, actor.username):
        raise Forbidden("a defence lawyer may act only in the cases where they are counsel")


@contextmanager
def denials_audited(ctx, actor: Actor, case_id: int, action: str):
    """A refused attempt to reach a case is itself recorded, with who asked and what for, in its
    own transaction (the refused one is rolled back).  The brief: every denial of access to a
    case is audited with the requester."""
    try:
        yield
    except Forbidden as denied:
        from ..persistence import audit
        with ctx.unit_of_work() as session:
            exists = session.get(Case, case_id) is not None
            audit.append(session, at=ctx.now(), actor=actor.username, action="access.denied",
                         case_id=case_id if exists else None,
                         payload={"status": 403, "what": denied.message[:500], "requester": actor.username,
                                  "role": actor.role, "attempted": action, "case": case_id})
        denied.audited = True  # the web layer's generic denial audit (web/errors.py) then writes no second entry
        raise
