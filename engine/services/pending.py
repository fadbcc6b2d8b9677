"""Four eyes on removing a right's element: a deploy that removes guarded elements is kept as a
pending deployment until another designer or administrator confirms it.

Why: removing the custody decision from a diagram is sometimes right (the law moved it), but
never something one person should do alone and unnoticed.  The request and the confirmation are
both audited, each with its person; the same person cannot confirm their own request.
"""
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..domain import roles
from ..domain.errors import ConfirmationRequired, Conflict, Forbidden, InvalidBpmn, NotFound
from ..persistence import audit
from ..persistence.models import PendingDeployment, ProcessVersion
from . import access
from .processes import Deployment, changes_between, compare_with, deployable, latest_row, store
from .context import Actor, Habeas


def request(ctx: Habeas, session, actor: Actor, latest: ProcessVersion, raw: bytes, digest: str,
            removed: list) -> ConfirmationRequired:
    """Keep the new version as pending (once per requester and content) and say what it removes;
    returns the error for the caller to raise once the transaction is committed."""
    row = session.execute(select(PendingDeployment).where(
        PendingDeployment.content_hash == digest, PendingDeployment.status == "pending",
        PendingDeployment.requested_by == actor.username,
        PendingDeployment.base_version == latest.version)).scalars().first()
    listed = [r.to_dict() for r in removed]
    if row is None:
        now = ctx.now()
        row = PendingDeployment(process_id=latest.process_id, content_hash=digest, bpmn_xml=raw.decode(),
                                base_version=latest.version, removed=listed, status="pending",
                                requested_by=actor.username, requested_at=now)
        session.add(row)
        session.flush()
        audit.append(session, at=now, actor=actor.username, action="process.deploy_requested", case_id=None,
                     payload={"process": latest.process_id, "pending": row.id, "base_version": latest.version,
                              "content_hash": digest, "removed": listed})
    names = ", ".join(f"{r.element} ({', '.join(r.rights)})" for r in removed)
    return ConfirmationRequired(
        f"this version removes guarded element(s) {names} of version {latest.version}: another designer or "
        f"administrator must confirm pending deployment {row.id}",
        row.id, listed, changes_between(latest.bpmn_xml, raw))


def confirm(ctx: Habeas, actor: Actor, pending_id: int):
    """Deploy a pending version on a second person's word; returns the Deployment."""
    access.require_role(actor, roles.DEPLOYERS, "confirm deployments")
    try:
        version, result = _confirm(ctx, actor, pending_id)
    except IntegrityError:  # another confirmation or deploy took the version number meanwhile
        raise Conflict(f"pending deployment {pending_id} was confirmed, or another version deployed, "
                       "meanwhile; reload and try again") from None
    ctx.models.put(version.id, result.model)
    return Deployment(version.process_id, version.version, version.id, True, result.warnings)


def _confirm(ctx: Habeas, actor: Actor, pending_id: int):
    with ctx.unit_of_work() as session:
        row = session.execute(select(PendingDeployment).where(PendingDeployment.id == pending_id)
                              .with_for_update()).scalars().first()
        if row is None:
            raise NotFound(f"no pending deployment {pending_id}")
        if row.status != "pending":
            raise Conflict(f"pending deployment {pending_id} was already confirmed by {row.confirmed_by}")
        if row.requested_by == actor.username:
            raise Forbidden("four eyes: the person who asked for a deployment that removes guarded elements "
                            "cannot confirm it; another designer or administrator must")
        result = deployable(row.bpmn_xml)
        latest = latest_row(session, row.process_id)
        if latest is None or latest.version != row.base_version:
            raise Conflict(f"version {latest.version if latest else 0} of {row.process_id} was deployed since this "
                           f"was asked against version {row.base_version}; deploy it again")
        if result.model.process_id != row.process_id:
            raise InvalidBpmn("the pending model is for another process", [])
        compare_with(latest, result)  # the catalogue may have changed since: refuse a weakening still
        version = store(ctx, session, result.model, row.bpmn_xml.encode(), row.content_hash, row.requested_by,
                        confirmed_by=actor.username)
        now = ctx.now()
        row.status, row.confirmed_by, row.confirmed_at, row.version_id = "confirmed", actor.username, now, version.id
        audit.append(session, at=now, actor=actor.username, action="process.deploy_confirmed", case_id=None,
                     payload={"process": row.process_id, "pending": row.id, "version": version.version,
                              "requested_by": row.requested_by, "confirmed_by": actor.username,
                              "removed": row.removed})
    return version, result


def waiting(ctx: Habeas, actor: Actor) -> list[dict]:
    """Pending deployments awaiting a confirmation, oldest first."""
    access.require_role(actor, roles.DEPLOYERS, "read pending deployments")
    with ctx.unit_of_work() as session:
        rows = session.execute(select(PendingDeployment).where(PendingDeployment.status == "pending")
                               .order_by(PendingDeployment.id)).scalars().all()
        return [{"id": r.id, "process": r.process_id, "base_version": r.base_version, "removed": r.removed,
                 "requested_by": r.requested_by, "requested_at": r.requested_at.isoformat()} for r in rows]
