"""A case's audit trail as a reviewer drills into it from a cell of the compliance report: the
entries that match the cell's filter (a right, a stage, an outcome, a period) and, among them,
the failing ones (the refused attempt, the failed or overridden evaluation, the missed deadline).

An entry says itself what its act recorded for each right it names (a completed task's map of
statuses, a refusal's failures, an evidence record's status, an override): that is read first.
The evaluation rows the act wrote share the entry's instant (one transaction, one ``now``) and
add what the entry does not say: the stage of an evidence record, and whether a pending right is
overdue now.  A few small reads per case (the trail, its evaluations, the actors' roles); the
report's own queries are not touched.
"""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ..domain import catalogue
from ..domain.clock import parse_instant
from ..persistence.models import Case, CheckpointEvaluation as E, User
from ..workflow.adapter import Unloadable
from . import queries, reports
from .cases import task_fields
from .context import Actor, Habeas

FAILING_STATUSES = frozenset({"failed", "refused", "overridden", "overdue"})
# acts that are themselves a failure to respect a right (the refused step, the missed deadline, ...)
FAILING_ACTIONS = frozenset({"task.refused", "custody.extension_refused", "deadline.breached",
                             "deadline.escalated", "checkpoint.overridden", "counsel.derogated"})
REFUSALS = frozenset({"task.refused", "custody.extension_refused"})
OVERDUE_ACTIONS = frozenset({"deadline.breached", "deadline.escalated"})


@dataclass(frozen=True)
class TrailFilter:
    """What the reviewer drilled into; every part optional."""

    checkpoint: str | None = None
    stage: str | None = None
    status: str | None = None
    start: datetime | None = None
    end: datetime | None = None

    @property
    def active(self) -> bool:
        return any(v is not None for v in (self.checkpoint, self.stage, self.status, self.start, self.end))


def mentioned_rights(payload: dict) -> set[str]:
    """The rights an entry's payload names: its right, its rights (as a map of statuses or as the
    refusal's list of failures), or the clock a deadline entry is about."""
    return set(_named_outcomes(payload or {})) | {r for r in ((payload or {}).get("clock"),) if isinstance(r, str)}


def _named_outcomes(payload: dict) -> dict:
    found = {}
    if isinstance(payload.get("checkpoint"), str):
        found[payload["checkpoint"]] = payload.get("status") if isinstance(payload.get("status"), str) else None
    named = payload.get("checkpoints")
    if isinstance(named, dict):
        found.update({k: v if isinstance(v, str) else None for k, v in named.items()})
    elif isinstance(named, list):
        found.update({item["id"]: None for item in named if isinstance(item, dict) and isinstance(item.get("id"), str)})
    return found


def outcomes(entry: dict) -> dict[str, str | None]:
    """What the act recorded for each right it names (its own record, not the clock's instant: two
    acts may share an instant): ``{right: status}``, None where the entry does not say."""
    payload, action = entry.get("payload") or {}, entry["action"]
    found = _named_outcomes(payload)
    if action in REFUSALS:
        return dict.fromkeys(found, "refused")
    if action == "checkpoint.overridden":
        return dict.fromkeys(found, "overridden")
    if action == "counsel.derogated":
        return {"counsel_before_interrogation": "overridden"}
    if action == "deadline.breached" and isinstance(payload.get("clock"), str):
        return {payload["clock"]: "failed"}
    if action == "person.released" and isinstance(payload.get("judicial_review"), str):
        return {"detention_judicial_review": payload["judicial_review"]}
    return found


def case_trail(ctx: Habeas, actor: Actor, case_id: int, chosen: TrailFilter = TrailFilter()) -> dict:
    """The case's trail, each entry with ``matches`` (the filter holds for it) and ``failing``
    (it is, or records, a failure to respect a right the filter is about), and the roles of the
    people who acted (to name them with their function)."""
    entries = queries.case_audit(ctx, actor, case_id)  # access checked (and a denial audited) there
    now = ctx.now()
    with ctx.unit_of_work() as session:
        rows = session.execute(select(E.id, E.checkpoint, E.stage, E.status, E.evaluated_at)
                               .where(E.case_id == case_id)).all()
        overdue = set(session.execute(select(E.id).where(E.case_id == case_id, reports.overdue_condition(now)))
                      .scalars())
        names = {e["actor"] for e in entries}
        roles = dict(session.execute(select(User.username, User.role).where(User.username.in_(names))).all()) \
            if names else {}
    at_instant: dict[datetime, list[dict]] = {}
    for row in rows:
        at_instant.setdefault(row.evaluated_at, []).append(
            {"checkpoint": row.checkpoint, "stage": row.stage, "status": row.status, "overdue": row.id in overdue})
    out, matched, failing = [], 0, 0
    for entry in entries:
        at = parse_instant(entry["at"])
        recorded = outcomes(entry)
        rights = set(recorded) | mentioned_rights(entry["payload"])
        evaluations = [e for e in at_instant.get(at, []) if e["checkpoint"] in rights
                       and recorded.get(e["checkpoint"]) in (None, e["status"])]
        matches = _matches(entry, at, rights, recorded, evaluations, chosen)
        fails = matches and _fails(entry, recorded, evaluations, chosen)
        matched += matches
        failing += fails
        out.append({**entry, "matches": matches, "failing": fails})
    return {"entries": out, "filtered": chosen.active, "matched": matched, "failing": failing, "roles": roles,
            "form": form_fields(ctx, case_id)}


def _wanted(right: str, chosen: TrailFilter) -> bool:
    return chosen.checkpoint is None or right == chosen.checkpoint


def _statuses(recorded: dict, evaluations: list, chosen: TrailFilter) -> set[str]:
    """The outcomes the entry records for the rights the filter is about; ``overdue`` where the
    pending evaluation it wrote is past its deadline and still owed."""
    found = {status for right, status in recorded.items() if status and _wanted(right, chosen)}
    found |= {e["status"] for e in evaluations
              if _wanted(e["checkpoint"], chosen) and not recorded.get(e["checkpoint"])}
    if any(e["overdue"] and _wanted(e["checkpoint"], chosen) for e in evaluations):
        found.add("overdue")
    return found


def _matches(entry: dict, at: datetime, rights: set, recorded: dict, evaluations: list, chosen: TrailFilter) -> bool:
    if chosen.start is not None and at < chosen.start:
        return False
    if chosen.end is not None and at >= chosen.end:
        return False
    if chosen.checkpoint is not None and chosen.checkpoint not in rights:
        return False
    payload = entry["payload"] or {}
    if chosen.stage is not None and payload.get("stage") != chosen.stage and not (
            "stage" not in payload and any(e["stage"] == chosen.stage for e in evaluations)):
        return False
    if chosen.status is None:
        return True
    if chosen.status == "overdue" and entry["action"] in OVERDUE_ACTIONS:
        return True
    return chosen.status in _statuses(recorded, evaluations, chosen)


def _fails(entry: dict, recorded: dict, evaluations: list, chosen: TrailFilter) -> bool:
    if chosen.status is not None and chosen.status not in FAILING_STATUSES:
        return False  # a drill-down into passed or pending evaluations has nothing failing to show
    if entry["action"] in FAILING_ACTIONS:
        return True
    return bool(_statuses(recorded, evaluations, chosen) & FAILING_STATUSES)


def form_fields(ctx: Habeas, case_id: int) -> dict[str, dict]:
    """Field name -> form field (label, choices, the diagram's own wordings) of every form of the
    case's process and of the rights' evidence forms, and ``task:NAME`` -> the task's title: the
    audit's records of entered data are shown under these labels, tasks by their titles.  Call it after an access check (it reads no case content)."""
    out = {f.name: f.to_dict() for cp in catalogue.CATALOGUE.values() for f in cp.evidence}
    with ctx.unit_of_work() as session:
        version_id = session.execute(select(Case.process_version_id).where(Case.id == case_id)).scalar()
        if version_id is None:
            return out
        try:
            tasks = ctx.models.get(session, version_id).tasks
        except Unloadable:  # an unloadable model is an incident elsewhere; the labels fall back to names
            return out
    for name, definition in tasks.items():
        for f in task_fields(definition):
            out.setdefault(f.name, f.to_dict())
        # a task by its diagram name (claims and reassignments name it so): its title and wordings
        out[f"task:{name}"] = {"name": name, "title": definition.title, "translations": dict(definition.translations)}
    return out
