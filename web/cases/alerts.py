"""The alerts at the top of a case page, most severe first: a mandatory release, then missed
deadlines, open escalations and statements awaiting an admissibility ruling, then warnings.

Everything here is already in the case view (``queries.show_case``); this only orders it so
that what must be done first is read first.  A release comes first because a person held
without a lawful order must be freed now (CPC art 131(4); ICCPR 9(3))."""
from datetime import datetime, timezone

from engine.domain.clock import parse_instant
from engine.services.inbox import CRITICAL, ESCALATION_SEVERITY, HIGH, SEVERITY_RANK as ORDER

# the inbox's scale (engine.services.inbox), so that an item reads as urgent in both places


def of_case(view: dict, now: datetime | None = None) -> list[dict]:
    """``[{"severity", "kind", "checkpoint", "due_at", "since", "reason", "anchor"}]``, ordered by
    severity, then by the earliest due time."""
    now = now or datetime.now(timezone.utc)
    out = []
    released = set()
    for e in view.get("escalations", []):
        if e["status"] != "open":
            continue
        kind = e.get("kind") or "escalation"
        if kind == "release":
            released.add(e["checkpoint"])
        severity = ESCALATION_SEVERITY.get(kind, HIGH)
        out.append({"severity": severity, "kind": kind, "checkpoint": e["checkpoint"], "due_at": e.get("due_at"),
                    "since": e.get("created_at"), "reason": e.get("reason") or "", "anchor": "escalations"})
    for episode in view.get("episodes", []):
        review = episode.get("judicial_review") or {}
        due = _instant(review.get("due_at"))
        if (episode.get("status") == "open" and review.get("status") not in ("passed", "overridden")
                and due is not None and due < now and "detention_judicial_review" not in released):
            out.append({"severity": CRITICAL, "kind": "release", "checkpoint": "detention_judicial_review",
                        "due_at": review.get("due_at"), "since": episode.get("apprehended_at"),
                        "reason": "; ".join(review.get("reasons", [])), "anchor": "liberty"})
    for d in view.get("deadlines", []):
        if d.get("status") == "breached" and d.get("checkpoint") and not any(
                a["checkpoint"] == d["checkpoint"] and a["severity"] in (CRITICAL, HIGH) for a in out):
            out.append({"severity": HIGH, "kind": "breach", "checkpoint": d["checkpoint"], "due_at": d.get("due_at"),
                        "since": d.get("starts_at"), "reason": d.get("basis") or "", "anchor": "rights"})
    for f in view.get("flags", []):
        if not f.get("ruling"):
            out.append({"severity": HIGH, "kind": "admissibility", "checkpoint": f["checkpoint"], "due_at": None,
                        "since": f.get("created_at"), "reason": f.get("reason") or "", "task": f.get("task"),
                        "anchor": "escalations"})
    return sorted(out, key=lambda a: (ORDER[a["severity"]], a["due_at"] or "9999"))


def _instant(value):
    try:
        return parse_instant(value)
    except (TypeError, ValueError):
        return None
