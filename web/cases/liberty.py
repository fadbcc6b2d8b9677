"""Forms for the acts the engine defines beside the diagram (engine/services/procedure.py): a
release while the person is held, a custody extension by the investigating judge, a
re-qualification of the suspicion, the counsel derogation.  The engine decides; a refusal comes
back as a message that names the law, and nothing changes."""
from flask import flash, redirect, request, url_for
from flask_babel import gettext as _

from engine.domain.errors import CheckpointBlocked, Forbidden, InvalidData, OverrideRefused
from engine.services import procedure

from ..auth import current_actor, require
from ..extensions import habeas
from ..filters import error_message
from ..i18n import labels
from . import bp, fields

RELEASERS = ("investigator", "prosecutor", "supervising_prosecutor", "judge")


def offered(view: dict, role: str) -> dict:
    """Which of these acts the case page offers this role now."""
    facts = view["facts"]
    held_in_custody = bool(facts.get("custody_expires_at")) and facts.get("detained") is not False
    return {
        "release": role in RELEASERS and (any(e["status"] == "open" for e in view.get("episodes", ()))
                                          or held_in_custody),
        "extend": role == "judge" and held_in_custody,
        "requalify": role in ("investigator", "prosecutor") and view.get("qualification_no", 0) >= 1
        and view["status"] != "closed",
        "derogate": role == "supervising_prosecutor" and view["status"] != "closed",
        "grounds": procedure.DEROGATION_GROUNDS,
    }


def _done(case_id: int, call, message: str):
    try:
        call()
    except CheckpointBlocked as err:  # a complaint against the detention awaits its ruling
        flash(_("Not recorded: %(reason)s", reason="; ".join(labels.reason(r, f.get("id")) for f in err.failures
                                                             for r in f.get("reasons", ())) or error_message(err)))
    except (InvalidData, OverrideRefused, Forbidden) as err:
        flash(_("Not recorded: %(reason)s", reason=error_message(err)))
    else:
        flash(message)
    return redirect(url_for(".case", case_id=case_id, _anchor="liberty"))


def _version():
    text = request.form.get("version", "")
    return int(text) if text.isdigit() else None


@bp.post("/<int:case_id>/release")
@require(*RELEASERS)
def release(case_id: int):
    released_at = fields.local_to_utc(request.form.get("released_at", "")) or None
    return _done(case_id, lambda: procedure.release(habeas(), current_actor(), case_id, released_at,
                                                    request.form.get("ground", ""), expected_version=_version()),
                 _("The release is recorded. The case goes on without custody."))


@bp.post("/<int:case_id>/custody/extensions")
@require("judge")
def extend_custody(case_id: int):
    form = request.form
    data = {"petition_at": fields.local_to_utc(form.get("petition_at", "")),
            "ordered_at": fields.local_to_utc(form.get("ordered_at", "")),
            "extended_until": fields.local_to_utc(form.get("extended_until", "")),
            "order_number": form.get("order_number", ""), "reasons": form.get("reasons", ""),
            "alternatives_considered": form.get("alternatives_considered", "")}
    return _done(case_id, lambda: procedure.extend_custody(habeas(), current_actor(), case_id, data,
                                                           expected_version=_version()),
                 _("The custody term is extended."))


@bp.post("/<int:case_id>/qualifications")
@require("investigator", "prosecutor")
def requalify(case_id: int):
    decided = fields.local_to_utc(request.form.get("decided_at", "")) or None
    return _done(case_id, lambda: procedure.requalify(habeas(), current_actor(), case_id,
                                                      request.form.get("qualification", ""), decided,
                                                      graver=request.form.get("graver") == "on",
                                                      expected_version=_version()),
                 _("The new qualification is recorded: it needs the prosecutor's approval and a new letter of "
                   "rights before the next act."))


@bp.post("/<int:case_id>/derogations")
@require("supervising_prosecutor")
def derogate(case_id: int):
    return _done(case_id, lambda: procedure.derogate(habeas(), current_actor(), case_id,
                                                     request.form.get("ground", ""), request.form.get("reason", "")),
                 _("The derogation is recorded for the next interrogation; its statement will be flagged for an "
                   "admissibility ruling."))
