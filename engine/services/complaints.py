"""Complaints against an act of a criminal case (CPC 105-106; ECHR 13), each run as its own case
on the ``complaint`` process and linked to the criminal case both ways (``Case.about_case_id``).

- The person's defence files it (or an official records one received from the person, their
  representative or a victim); the 15 days of CPC 105-106 are the complainant's window: a late
  complaint is still registered, marked late, and the judge decides whether to restore the time.
- The state's ruling has its own term (param ``complaint_ruling_days``), a legal clock on the
  complaint case: missed, it is an escalation and both cases are non-compliant until the ruling.
- A complaint against the lawfulness of detention must be ruled on before the next custody
  decision on that detention: ``blocking_failures`` names it to the custody decision and the
  custody extension, which are refused.  A release is never refused.
"""
from datetime import datetime, timedelta

from sqlalchemy import select

from ..domain import acts, catalogue, roles
from ..domain.clock import parse_instant
from ..domain.errors import InvalidData, NotFound
from ..domain.facts import CaseFacts
from ..domain.rights import FailureClass
from ..domain.wording import N_, say, when
from ..persistence import audit
from ..persistence.models import Case, CaseParty, Escalation, ProcessVersion, StageEntry
from ..workflow.adapter import CaseRun
from . import access, checks, clocks, facts_check
from .context import Actor, Habeas

PROCESS = "complaint"
BASIS = "ECHR 13; CPC arts 105, 106"
FILERS = frozenset({roles.DEFENCE, roles.INVESTIGATOR, roles.PROSECUTOR, roles.SUPERVISING_PROSECUTOR,
                    roles.JUDGE})
COMPLAINANTS = ("defence", "person", "representative", "victim")
ROUTES = ("judge", "prosecutor")
# acts whose complaint challenges the lawfulness of a detention, whatever the box ticked
DETENTION_ACTS = frozenset({acts.ActKind.APPREHENSION, acts.ActKind.CUSTODY_DECISION,
                            acts.ActKind.CUSTODY_EXTENSION})
OUTCOMES = ("upheld", "dismissed")
AWAITS_RULING = N_("complaint %(complaint)s challenges the lawfulness of the detention and awaits its ruling (due "
                   "%(due)s): the next custody decision on that detention waits for it (%(citation)s); a release is "
                   "always possible")
ON_COMPLAINT = N_("complaint %(complaint)s: %(reasons)s")


def file(ctx: Habeas, actor: Actor, case_id: int, data: dict) -> dict:
    """File a complaint about an act of case ``case_id``; returns the complaint case's summary.
    Bad input is a 422 naming the field, and nothing is written."""
    from .cases import load_case
    access.require_role(actor, FILERS, "file a complaint")
    now = ctx.now()
    clean = _clean_filing(data, actor, now, ctx.params.complaint_days)
    with ctx.unit_of_work() as session:
        parent = load_case(session, case_id)
        access.require_act(session, actor, parent, what="file a complaint in this case")
        if parent.about_case_id is not None:
            raise InvalidData("a complaint is about an act of a criminal case, not of another complaint",
                              {"case": ["this case is itself a complaint"]})
        facts_check.require({k: clean[k] for k in ("learned_of_act_at", "complaint_filed_at")},
                            now=now, known=parent.facts)
        procedure = _procedure(parent)
        episode = procedure.open_episode or procedure.last_episode
        clean["detention_episode"] = episode.no if (clean["complaint_challenges_detention"] and episode) else None
        clean["about_case"] = parent.number
        complaint, task = _complaint_case(ctx, session, actor, parent, clean, now)
        facts = complaint.facts
        cp = catalogue.get("complaint_review")
        assessments = checks.assess([cp], CaseFacts.from_data(facts, ctx.params), {}, now, ctx.params, "complaint",
                                    actor=actor.username, act=acts.ActKind.COMPLAINT)
        session.add_all(checks.evaluation_rows(complaint, assessments, now=now, stage="complaint",
                                               task=task.definition.title, actor=actor.username,
                                               act=acts.ActKind.COMPLAINT))
        clocks.resync(ctx, session, complaint, now, actor=actor.username)
        due = catalogue.complaint_deadline(_ctx(facts, now, ctx.params))
        payload = {"complaint": complaint.number, "complaint_id": complaint.id, "about_case": parent.number,
                   "act": clean["act_complained_of"], "about_act": clean.get("about_act"),
                   "challenges_detention": clean["complaint_challenges_detention"],
                   "filed_late": clean["filed_late"], "ruling_due_at": due.isoformat(), "legal_basis": BASIS}
        audit.append(session, at=now, actor=actor.username, action="complaint.filed", case_id=complaint.id,
                     payload=payload)
        audit.append(session, at=now, actor=actor.username, action="complaint.filed", case_id=parent.id,
                     payload=payload)
        return summary(complaint, now, ctx.params)


def _complaint_case(ctx, session, actor: Actor, parent: Case, clean: dict, now):
    """The complaint as a case of its own on the complaint process, its filing task done, its
    defence those of the criminal case (so they read it), linked to the criminal case."""
    from .cases import _number, latest_version
    version = latest_version(session, PROCESS)
    run = CaseRun.start(ctx.models.get(session, version.id), {})
    [task] = [t for t in run.ready_tasks() if t.definition.act == acts.ActKind.COMPLAINT]
    run.complete(task.id, _workflow_data(clean))
    run.anchor_timers(now)
    facts = {**clean}
    complaint = Case(number="pending", process_version_id=version.id, stage="complaint", status="open",
                     unit=parent.unit, prosecutor=parent.prosecutor, facts=facts,
                     procedure=acts.after(acts.Procedure(), acts.ActKind.COMPLAINT, clean, now).to_dict(),
                     workflow_state=run.dump(), opened_at=now, opened_by=actor.username, updated_at=now,
                     about_case_id=parent.id)
    session.add(complaint)
    session.flush()
    _number(session, complaint, f"{parent.number}-C{complaint.id}")
    for username in session.execute(select(CaseParty.username).where(
            CaseParty.case_id == parent.id, CaseParty.role == roles.DEFENCE)).scalars().all():
        session.add(CaseParty(case_id=complaint.id, username=username, role=roles.DEFENCE))
    session.add(StageEntry(case_id=complaint.id, stage="complaint", entered_at=now, task=task.definition.title,
                           actor=actor.username))
    return complaint, task


def _clean_filing(data: dict, actor: Actor, now: datetime, window_days: int) -> dict:
    if not isinstance(data, dict):
        raise InvalidData("a complaint is an object of named values", {"data": ["must be an object"]})
    errors: dict[str, list[str]] = {}
    text = str(data.get("act_complained_of") or "").strip()
    if not text:
        errors["act_complained_of"] = ["required: which act or decision, by whom, and why it is unlawful"]
    about_act = data.get("about_act") or None
    if about_act is not None and about_act not in acts.ACT_KINDS:
        errors["about_act"] = [f"not a kind of act: one of {', '.join(sorted(acts.ACT_KINDS))}"]
    complainant = data.get("complainant") or ("defence" if actor.role == roles.DEFENCE else None)
    if complainant not in COMPLAINANTS:
        errors["complainant"] = [f"say who complains: one of {', '.join(COMPLAINANTS)}"]
    route = data.get("addressed_to") or "judge"
    if route not in ROUTES:
        errors["addressed_to"] = [f"one of {', '.join(ROUTES)}"]
    challenges = data.get("complaint_challenges_detention", False)
    if not isinstance(challenges, bool):
        errors["complaint_challenges_detention"] = ["must be true or false"]
    times = {}
    for name, default in (("learned_of_act_at", None), ("complaint_filed_at", now)):
        try:
            times[name] = parse_instant(data.get(name)) or default
        except (TypeError, ValueError):
            errors[name] = ["not an ISO-8601 time"]
            continue
        if times[name] is None:
            errors[name] = ["required: when the complainant learned of the act (their 15 days run from it)"]
    for name, moment in times.items():
        if moment is not None and moment > now + timedelta(minutes=5):
            errors[name] = ["in the future: a complaint is about what already happened"]
    if not errors and times["complaint_filed_at"] < times["learned_of_act_at"]:
        errors["complaint_filed_at"] = ["a complaint is filed after the complainant learned of the act"]
    if errors:
        raise InvalidData("the complaint cannot be filed as given", errors)
    # a complaint about a detention act challenges its lawfulness, whatever the box says
    # (the reading that protects the person: the next custody decision waits for the ruling)
    challenges = bool(challenges) or about_act in DETENTION_ACTS
    learned, filed = times["learned_of_act_at"], times["complaint_filed_at"]
    return {"act_complained_of": text, "about_act": about_act, "complainant": complainant, "addressed_to": route,
            "complaint_challenges_detention": challenges, "learned_of_act_at": learned.isoformat(),
            "complaint_filed_at": filed.isoformat(), "filed_by": actor.username,
            "filed_late": filed > learned + timedelta(days=window_days)}


def _workflow_data(clean: dict) -> dict:
    """The diagram's own form fields for the filing task."""
    return {k: clean[k] for k in ("act_complained_of", "learned_of_act_at", "complaint_filed_at",
                                  "complaint_challenges_detention", "addressed_to")}


def _procedure(case: Case) -> acts.Procedure:
    if case.procedure is None:
        return acts.derive(case.facts or {})
    return acts.Procedure.from_dict(case.procedure)


def _ctx(facts: dict, now, params):
    from ..domain.rights import CheckContext
    return CheckContext(facts=CaseFacts.from_data(facts, params), evidence=None, now=now, params=params,
                        stage="complaint")


def summary(complaint: Case, now, params) -> dict:
    facts = complaint.facts or {}
    ctx = _ctx(facts, now, params)
    due = catalogue.complaint_deadline(ctx)
    ruled = ctx.facts.complaint_ruled_at
    return {"id": complaint.id, "number": complaint.number, "case_id": complaint.about_case_id,
            "about_case": facts.get("about_case"), "act_complained_of": facts.get("act_complained_of"),
            "about_act": facts.get("about_act"), "complainant": facts.get("complainant"),
            "addressed_to": facts.get("addressed_to"),
            "challenges_detention": bool(facts.get("complaint_challenges_detention")),
            "detention_episode": facts.get("detention_episode"), "filed_at": facts.get("complaint_filed_at"),
            "filed_late": bool(facts.get("filed_late")), "ruling_due_at": due.isoformat() if due else None,
            "ruled_at": ruled.isoformat() if ruled else None, "ruling": facts.get("ruling"),
            "status": complaint.status, "non_compliant": complaint.non_compliant,
            "legal_basis": BASIS}


def of_case(session, case: Case, now, params) -> list[dict]:
    """The complaints about a criminal case's acts, oldest first."""
    rows = session.execute(select(Case).where(Case.about_case_id == case.id).order_by(Case.id)).scalars().all()
    return [summary(row, now, params) for row in rows]


def awaiting_ruling(session, case: Case, params) -> list[Case]:
    """Complaints about this case's detention that wait for their ruling and bind its current
    detention (the episode they were filed in, or the custody that followed it)."""
    rows = session.execute(select(Case).where(Case.about_case_id == case.id, Case.status == "open")
                           .order_by(Case.id)).scalars().all()
    return binding(rows, case, params)


def binding(rows, case: Case, params) -> list[Case]:
    """Of the open complaints about a case, those awaiting a ruling that bind its current detention."""
    last = _procedure(case).last_episode
    out = []
    cp = catalogue.get("complaint_review")
    for row in rows:
        facts = row.facts or {}
        complaint = CaseFacts.from_data(facts, params)
        # the catalogue says when a complaint blocks: where it challenges the lawfulness of detention
        if catalogue.failure_class(cp, complaint) is not FailureClass.BLOCK:
            continue
        if complaint.complaint_ruled_at is not None:
            continue
        episode = facts.get("detention_episode")
        if episode is not None and last is not None and int(episode) != last.no:
            continue  # a complaint about an earlier detention does not bind a new one
        out.append(row)
    return out


def blocking_failures(session, case: Case, now, params) -> list[dict]:
    """What refuses the next custody decision on a detention whose lawfulness is challenged:
    one entry per complaint awaiting its ruling, naming it, shaped like a blocked right."""
    return failures_among(awaiting_ruling(session, case, params), case, now, params, binding_only=True)


def failures_among(rows, case: Case, now, params, binding_only: bool = False) -> list[dict]:
    """``blocking_failures`` from the case's open complaints (as its repository gives them)."""
    cp = catalogue.get("complaint_review")
    out = []
    for row in rows if binding_only else binding(rows, case, params):
        info = summary(row, now, params)
        out.append({"id": cp.id, "right": cp.right, "legal_basis": cp.legal_basis, "status": "pending",
                    "missing": ["ruled_at"], "override": "never", "due_at": info["ruling_due_at"],
                    "complaint": row.number, "complaint_id": row.id,
                    "reasons": [say(AWAITS_RULING, complaint=row.number, due=when(parse_instant(info["ruling_due_at"])),
                                    citation=cp.legal_basis)]})
    return out


def after_ruling(session, complaint: Case, clean: dict, now, actor: str) -> None:
    """A ruling recorded on a complaint case: its escalations, and those raised on the
    criminal case about it, are resolved; both cases' compliance is refreshed."""
    if complaint.about_case_id is None:
        return
    outcome = clean.get("ruling")
    resolution = f"complaint ruled on ({outcome}) at {clean.get('ruled_at')}"
    complaint.facts = {**(complaint.facts or {}), "complaint_ruled_at": clean.get("ruled_at")}
    checks.resolve_escalations(session, complaint, ["complaint_review"], now, actor, resolution)
    parent = session.get(Case, complaint.about_case_id)
    rows = session.execute(select(Escalation).where(
        Escalation.case_id == parent.id, Escalation.status == "open", Escalation.checkpoint == "complaint_review",
        Escalation.reason.contains(complaint.number))).scalars().all()
    for row in rows:
        row.status, row.resolved_at, row.resolved_by, row.resolution = "resolved", now, actor, resolution
    if rows:
        session.flush()
        checks.refresh_compliance(session, parent)
    audit.append(session, at=now, actor=actor, action="complaint.ruled", case_id=parent.id,
                 payload={"complaint": complaint.number, "complaint_id": complaint.id, "ruling": outcome,
                          "ruled_at": clean.get("ruled_at"), "legal_basis": BASIS})


def escalate_on_case(session, complaint: Case, reason: str, now) -> None:
    """A complaint's missed ruling term makes the criminal case non-compliant too, with a task
    naming the complaint (the supervising prosecutor, or the court at the court stages)."""
    if complaint.about_case_id is None:
        return
    parent = session.get(Case, complaint.about_case_id)
    if parent is None:
        return
    session.add(Escalation(case_id=parent.id, checkpoint="complaint_review", stage=parent.stage, kind="escalation",
                           assigned_role=catalogue.escalation_role("complaint_review", parent.stage),
                           created_at=now, reason=say(ON_COMPLAINT, complaint=complaint.number, reasons=reason)))
    parent.non_compliant = True
    parent.updated_at = now


def rule(ctx: Habeas, actor: Actor, case_id: int, complaint_id: int, data: dict) -> dict:
    """Record the ruling on complaint ``complaint_id`` of case ``case_id``: the complaint's
    ruling task, completed as the diagram says (its lane's role)."""
    from .cases import complete_task, load_case, reading_run
    with ctx.unit_of_work() as session:
        complaint = session.get(Case, complaint_id)
        if complaint is None or complaint.about_case_id != case_id:
            raise NotFound(f"no complaint {complaint_id} in case {case_id}")
        access.require_read(session, actor, complaint)
        with reading_run(ctx, session, complaint) as run:
            ready = {t.definition.act: t for t in run.ready_tasks()}
        version = complaint.lock_version
    task = ready.get(acts.ActKind.COMPLAINT_RULING)
    if task is None:
        waiting = ", ".join(sorted(str(k) for k in ready)) or "nothing"
        raise InvalidData("the complaint has no ruling to record now (registered and routed first?)",
                          {"complaint": [f"waiting for: {waiting}"]})
    complete_task(ctx, actor, complaint_id, task.id, data or {}, expected_version=version)
    with ctx.unit_of_work() as session:
        return summary(load_case(session, complaint_id), ctx.now(), ctx.params)


def complaint_process_deployed(session) -> bool:
    return session.execute(select(ProcessVersion.id).where(ProcessVersion.process_id == PROCESS)).first() is not None
