"""What the designer's pages say about the engine's findings, in the reader's language.

The engine words problems and refusals in English with stable ids (a lint rule, a checkpoint, a
stage); here they become sentences a designer reads: the right by its name and legal basis, the
evidence by its labels, never a field key.
"""
from flask_babel import gettext, lazy_gettext as _l

from engine.domain import catalogue

from ..i18n import labels

# The modeler's own lint rules (engine.workflow.connections), by rule id.
RULES = {
    "unreachable": _l("Nothing leads to this element: no sequence flow comes into it, so no case can ever reach it. "
                      "Connect a flow into it, or remove it."),
    "dead_end": _l("Nothing leaves this element: no sequence flow goes out of it, so a case that reaches it stops "
                   "there without an end event. Connect it onwards, or end the path with an end event."),
    "untyped_task": _l("This is a plain Task (no type): the engine completes it at once, nobody acts on it and no "
                       "right is checked there. Make it a user task with a lane and a stage if a person acts, or a "
                       "script task if the system does."),
}

_LACKS = "the new version lacks elements this case has run or waits at: "


def problem(item: dict) -> dict:
    """A problem of the check, its message in words when the rule is one we word ourselves
    (the modeler shows the element's name and id beside it)."""
    rule = item.get("rule")
    if rule in RULES:
        return {**item, "message": str(RULES[rule])}
    return item


def reason(item) -> dict:
    """One reason a case would not move: ``{"right", "legal_basis", "stage", "status", "missing",
    "details", "text"}`` for a right not respected, ``{"text"}`` for anything else."""
    if isinstance(item, str):
        return {"text": gettext(item)}
    checkpoint = item.get("checkpoint")
    if checkpoint:
        cp = catalogue.CATALOGUE.get(checkpoint)
        names = labels.evidence_labels(checkpoint)
        missing = [names.get(m, m.replace("_", " ")) for m in item.get("missing") or ()]
        # the engine's own sentences, in the reader's words where the catalogues have them (else
        # marked as English for screen readers)
        details = [{"text": labels.reason(r, checkpoint), "lang": None if labels.reason_is_translated(r, checkpoint) else "en"}
                   for r in item.get("reasons") or ()]
        words = {"right": labels.right_name(checkpoint), "legal_basis": cp.legal_basis if cp else "",
                 "stage": labels.stage_title(item.get("stage")), "status": labels.status_name(item.get("status", "")),
                 "missing": missing, "details": details}
        text = gettext("%(right)s (%(basis)s), stage %(stage)s: %(status)s", right=words["right"],
                       basis=words["legal_basis"], stage=words["stage"], status=words["status"])
        if missing:
            text += "; " + gettext("evidence missing: %(fields)s", fields=", ".join(missing))
        return {**words, "text": text}
    raw = str(item.get("reason") or item.get("message") or "")
    if raw.startswith(_LACKS):
        return {"text": gettext("The new version lacks elements this case has run or is waiting at: %(elements)s",
                                elements=raw[len(_LACKS):])}
    return {"text": gettext(raw) if raw else gettext("refused by the workflow engine")}


def stale(latest: int, previewed: int) -> str:
    return gettext("The preview is out of date: version %(latest)s of this process was deployed after you previewed "
                   "against version %(previewed)s. Nothing was moved; check the new preview below.",
                   latest=latest, previewed=previewed)


def stale_cases() -> str:
    return gettext("Some chosen cases can no longer be moved (they were moved or closed meanwhile). Nothing was moved; "
                   "check the new preview below.")


def none_chosen() -> str:
    return gettext("Choose at least one case to migrate.")


def refusal(err) -> str:
    """Why a whole migration was refused (nothing moved), in words."""
    if err.code == "conflict":
        return gettext("The preview is out of date: another version was deployed or a chosen case was moved "
                       "meanwhile. Nothing was moved; check the new preview below.")
    if err.code == "invalid_data":
        return gettext("Some chosen cases are not open cases of this process. Nothing was moved; check the new "
                       "preview below.")
    return gettext("The migration was refused; nothing was moved.")


CLOSED = _l("the case is closed")
