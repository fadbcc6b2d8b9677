"""Allegations of ill-treatment (ECHR 3; UNCAT arts 12, 13, 15; the brief's precisions).

Recordable at any stage by the investigator, the prosecutor, the judge or the defence (for the
person or their representative).  Each allegation:

- creates a referral task for the prosecutor, due within ``ill_treatment_referral_hours`` (param,
  24 h) of the allegation, for an independent check; a legal clock (``medical_examination``)
  escalates it when missed;
- blocks further questioning until a medical examination made after it is recorded (the
  ``medical_examination`` right guards every interrogation and reads ``ill_treatment_alleged_at``);
- flags for an admissibility ruling the statements taken in the period it concerns (UNCAT 15).
"""
from datetime import datetime, timedelta

from sqlalchemy import select

from ..domain import catalogue, roles
from ..domain.clock import parse_instant
from ..domain.errors import InvalidData, NotFound
from ..domain.wording import N_, say, when
from ..persistence import audit
from ..persistence.models import AdmissibilityFlag, Allegation, Case, Escalation, StageEntry
from . import access, checks, clocks, facts_check
from .context import Actor, Habeas

BASIS = "ECHR 3; UNCAT arts 12, 13, 15"
RECORDERS = frozenset({roles.INVESTIGATOR, roles.PROSECUTOR, roles.SUPERVISING_PROSECUTOR, roles.JUDGE,
                       roles.DEFENCE})
REFERRERS = frozenset({roles.PROSECUTOR, roles.SUPERVISING_PROSECUTOR})
MADE_BY = ("person", "defence", "representative", "official")
REFERRAL = "referral"  # the Escalation kind of a referral task: a duty with a deadline, not yet a failure
REFERRAL_TASK = N_("REFERRAL: ill-treatment alleged at %(started)s (allegation %(number)s): refer it for an "
                   "independent check by %(due)s; questioning waits for a medical examination made after it "
                   "(%(citation)s)")
REFERRED = N_("referred to %(body)s at %(when)s")
STATEMENT_IN_PERIOD = N_("statement taken in the period of an ill-treatment allegation (%(started)s to %(until)s); "
                         "a statement made as a result of torture is inadmissible (%(right)s; %(citation)s)")


def record(ctx: Habeas, actor: Actor, case_id: int, data: dict, expected_version: int | None = None) -> dict:
    """Record an allegation; returns it with its referral deadline."""
    access.require_role(actor, RECORDERS, "record an ill-treatment allegation")
    now = ctx.now()
    clean = _clean(data, actor, now)
    with ctx.unit_of_work() as session:
        case = _case(session, actor, case_id, expected_version)
        facts_check.require({"ill_treatment_alleged_at": clean["alleged_at"].isoformat()}, now=now,
                            known=case.facts)
        due = clean["alleged_at"] + timedelta(hours=ctx.params.ill_treatment_referral_hours)
        row = Allegation(case_id=case.id, alleged_at=clean["alleged_at"], period_from=clean["period_from"],
                         period_to=clean["period_to"], description=clean["description"], made_by=clean["made_by"],
                         recorded_at=now, recorded_by=actor.username, referral_due_at=due)
        session.add(row)
        session.flush()
        task = Escalation(case_id=case.id, checkpoint="medical_examination", stage=case.stage, kind=REFERRAL,
                          assigned_role=roles.PROSECUTOR, created_at=now, due_at=due,
                          reason=say(REFERRAL_TASK, started=when(clean["alleged_at"]), number=row.id, due=when(due),
                                     citation=BASIS))
        session.add(task)
        session.flush()
        row.task_id = task.id
        _refresh_facts(session, case)
        flagged = _flag_statements(session, case, row, now)
        session.flush()
        clocks.resync(ctx, session, case, now, actor=actor.username)
        audit.append(session, at=now, actor=actor.username, action="allegation.recorded", case_id=case.id,
                     payload={"allegation": row.id, "alleged_at": _iso(row.alleged_at), "made_by": row.made_by,
                              "description": row.description, "referral_due_at": _iso(due),
                              "referral_task": task.id, "flagged": flagged, "legal_basis": BASIS})
        return view(row) | {"flagged_statements": flagged, "case_version": case.lock_version}


def refer(ctx: Habeas, actor: Actor, case_id: int, allegation_id: int, data: dict) -> dict:
    """The prosecutor refers the allegation for an independent check; the referral task is done.
    A late referral is recorded as made (the breach, if the deadline passed, stands)."""
    access.require_role(actor, REFERRERS, "refer an ill-treatment allegation")
    now = ctx.now()
    referred_to = str((data or {}).get("referred_to") or "").strip()
    errors = {}
    if not referred_to:
        errors["referred_to"] = ["required: the body that checks the allegation independently"]
    try:
        referred_at = parse_instant((data or {}).get("referred_at")) or now
    except (TypeError, ValueError):
        errors["referred_at"] = ["not an ISO-8601 time"]
    if errors:
        raise InvalidData("the referral cannot be recorded as given", errors)
    with ctx.unit_of_work() as session:
        case = _case(session, actor, case_id, None)
        row = session.get(Allegation, allegation_id)
        if row is None or row.case_id != case.id:
            raise NotFound(f"no allegation {allegation_id} in case {case_id}")
        if row.referred_at is not None:
            raise InvalidData("this allegation was already referred", {"allegation": [f"referred at {_iso(row.referred_at)}"]})
        facts_check.require({"referred_at": referred_at.isoformat()}, now=now, known=case.facts)
        if referred_at < row.alleged_at:
            raise InvalidData("a referral follows the allegation", {"referred_at": ["before the allegation"]})
        row.referred_at, row.referred_by, row.referred_to = referred_at, actor.username, referred_to
        done = say(REFERRED, body=referred_to, when=when(referred_at))
        tasks = session.execute(select(Escalation).where(Escalation.id == row.task_id)).scalars().all()
        for task in tasks:
            task.status, task.resolved_at, task.resolved_by, task.resolution = "resolved", now, actor.username, done
        _refresh_facts(session, case)
        session.flush()
        if case.facts.get("ill_treatment_referral_from") is None:  # every allegation referred
            checks.resolve_escalations(session, case, ["medical_examination"], now, actor.username, done)
        clocks.resync(ctx, session, case, now, actor=actor.username)
        late = referred_at > row.referral_due_at
        audit.append(session, at=now, actor=actor.username, action="allegation.referred", case_id=case.id,
                     payload={"allegation": row.id, "referred_at": _iso(referred_at), "referred_to": referred_to,
                              "late": late, "legal_basis": BASIS})
        return view(row) | {"late": late}


def of_case(session, case_id: int) -> list[dict]:
    rows = session.execute(select(Allegation).where(Allegation.case_id == case_id)
                           .order_by(Allegation.id)).scalars().all()
    return [view(r) for r in rows]


def view(row: Allegation) -> dict:
    return {"id": row.id, "case_id": row.case_id, "alleged_at": _iso(row.alleged_at),
            "period_from": _iso(row.period_from), "period_to": _iso(row.period_to), "description": row.description,
            "made_by": row.made_by, "recorded_at": _iso(row.recorded_at), "recorded_by": row.recorded_by,
            "referral_due_at": _iso(row.referral_due_at), "referred_at": _iso(row.referred_at),
            "referred_to": row.referred_to, "referral_task": row.task_id, "legal_basis": BASIS}


def _clean(data: dict, actor: Actor, now: datetime) -> dict:
    if not isinstance(data, dict):
        raise InvalidData("an allegation is an object of named values", {"data": ["must be an object"]})
    errors: dict[str, list[str]] = {}
    description = str(data.get("description") or "").strip()
    if not description:
        errors["description"] = ["required: what is alleged, by whom, when and where"]
    made_by = data.get("made_by") or ("defence" if actor.role == roles.DEFENCE else "person")
    if made_by not in MADE_BY:
        errors["made_by"] = [f"one of {', '.join(MADE_BY)}"]
    times = {}
    for name in ("alleged_at", "period_from", "period_to"):
        try:
            times[name] = parse_instant(data.get(name))
        except (TypeError, ValueError):
            errors[name] = ["not an ISO-8601 time"]
    if errors:
        raise InvalidData("the allegation cannot be recorded as given", errors)
    alleged = times["alleged_at"] or now
    if times["period_from"] and times["period_to"] and times["period_to"] < times["period_from"]:
        errors["period_to"] = ["the period ends after it starts"]
    if times["period_from"] and times["period_from"] > alleged:
        errors["period_from"] = ["the period alleged precedes the allegation"]
    for name in ("alleged_at", "period_from", "period_to"):
        if times[name] and times[name] > now + timedelta(minutes=5):
            errors.setdefault(name, []).append("in the future: an allegation is about what already happened")
    if errors:
        raise InvalidData("the allegation cannot be recorded as given", errors)
    return {"description": description, "made_by": made_by, "alleged_at": alleged,
            "period_from": times["period_from"], "period_to": times["period_to"]}


def _refresh_facts(session, case: Case) -> None:
    """The facts the rules read: the latest allegation (an examination must follow it), the
    earliest one not referred (its clock runs) and the latest referral."""
    session.flush()
    rows = session.execute(select(Allegation).where(Allegation.case_id == case.id)).scalars().all()
    if not rows:
        return
    pending = [r.alleged_at for r in rows if r.referred_at is None]
    referred = [r.referred_at for r in rows if r.referred_at is not None]
    case.facts = {**(case.facts or {}), "ill_treatment_alleged": True,
                  "ill_treatment_alleged_at": _iso(max(r.alleged_at for r in rows)),
                  "ill_treatment_referral_from": _iso(min(pending)) if pending else None,
                  "ill_treatment_referred_at": _iso(max(referred)) if referred else None}


def _flag_statements(session, case: Case, row: Allegation, now) -> list[int]:
    """Statements taken in the period the allegation concerns go to an admissibility ruling
    (UNCAT art 15).  Without a stated period: from the start of the detention it was made in (or
    the case's opening) to the allegation, the reading that protects the person."""
    start = row.period_from
    if start is None:
        episodes = (case.procedure or {}).get("episodes") or []
        started = [parse_instant(e.get("apprehended_at")) for e in episodes if e.get("apprehended_at")]
        started = [t for t in started if t is not None and t <= row.alleged_at]
        start = max(started) if started else case.opened_at
    end = row.period_to or row.alleged_at
    end = max(end, row.alleged_at)
    entries = session.execute(select(StageEntry).where(
        StageEntry.case_id == case.id, StageEntry.stage == "interrogation")).scalars().all()
    cp = catalogue.get("medical_examination")
    flagged = []
    for entry in entries:
        at = entry.entered_at
        if at is None or at < start or at > end:
            continue
        session.add(AdmissibilityFlag(
            case_id=case.id, checkpoint=cp.id, task=entry.task, task_id=f"alleg:{row.id}:entry:{entry.id}"[:40],
            record={"stage_entry": entry.id, "entered_at": _iso(at), "allegation": row.id},
            reason=say(STATEMENT_IN_PERIOD, started=when(start), until=when(end), right=cp.right, citation=BASIS),
            created_at=now))
        flagged.append(entry.id)
    return flagged


def _case(session, actor, case_id, expected_version):
    from .procedure import _case as locked_case
    return locked_case(session, actor, case_id, expected_version)


def _iso(moment) -> str | None:
    return moment.isoformat() if moment is not None else None
