"""What the modeler calls: the BPMN text of a version, the check on save, and deploy.

Save and deploy take the BPMN document as the request body (XML, with the X-CSRFToken header)
and always answer JSON, so the page can list each problem beside its element.
"""
from flask import Response, jsonify, request, url_for

from engine.domain.errors import InvalidBpmn
from engine.services import designs, processes

from ..auth import current_actor, require
from ..extensions import habeas
from ..i18n import labels
from . import DESIGNERS, bp, words


def _posted_bpmn() -> bytes:
    return request.get_data(cache=False) or b""


@bp.get("/<process_id>/versions/<int:version>/bpmn")
@require(*DESIGNERS)
def bpmn(process_id: str, version: int):
    deployed = designs.deployed_version(habeas(), current_actor(), process_id, version)
    return Response(deployed["xml"], mimetype="application/xml",
                    headers={"Content-Disposition": f'inline; filename="{process_id}-v{version}.bpmn"'})


@bp.post("/check")
@require(*DESIGNERS)
def check():
    """The same validator as ``habeas validate``: every problem with its element and severity."""
    result = processes.validate(_posted_bpmn())
    return jsonify({"ok": result.ok, "proof": result.proof, "problems": [words.problem(p) for p in result.problems]})


@bp.post("/deploy")
@require(*DESIGNERS)
def deploy():
    """Deploy the posted model as a new version; a model with errors never deploys."""
    try:
        deployment = processes.deploy(habeas(), current_actor(), _posted_bpmn())
    except InvalidBpmn as err:
        return jsonify({**err.to_dict(), "problems": [words.problem({"severity": "error", **p}) for p in err.problems]}), 422
    body = deployment.to_dict()
    body["url"] = url_for("designer.view", process_id=deployment.process_id, version=deployment.version)
    body["editUrl"] = url_for("designer.edit", process_id=deployment.process_id, version=deployment.version)
    return jsonify(body), 201 if deployment.created else 200


@bp.post("/<process_id>/versions/<int:version>/compare")
@require(*DESIGNERS)
def compare(process_id: str, version: int):
    """The draft in the modeler against a deployed version: each change with its element, for the
    modeler to colour on the diagram (added, changed, removed)."""
    try:
        result = designs.compare_draft(habeas(), current_actor(), process_id, version, _posted_bpmn())
    except InvalidBpmn as err:
        return jsonify({**err.to_dict(), "problems": [{"severity": "error", **p} for p in err.problems]}), 422
    for change in result["changes"]:
        change["action_words"] = labels.diff_action(change["action"])
    return jsonify(result)
