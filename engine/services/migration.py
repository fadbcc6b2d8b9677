"""Moving running cases to a newer version of their process, without ever resetting a legal clock.

Policy (architecture notes): a case migrates only if the catalogue's checkpoints for every stage
it has already entered are satisfied; otherwise it is refused with the list.  SpiffWorkflow would
let a case already past a newly inserted checkpoint skip it; the catalogue does not depend on
the diagram, so checking every entered stage's rights against the evidence closes that gap.

The legal clocks are rows computed from the facts, which a migration does not touch; BPMN timers
keep their due times across the move (the adapter carries them over by element id).  Each
migration is audited; designers, admins and supervising prosecutors may migrate.
"""
from sqlalchemy import select

from ..domain import catalogue, roles
from ..domain.errors import InvalidData, NotFound, WorkflowError
from ..domain.facts import CaseFacts
from ..domain.stages import STAGE_IDS
from ..persistence import audit
from ..persistence.models import Case, Deadline, Override, ProcessVersion, StageEntry
from ..workflow.adapter import CaseRun
from . import access, checks, clocks
from .cases import load_case
from .context import Actor, Habeas

MIGRATORS = frozenset({roles.DESIGNER, roles.ADMIN, roles.SUPERVISING_PROSECUTOR})


def migrate_case(ctx: Habeas, actor: Actor, case_id: int, to_version: int) -> dict:
    """Migrate one case to version ``to_version`` of its process.  Returns
    ``{"case", "number", "from_version", "to_version", "migrated", "reasons", "deadlines"}``;
    a refusal changes nothing but is audited."""
    access.require_role(actor, MIGRATORS, "migrate cases")
    with ctx.unit_of_work() as session:
        case = load_case(session, case_id)
        result = _migrate(ctx, session, actor, case, to_version)
        if not result["migrated"]:
            audit.append(session, at=ctx.now(), actor=actor.username, action="case.migration_refused",
                         case_id=case.id, payload={k: result[k] for k in ("from_version", "to_version", "reasons")})
        return result


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


def _migrate(ctx: Habeas, session, actor: Actor, case: Case, to_version: int) -> dict:
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
                          "to_version": target.version, "deadlines_before": before, "deadlines_after": after})
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
                              "status": a.evaluation.status.value, "reasons": list(a.evaluation.reasons),
                              "missing": list(a.evaluation.missing)})
    return unmet


def _clock_list(session, case_id: int) -> list[dict]:
    rows = session.execute(select(Deadline).where(Deadline.case_id == case_id).order_by(Deadline.id)).scalars()
    return [{"clock": d.checkpoint, "kind": d.kind, "due_at": d.due_at.isoformat(), "status": d.status}
            for d in rows]
