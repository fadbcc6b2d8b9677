"""Complaints about a case's acts (CPC 105-106) and ill-treatment allegations (ECHR 3; UNCAT
12-13): filed by the defence or recorded by officials; the ruling and the referral."""
from marshmallow import Schema, fields, validate

from engine.domain import acts, roles
from engine.services import allegations, complaints

from ..auth import current_actor, require
from ..extensions import habeas
from . import bp, schemas as s
from .docs import operation
from .http import answer, existing_id, json_body

TEXT = validate.Length(min=1, max=4000)


class ComplaintRequest(s.Request):
    act_complained_of = fields.String(required=True, validate=TEXT,
                                      metadata={"description": "which act or decision, by whom, and why it is unlawful"})
    about_act = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(sorted(acts.ACT_KINDS)),
                              metadata={"description": "the kind of act complained of; a detention act "
                                                       "(apprehension, custody decision or extension) is a "
                                                       "challenge to the lawfulness of detention"})
    learned_of_act_at = fields.String(required=True, metadata={"description": "when the complainant learned of "
                                                                              "the act (their 15 days run from it)"})
    complaint_filed_at = fields.String(load_default=None, allow_none=True,
                                       metadata={"description": "when it was filed; now if left out"})
    complaint_challenges_detention = fields.Boolean(load_default=False)
    complainant = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(complaints.COMPLAINANTS))
    addressed_to = fields.String(load_default="judge", validate=validate.OneOf(complaints.ROUTES))


class Complaint(Schema):
    id = fields.Integer()
    number = fields.String()
    case_id = fields.Integer(metadata={"description": "the criminal case the complaint is about"})
    about_case = fields.String()
    act_complained_of = fields.String()
    about_act = fields.String(allow_none=True)
    complainant = fields.String()
    addressed_to = fields.String()
    challenges_detention = fields.Boolean()
    detention_episode = fields.Integer(allow_none=True)
    filed_at = fields.String()
    filed_late = fields.Boolean(metadata={"description": "after the complainant's 15 days (the judge may restore them)"})
    ruling_due_at = fields.String(allow_none=True)
    ruled_at = fields.String(allow_none=True)
    ruling = fields.String(allow_none=True)
    status = fields.String()
    non_compliant = fields.Boolean()
    legal_basis = fields.String()


class ComplaintList(Schema):
    complaints = fields.List(fields.Nested(Complaint))


class RulingRequest(s.Request):
    ruling = fields.String(required=True, validate=validate.OneOf(complaints.OUTCOMES))
    ruling_reasons = fields.String(required=True, validate=TEXT)
    ruled_at = fields.String(required=True, metadata={"description": "when the ruling was given (ISO-8601)"})


class AllegationRequest(s.Request):
    description = fields.String(required=True, validate=TEXT,
                                metadata={"description": "what is alleged, by whom, when and where"})
    alleged_at = fields.String(load_default=None, allow_none=True,
                               metadata={"description": "when the allegation was made; now if left out"})
    made_by = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(allegations.MADE_BY))
    period_from = fields.String(load_default=None, allow_none=True,
                                metadata={"description": "start of the period the allegation concerns"})
    period_to = fields.String(load_default=None, allow_none=True)
    version = fields.Integer(strict=True, load_default=None, allow_none=True)


class Allegation(Schema):
    id = fields.Integer()
    case_id = fields.Integer()
    alleged_at = fields.String()
    period_from = fields.String(allow_none=True)
    period_to = fields.String(allow_none=True)
    description = fields.String()
    made_by = fields.String()
    recorded_at = fields.String()
    recorded_by = fields.String()
    referral_due_at = fields.String()
    referred_at = fields.String(allow_none=True)
    referred_to = fields.String(allow_none=True)
    referral_task = fields.Integer(allow_none=True)
    flagged_statements = fields.List(fields.Integer())
    late = fields.Boolean()
    legal_basis = fields.String()


class ReferralRequest(s.Request):
    referred_to = fields.String(required=True, validate=validate.Length(min=1, max=200),
                                metadata={"description": "the body that checks the allegation independently"})
    referred_at = fields.String(load_default=None, allow_none=True)


CASE_ACTORS = tuple(sorted(complaints.FILERS))


@bp.post("/cases/<int:case_id>/complaints")
@require(*CASE_ACTORS)
@operation("File a complaint about an act of the case", tag="complaints", body=ComplaintRequest,
           responses={201: (Complaint, "the complaint, running as its own case and linked to this one")},
           description="CPC 105-106; ECHR 13.  By the defence of the case, or recorded by an official for the person, "
                       "their representative or a victim.  The ruling has its own term (param complaint_ruling_days), "
                       "escalated when missed.  A complaint challenging the lawfulness of detention blocks the next "
                       "custody decision and custody extension until its ruling; a release is never blocked.")
def file_complaint(case_id: int):
    body = json_body(ComplaintRequest())
    return answer(Complaint(), complaints.file(habeas(), current_actor(), existing_id(case_id, "case"), body), 201)


@bp.get("/cases/<int:case_id>/complaints")
@require(*CASE_ACTORS, roles.REVIEWER, roles.ADMIN)
@operation("Complaints about the case's acts", tag="complaints", responses={200: (ComplaintList, "oldest first")})
def list_complaints(case_id: int):
    from engine.services import queries
    view = queries.show_case(habeas(), current_actor(), existing_id(case_id, "case"))
    return answer(ComplaintList(), {"complaints": view["complaints"]})


@bp.post("/cases/<int:case_id>/complaints/<int:complaint_id>/ruling")
@require(roles.JUDGE, roles.PROSECUTOR, roles.SUPERVISING_PROSECUTOR)
@operation("Rule on a complaint", tag="complaints", body=RulingRequest,
           responses={200: (Complaint, "the complaint with its ruling")},
           description="Completes the complaint's ruling task (after its registration), by the investigating judge "
                       "or, for a complaint addressed to the prosecutor (CPC 105), the prosecutor.  The ruling "
                       "resolves the escalation of a missed term and lifts the block on custody decisions.")
def rule_on_complaint(case_id: int, complaint_id: int):
    body = json_body(RulingRequest())
    result = complaints.rule(habeas(), current_actor(), existing_id(case_id, "case"),
                             existing_id(complaint_id, "complaint"), body)
    return answer(Complaint(), result)


@bp.post("/cases/<int:case_id>/allegations")
@require(*allegations.RECORDERS)
@operation("Record an ill-treatment allegation", tag="complaints", body=AllegationRequest,
           responses={201: (Allegation, "the allegation with its referral deadline")},
           description="ECHR 3; UNCAT arts 12, 13, 15.  At any stage.  Creates a referral task for the prosecutor "
                       "(due within ill_treatment_referral_hours, escalated when missed), blocks further questioning "
                       "until a medical examination after it is recorded, and flags the statements taken in the "
                       "period it concerns.")
def record_allegation(case_id: int):
    body = json_body(AllegationRequest())
    version = body.pop("version")
    result = allegations.record(habeas(), current_actor(), existing_id(case_id, "case"), body,
                                expected_version=version)
    return answer(Allegation(), result, 201)


@bp.post("/cases/<int:case_id>/allegations/<int:allegation_id>/referral")
@require(*allegations.REFERRERS)
@operation("Refer an allegation for an independent check", tag="complaints", body=ReferralRequest,
           responses={200: (Allegation, "the allegation, referred")})
def refer_allegation(case_id: int, allegation_id: int):
    body = json_body(ReferralRequest())
    result = allegations.refer(habeas(), current_actor(), existing_id(case_id, "case"),
                               existing_id(allegation_id, "allegation"), body)
    return answer(Allegation(), result)


class FileAccessRequest(s.Request):
    note = fields.String(load_default="", validate=validate.Length(max=4000))


class FileAccessRequested(Schema):
    case = fields.Integer()
    task = fields.Integer()
    requested_at = fields.String()
    assigned_role = fields.String()
    legal_basis = fields.String()


@bp.post("/cases/<int:case_id>/file-access-requests")
@require(roles.DEFENCE)
@operation("Request access to the case file", tag="complaints", body=FileAccessRequest,
           responses={201: (FileAccessRequested, "the request, a task for the investigator")},
           description="Defence counsel of the case (ICCPR 14(3)(b); Directive 2012/13 art 7; CPC art 320).")
def request_file_access(case_id: int):
    from engine.services import file_access
    body = json_body(FileAccessRequest())
    result = file_access.request_access(habeas(), current_actor(), existing_id(case_id, "case"), body["note"])
    return answer(FileAccessRequested(), result, 201)
