"""Incidents over the API: cases the engine could not load or move on, listed and repaired."""
from flask import request

from engine.services import incidents

from ..auth import current_actor, require
from ..extensions import habeas
from . import bp, schemas as s
from .docs import operation
from .http import answer, existing_id, json_body, query_args

REPAIR_ERRORS = ((404, s.Error, "no such incident"),
                 (409, s.Error, "already resolved, or the case still does not load"))


@bp.get("/incidents")
@require(*incidents.READERS)
@operation("List incidents", tag="incidents", query=s.IncidentQuery,
           responses={200: (s.IncidentList, "incidents, newest first")},
           description="A case whose saved workflow does not load, or whose step or timer failed in a "
                       "script, has an open incident until an admin retries, repairs or resolves it.")
def list_incidents():
    args = query_args(s.IncidentQuery())
    status = None if args["status"] == "all" else args["status"]
    return answer(s.IncidentList(), {"items": incidents.list_incidents(habeas(), current_actor(), status)})


@bp.post("/incidents/<int:incident_id>/retry")
@require(*incidents.REPAIRERS)
@operation("Retry an incident", tag="incidents", body=s.IncidentNoteRequest,
           responses={200: (s.Incident, "the incident, resolved: the case loads again")}, errors=REPAIR_ERRORS,
           description="Loads the case again and re-arms its failed deadlines for the next tick.")
def retry_incident(incident_id: int):
    _note()  # an optional body is still validated
    return answer(s.Incident(), incidents.retry(habeas(), current_actor(), existing_id(incident_id, "incident")))


@bp.post("/incidents/<int:incident_id>/repair")
@require(*incidents.REPAIRERS)
@operation("Repair an incident", tag="incidents", body=s.IncidentNoteRequest,
           responses={200: (s.Incident, "the incident, resolved, with the data keys set aside")},
           errors=REPAIR_ERRORS,
           description="Sets aside the values in the case's data that the engine cannot load back (kept "
                       "in full in the audit trail) and resolves the incident once the case loads.")
def repair_incident(incident_id: int):
    return answer(s.Incident(), incidents.repair(habeas(), current_actor(), existing_id(incident_id, "incident"),
                                                 _note()))


@bp.post("/incidents/<int:incident_id>/resolve")
@require(*incidents.REPAIRERS)
@operation("Resolve an incident", tag="incidents", body=s.IncidentNoteRequest,
           responses={200: (s.Incident, "the incident, resolved with the note")}, errors=REPAIR_ERRORS,
           description="Closes the incident with a note; refused (409) while the case does not load.")
def resolve_incident(incident_id: int):
    body = json_body(s.IncidentNoteRequest())
    return answer(s.Incident(), incidents.resolve(habeas(), current_actor(), existing_id(incident_id, "incident"),
                                                  body["note"]))


def _note() -> str:
    """The optional body's note ("" when no body is sent)."""
    if not request.get_data(cache=True):
        return ""
    return json_body(s.IncidentNoteRequest())["note"]
