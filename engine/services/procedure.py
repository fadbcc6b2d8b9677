"""Acts the engine defines beside the diagram, because the law makes them possible at any moment:
a release (always, while the person is held), a custody extension (by the investigating judge, on
the prosecutor's petition, within the law's tiers), a re-qualification of the suspicion (which
needs a new approval and a new letter of rights before the next act), and the temporary
derogation from counsel of Directive 2013/48 art 3(6).

Each runs in one transaction like a step: load the case, check, change, save with the case's
optimistic lock, evaluate, sync the clocks, audit."""
from ..domain import acts, catalogue, custody as custody_terms, roles, step
from ..domain.assessment import EvidenceBook
from ..domain.clock import parse_instant
from ..domain.errors import CheckpointBlocked, Conflict, Forbidden, InvalidData, OverrideRefused
from ..domain.facts import CaseFacts
from ..domain.rights import Status
from ..persistence.models import CheckpointEvaluation, Evidence, Override
from ..persistence.unit_of_work import CaseRecord, SqlUnitOfWork
from . import access, checks, clocks, complaints, facts_check
from .cases import procedure_of
from .context import Actor, Habeas

RELEASERS = frozenset({roles.INVESTIGATOR, roles.PROSECUTOR, roles.SUPERVISING_PROSECUTOR, roles.JUDGE})


def release(ctx: Habeas, actor: Actor, case_id: int, released_at: str | None, ground: str,
            expected_version: int | None = None) -> dict:
    """Record that the person held was set free.  Never refused for want of a right: after a
    missed judicial review it is the only lawful act.  The case goes on without custody."""
    access.require_role(actor, RELEASERS, "record a release")
    if not (ground or "").strip():
        raise InvalidData("say on what ground the person was released", {"ground": ["required"]})
    now = ctx.now()
    moment = _instant("released_at", released_at) or now
    with ctx.unit() as uow:
        record = _record(uow, actor, case_id, expected_version)
        case = record.row
        procedure = procedure_of(case)
        in_custody = procedure.last_episode is not None and procedure.last_episode.status == "custody" \
            and not case.facts.get("released_at")
        if procedure.open_episode is None and not in_custody:
            raise InvalidData("the person is not held in this case", {"case": ["no open detention or custody"]})
        facts_check.require({"released_at": moment.isoformat()}, now=now, known=case.facts)
        episode = procedure.open_episode
        facts = CaseFacts.from_data(case.facts, ctx.params)
        book = EvidenceBook(record.evidence)
        review = _review_at_release(ctx, case, book, procedure, facts, moment, now) if episode else None
        run = record.run
        run.update_data({"detained": False})
        case.workflow_state = run.dump()
        procedure = acts.after(procedure, acts.ActKind.RELEASE, {"released_at": moment.isoformat()}, now)
        case.procedure = procedure.to_dict()
        case.facts = {**case.facts, "detained": False, "released_at": moment.isoformat()}
        case.updated_at = now
        if review is not None:
            uow.add(review)
        clocks.sync(uow, record, step.clocks_after(case.facts, book, procedure, case.stage, case.status == "closed",
                                                   now, ctx.params), now, timers=run.timers(), actor=actor.username)
        clocks.release_done(record, now, actor.username)
        uow.audit(at=now, actor=actor.username, action="person.released", case_id=case.id,
                  payload={"released_at": moment.isoformat(), "ground": ground.strip(),
                           "episode": episode.no if episode else None, "from_custody": in_custody,
                           "judicial_review": review.status if review is not None else None})
        uow.commit()
    ctx.runs.put(case.id, case.lock_version, run)
    return {"case": case.id, "version": case.lock_version, "released_at": moment.isoformat()}


def _review_at_release(ctx, case, book, procedure, facts, moment, now) -> CheckpointEvaluation:
    """A release within the limit is a lawful end of the detention (counted as passed); one
    after it does not cure the breach."""
    cp = catalogue.get("detention_judicial_review")
    ev = checks.assess([cp], facts, book.for_act([cp], None, procedure, facts, now, ctx.params), moment,
                       ctx.params, case.stage)[0].evaluation
    apprehended = procedure.open_episode.apprehended_at
    within = ev.due_at is not None and moment <= ev.due_at
    status = Status.PASSED if within or ev.status is Status.PASSED else Status.FAILED
    reason = (f"released {_hours(moment - apprehended)} after apprehension, within the limit"
              if within and apprehended else "released after the limit: the breach stands")
    return CheckpointEvaluation(case_id=case.id, checkpoint=cp.id, stage=case.stage, status=status.value,
                                evaluated_at=now, clock_started_at=apprehended, due_at=ev.due_at,
                                satisfied_at=moment if status is Status.PASSED else None, task="release",
                                actor="engine", unit=case.unit, prosecutor=case.prosecutor,
                                detail={"reasons": [reason], "missing": [], "release": True})


def extend_custody(ctx: Habeas, actor: Actor, case_id: int, data: dict,
                   expected_version: int | None = None) -> dict:
    """The investigating judge extends the custody term on the prosecutor's petition (CPC
    151-152), within the tiers and ceilings; a term beyond what the law allows is refused."""
    access.require_role(actor, {roles.JUDGE}, "extend a custody term")
    now = ctx.now()
    fields = {k: data.get(k) for k in ("petition_at", "ordered_at", "extended_until", "order_number", "reasons",
                                       "alternatives_considered")}
    missing = {k: ["required"] for k, v in fields.items() if not (str(v or "")).strip()}
    if missing:
        raise InvalidData("an extension needs the petition, the order and the new expiry", missing)
    try:
        with ctx.unit() as uow:
            return _extend(ctx, uow, actor, case_id, fields, expected_version, now)
    except CheckpointBlocked as refused:
        with ctx.unit() as uow:  # the refused attempt is audited; the case is unchanged
            uow.audit(at=now, actor=actor.username, action="custody.extension_refused",
                      case_id=case_id, payload={"checkpoints": refused.failures})
            uow.commit()
        raise


def _extend(ctx, uow, actor, case_id, fields, expected_version, now) -> dict:
    """The extension itself, in the caller's unit of work: refused while a complaint against the
    lawfulness of this detention awaits its ruling."""
    record = _record(uow, actor, case_id, expected_version, with_run=False)
    case = record.row
    challenged = complaints.failures_among(uow.cases.open_complaints(case.id), case, now, ctx.params)
    if challenged:
        raise CheckpointBlocked("custody", challenged)
    facts_check.require(fields, now=now, known=case.facts)
    first = _instant("custody_ordered_at", case.facts.get("custody_ordered_at"))
    current = _instant("custody_expires_at", case.facts.get("custody_expires_at"))
    if first is None or current is None or case.facts.get("released_at") and \
            parse_instant(case.facts["released_at"]) >= first:
        raise InvalidData("no custody term is running in this case", {"case": ["no custody order in force"]})
    errors = _extension_errors(first, current, fields, case.facts.get("offence_category"), ctx.params)
    if errors:
        raise InvalidData("; ".join(errors), {"extended_until": errors})
    evidence = Evidence(case_id=case.id, checkpoint="custody_term_review",
                        data={"order_number": fields["order_number"], "ordered_at": fields["ordered_at"],
                              "expires_at": fields["extended_until"], "petition_at": fields["petition_at"],
                              "reasons": fields["reasons"],
                              "alternatives_considered": fields["alternatives_considered"]},
                        occurred_at=_instant("ordered_at", fields["ordered_at"]), recorded_at=now,
                        recorded_by=actor.username, task="custody extension")
    uow.add(evidence)
    record.evidence.append(evidence)
    procedure = acts.after(procedure_of(case), acts.ActKind.CUSTODY_EXTENSION, fields, now)
    case.procedure = procedure.to_dict()
    case.facts = {**case.facts, "custody_expires_at": fields["extended_until"]}
    case.updated_at = now
    clocks.sync(uow, record, step.clocks_after(case.facts, EvidenceBook(record.evidence), procedure, case.stage,
                                               case.status == "closed", now, ctx.params),
                now, timers=clocks.saved_or_anchored(ctx, uow, case, now), actor=actor.username)
    checks.resolve_open(record, ["custody_term_review"], now, actor.username,
                        "custody term extended by the investigating judge")
    uow.audit(at=now, actor=actor.username, action="custody.extended", case_id=case.id,
              payload={**fields, "first_ordered_at": first.isoformat(), "previous_expiry": current.isoformat()})
    uow.commit()
    return {"case": case.id, "version": case.lock_version, "expires_at": fields["extended_until"]}


def _extension_errors(first, current, fields, category, params) -> list[str]:
    return custody_terms.check_extension(first, current, _instant("petition_at", fields["petition_at"]),
                                         _instant("extended_until", fields["extended_until"]), category, params)


def requalify(ctx: Habeas, actor: Actor, case_id: int, qualification: str, decided_at: str | None,
              graver: bool = True, expected_version: int | None = None) -> dict:
    """A new qualification of the suspicion: it has no force until the prosecutor approves it,
    and the person must get a new letter of rights before the next act (the brief's precisions;
    Directive 2012/13 art 6(4); CPC arts 64, 202, 207)."""
    access.require_role(actor, {roles.INVESTIGATOR, roles.PROSECUTOR}, "re-qualify the suspicion")
    if not (qualification or "").strip():
        raise InvalidData("say the new qualification", {"qualification": ["required"]})
    now = ctx.now()
    with ctx.unit() as uow:
        case = _record(uow, actor, case_id, expected_version, with_run=False, whole=False).row
        decided = _instant("decided_at", decided_at) or now
        facts_check.require({"requalified_at": decided.isoformat()}, now=now, known=case.facts)
        procedure = procedure_of(case)
        if procedure.qualification < 1:
            raise InvalidData("there is no suspicion to re-qualify yet", {"case": ["no qualification in force"]})
        procedure = acts.after(procedure, acts.ActKind.QUALIFICATION, {}, now)
        case.procedure = procedure.to_dict()
        previous = case.facts.get("qualification")
        case.facts = {**case.facts, "qualification": qualification.strip(), "requalified_at": decided.isoformat()}
        case.updated_at = now
        uow.audit(at=now, actor=actor.username, action="suspicion.requalified", case_id=case.id,
                  payload={"from": previous, "to": qualification.strip(), "graver": bool(graver),
                           "qualification_no": procedure.qualification, "decided_at": decided.isoformat()})
        uow.commit()
        return {"case": case.id, "version": case.lock_version, "qualification_no": procedure.qualification}


def derogate(ctx: Habeas, actor: Actor, case_id: int, ground: str, reason: str) -> int:
    """The temporary derogation from counsel (Directive 2013/48 art 3(6)): for an adult without
    mandatory defence, by the supervising prosecutor, on one of its two grounds.  It lets the
    next interrogation go ahead and its statement is always flagged for an admissibility ruling."""
    cp = catalogue.get("counsel_before_interrogation")
    if not (reason or "").strip():
        raise InvalidData("a derogation needs written reasons", {"reason": ["required"]})
    now = ctx.now()
    with ctx.unit() as uow:
        case = uow.cases.row(case_id)
        access.require_read_on(actor, case, is_party=uow.cases.is_party)
        refusal = _derogation_refusal(case, ground, actor.role, now, ctx.params)
        if refusal:
            if actor.role != roles.SUPERVISING_PROSECUTOR:
                raise Forbidden(refusal)
            raise OverrideRefused(refusal)
        row = Override(case_id=case.id, checkpoint=cp.id, actor=actor.username, reason=reason.strip(),
                       legal_ground=f"{DEROGATION_BASIS}: {ground}", created_at=now)
        uow.add(row)
        uow.add(CheckpointEvaluation(case_id=case.id, checkpoint=cp.id, stage=case.stage,
                                     status=Status.OVERRIDDEN.value, evaluated_at=now, task=None,
                                     actor=actor.username, unit=case.unit, prosecutor=case.prosecutor,
                                     detail={"derogation": ground, "reason": row.reason}))
        uow.audit(at=now, actor=actor.username, action="counsel.derogated", case_id=case.id,
                  payload={"ground": ground, "reason": row.reason, "legal_basis": DEROGATION_BASIS})
        uow.commit()
        return row.id


DEROGATION_BASIS = "Directive 2013/48 art 3(6)"
DEROGATION_GROUNDS = catalogue.DEROGATION_GROUNDS


def _derogation_refusal(case, ground, role, now, params) -> str | None:
    """The law's answer (catalogue.derogation_refusal), at the case's stage: never in court."""
    return catalogue.derogation_refusal(CaseFacts.from_data(case.facts, params), ground, role, now, params,
                                        case.stage)


def is_derogation(override: Override) -> bool:
    return (override.legal_ground or "").startswith(DEROGATION_BASIS)


def _record(uow, actor, case_id, expected_version, with_run: bool = True, whole: bool = True):
    """The case from the repository (``whole``: with its evidence, overrides, deadlines and open
    escalations; ``with_run``: and its workflow), once the actor may act on it at the version
    they read (checked before the workflow is read)."""
    record = uow.cases.get(case_id, with_run=False) if whole else CaseRecord(uow.cases.row(case_id))
    case = record.row
    access.require_act_on(actor, case, None, "act on this case", is_party=uow.cases.is_party)
    if expected_version is not None and expected_version != case.lock_version:
        raise Conflict(f"stale version {expected_version}: the case is at version {case.lock_version}")
    if with_run:
        record.run = uow.cases.run_of(record)
    return record


def _case(session, actor, case_id, expected_version):
    """The case row, checked as ``_record`` does, for acts still written on a session."""
    return _record(SqlUnitOfWork.within(session), actor, case_id, expected_version, with_run=False,
                   whole=False).row


def _instant(name: str, value):
    try:
        return parse_instant(value)
    except (TypeError, ValueError):
        raise InvalidData(f"{name} is not an ISO-8601 time", {name: ["not an ISO-8601 time"]}) from None


def _hours(delta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 60} h {minutes % 60:02d} min"

