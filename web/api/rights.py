"""Rights over the API: evidence that a right was respected, overrides, escalations resolved."""
from flask import url_for

from engine.domain import catalogue, roles
from engine.services import queries, rights

from ..auth import current_actor, require
from ..extensions import habeas
from . import bp, schemas as s
from .docs import operation
from .http import answer, existing_id, json_body

# Whoever holds the power to override at least one checkpoint, before or in court (the service
# checks the one asked, at the case's stage).
OVERRIDERS = frozenset().union(*(catalogue.override_roles(cp, stage) for cp in catalogue.CATALOGUE.values()
                                 for stage in (None, "trial")))


@bp.post("/cases/<int:case_id>/evidence")
@require(*roles.CASE_ACTORS)
@operation("Record evidence for a checkpoint", tag="rights", body=s.EvidenceRequest,
           responses={201: (s.EvidenceCreated, "the new record's id, the checkpoint's status now, the case")},
           description="Evidence is appended, dated by when the fact happened (`occurred_at`) and when it was "
                       "recorded.  A correction is a new record naming the one it `corrects`.  Unknown "
                       "checkpoints and invalid evidence fields are refused with 422.")
def record_evidence(case_id: int):
    body = json_body(s.EvidenceRequest())
    actor = current_actor()
    evidence_id = rights.record_evidence(habeas(), actor, existing_id(case_id, "case"), body["checkpoint"],
                                         body["data"], occurred_at=body["occurred_at"], corrects=body["corrects"],
                                         act=body["act"])
    view = queries.show_case(habeas(), actor, case_id)
    status = next((c for c in view["checkpoints"] if c["id"] == body["checkpoint"]), None)
    return answer(s.EvidenceCreated(), {"id": evidence_id, "checkpoint": status, "case": view}, 201,
                  Location=url_for("api.show_case", case_id=case_id))


@bp.post("/cases/<int:case_id>/overrides")
@require(*OVERRIDERS)
@operation("Override a blocking checkpoint", tag="rights", body=s.OverrideRequest,
           responses={201: (s.OverrideCreated, "the override, usable by the next entry the checkpoint guards")},
           description="Only where the rule allows it (never for detention review or juvenile safeguards; "
                       "counsel only by the person's own waiver), by a role with the power, with a written "
                       "reason and a legal ground.  Refusals are 403 `override_refused`.")
def override_checkpoint(case_id: int):
    body = json_body(s.OverrideRequest())
    actor = current_actor()
    override_id = rights.override(habeas(), actor, existing_id(case_id, "case"), body["checkpoint"],
                                  body["reason"], body["legal_ground"])
    view = queries.show_case(habeas(), actor, case_id)
    return answer(s.OverrideCreated(), {"id": override_id, "checkpoint": body["checkpoint"], "case": view}, 201)


@bp.post("/escalations/<int:escalation_id>/resolve")
@require(roles.SUPERVISING_PROSECUTOR)
@operation("Resolve an escalation", tag="rights", body=s.ResolveEscalationRequest,
           responses={200: (s.EscalationResolved, "the escalation, now resolved")},
           description="The supervising prosecutor closes an escalation with written reasons; a resolved "
                       "one cannot be resolved again (422).")
def resolve_escalation(escalation_id: int):
    body = json_body(s.ResolveEscalationRequest())
    rights.resolve_escalation(habeas(), current_actor(), existing_id(escalation_id, "escalation"),
                              body["resolution"])
    return answer(s.EscalationResolved(), {"id": escalation_id, "status": "resolved"})
