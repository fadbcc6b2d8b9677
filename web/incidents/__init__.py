"""The incidents page: cases the engine could not load or move on, and an admin's repair of
them (retry, repair, resolve).  Every rule is in ``engine.services.incidents``."""
from flask import Blueprint, flash, redirect, render_template, request, url_for

from engine.domain.errors import HabeasError
from engine.services import incidents

from ..auth import current_actor, require
from ..extensions import habeas

bp = Blueprint("incidents", __name__, url_prefix="/incidents", template_folder="templates")

READERS = tuple(sorted(incidents.READERS))
ACTS = {"retry": incidents.retry, "repair": incidents.repair, "resolve": incidents.resolve}


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
        flash(f"Incident {incident_id}: {act} done; it is resolved.")
    except HabeasError as err:
        flash(f"Incident {incident_id}: {err.message}")
    return redirect(url_for(".index"))
