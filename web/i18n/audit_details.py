"""An audit entry's record as people read it: labelled fields in the reader's language instead of
the raw JSON the engine seals.  Rights by name with their legal basis, stages and statuses by
name, times in the configured zone (dd.mm.yyyy HH:MM), yes and no, the form fields by their
labels; what people typed stays as typed (``typed``: marked ``translate="no"``).

A field is a dict: ``label``, ``text``, optionally ``basis`` (a legal citation), ``typed``,
``english`` (an engine sentence we have no words for) and ``parts`` (a list of fields)."""
import re
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext, lazy_gettext as _l

from engine.domain import catalogue
from engine.domain.clock import parse_instant

from . import labels

# internal references that mean nothing to a reader (the entry's number and hash stand for it)
HIDDEN = frozenset({"task_id", "evidence_id", "deadline", "escalation", "referral_task", "complaint_id", "pending",
                    "content_hash", "incident", "allegation", "comment", "act", "about_act", "scope", "requester", "case",
                    "address", "where", "token_expires", "kind"})

LABELS = {
    "number": _l("Case number"), "process": _l("Process"), "version": _l("Process version"),
    "data": _l("Data entered"), "defence": _l("Defence counsel"), "task": _l("Task"), "stage": _l("Stage"),
    "entered": _l("Enters the stage"), "checkpoints": _l("Rights checked"), "escalated": _l("Escalated"),
    "flagged": _l("Marked for an admissibility ruling"), "checkpoint": _l("Right"),
    "occurred_at": _l("Happened at"), "corrects": _l("Corrects record no."), "status": _l("Outcome"),
    "legal_basis": _l("Legal basis"), "reason": _l("Reason"), "legal_ground": _l("Legal ground"),
    "resolution": _l("Resolution"), "clock": _l("Deadline of"), "due_at": _l("Due"),
    "level": _l("Warning level"), "basis": _l("Legal basis"), "action": _l("Action taken"),
    "reasons": _l("Reasons"), "timer": _l("Timer"), "ready": _l("Tasks now waiting"),
    "from_version": _l("From version"), "to_version": _l("To version"),
    "deadlines_before": _l("Deadlines before"), "deadlines_after": _l("Deadlines after"),
    "alleged_at": _l("Alleged at"), "made_by": _l("Made by"), "description": _l("Description"),
    "referral_due_at": _l("Referral due"), "referred_at": _l("Referred at"), "referred_to": _l("Referred to"),
    "late": _l("Late"), "complaint": _l("Complaint"), "about_case": _l("About case"), "ruling": _l("Ruling"),
    "ruled_at": _l("Ruled at"), "challenges_detention": _l("Challenges the lawfulness of detention"),
    "filed_late": _l("Filed late"), "ruling_due_at": _l("Ruling due"), "released_at": _l("Released at"),
    "ground": _l("Ground"), "episode": _l("Detention episode"), "from_custody": _l("Released from custody"),
    "judicial_review": _l("Judicial review"), "from": _l("Before"), "to": _l("After"),
    "graver": _l("Graver offence"), "qualification_no": _l("Qualification no."), "decided_at": _l("Decided at"),
    "note": _l("Note"), "message": _l("Message"), "loads": _l("The case loads"), "rearmed": _l("Timers re-armed"),
    "removed": _l("Set aside"), "changes": _l("Changes"), "attempted": _l("Attempted"), "what": _l("Refusal"),
    "role": _l("Role"), "username": _l("User"), "unit": _l("Unit"), "order_number": _l("Order number"),
    "ordered_at": _l("Ordered at"), "extended_until": _l("Extended until"), "petition_at": _l("Petition filed at"),
    "alternatives_considered": _l("Alternatives considered"), "first_ordered_at": _l("First ordered at"),
    "previous_expiry": _l("Previous expiry"), "entries": _l("Entries"), "closed_before": _l("Closed before"),
    "erased": _l("Erased"), "assigned_to": _l("Assigned to"), "requested_by": _l("Requested by"),
    "confirmed_by": _l("Confirmed by"), "base_version": _l("Base version"), "missing": _l("Evidence missing"),
    "lane": _l("Lane"), "holder": _l("Taken by"), "body": _l("Comment"),
}
TYPED = frozenset({"reason", "legal_ground", "resolution", "made_by", "description", "referred_to", "ground",
                   "from", "to", "note", "order_number", "alternatives_considered", "number", "complaint",
                   "about_case", "corrects", "username", "unit", "requested_by", "confirmed_by", "holder"})
TIMES = frozenset({"occurred_at", "due_at", "alleged_at", "referral_due_at", "referred_at", "ruled_at",
                   "ruling_due_at", "released_at", "decided_at", "ordered_at", "extended_until", "petition_at",
                   "first_ordered_at", "previous_expiry", "closed_before"})
ENGLISH = frozenset({"message", "what", "attempted", "action"})  # the engine's own words and codes


@lru_cache(maxsize=256)
def _evidence_labels(checkpoint_id: str, language: str) -> dict:
    """A right's evidence labels, once per language (a long trail repeats the same refusal)."""
    return labels.evidence_labels(checkpoint_id)


def evidence_labels(checkpoint_id: str) -> dict:
    return _evidence_labels(checkpoint_id, labels.language())


def yes_no(value: bool) -> str:
    return gettext("yes") if value else gettext("no")


def local_time(value) -> str | None:
    """An ISO instant (or a datetime) in the configured zone, dd.mm.yyyy HH:MM; None if it is not one."""
    try:
        moment = value if isinstance(value, datetime) else parse_instant(value)
    except (TypeError, ValueError):
        return None
    if moment is None or moment.tzinfo is None:
        return None
    return moment.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).strftime("%d.%m.%Y %H:%M")


_DAY = re.compile(r"^(\d{4})-(\d\d)-(\d\d)$")


def local_day(value) -> str | None:
    """A calendar day as people read it here (``1994-02-11`` -> ``11.02.1994``)."""
    day = _DAY.match(value) if isinstance(value, str) else None
    return f"{day.group(3)}.{day.group(2)}.{day.group(1)}" if day else None


def _looks_like_time(value) -> bool:
    return isinstance(value, str) and len(value) >= 16 and value[4:5] == "-" and value[10:11] == "T"


def right_field(label: str, checkpoint_id: str, **more) -> dict:
    cp = catalogue.CATALOGUE.get(checkpoint_id)
    return {"label": label, "text": labels.right_name(checkpoint_id), "basis": cp.legal_basis if cp else None, **more}


def details(payload: dict, form: dict | None = None) -> list[dict]:
    """The payload of one audit entry as labelled fields (``form``: field name -> form field, for
    the data people entered)."""
    payload = payload or {}
    out = []
    for key, value in payload.items():
        if key in HIDDEN or value is None or value == "" or value == [] or value == {}:
            continue
        field = _field(key, value, payload, form or {})
        if field is not None:
            out.append(field)
    return out


def _label(key: str) -> str:
    return str(LABELS[key]) if key in LABELS else key


def _field(key: str, value, payload: dict, form: dict) -> dict | None:
    label = _label(key)
    unknown = {} if key in LABELS else {"typed": True, "label_typed": True}
    if key == "status" and not isinstance(value, str):
        return None  # the HTTP status of a refused request: the refusal itself says it
    if key == "checkpoint":
        return right_field(label, value)
    if key == "clock":
        if value in catalogue.CATALOGUE:
            return right_field(label, value)
        return {"label": label, "text": labels.text(str(value).replace("_", " "))}
    if key in ("stage", "entered") and isinstance(value, str):
        return {"label": label, "text": labels.stage_title(value)}
    if key in ("status", "judicial_review", "ruling"):
        return {"label": label, "text": labels.status_name(str(value))}
    if key in ("task", "timer"):
        task = form.get(f"task:{value}")
        return {"label": label, "text": labels.task_title(task) if task else labels.text(str(value))}
    if key == "lane":
        return {"label": label, "text": labels.role_name(str(value))}
    if key == "body":
        return {"label": label, "text": str(value), "typed": True}
    if key == "process":
        return {"label": label, "text": labels.process_name(str(value))}
    if key in ("role", "assigned_to"):
        return {"label": label, "text": labels.role_name(str(value))}
    if key == "checkpoints":
        rights = _rights(value)
        return {"label": label, "parts": rights} if rights else None
    if key in ("escalated", "flagged") and isinstance(value, list):
        return {"label": label, "parts": [_named(v) for v in value]}
    if key == "reasons" and isinstance(value, list):
        return {"label": label, "parts": [_reason(r, payload.get("checkpoint") or payload.get("clock")) for r in value]}
    if key == "ready" and isinstance(value, list):
        return {"label": label, "parts": [{"text": labels.text(str(v).replace("_", " "))} for v in value]}
    if key in ("deadlines_before", "deadlines_after", "changes") and isinstance(value, list):
        return {"label": label, "parts": [_deadline(d) for d in value if isinstance(d, dict)]}
    if key == "data" and isinstance(value, dict):
        evidence = evidence_labels(payload.get("checkpoint", "")) if payload.get("checkpoint") else {}
        return {"label": label, "parts": [_entered(k, v, form, evidence) for k, v in value.items()
                                          if v is not None and v != ""]}
    if key in ENGLISH:
        text = labels.text(str(value))
        return {"label": label, "text": text, "english": text == str(value) and labels.language() != "en"}
    return {"label": label, **_value(key, value), **unknown}


def _value(key: str, value) -> dict:
    if isinstance(value, bool):
        return {"text": yes_no(value)}
    if key in TIMES or _looks_like_time(value):
        moment = local_time(value)
        if moment:
            return {"text": moment}
    if local_day(value):
        return {"text": local_day(value)}
    if isinstance(value, list):
        return {"text": ", ".join(str(v) for v in value), "typed": True}
    if isinstance(value, dict):
        return {"parts": [{"label": _label(k), **_value(k, v)} for k, v in value.items() if v not in (None, "")]}
    return {"text": str(value), "typed": key in TYPED or key not in LABELS}


def _named(value) -> dict:
    if isinstance(value, str) and value in catalogue.CATALOGUE:
        return right_field("", value)
    if isinstance(value, dict) and value.get("checkpoint") in catalogue.CATALOGUE:
        return right_field("", value["checkpoint"])
    return {"text": str(value), "typed": True}


def _reason(sentence, checkpoint_id) -> dict:
    text = labels.reason(str(sentence), checkpoint_id)
    return {"text": text, "english": not labels.reason_is_translated(str(sentence), checkpoint_id)}


def _rights(value) -> list[dict]:
    """The rights an act was checked against: ``{right: status}`` for a completed task, the
    refusal's failures (right, basis, what is missing and why) for a refused one."""
    if isinstance(value, dict):
        return [right_field("", cid, status=status, status_text=labels.status_name(str(status)))
                for cid, status in value.items() if status != "not_applicable"]
    out = []
    for failure in value if isinstance(value, list) else ():
        if not isinstance(failure, dict):
            continue
        cid = failure.get("id") or failure.get("checkpoint") or ""
        evidence = evidence_labels(cid)
        missing = [evidence.get(m, m) for m in failure.get("missing") or ()]
        items = [_reason(r, cid) for r in failure.get("reasons") or ()]
        if missing:
            items.append({"label": str(LABELS["missing"]), "text": ", ".join(missing)})
        out.append(right_field("", cid, status="failed", status_text=labels.status_name("failed"), parts=items))
    return out


def _deadline(row: dict) -> dict:
    clock = row.get("clock") or row.get("checkpoint") or ""
    named = right_field("", clock) if clock in catalogue.CATALOGUE else {"text": labels.text(clock.replace("_", " "))}
    due = local_time(row.get("due_at")) if row.get("due_at") else None
    if due:
        named["text"] = f"{named['text']} — {gettext('due %(when)s', when=due)}"
    if row.get("status"):
        named["status"], named["status_text"] = row["status"], labels.status_name(str(row["status"]))
    return named


def _entered(name: str, value, form: dict, evidence: dict) -> dict:
    """One value people entered, under its form label; a choice by its words, a time in the zone."""
    spec = form.get(name)
    label = evidence.get(name) or (labels.field_label(spec) if spec else name)
    known = {} if (spec or name in evidence) else {"label_typed": True}
    if isinstance(value, bool):
        return {"label": label, "text": yes_no(value), **known}
    if _looks_like_time(value):
        moment = local_time(value)
        if moment:
            return {"label": label, "text": moment, **known}
    if local_day(value):
        return {"label": label, "text": local_day(value), **known}
    choices = (spec or {}).get("choices") or ()
    if isinstance(value, str) and value in choices:
        return {"label": label, "text": labels.choice_label(value, name), **known}
    if isinstance(value, list):
        return {"label": label, "text": ", ".join(str(v) for v in value), "typed": True, **known}
    return {"label": label, "text": str(value), "typed": True, **known}


def actor_name(username: str, roles: dict) -> str:
    """Who acted: the user and their function; the engine's own actors by what they are."""
    own = {"scheduler": gettext("the deadline scheduler"), "engine": gettext("the engine"),
           "console": gettext("the operator's console"), "anonymous": gettext("not logged in")}
    if username in own:
        return own[username]
    role = roles.get(username)
    return f"{username} ({labels.role_name(role)})" if role else username
