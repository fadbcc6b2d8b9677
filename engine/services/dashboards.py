"""Read models for the case pages: "my cases" with what is waiting and what is blocked, the
registration form of a new case, the diagram a case runs on.  Nothing here changes a case.

Which cases a user sees on the dashboard:

- a procedural prosecutor: the open cases where they are the prosecutor;
- an investigator or a judge: the open cases *waiting for them*: a ready task their role may
  act on, or an urgent item (a release, a breach, an escalation, an admissibility flag)
  addressed to them (``inbox.urgent_items``); a case they opened that waits for someone else
  is not waiting for them;
- a supervising prosecutor: every open case (they supervise all of them);
- a defence lawyer: only the open cases where they are counsel.

Investigators and judges may widen the list to every open case (``scope="all"``).
"""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ..domain import catalogue, roles
from ..domain.forms import FormField
from ..domain.stages import STAGE_BY_ID
from ..persistence.models import AuditEntry, Case, CaseParty, Deadline, Escalation, ProcessVersion, User
from ..workflow.adapter import CaseRun, Unloadable
from . import access, cases, forms, inbox, incidents
from .cases import latest_version, load_case, reading_run, task_fields
from .context import Actor, Habeas

URGENT_HOURS = 12  # a legal deadline this close is highlighted on the dashboard
CASE_PROCESS = "criminal_case"
SCOPES = ("mine", "all")


@dataclass(frozen=True)
class Countdown:
    """A legal deadline seen from now: how many hours are left, and whether that is urgent."""

    checkpoint: str
    right: str
    kind: str
    due_at: datetime
    hours_left: float

    @property
    def urgent(self) -> bool:
        return self.hours_left < URGENT_HOURS

    @property
    def overdue(self) -> bool:
        return self.hours_left < 0


def my_cases(ctx: Habeas, actor: Actor, *, scope: str = "mine", limit: int = 100) -> list[dict]:
    """The dashboard's cases for this user, most urgent first, each with its ready tasks (and
    their lanes), open legal deadlines, open escalations and the refusal still in the way."""
    access.require_role(actor, roles.CASE_ACTORS, "have a case dashboard")
    with ctx.unit_of_work() as session:
        candidates = session.execute(_selection(actor).order_by(Case.updated_at.desc())
                                     .limit(limit * 3)).scalars().all()
        rows = []
        urgent = ({i["case"] for i in inbox.urgent_items(session, actor, ctx.now(), [c.id for c in candidates])}
                  if actor.role in (roles.INVESTIGATOR, roles.JUDGE) and scope != "all" else set())
        for case in candidates:
            tasks = _ready(ctx, session, case)
            if _shown(actor, scope, case, tasks, urgent):
                rows.append({"case": case, "tasks": tasks})
            if len(rows) >= limit:
                break
        ids = [row["case"].id for row in rows]
        deadlines = _open_deadlines(session, ids, ctx.now())
        escalations = _open_escalations(session, ids)
        refusals = _last_refusals(session, ids)
        open_incidents = incidents.open_for(session, ids)
        out = [{**_summary(actor, row["case"], row["tasks"], deadlines.get(row["case"].id, []),
                           escalations.get(row["case"].id, []), refusals.get(row["case"].id)),
                "incidents": open_incidents.get(row["case"].id, [])}
               for row in rows]
    return sorted(out, key=_urgency)


def _selection(actor: Actor):
    query = select(Case).where(Case.status == "open", Case.training.is_(False))
    if actor.role == roles.DEFENCE:
        return query.join(CaseParty, CaseParty.case_id == Case.id).where(CaseParty.username == actor.username)
    if actor.role == roles.PROSECUTOR:
        return query.where(Case.prosecutor == actor.username)
    return query


def _shown(actor: Actor, scope: str, case: Case, tasks: list[dict], urgent: set[int]) -> bool:
    """Investigators and judges see, unless they ask for all, the cases that wait for them: a
    ready task their role may act on, or an urgent item addressed to them."""
    if actor.role not in (roles.INVESTIGATOR, roles.JUDGE) or scope == "all":
        return True
    return case.id in urgent or any(roles.may_work_lane(actor.role, t["lane"]) for t in tasks)


def _ready(ctx: Habeas, session, case: Case) -> list[dict]:
    """The case's ready tasks; none for a case whose workflow does not load (it shows its
    incident instead, and the list goes on)."""
    try:
        with reading_run(ctx, session, case) as run:
            return [{"id": t.id, "name": t.definition.name, "title": t.definition.title, "lane": t.definition.lane,
                     "stage": t.definition.stage, "translations": dict(t.definition.translations)}
                    for t in run.ready_tasks()]
    except Unloadable:
        return []


def _open_deadlines(session, case_ids: list[int], now: datetime) -> dict[int, list[Countdown]]:
    out: dict[int, list[Countdown]] = {}
    if not case_ids:
        return out
    rows = session.execute(select(Deadline.case_id, Deadline.checkpoint, Deadline.kind, Deadline.due_at)
                           .where(Deadline.case_id.in_(case_ids), Deadline.status == "open")
                           .order_by(Deadline.due_at)).all()
    for r in rows:
        right = _right(r.checkpoint)
        hours = round((r.due_at - now).total_seconds() / 3600, 1)
        out.setdefault(r.case_id, []).append(Countdown(r.checkpoint, right, r.kind, r.due_at, hours))
    return out


def _open_escalations(session, case_ids: list[int]) -> dict[int, list[dict]]:
    out: dict[int, list[dict]] = {}
    if not case_ids:
        return out
    rows = session.execute(select(Escalation).where(Escalation.case_id.in_(case_ids), Escalation.status == "open")
                           .order_by(Escalation.id)).scalars()
    for e in rows:
        out.setdefault(e.case_id, []).append({"id": e.id, "checkpoint": e.checkpoint, "right": _right(e.checkpoint),
                                              "kind": getattr(e, "kind", None) or "escalation",
                                              "reason": e.reason, "due_at": e.due_at})
    return out


def _last_refusals(session, case_ids: list[int]) -> dict[int, dict]:
    """The latest refused completion per case (from the audit trail)."""
    out: dict[int, dict] = {}
    if not case_ids:
        return out
    rows = session.execute(select(AuditEntry.case_id, AuditEntry.at, AuditEntry.actor, AuditEntry.payload)
                           .where(AuditEntry.case_id.in_(case_ids), AuditEntry.action == "task.refused")
                           .order_by(AuditEntry.seq)).all()
    for r in rows:
        payload = r.payload or {}
        out[r.case_id] = {"at": r.at, "actor": r.actor, "task": payload.get("task"),
                          "task_id": payload.get("task_id"), "stage": payload.get("stage"),
                          "checkpoints": [c.get("id") for c in payload.get("checkpoints", [])],
                          "rights": [_right(c.get("id")) for c in payload.get("checkpoints", [])]}
    return out


def _right(checkpoint_id: str) -> str:
    cp = catalogue.CATALOGUE.get(checkpoint_id)
    return cp.right if cp else str(checkpoint_id)


def _summary(actor: Actor, case: Case, tasks, deadlines, escalations, refusal) -> dict:
    """One dashboard row.  A refusal counts as blocking only while the refused task still waits."""
    ready_ids = {t["id"] for t in tasks}
    for t in tasks:
        t["mine"] = actor.role != roles.DEFENCE and roles.may_work_lane(actor.role, t["lane"])
    return {"id": case.id, "number": case.number, "stage": case.stage,
            "stage_title": STAGE_BY_ID[case.stage].title if case.stage in STAGE_BY_ID else "Not yet registered",
            "suspect": (case.facts or {}).get("suspect_name", ""), "prosecutor": case.prosecutor,
            "updated_at": case.updated_at, "version": case.lock_version, "non_compliant": case.non_compliant,
            "tasks": tasks, "deadlines": deadlines, "escalations": escalations,
            "refusal": refusal if refusal and refusal.get("task_id") in ready_ids else None}


def _urgency(row: dict):
    """Blocked and urgent cases first, then by the nearest deadline."""
    nearest = min((d.hours_left for d in row["deadlines"]), default=float("inf"))
    blocked = bool(row["refusal"] or row["escalations"] or row["non_compliant"] or row.get("incidents"))
    return (not any(d.urgent for d in row["deadlines"]), not blocked, nearest, -row["id"])


# The inbox reads the same listings (one query each, not a copy of them).
open_deadlines = _open_deadlines
last_refusals = _last_refusals


# ---- opening a case -------------------------------------------------------------------------

def registration_form(ctx: Habeas, process_id: str = CASE_PROCESS) -> list[FormField]:
    """The fields a new case is registered with: the form of the task(s) the process starts with.
    They become the case's opening facts and prefill that first task."""
    with ctx.unit_of_work() as session:
        version = latest_version(session, process_id)
        model = ctx.models.get(session, version.id)
    fields, seen = [], set()
    for task in CaseRun.start(model, {}).ready_tasks():
        for f in task_fields(task.definition):
            if f.name not in seen:
                seen.add(f.name)
                fields.append(f)
    return fields


def colleagues(ctx: Habeas, wanted_roles) -> list[str]:
    """Active users of the given roles (for choosing a case's prosecutor and defence lawyers)."""
    with ctx.unit_of_work() as session:
        return list(session.execute(select(User.username).where(User.role.in_(tuple(wanted_roles)),
                                                                User.active.is_(True))
                                    .order_by(User.username)).scalars())


# ---- the case page ----------------------------------------------------------------------------

def diagram_xml(ctx: Habeas, actor: Actor, case_id: int) -> str:
    """The BPMN XML of the deployed version the case runs on, for whoever may read the case."""
    with access.denials_audited(ctx, actor, case_id, "case.diagram"), ctx.unit_of_work() as session:
        case = load_case(session, case_id)
        access.require_read(session, actor, case)
        return session.execute(select(ProcessVersion.bpmn_xml)
                               .where(ProcessVersion.id == case.process_version_id)).scalar_one()


def checkpoint_panel(view: dict, actor: Actor) -> list[dict]:
    """Each applicable right of a case (from ``queries.show_case``) with its latest evidence,
    its deadline, the labels of the missing evidence, and whether this user may override it."""
    latest = {}
    for row in view["evidence"]:
        latest[row["checkpoint"]] = row
    out = []
    for item in view["checkpoints"]:
        cp = catalogue.get(item["id"])
        labels = {f.name: f.label for f in cp.evidence}
        out.append({**item, "on_failure": cp.on_failure, "evidence": latest.get(cp.id),
                    "evidence_labels": labels,
                    "missing_labels": [labels.get(name, name) for name in item["missing"]],
                    "may_override": may_override(actor, cp.id, view.get("stage"))})
    return out


def may_override(actor: Actor, checkpoint_id: str, stage: str | None = None) -> bool:
    """Whether the actor holds the power to override this right at the case's stage (the court
    at the court stages, the supervising prosecutor before them)."""
    cp = catalogue.get(checkpoint_id)
    return cp.override.value == "by_role" and actor.role in catalogue.override_roles(cp, stage)


def register_case(ctx: Habeas, actor: Actor, data: dict, *, prosecutor: str | None = None,
                  defence: list[str] | None = None, unit: str = "", process_id: str = CASE_PROCESS) -> int:
    """Open a case from the registration form: the data is validated against that form (field
    errors as ``InvalidData``) before the case is opened with it as its opening facts."""
    clean = forms.clean(registration_form(ctx, process_id), data)
    return cases.open_case(ctx, actor, process_id, clean, unit=unit, prosecutor=prosecutor or None,
                           defence=[d for d in defence or () if d])
