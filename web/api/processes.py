"""Process models over the API: the deployed versions, and deploying a new one from BPMN XML."""
from flask import request
from werkzeug.exceptions import UnsupportedMediaType

from engine.domain import roles
from engine.services import processes

from ..auth import current_actor, require
from ..extensions import habeas
from . import bp, schemas as s
from .docs import operation
from .http import answer

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
           errors=((422, s.InvalidBpmnError, "invalid_bpmn: each problem with the element it concerns"),),
           description="The body is the BPMN XML (spiffworkflow dialect), at most 2 MB.  The model is checked "
                       "as `habeas validate` checks it; a right to deploy is a right to run code, so this is "
                       "audited and for designers and admins only.")
def deploy_process():
    if request.mimetype not in XML_TYPES and not request.mimetype.endswith("+xml"):
        raise UnsupportedMediaType(f"send the BPMN as application/xml (got '{request.mimetype or 'nothing'}')")
    deployment = processes.deploy(habeas(), current_actor(), request.get_data(cache=True))
    return answer(s.Deployment(), deployment.to_dict(), 201 if deployment.created else 200)
