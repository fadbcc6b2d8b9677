"""The incidents page: cases the engine could not load or move on, and an admin's repair of
them (retry, repair, resolve).  Every rule is in ``engine.services.incidents``."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l

from engine.domain.errors import Conflict, HabeasError, InvalidData, NotFound
from engine.services import incidents

from ..auth import current_actor, require
from ..extensions import habeas

bp = Blueprint("incidents", __name__, url_prefix="/incidents", template_folder="templates")

READERS = tuple(sorted(incidents.READERS))
ACTS = {"retry": incidents.retry, "repair": incidents.repair, "resolve": incidents.resolve}

KINDS = {incidents.LOAD_FAILED: _l("the case does not load"), incidents.STEP_FAILED: _l("a step failed"),
         incidents.DEADLINE_FAILED: _l("a deadline failed")}
ACT_NAMES = {"retry": _l("Retry"), "repair": _l("Repair"), "resolve": _l("Resolve")}
DONE = {"retry": _l("Incident %(id)s retried: the case loads; it is resolved."),
        "repair": _l("Incident %(id)s repaired; it is resolved."),
        "resolve": _l("Incident %(id)s resolved.")}
# the engine's own resolutions (an administrator's note is shown as they wrote it)
RESOLUTIONS = {"retried: the case loads": _l("retried: the case loads"),
               "repaired: data that could not be loaded set aside": _l("repaired: data that could not be loaded set aside"),
               "a later attempt succeeded": _l("a later attempt succeeded")}


@bp.app_context_processor
def _words():
    return {"incident_kind": lambda kind: str(KINDS.get(kind, kind)),
            "incident_act": lambda act: str(ACT_NAMES.get(act, act)),
            "incident_resolution": lambda text: str(RESOLUTIONS.get(text, text or ""))}


@bp.get("/")
@require(*READERS)
def index():
    status = request.args.get("status", "open")
    status = status if status in ("open", "resolved") else "open"
    rows = incidents.list_incidents(habeas(), current_actor(), status)
    return render_template("incidents/index.html", rows=rows, status=status,
                           may_repair=current_actor().role in incidents.REPAIRERS)


@bp.post("/<int:incident_id>/<any(retry, repair, resolve):act>")
@require(*sorted(incidents.REPAIRERS))
def act(incident_id: int, act: str):
    note = (request.form.get("note") or "").strip()
    try:
        if act == "retry":
            ACTS[act](habeas(), current_actor(), incident_id)
        else:
            ACTS[act](habeas(), current_actor(), incident_id, note)
        flash(DONE[act] % {"id": incident_id})
    except HabeasError as err:
        flash(_refused(act, incident_id, err))
    return redirect(url_for(".index"))


REFUSED = {"retry": _l("Incident %(id)s: the case still does not load; repair it, or resolve it with a note."),
           "repair": _l("Incident %(id)s cannot be repaired by setting data aside; see what failed."),
           "resolve": _l("Incident %(id)s: the case does not load; retry or repair it first.")}


def _refused(act: str, incident_id: int, err: HabeasError) -> str:
    """Why an act on an incident was refused, in the reader's words (the engine's English
    account stays in the incident's message and the audit trail)."""
    if isinstance(err, NotFound):
        return _("Incident %(id)s does not exist.", id=incident_id)
    if isinstance(err, InvalidData):
        return _("Incident %(id)s is not resolved: write how it was resolved.", id=incident_id)
    if isinstance(err, Conflict) and "already resolved" in err.message:
        return _("Incident %(id)s is already resolved.", id=incident_id)
    return REFUSED[act] % {"id": incident_id}
