"""marshmallow schemas for every body the API reads or writes.

Request schemas refuse unknown keys, so a misspelt field is an error rather than silently
ignored.  Response schemas are the API's contract: a view dumps the service's dict through one
of them, so only what is declared here leaves the server, and the OpenAPI document is built from
the same classes.
"""
from datetime import timezone

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from engine.domain.acts import ACT_KINDS
from engine.domain.stages import STAGE_IDS

MAX_ID = 2**31 - 1          # ids are 32-bit integers in every database we support
MAX_PAGE = 200
DEFAULT_PAGE = 50
TEXT = validate.Length(max=4000)
NAME = validate.Length(min=1, max=120)
CASE_STATUSES = ("open", "closed")


def Instant(**kwargs) -> fields.String:  # noqa: N802 - reads as a field type
    """A point in time as ISO-8601 text with its UTC offset (the services hand out text)."""
    return fields.String(metadata={"format": "date-time", **kwargs.pop("metadata", {})}, **kwargs)


def Id(**kwargs) -> fields.Integer:  # noqa: N802
    return fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_ID), **kwargs)


class Request(Schema):
    """Base of request schemas: unknown keys are refused."""

    class Meta:
        unknown = RAISE


# ---- requests ---------------------------------------------------------------------------------

class OpenCaseRequest(Request):
    process = fields.String(required=True, validate=NAME, metadata={"description": "a deployed process id",
                                                                   "example": "criminal_case"})
    data = fields.Dict(keys=fields.String(), load_default=dict,
                       metadata={"description": "the case's opening data (registration facts)"})
    defence = fields.List(fields.String(validate=NAME), load_default=list, validate=validate.Length(max=20),
                          metadata={"description": "user names of defence counsel, who may then read the case"})
    unit = fields.String(load_default="", validate=validate.Length(max=80))
    prosecutor = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=80),
                               metadata={"description": "the supervising prosecutor's user name"})


class CaseListQuery(Request):
    stage = fields.String(validate=validate.OneOf(sorted(STAGE_IDS)))
    status = fields.String(validate=validate.OneOf(CASE_STATUSES))
    limit = fields.Integer(load_default=DEFAULT_PAGE, validate=validate.Range(min=1, max=MAX_PAGE))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=MAX_ID))


class CompleteTaskRequest(Request):
    data = fields.Dict(keys=fields.String(), load_default=dict,
                       metadata={"description": "the task form's values, by field name"})
    version = fields.Integer(strict=True, load_default=None, allow_none=True,
                             validate=validate.Range(min=1, max=MAX_ID),
                             metadata={"description": "the case version you read (optimistic lock); "
                                                      "a stale one is refused with 409 conflict"})


class CheckTaskRequest(Request):
    data = fields.Dict(keys=fields.String(), load_default=dict,
                       metadata={"description": "the task form's values so far, by field name (read, never saved)"})


class EvidenceRequest(Request):
    checkpoint = fields.String(required=True, validate=NAME, metadata={"example": "counsel_before_interrogation"})
    occurred_at = fields.AwareDateTime(load_default=None, allow_none=True, default_timezone=timezone.utc,
                                       metadata={"description": "when the fact happened (ISO-8601); "
                                                                "defaults to the checkpoint's own time field"})
    data = fields.Dict(keys=fields.String(), load_default=dict,
                       metadata={"description": "the checkpoint's evidence fields"})
    corrects = Id(load_default=None, allow_none=True,
                  metadata={"description": "id of the earlier record this one corrects"})
    act = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(sorted(ACT_KINDS)),
                        metadata={"description": "the kind of act this evidence is for (e.g. interrogation); "
                                                 "by default the next waiting act the right guards"})


class OverrideRequest(Request):
    checkpoint = fields.String(required=True, validate=NAME)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=4000))
    legal_ground = fields.String(required=True, validate=validate.Length(min=1, max=4000))


class ResolveEscalationRequest(Request):
    resolution = fields.String(required=True, validate=validate.Length(min=1, max=4000),
                               metadata={"description": "how the escalation was resolved, with reasons"})


class IncidentQuery(Request):
    status = fields.String(load_default="open", validate=validate.OneOf(("open", "resolved", "all")))


class IncidentNoteRequest(Request):
    note = fields.String(load_default="", validate=validate.Length(max=4000),
                         metadata={"description": "what was done (required to resolve)"})


class Moment(fields.Field):
    """A date (a whole day in the configured zone) or an ISO-8601 time; parsed by the view."""

    def _deserialize(self, value, attr, data, **kwargs):
        from datetime import date, datetime
        text = str(value).strip()
        try:
            return date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise ValidationError("not an ISO-8601 date (YYYY-MM-DD) or time") from None


class ComplianceQuery(Request):
    start = Moment(data_key="from", load_default=None,
                   metadata={"type": "string", "description": "period start: a date or an ISO-8601 time"})
    end = Moment(data_key="to", load_default=None,
                 metadata={"type": "string", "description": "period end (a date includes that whole day)"})
    unit = fields.String(load_default=None, validate=validate.Length(min=1, max=80))
    prosecutor = fields.String(load_default=None, validate=validate.Length(min=1, max=80))
    format = fields.String(load_default="json", validate=validate.OneOf(("json", "csv")))


class DeadlineQuery(Request):
    case = fields.Integer(load_default=None, validate=validate.Range(min=1, max=MAX_ID),
                          metadata={"description": "only this case's deadlines"})
    limit = fields.Integer(load_default=DEFAULT_PAGE, validate=validate.Range(min=1, max=MAX_PAGE))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=MAX_ID))


# ---- responses: the case --------------------------------------------------------------------

class FormField(Schema):
    name = fields.String()
    type = fields.String(metadata={"enum": ["string", "text", "integer", "boolean", "date", "datetime", "choice"]})
    required = fields.Boolean()
    label = fields.String()
    help = fields.String()
    choices = fields.List(fields.String())


class Task(Schema):
    id = fields.String(metadata={"description": "the ready task's id, for /complete"})
    name = fields.String(metadata={"description": "the BPMN element id"})
    title = fields.String()
    stage = fields.String(allow_none=True, metadata={"description": "the stage completing it enters"})
    lane = fields.String(allow_none=True, metadata={"description": "the role that works it"})
    act = fields.String(allow_none=True, metadata={"description": "the kind of act it is (rights bind to it)"})
    instructions = fields.String(allow_none=True)
    evidence = fields.List(fields.String(), metadata={"description": "checkpoints whose evidence this form records"})
    form = fields.List(fields.Nested(FormField))


class CheckpointStatus(Schema):
    id = fields.String()
    right = fields.String()
    legal_basis = fields.String()
    status = fields.String(metadata={"enum": ["passed", "failed", "pending", "waived", "overridden"]})
    missing = fields.List(fields.String(), metadata={"description": "evidence fields still missing"})
    reasons = fields.List(fields.String())
    override = fields.String(metadata={"description": "override policy"})
    due_at = Instant(allow_none=True)
    stages = fields.List(fields.String())
    failure = fields.String(metadata={"enum": ["block", "escalate", "flag"]})
    satisfied = fields.Boolean()


class ChecklistItem(CheckpointStatus):
    blocks = fields.Boolean(metadata={"description": "whether this right refuses the act as the form stands"})
    in_form = fields.List(fields.String(), metadata={"description": "missing evidence this task's own form records"})
    elsewhere = fields.List(fields.String(), metadata={"description": "missing evidence to record on its own"})


class TaskCheck(Schema):
    task = fields.String()
    stage = fields.String(allow_none=True, metadata={"description": "the stage the task's act belongs to"})
    entering = fields.Boolean(metadata={"description": "whether completing the task enters that stage"})
    blocked = fields.Boolean(metadata={"description": "whether completing the task now would be refused"})
    items = fields.List(fields.Nested(ChecklistItem))
    form_errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()),
                              metadata={"description": "entries left out of the check because they are invalid"})


class CaseDeadline(Schema):
    checkpoint = fields.String()
    kind = fields.String()
    starts_at = Instant(allow_none=True)
    due_at = Instant()
    status = fields.String()


class Escalation(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"enum": ["escalation", "warning", "release", "referral", "request"],
                                   "description": "a task, a warning before a deadline, or a mandatory release"})
    assigned_role = fields.String(metadata={"description": "who must act on it"})
    checkpoint = fields.String()
    stage = fields.String(allow_none=True)
    reason = fields.String()
    status = fields.String()
    created_at = Instant()
    due_at = Instant(allow_none=True)
    resolved_by = fields.String(allow_none=True)
    resolution = fields.String(allow_none=True)


class AdmissibilityFlag(Schema):
    id = fields.Integer()
    checkpoint = fields.String()
    task = fields.String()
    reason = fields.String()
    created_at = Instant()
    ruling = fields.String(allow_none=True)


class StageEntry(Schema):
    stage = fields.String()
    entered_at = Instant()
    task = fields.String()
    actor = fields.String()


class EvidenceRecord(Schema):
    id = fields.Integer()
    checkpoint = fields.String()
    data = fields.Dict()
    occurred_at = Instant()
    recorded_at = Instant()
    recorded_by = fields.String()
    corrects_id = fields.Integer(allow_none=True)
    scope = fields.String(allow_none=True, metadata={"description": "the act or episode it proves; null: the case"})


class JudicialReviewClock(Schema):
    status = fields.String()
    due_at = Instant(allow_none=True)
    reasons = fields.List(fields.String())


class DetentionEpisode(Schema):
    no = fields.Integer()
    apprehended_at = Instant(allow_none=True)
    status = fields.String(metadata={"enum": ["open", "released", "custody"]})
    ended_at = Instant(allow_none=True)
    ended_by = fields.String(allow_none=True)
    judicial_review = fields.Nested(JudicialReviewClock)


class ActEvaluation(Schema):
    checkpoint = fields.String()
    status = fields.String()
    task = fields.String(allow_none=True)
    stage = fields.String(allow_none=True)
    act = fields.String(allow_none=True)
    scope = fields.String(allow_none=True, metadata={"description": "the act or episode evaluated"})
    evaluated_at = Instant()
    reasons = fields.List(fields.String())


class Incident(Schema):
    id = fields.Integer()
    case_id = fields.Integer()
    kind = fields.String(metadata={"enum": ["load_failed", "step_failed", "deadline_failed"]})
    status = fields.String(metadata={"enum": ["open", "resolved"]})
    message = fields.String()
    occurrences = fields.Integer()
    created_at = Instant()
    updated_at = Instant()
    resolved_at = Instant(allow_none=True)
    resolved_by = fields.String(allow_none=True)
    resolution = fields.String(allow_none=True)
    removed = fields.List(fields.String(), metadata={"description": "repair: the data keys set aside"})


class IncidentList(Schema):
    items = fields.List(fields.Nested(Incident))


class Case(Schema):
    id = fields.Integer()
    number = fields.String()
    process = fields.String()
    process_version = fields.Integer()
    version = fields.Integer(metadata={"description": "optimistic-lock version: send it back with /complete"})
    stage = fields.String(allow_none=True)
    status = fields.String(metadata={"enum": list(CASE_STATUSES)})
    unit = fields.String()
    prosecutor = fields.String(allow_none=True)
    non_compliant = fields.Boolean()
    opened_at = Instant()
    updated_at = Instant()
    facts = fields.Dict()
    tasks = fields.List(fields.Nested(Task), metadata={"description": "the ready tasks"})
    checkpoints = fields.List(fields.Nested(CheckpointStatus))
    deadlines = fields.List(fields.Nested(CaseDeadline))
    escalations = fields.List(fields.Nested(Escalation))
    flags = fields.List(fields.Nested(AdmissibilityFlag))
    stages = fields.List(fields.Nested(StageEntry))
    evidence = fields.List(fields.Nested(EvidenceRecord))
    defence = fields.List(fields.String())
    path = fields.List(fields.String(), metadata={"description": "element ids of the completed tasks"})
    episodes = fields.List(fields.Nested(DetentionEpisode), metadata={"description": "detention episodes"})
    qualification_no = fields.Integer(metadata={"description": "ordinal of the qualification in force"})
    acts_done = fields.Dict(keys=fields.String(), values=fields.Integer())
    evaluations = fields.List(fields.Nested(ActEvaluation),
                              metadata={"description": "each right's evaluation per act, oldest first"})
    about_case_id = fields.Integer(allow_none=True,
                                   metadata={"description": "for a complaint: the criminal case whose act it is about"})
    complaints = fields.List(fields.Dict(), metadata={"description": "complaints about this case's acts, with "
                                                                     "their ruling term and ruling"})
    allegations = fields.List(fields.Dict(), metadata={"description": "ill-treatment allegations and their referral"})
    incidents = fields.List(fields.Nested(Incident), metadata={
        "description": "open incidents: the case could not be loaded or a step or timer of it failed; "
                       "while its workflow does not load, it shows no tasks"})


class Step(Schema):
    stage = fields.String(allow_none=True)
    entered = fields.Boolean(metadata={"description": "whether the completion entered a new stage"})
    escalated = fields.List(fields.String(), metadata={"description": "checkpoints escalated to the supervisor"})
    flagged = fields.List(fields.String(), metadata={"description": "checkpoints flagged for admissibility"})


class CompletedTask(Case):
    step = fields.Nested(Step)


class CompletedTaskBrief(Schema):
    """A completion's answer: where the case stands after the step, without re-reading the case."""

    id = fields.Integer()
    version = fields.Integer(metadata={"description": "the case's new version: send it with the next /complete"})
    stage = fields.String(allow_none=True)
    status = fields.String(metadata={"enum": list(CASE_STATUSES)})
    non_compliant = fields.Boolean()
    tasks = fields.List(fields.Nested(Task), metadata={"description": "the ready tasks after the step"})
    step = fields.Nested(Step)


class CompleteTaskQuery(Request):
    view = fields.String(load_default="brief", validate=validate.OneOf(("brief", "full")),
                         metadata={"description": "`full`: answer with the whole case view (as GET /cases/{id}) "
                                                  "and the step; `brief` (default): the new version, stage, "
                                                  "status and ready tasks"})


class CaseSummary(Schema):
    id = fields.Integer()
    number = fields.String()
    stage = fields.String(allow_none=True)
    status = fields.String()
    non_compliant = fields.Boolean()
    prosecutor = fields.String(allow_none=True)
    updated_at = Instant()
    version = fields.Integer()


class Page(Schema):
    limit = fields.Integer()
    offset = fields.Integer()
    next_offset = fields.Integer(allow_none=True, metadata={"description": "null on the last page"})


class CaseList(Page):
    items = fields.List(fields.Nested(CaseSummary))


class EvidenceCreated(Schema):
    id = fields.Integer()
    checkpoint = fields.Nested(CheckpointStatus, allow_none=True,
                               metadata={"description": "the checkpoint's status with this evidence"})
    case = fields.Nested(Case)


class OverrideCreated(Schema):
    id = fields.Integer()
    checkpoint = fields.String()
    case = fields.Nested(Case)


class EscalationResolved(Schema):
    id = fields.Integer()
    status = fields.String()


class AuditEntry(Schema):
    seq = fields.Integer()
    at = Instant()
    actor = fields.String()
    action = fields.String()
    payload = fields.Dict()
    hash = fields.String()


class CaseAudit(Schema):
    case = fields.Integer()
    entries = fields.List(fields.Nested(AuditEntry))


class ChainReport(Schema):
    ok = fields.Boolean()
    entries = fields.Integer()
    problems = fields.List(fields.String())


# ---- responses: reports, deadlines, processes ------------------------------------------------

Period = Schema.from_dict({"from": Instant(allow_none=True), "to": Instant(allow_none=True)}, name="Period")


class ComplianceLine(Schema):
    checkpoint = fields.String()
    right = fields.String()
    legal_basis = fields.String()
    failure = fields.String()
    total = fields.Integer()
    passed = fields.Integer()
    failed = fields.Integer()
    waived = fields.Integer()
    overridden = fields.Integer()
    pending = fields.Integer()
    overdue = fields.Integer()
    compliance_rate = fields.Float(allow_none=True)
    failure_rate = fields.Float(allow_none=True)
    override_rate = fields.Float(allow_none=True)
    refused_attempts = fields.Integer(metadata={"description": "refused attempts (the act did not happen): "
                                                               "not evaluations, counted apart"})


class ComplianceReport(Schema):
    period = fields.Nested(Period)
    unit = fields.String(allow_none=True)
    prosecutor = fields.String(allow_none=True)
    generated_at = Instant()
    checkpoints = fields.List(fields.Nested(ComplianceLine))


class IndicatorQuery(Request):
    start = Moment(data_key="from", load_default=None, metadata={"type": "string"})
    end = Moment(data_key="to", load_default=None, metadata={"type": "string"})
    unit = fields.String(load_default=None, validate=validate.Length(min=1, max=80))
    prosecutor = fields.String(load_default=None, validate=validate.Length(min=1, max=80))


class Indicator(Schema):
    id = fields.String()
    title = fields.String()
    definition = fields.String(metadata={"description": "what is counted, in words"})
    legal_basis = fields.String()
    figures = fields.Dict(metadata={"description": "the headline figures"})
    cases = fields.Dict(keys=fields.String(), values=fields.List(fields.Integer()),
                        metadata={"description": "per figure, the case ids counted in it (one per item)"})


class IndicatorReport(Schema):
    period = fields.Nested(Period)
    unit = fields.String(allow_none=True)
    prosecutor = fields.String(allow_none=True)
    generated_at = Instant()
    indicators = fields.List(fields.Nested(Indicator))


class OpenDeadline(Schema):
    id = fields.Integer()
    case = fields.Integer()
    number = fields.String()
    checkpoint = fields.String()
    kind = fields.String()
    starts_at = Instant(allow_none=True)
    due_at = Instant()
    hours_left = fields.Float(metadata={"description": "negative once overdue"})
    status = fields.String()


class DeadlineList(Page):
    items = fields.List(fields.Nested(OpenDeadline))


class ProcessVersion(Schema):
    id = fields.Integer()
    process = fields.String()
    version = fields.Integer()
    title = fields.String()
    deployed_at = Instant()
    deployed_by = fields.String()
    content_hash = fields.String()


class ProcessList(Schema):
    items = fields.List(fields.Nested(ProcessVersion))


class Problem(Schema):
    element = fields.String(allow_none=True, metadata={"description": "the BPMN element id, when known"})
    message = fields.String()
    severity = fields.String(metadata={"enum": ["error", "warning"]})
    rule = fields.String(metadata={"description": "the proof's rule: detention_dead_end or evidence_unreachable"})
    path = fields.List(fields.String(), metadata={"description": "the refused path, as element ids in order"})
    flows = fields.List(fields.String(), metadata={"description": "the sequence flows along the refused path"})
    rights = fields.List(fields.String(), metadata={"description": "the rights a new version would drop"})


class Deployment(Schema):
    process = fields.String()
    version = fields.Integer()
    created = fields.Boolean(metadata={"description": "false when this exact model was deployed before"})
    warnings = fields.List(fields.Nested(Problem))


# ---- error bodies ---------------------------------------------------------------------------

class Error(Schema):
    error = fields.String(metadata={"description": "machine-readable code", "example": "not_found"})
    message = fields.String(metadata={"description": "what went wrong, for a person"})


class InvalidDataError(Error):
    field_messages = fields.Dict(data_key="fields", keys=fields.String(), values=fields.List(fields.String()),
                                 metadata={"description": "messages per offending field"})


class BlockingCheckpoint(Schema):
    id = fields.String()
    right = fields.String()
    legal_basis = fields.String()
    status = fields.String()
    missing = fields.List(fields.String())
    reasons = fields.List(fields.String())
    override = fields.String()
    due_at = Instant(allow_none=True)


class CheckpointBlockedError(Error):
    stage = fields.String(metadata={"description": "the stage that may not be entered"})
    checkpoints = fields.List(fields.Nested(BlockingCheckpoint))


class InvalidBpmnError(Error):
    problems = fields.List(fields.Nested(Problem))


class RemovedElement(Schema):
    element = fields.String()
    rights = fields.List(fields.String(), metadata={"description": "the rights that guarded it"})


class ConfirmationRequiredError(Error):
    pending = fields.Integer(metadata={"description": "the pending deployment another person must confirm"})
    removed = fields.List(fields.Nested(RemovedElement))
    changes = fields.List(fields.Dict(), metadata={"description": "the diff from the latest version"})


class PendingDeployment(Schema):
    id = fields.Integer()
    process = fields.String()
    base_version = fields.Integer()
    removed = fields.List(fields.Nested(RemovedElement))
    requested_by = fields.String()
    requested_at = fields.String()


class PendingList(Schema):
    items = fields.List(fields.Nested(PendingDeployment))


# ---- migration of running cases (the cockpit) -------------------------------------------------

class MigrationPreviewQuery(Request):
    to = fields.Integer(required=True, validate=validate.Range(min=1, max=MAX_ID),
                        metadata={"description": "the version the cases would move to"})


class MigrationRequest(Request):
    to_version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=MAX_ID))
    latest_version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=MAX_ID),
                                    metadata={"description": "the preview's latest_version: a version deployed "
                                                             "since makes the request stale (409, nothing moves)"})
    cases = fields.List(Id(), required=True, validate=validate.Length(min=1, max=1000),
                        metadata={"description": "the ids of the chosen cases"})


class MigrationReason(Schema):
    text = fields.String(metadata={"description": "the reason in words, in the reader's language"})
    checkpoint = fields.String(metadata={"description": "the right's checkpoint id, when a right is not respected"})
    right = fields.String()
    legal_basis = fields.String()
    stage = fields.String(metadata={"description": "the stage the case entered, by its id"})
    status = fields.String()
    missing = fields.List(fields.String(), metadata={"description": "the missing evidence, by its labels"})


class MigrationCandidate(Schema):
    case = fields.Integer()
    number = fields.String()
    from_version = fields.Integer()
    movable = fields.Boolean()
    reasons = fields.List(fields.Nested(MigrationReason))


class MigrationPreview(Schema):
    process = fields.String()
    to_version = fields.Integer()
    latest_version = fields.Integer(metadata={"description": "send it back with the chosen cases"})
    cases = fields.List(fields.Nested(MigrationCandidate))


class MigratedCase(Schema):
    case = fields.Integer()
    number = fields.String()
    from_version = fields.Integer()
    reasons = fields.List(fields.Nested(MigrationReason))


class MigrationOutcome(Schema):
    operation = fields.String(metadata={"description": "the audited operation's id"})
    process = fields.String()
    to_version = fields.Integer()
    migrated = fields.List(fields.Nested(MigratedCase))
    refused = fields.List(fields.Nested(MigratedCase))
