"""Moving running cases to a newer version of their process, without ever resetting a legal clock.

Policy (architecture notes): a case migrates only if the catalogue's checkpoints for every stage
it has already entered are satisfied; otherwise it is refused with the list.  SpiffWorkflow would
let a case already past a newly inserted checkpoint skip it; the catalogue does not depend on
the diagram, so checking every entered stage's rights against the evidence closes that gap.

The legal clocks are rows computed from the facts, which a migration does not touch; BPMN timers
keep their due times across the move (the adapter carries them over by element id).  Each
migration is audited; designers, admins and supervising prosecutors may migrate.
"""
import uuid

from sqlalchemy import func, select

from ..domain import catalogue, roles
from ..domain.errors import Conflict, InvalidData, NotFound, WorkflowError
from ..domain.facts import CaseFacts
from ..domain.stages import STAGE_IDS
from ..persistence import audit
from ..persistence.models import Case, Deadline, Override, ProcessVersion, StageEntry
from ..workflow.adapter import CaseRun
from . import access, checks, clocks
from .cases import load_case
from .context import Actor, Habeas

MIGRATORS = frozenset({roles.DESIGNER, roles.ADMIN, roles.SUPERVISING_PROSECUTOR})


def migrate_case(ctx: Habeas, actor: Actor, case_id: int, to_version: int, operation: str | None = None) -> dict:
    """Migrate one case to version ``to_version`` of its process.  Returns
    ``{"case", "number", "from_version", "to_version", "migrated", "reasons", "deadlines"}``;
    a refusal changes nothing but is audited.  ``operation`` ties the entry to a chosen migration."""
    access.require_role(actor, MIGRATORS, "migrate cases")
    with ctx.unit_of_work() as session:
        case = load_case(session, case_id)
        result = _migrate(ctx, session, actor, case, to_version, operation)
        if not result["migrated"]:
            payload = {k: result[k] for k in ("from_version", "to_version", "reasons")}
            if operation:
                payload["operation"] = operation
            audit.append(session, at=ctx.now(), actor=actor.username, action="case.migration_refused",
                         case_id=case.id, payload=payload)
        return result


# ---------------------------------------------------------------- the cockpit: preview, choose, confirm

def preview(ctx: Habeas, actor: Actor, process_id: str, to_version: int) -> dict:
    """Which open cases of the process would move to ``to_version`` and which would be refused,
    with the reasons, computed exactly as the move computes them.  Changes nothing: the move is
    tried on the case's workflow in memory and thrown away, and nothing is audited.

    ``latest_version`` is the process's newest version now: the confirmation sends it back, so a
    version deployed in between makes the preview stale and the move is refused."""
    access.require_role(actor, MIGRATORS, "preview a migration")
    with ctx.unit_of_work() as session:
        target = _version(session, process_id, to_version)
        latest = _latest(session, process_id)
        rows = session.execute(
            select(Case, ProcessVersion).join(ProcessVersion, ProcessVersion.id == Case.process_version_id)
            .where(ProcessVersion.process_id == process_id, ProcessVersion.version != target.version,
                   Case.status == "open").order_by(Case.id)).all()
        cases = []
        for case, current in rows:
            reasons = unmet_checkpoints(ctx, session, case)
            if not reasons:
                reasons = _workflow_refusal(ctx, session, case, current, target)
            cases.append({"case": case.id, "number": case.number, "from_version": current.version,
                          "movable": not reasons, "reasons": reasons})
        return {"process": process_id, "to_version": target.version, "latest_version": latest, "cases": cases}


def migrate_chosen(ctx: Habeas, actor: Actor, process_id: str, to_version: int, case_ids: list[int],
                   latest_version: int) -> dict:
    """Move the chosen cases to ``to_version``, each in its own transaction, after checking the
    whole request first: a stale preview (another version deployed since) or a case that is not
    an open case of this process on another version refuses everything, and nothing changes.

    Each case moved or refused is audited (``case.migrated`` / ``case.migration_refused``) and
    the operation as a whole once more (``process.migration``), all carrying the same
    operation id.  ``{"operation", "process", "to_version", "migrated": [..], "refused": [..]}``."""
    access.require_role(actor, MIGRATORS, "migrate cases")
    chosen = list(dict.fromkeys(case_ids))
    if not chosen:
        raise InvalidData("choose at least one case to migrate", {"cases": ["choose at least one case"]})
    with ctx.unit_of_work() as session:
        target = _version(session, process_id, to_version)
        latest = _latest(session, process_id)
        if latest != latest_version:
            raise Conflict(f"the preview is stale: the newest version of '{process_id}' is now v{latest}, not "
                           f"v{latest_version}; preview the migration again (nothing was moved)")
        found = dict(session.execute(
            select(Case.id, ProcessVersion.version).join(ProcessVersion, ProcessVersion.id == Case.process_version_id)
            .where(Case.id.in_(chosen), ProcessVersion.process_id == process_id, Case.status == "open")).all())
        strangers = [c for c in chosen if c not in found]
        if strangers:
            raise InvalidData(f"not open cases of '{process_id}': {', '.join(map(str, strangers))} (nothing was moved)",
                              {"cases": [f"case {c} is not an open case of this process" for c in strangers]})
        already = [c for c in chosen if found[c] == target.version]
        if already:
            raise Conflict(f"case(s) {', '.join(map(str, already))} are already on v{target.version}: the preview "
                           "is stale; preview the migration again (nothing was moved)")
    operation = uuid.uuid4().hex
    out = {"operation": operation, "process": process_id, "to_version": target.version, "migrated": [], "refused": []}
    for case_id in chosen:
        result = migrate_case(ctx, actor, case_id, target.version, operation)
        entry = {"case": result["case"], "number": result["number"], "from_version": result["from_version"]}
        if result["migrated"]:
            out["migrated"].append(entry)
        else:
            out["refused"].append({**entry, "reasons": result["reasons"]})
    with ctx.unit_of_work() as session:
        audit.append(session, at=ctx.now(), actor=actor.username, action="process.migration", case_id=None,
                     payload={"operation": operation, "process": process_id, "to_version": target.version,
                              "chosen": chosen, "migrated": [c["case"] for c in out["migrated"]],
                              "refused": [c["case"] for c in out["refused"]]})
    return out


def _latest(session, process_id: str) -> int:
    return session.execute(select(func.max(ProcessVersion.version))
                           .where(ProcessVersion.process_id == process_id)).scalar() or 0


def _workflow_refusal(ctx: Habeas, session, case: Case, current: ProcessVersion, target: ProcessVersion) -> list[dict]:
    """What the workflow engine would say to the move, tried in memory only."""
    try:
        CaseRun.load(ctx.models.get(session, current.id), case.workflow_state).migrate(ctx.models.get(session, target.id))
    except WorkflowError as err:
        return [{"reason": err.message}]
    return []


def migrate_cases(ctx: Habeas, actor: Actor, process_id: str, to_version: int) -> dict:
    """Migrate every open case of a process on an older version; each case in its own
    transaction.  ``{"migrated": [numbers], "refused": [{"case", "reasons"}]}``."""
    access.require_role(actor, MIGRATORS, "migrate cases")
    with ctx.unit_of_work() as session:
        target = _version(session, process_id, to_version)
        ids = list(session.execute(
            select(Case.id).join(ProcessVersion, ProcessVersion.id == Case.process_version_id)
            .where(ProcessVersion.process_id == process_id, ProcessVersion.version != target.version,
                   Case.status == "open").order_by(Case.id)).scalars())
    out = {"process": process_id, "to_version": to_version, "migrated": [], "refused": []}
    for case_id in ids:
        result = migrate_case(ctx, actor, case_id, to_version)
        if result["migrated"]:
            out["migrated"].append(result["number"])
        else:
            out["refused"].append({"case": result["number"], "reasons": result["reasons"]})
    return out


def _version(session, process_id: str, version: int) -> ProcessVersion:
    row = session.execute(select(ProcessVersion).where(ProcessVersion.process_id == process_id,
                                                       ProcessVersion.version == version)).scalar_one_or_none()
    if row is None:
        raise NotFound(f"no version {version} of process '{process_id}'")
    return row


def _migrate(ctx: Habeas, session, actor: Actor, case: Case, to_version: int, operation: str | None = None) -> dict:
    current = session.get(ProcessVersion, case.process_version_id)
    target = _version(session, current.process_id, to_version)
    result = {"case": case.id, "number": case.number, "from_version": current.version,
              "to_version": target.version, "migrated": False, "reasons": [], "deadlines": []}
    if case.status != "open":
        result["reasons"] = [{"reason": "the case is closed"}]
        return result
    if target.id == current.id:
        raise InvalidData("the case is already on that version", {"to_version": ["already on it"]})
    unmet = unmet_checkpoints(ctx, session, case)
    if unmet:
        result["reasons"] = unmet
        return result
    now = ctx.now()
    old_run = CaseRun.load(ctx.models.get(session, current.id), case.workflow_state)
    try:
        run = old_run.migrate(ctx.models.get(session, target.id))
    except WorkflowError as err:
        result["reasons"] = [{"reason": err.message}]
        return result
    before = _clock_list(session, case.id)
    case.workflow_state = run.dump()
    case.process_version_id = target.id
    case.updated_at = now
    clocks.sync_timers(session, case, now, models=ctx.models)
    session.flush()
    after = _clock_list(session, case.id)
    result.update(migrated=True, deadlines=after)
    audit.append(session, at=now, actor=actor.username, action="case.migrated", case_id=case.id,
                 payload={"process": current.process_id, "from_version": current.version,
                          "to_version": target.version, "deadlines_before": before, "deadlines_after": after,
                          **({"operation": operation} if operation else {})})
    return result


def unmet_checkpoints(ctx: Habeas, session, case: Case) -> list[dict]:
    """The catalogue's checkpoints, for every stage the case has entered, not satisfied now
    (an override recorded for the case counts, as it did at entry)."""
    entered = list(dict.fromkeys(session.execute(
        select(StageEntry.stage).where(StageEntry.case_id == case.id).order_by(StageEntry.id)).scalars()))
    facts = CaseFacts.from_data(case.facts or {})
    evidence = checks.latest_evidence(session, case.id)
    overrides = {o.checkpoint: o for o in session.execute(
        select(Override).where(Override.case_id == case.id).order_by(Override.id)).scalars()}
    now = ctx.now()
    unmet = []
    for stage in entered:
        if stage not in STAGE_IDS:
            continue
        for a in checks.assess(list(catalogue.guarding(stage)), facts, evidence, now, ctx.params, stage, overrides):
            if not a.evaluation.satisfied:
                unmet.append({"stage": stage, "checkpoint": a.checkpoint.id, "right": a.checkpoint.right,
                              "legal_basis": a.checkpoint.legal_basis,
                              "status": a.evaluation.status.value, "reasons": list(a.evaluation.reasons),
                              "missing": list(a.evaluation.missing)})
    return unmet


def _clock_list(session, case_id: int) -> list[dict]:
    rows = session.execute(select(Deadline).where(Deadline.case_id == case_id).order_by(Deadline.id)).scalars()
    return [{"clock": d.checkpoint, "kind": d.kind, "due_at": d.due_at.isoformat(), "status": d.status}
            for d in rows]
