"""Evidence that a right was respected, overrides of blocks, and escalations' resolution."""

from ..domain import acts, catalogue, roles
from ..domain.clock import parse_instant
from ..domain.errors import Forbidden, InvalidData, NotFound, OverrideRefused
from ..domain.facts import CaseFacts
from ..domain.rights import OverridePolicy, Status
from ..persistence import audit
from ..persistence.models import CheckpointEvaluation, Escalation, Evidence, Override
from . import access, checks, clocks, facts_check, forms
from .cases import load_case, procedure_of, reading_run
from .context import Actor, Habeas


def checkpoint_or_invalid(checkpoint_id: str):
    try:
        return catalogue.get(checkpoint_id)
    except KeyError:
        raise InvalidData(f"unknown checkpoint '{checkpoint_id}'",
                          {"checkpoint": [f"one of: {', '.join(catalogue.CATALOGUE)}"]}) from None


def record_evidence(ctx: Habeas, actor: Actor, case_id: int, checkpoint_id: str, data: dict,
                    occurred_at=None, corrects: int | None = None, act: str | None = None) -> int:
    """Append evidence for a checkpoint, dated by when the fact happened; re-evaluate it now.

    The record binds to the act or episode it proves (``acts.scope_for_record``): the act named
    (``act``, a kind), else the next waiting act this right guards, else the next interrogation;
    an episode's right to the detention episode; approval and rights information to the
    qualification in force.  A correction is a new record pointing at the one it corrects;
    nothing is overwritten."""
    cp = checkpoint_or_invalid(checkpoint_id)
    if act is not None and act not in acts.ACT_KINDS:
        raise InvalidData(f"unknown act '{act}'", {"act": [f"one of: {', '.join(sorted(acts.ACT_KINDS))}"]})
    clean = forms.clean(cp.evidence, data or {})
    occurred = _occurred(occurred_at, clean, cp)
    clean = facts_check.require(clean, now=ctx.now(), fields=cp.evidence)
    with ctx.unit_of_work() as session:
        case = load_case(session, case_id)
        access.require_act(session, actor, case, what="record evidence")
        if actor.role == roles.DEFENCE:
            raise Forbidden("defence counsel read the file; evidence is recorded by the investigator, "
                            "prosecutor or judge (a complaint is the defence's way to contest it)")
        if corrects is not None:
            earlier = session.get(Evidence, corrects)
            if earlier is None or earlier.case_id != case.id or earlier.checkpoint != cp.id:
                raise InvalidData("the corrected record is not evidence for this checkpoint in this case",
                                  {"corrects": ["no such record"]})
        now = ctx.now()
        facts_check.require({"occurred_at": occurred.isoformat()}, now=now, known=case.facts)
        if cp.id == "custody_term_review":
            _custody_term_guard(ctx, actor, case, clean, now)
        scope = _scope(ctx, session, case, cp.id, act)
        row = Evidence(case_id=case.id, checkpoint=cp.id, data=clean, occurred_at=occurred, recorded_at=now,
                       recorded_by=actor.username, corrects_id=corrects, scope=scope)
        session.add(row)
        session.flush()
        assessment = _reassess(ctx, session, case, cp, now, actor, scope)
        audit.append(session, at=now, actor=actor.username, action="evidence.recorded", case_id=case.id,
                     payload={"checkpoint": cp.id, "evidence_id": row.id, "scope": scope,
                              "occurred_at": occurred.isoformat(),
                              "data": clean, "corrects": corrects, "status": assessment.evaluation.status.value})
        return row.id


def _custody_term_guard(ctx, actor, case, clean: dict, now) -> None:
    """A custody term recorded as evidence obeys the law as the judge's acts do: a first term at
    most the first-term months from its order, a later one only as an extension within the
    tiers (CPC 151-152).  Otherwise the typed term would bypass the computed one."""
    from ..domain import custody
    try:
        ordered, expires = parse_instant(clean.get("ordered_at")), parse_instant(clean.get("expires_at"))
        petition = parse_instant(clean.get("petition_at"))
        first = parse_instant(case.facts.get("custody_ordered_at"))
        current = parse_instant(case.facts.get("custody_expires_at"))
    except (TypeError, ValueError):
        raise InvalidData("the custody term's times are not ISO-8601 times", {"expires_at": ["not a time"]}) from None
    if first is None or current is None:
        errors = custody.check_first_term(ordered, expires, now, ctx.params)
    elif expires is not None and expires <= current:
        errors = []  # a shorter or equal term narrows the custody: always lawful
    else:
        if actor.role != roles.JUDGE:
            raise Forbidden("only the investigating judge extends a custody term (CPC arts 151-152)")
        errors = custody.check_extension(first, current, petition, expires, case.facts.get("offence_category"),
                                         ctx.params)
    if errors:
        raise InvalidData("; ".join(errors), {"expires_at": errors})


def _scope(ctx, session, case, checkpoint_id: str, act: str | None) -> str | None:
    procedure = procedure_of(case)
    ready = []
    if act is None and checkpoint_id in acts.PER_ACT:
        with reading_run(ctx, session, case) as run:
            ready = [acts.act_of(t.definition.act, {}) for t in run.ready_tasks()]
    return acts.scope_for_record(checkpoint_id, procedure, ready, act)


def _occurred(occurred_at, clean: dict, cp):
    try:
        occurred = parse_instant(occurred_at) or (parse_instant(clean.get(cp.occurred_field)) if cp.occurred_field else None)
    except (TypeError, ValueError):
        raise InvalidData("occurred_at is not an ISO-8601 time", {"occurred_at": ["not an ISO-8601 time"]}) from None
    if occurred is None:
        raise InvalidData("say when the fact happened", {"occurred_at": ["required: when the fact happened"]})
    return occurred


def _reassess(ctx, session, case, cp, now, actor, scope=None):
    """Evaluate the checkpoint with the new evidence, in the scope it was recorded for; a
    satisfied one closes its escalation."""
    facts = CaseFacts.from_data(case.facts, ctx.params)
    book = checks.evidence_book(session, case.id)
    rec = book.in_scope(cp.id, scope, facts, now, ctx.params)
    assessment = checks.assess([cp], facts, {cp.id: rec} if rec else {}, now, ctx.params, case.stage)[0]
    session.add_all(checks.evaluation_rows(case, [assessment], now=now, stage=case.stage, task=None,
                                           actor=actor.username))
    clocks.resync(ctx, session, case, now, actor=actor.username)
    if assessment.evaluation.satisfied:
        checks.resolve_escalations(session, case, [cp.id], now, actor.username, "evidence recorded")
    return assessment


def override(ctx: Habeas, actor: Actor, case_id: int, checkpoint_id: str, reason: str, legal_ground: str) -> int:
    """Override a block for the next entry it guards: only where the rule allows it, by a role
    with that power, with a written reason and a legal ground.  It counts against compliance."""
    cp = checkpoint_or_invalid(checkpoint_id)
    if cp.override is OverridePolicy.NEVER:
        raise OverrideRefused(f"{cp.right} ({cp.legal_basis}) admits no override")
    if cp.override in (OverridePolicy.WAIVER_ONLY, OverridePolicy.DEROGATION_OR_WAIVER):
        raise OverrideRefused(f"{cp.right} ({cp.legal_basis}) can be set aside only by the person's own "
                              "written waiver after independent advice, recorded as evidence, or by the "
                              "supervising prosecutor's temporary derogation (Directive 2013/48 art 3(6)) "
                              "for an adult without mandatory defence")
    problems = {k: ["required"] for k, v in (("reason", reason), ("legal_ground", legal_ground)) if not (v or "").strip()}
    if problems:
        raise InvalidData("an override needs a written reason and a legal ground", problems)
    with ctx.unit_of_work() as session:
        case = load_case(session, case_id)
        access.require_read(session, actor, case)
        allowed = _override_roles(cp, case.stage)
        if actor.role not in allowed:
            raise Forbidden(f"a {actor.role} may not override {cp.id} at this stage; only: {', '.join(sorted(allowed))}")
        now = ctx.now()
        row = Override(case_id=case.id, checkpoint=cp.id, actor=actor.username, reason=reason.strip(),
                       legal_ground=legal_ground.strip(), created_at=now)
        session.add(row)
        session.add(CheckpointEvaluation(case_id=case.id, checkpoint=cp.id, stage=case.stage,
                                         status=Status.OVERRIDDEN.value, evaluated_at=now, task=None,
                                         actor=actor.username, unit=case.unit, prosecutor=case.prosecutor,
                                         detail={"reason": row.reason, "legal_ground": row.legal_ground}))
        session.flush()
        audit.append(session, at=now, actor=actor.username, action="checkpoint.overridden", case_id=case.id,
                     payload={"checkpoint": cp.id, "legal_basis": cp.legal_basis, "reason": row.reason,
                              "legal_ground": row.legal_ground})
        return row.id


def _override_roles(cp, stage: str | None) -> frozenset:
    """Who may override: the court at the court stages, the supervising prosecutor before them."""
    return frozenset(catalogue.override_roles(cp, stage))


def resolve_escalation(ctx: Habeas, actor: Actor, escalation_id: int, resolution: str) -> None:
    """The supervising prosecutor closes an escalation with written reasons."""
    access.require_role(actor, {roles.SUPERVISING_PROSECUTOR}, "resolve escalations")
    if not (resolution or "").strip():
        raise InvalidData("say how the escalation was resolved", {"resolution": ["required"]})
    with ctx.unit_of_work() as session:
        row = session.get(Escalation, escalation_id)
        if row is None:
            raise NotFound(f"no escalation {escalation_id}")
        if row.status != "open":
            raise InvalidData("this escalation is already resolved", {"escalation": ["already resolved"]})
        case = load_case(session, row.case_id)
        access.require_read(session, actor, case)  # live and practice cases never mix
        now = ctx.now()
        row.status, row.resolved_at, row.resolved_by, row.resolution = "resolved", now, actor.username, resolution.strip()
        session.flush()
        checks.refresh_compliance(session, case)
        audit.append(session, at=now, actor=actor.username, action="escalation.resolved", case_id=case.id,
                     payload={"escalation": row.id, "checkpoint": row.checkpoint, "resolution": row.resolution})
