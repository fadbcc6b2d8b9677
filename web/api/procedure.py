"""Acts the engine defines beside the diagram: release, custody extension, re-qualification,
derogation from counsel.  Each answers with the case as it now stands."""
from marshmallow import fields, validate

from engine.domain import roles
from engine.services import procedure, queries

from ..auth import current_actor, require
from ..extensions import habeas
from . import bp, schemas as s
from .docs import operation
from .http import answer, existing_id, json_body

TEXT = validate.Length(min=1, max=4000)


class ReleaseRequest(s.Request):
    released_at = fields.String(load_default=None, allow_none=True,
                                metadata={"description": "when the person was set free (ISO-8601); now if left out"})
    ground = fields.String(required=True, validate=TEXT, metadata={"description": "the ground of the release"})
    version = fields.Integer(strict=True, load_default=None, allow_none=True)


class ExtensionRequest(s.Request):
    petition_at = fields.String(required=True, metadata={"description": "when the prosecutor petitioned"})
    ordered_at = fields.String(required=True, metadata={"description": "when the judge ordered the extension"})
    extended_until = fields.String(required=True, metadata={"description": "the new expiry"})
    order_number = fields.String(required=True, validate=validate.Length(min=1, max=200))
    reasons = fields.String(required=True, validate=TEXT)
    alternatives_considered = fields.String(required=True, validate=TEXT)
    version = fields.Integer(strict=True, load_default=None, allow_none=True)


class QualificationRequest(s.Request):
    qualification = fields.String(required=True, validate=validate.Length(min=1, max=400))
    decided_at = fields.String(load_default=None, allow_none=True)
    graver = fields.Boolean(load_default=True)
    version = fields.Integer(strict=True, load_default=None, allow_none=True)


class DerogationRequest(s.Request):
    ground = fields.String(required=True, validate=validate.OneOf(procedure.DEROGATION_GROUNDS))
    reason = fields.String(required=True, validate=TEXT)


@bp.post("/cases/<int:case_id>/release")
@require(*procedure.RELEASERS)
@operation("Record a release", tag="acts", body=ReleaseRequest, responses={200: (s.Case, "the case after the release")},
           description="Always possible while the person is held (detention or custody), whoever the person is; "
                       "after a missed judicial review it is the only lawful act.  The case goes on without custody.")
def release(case_id: int):
    body = json_body(ReleaseRequest())
    actor = current_actor()
    procedure.release(habeas(), actor, existing_id(case_id, "case"), body["released_at"], body["ground"],
                      expected_version=body["version"])
    return answer(s.Case(), queries.show_case(habeas(), actor, case_id))


@bp.post("/cases/<int:case_id>/custody/extensions")
@require(roles.JUDGE)
@operation("Extend a custody term", tag="acts", body=ExtensionRequest,
           responses={200: (s.Case, "the case with its new custody term")},
           description="By the investigating judge on the prosecutor's petition (CPC 151-152), within the tiers "
                       "and ceilings; a term beyond what the law allows is refused with 422.")
def extend_custody(case_id: int):
    body = json_body(ExtensionRequest())
    actor = current_actor()
    version = body.pop("version")
    procedure.extend_custody(habeas(), actor, existing_id(case_id, "case"), body, expected_version=version)
    return answer(s.Case(), queries.show_case(habeas(), actor, case_id))


@bp.post("/cases/<int:case_id>/qualifications")
@require(roles.INVESTIGATOR, roles.PROSECUTOR)
@operation("Re-qualify the suspicion", tag="acts", body=QualificationRequest,
           responses={200: (s.Case, "the case under its new qualification")},
           description="The new qualification needs the prosecutor's approval and a new letter of rights before "
                       "the next act (Directive 2012/13 art 6(4); CPC 64, 202, 207).")
def requalify(case_id: int):
    body = json_body(QualificationRequest())
    actor = current_actor()
    procedure.requalify(habeas(), actor, existing_id(case_id, "case"), body["qualification"], body["decided_at"],
                        body["graver"], expected_version=body["version"])
    return answer(s.Case(), queries.show_case(habeas(), actor, case_id))


@bp.post("/cases/<int:case_id>/derogations")
@require(roles.SUPERVISING_PROSECUTOR)
@operation("Derogate temporarily from counsel", tag="acts", body=DerogationRequest,
           responses={201: (s.OverrideCreated, "the derogation, used by the next interrogation")},
           description="Directive 2013/48 art 3(6): an adult without mandatory defence, one of its two grounds; "
                       "the statement is always flagged for an admissibility ruling.")
def derogate(case_id: int):
    body = json_body(DerogationRequest())
    actor = current_actor()
    override_id = procedure.derogate(habeas(), actor, existing_id(case_id, "case"), body["ground"], body["reason"])
    view = queries.show_case(habeas(), actor, case_id)
    return answer(s.OverrideCreated(), {"id": override_id, "checkpoint": "counsel_before_interrogation",
                                        "case": view}, 201)
