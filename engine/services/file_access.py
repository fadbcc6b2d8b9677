"""The defence asks to read the case file (ICCPR 14(3)(b); Directive 2012/13 art 7; CPC art
320): the request is a task for the investigator who holds the file, dated, in the audit
trail.  Granting it is recorded as the file_access_disclosure evidence, as before."""
from ..domain import catalogue, roles
from ..domain.errors import InvalidData
from ..domain.wording import N_, say
from ..persistence import audit
from ..persistence.models import Escalation
from . import access
from .cases import load_case
from .context import Actor, Habeas

REQUEST = "request"  # the Escalation kind of a request to act: a duty, not a failure
REQUEST_TASK = N_("REQUEST: defence counsel %(who)s asks to read the case file; give access with time and facilities "
             "and record it (%(right)s; %(citation)s)")
REQUEST_TASK_NOTE = N_("REQUEST: defence counsel %(who)s asks to read the case file (%(note)s); give access with time "
                  "and facilities and record it (%(right)s; %(citation)s)")


def request_access(ctx: Habeas, actor: Actor, case_id: int, note: str = "") -> dict:
    """Record the defence's request for access to the file; returns the task created."""
    access.require_role(actor, {roles.DEFENCE}, "request access to the file")
    note = (note or "").strip()
    if len(note) > 4000:
        raise InvalidData("the note is too long", {"note": ["at most 4000 characters"]})
    now = ctx.now()
    cp = catalogue.get("file_access_disclosure")
    with ctx.unit_of_work() as session:
        case = load_case(session, case_id)
        access.require_act(session, actor, case, what="request access to this case's file")
        task = Escalation(case_id=case.id, checkpoint=cp.id, stage=case.stage, kind=REQUEST,
                          assigned_role=roles.INVESTIGATOR, created_at=now,
                          reason=say(REQUEST_TASK_NOTE if note else REQUEST_TASK, who=actor.username, note=note,
                                     right=cp.right, citation=cp.legal_basis))
        session.add(task)
        session.flush()
        audit.append(session, at=now, actor=actor.username, action="file_access.requested", case_id=case.id,
                     payload={"task": task.id, "note": note, "legal_basis": cp.legal_basis})
        return {"case": case.id, "task": task.id, "requested_at": now.isoformat(), "assigned_role": task.assigned_role,
                "legal_basis": cp.legal_basis}
