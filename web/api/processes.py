"""Process models over the API: the deployed versions, and deploying a new one from BPMN XML."""
from flask import request
from werkzeug.exceptions import UnsupportedMediaType

from engine.domain import roles
from engine.services import migration, pending, processes

from ..auth import current_actor, require
from ..extensions import habeas
from . import bp, schemas as s
from .docs import operation
from .http import answer, existing_id, json_body, query_args

XML_TYPES = ("application/xml", "text/xml")


@bp.get("/processes")
@require()
@operation("List deployed process versions", tag="processes",
           responses={200: (s.ProcessList, "every deployed version, by process and version")})
def list_processes():
    return answer(s.ProcessList(), {"items": processes.list_versions(habeas())})


@bp.post("/processes")
@require(*roles.DEPLOYERS)
@operation("Deploy a process model", tag="processes", body_type="application/xml",
           responses={201: (s.Deployment, "a new immutable version"),
                      200: (s.Deployment, "this exact model was deployed before: its existing version")},
           errors=((422, s.InvalidBpmnError, "invalid_bpmn: each problem with the element it concerns (a refused "
                                              "path names its elements; a weakened element the rights it drops)"),
                   (409, s.ConfirmationRequiredError, "confirmation_required: the version removes guarded "
                                                      "elements; another designer or admin must confirm it")),
           description="The body is the BPMN XML (spiffworkflow dialect), at most 2 MB.  The model is checked "
                       "as `habeas validate` checks it, including the proof that no path leaves a right "
                       "unguarded; an element of the latest version may not be guarded by fewer rights, and "
                       "removing a guarded one waits for a second person's confirmation.  A right to deploy "
                       "is a right to run code, so this is audited and for designers and admins only.")
def deploy_process():
    if request.mimetype not in XML_TYPES and not request.mimetype.endswith("+xml"):
        raise UnsupportedMediaType(f"send the BPMN as application/xml (got '{request.mimetype or 'nothing'}')")
    deployment = processes.deploy(habeas(), current_actor(), request.get_data(cache=True))
    return answer(s.Deployment(), deployment.to_dict(), 201 if deployment.created else 200)


@bp.get("/processes/pending")
@require(*roles.DEPLOYERS)
@operation("List deployments awaiting a second person's confirmation", tag="processes",
           responses={200: (s.PendingList, "pending deployments, oldest first")})
def list_pending_deployments():
    return answer(s.PendingList(), {"items": pending.waiting(habeas(), current_actor())})


@bp.post("/processes/pending/<int:pending_id>/confirm")
@require(*roles.DEPLOYERS)
@operation("Confirm a deployment that removes guarded elements (four eyes)", tag="processes",
           responses={201: (s.Deployment, "the confirmed version, now deployed")},
           description="Another designer or admin than the one who asked; audited with both names.")
def confirm_deployment(pending_id: int):
    deployment = pending.confirm(habeas(), current_actor(), existing_id(pending_id, "pending deployment"))
    return answer(s.Deployment(), deployment.to_dict(), 201)


MIGRATORS = (roles.DESIGNER, roles.ADMIN, roles.SUPERVISING_PROSECUTOR)


def _reasons_in_words(items: list[dict]) -> None:
    from ..designer import words
    for item in items:
        item["reasons"] = [{**(r if isinstance(r, dict) else {}), "missing": words.reason(r).get("missing", []),
                            "text": words.reason(r)["text"]} for r in item.get("reasons", ())]


@bp.get("/processes/<process_id>/migration")
@require(*MIGRATORS)
@operation("Preview moving open cases to a version (changes nothing)", tag="processes",
           query=s.MigrationPreviewQuery,
           responses={200: (s.MigrationPreview, "each open case on another version: would it move, and if not why")},
           description="Computed exactly as the move computes it (every right the catalogue enforces for each "
                       "stage the case entered; the workflow's own check tried in memory).  Nothing is "
                       "written or audited.")
def preview_migration(process_id: str):
    to_version = query_args(s.MigrationPreviewQuery())["to"]
    preview = migration.preview(habeas(), current_actor(), process_id, to_version)
    _reasons_in_words(preview["cases"])
    return answer(s.MigrationPreview(), preview)


@bp.post("/processes/<process_id>/migration")
@require(*MIGRATORS)
@operation("Move the chosen open cases to a version", tag="processes", body=s.MigrationRequest,
           responses={200: (s.MigrationOutcome, "each chosen case moved or refused (with the reasons)")},
           errors=((409, s.Error, "conflict: the preview is stale (another version deployed, or a chosen case "
                                  "is already on the version); nothing moved"),),
           description="Send the preview's latest_version with the chosen case ids.  The whole request is "
                       "checked first (nothing moves when any case is not an open case of the process); then "
                       "each case moves in its own transaction.  Each case moved or refused is audited, and "
                       "the operation once more.")
def migrate_chosen_cases(process_id: str):
    body = json_body(s.MigrationRequest())
    outcome = migration.migrate_chosen(habeas(), current_actor(), process_id, body["to_version"], body["cases"],
                                       body["latest_version"])
    _reasons_in_words(outcome["refused"])
    return answer(s.MigrationOutcome(), outcome)
