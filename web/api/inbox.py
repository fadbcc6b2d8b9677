"""The inbox over the API: what waits for the caller (urgent items first), claiming and
reassigning a ready task, and the comments on a case.  The same service and rules as the page."""
from datetime import datetime

from marshmallow import fields, validate

from engine.domain import roles
from engine.domain.stages import STAGE_IDS
from engine.services import inbox

from ..auth import current_actor, require
from ..extensions import habeas
from . import bp, schemas as s
from .docs import operation
from .http import answer, existing_id, json_body, query_args

TASK_ID = validate.Length(min=1, max=64)
STALE_OR_HELD = (409, s.Error, "conflict: the task is no longer waiting, a colleague holds it, or the case "
                               "changed since the version you sent; nothing was changed")


class InboxQuery(s.Request):
    stage = fields.String(validate=validate.OneOf(sorted(STAGE_IDS)),
                          metadata={"description": "the case's stage (or the stage the task enters)"})
    case = fields.String(validate=validate.Length(min=1, max=40), metadata={"description": "a case id or number"})
    q = fields.String(validate=validate.Length(min=1, max=200),
                      metadata={"description": "words searched in the case number, suspect, task and reason"})
    blocked = fields.Boolean(metadata={"description": "true: only blocked items; false: only the others"})
    due_within = fields.Integer(validate=validate.Range(min=0, max=24 * 366),
                                metadata={"description": "hours: only items due by then (overdue included)"})
    whose = fields.String(load_default="all", validate=validate.OneOf(inbox.WHOSE),
                          metadata={"description": "mine: the tasks you hold; group: everything else for your role"})
    limit = fields.Integer(load_default=s.DEFAULT_PAGE, validate=validate.Range(min=1, max=s.MAX_PAGE))


class LastComment(s.Schema):
    id = fields.Integer()
    author = fields.String()
    role = fields.String()
    body = fields.String()
    created_at = s.Instant()


class InboxItem(s.Schema):
    key = fields.String(metadata={"description": "stable within the inbox: task-CASE-TASK, escalation-ID, flag-ID"})
    kind = fields.String(metadata={"enum": ["task", "release", "escalation", "warning", "referral", "request",
                                            "admissibility_flag"]})
    severity = fields.String(metadata={"enum": list(inbox.SEVERITY_RANK)})
    urgent = fields.Boolean()
    case = fields.Integer()
    number = fields.String()
    case_stage = fields.String(allow_none=True)
    suspect = fields.String()
    version = fields.Integer(metadata={"description": "the case's version, for a claim's optimistic lock"})
    id = fields.Integer(allow_none=True, metadata={"description": "the escalation's or flag's id"})
    checkpoint = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    assigned_role = fields.String(allow_none=True)
    task_id = fields.String(allow_none=True)
    name = fields.String(allow_none=True)
    title = fields.String(allow_none=True)
    lane = fields.String(allow_none=True)
    due_at = s.Instant(allow_none=True, metadata={"description": "when it is due (a task: its case's nearest "
                                                                "open legal deadline)"})
    blocked = fields.Boolean()
    holder = fields.String(allow_none=True, metadata={"description": "who holds the task (claimed or reassigned)"})
    claimed_at = s.Instant(allow_none=True)
    refused = fields.List(fields.String(), metadata={"description": "rights not shown when the task was refused"})
    comments = fields.Integer()
    last_comment = fields.Nested(LastComment, allow_none=True)


class Inbox(s.Schema):
    now = s.Instant()
    total = fields.Integer()
    urgent = fields.Integer()
    items = fields.List(fields.Nested(InboxItem))


class ClaimRequest(s.Request):
    version = fields.Integer(strict=True, load_default=None, allow_none=True,
                             validate=validate.Range(min=1, max=s.MAX_ID),
                             metadata={"description": "the case version you read; a stale one is refused (409)"})


class ReassignRequest(ClaimRequest):
    to = fields.String(required=True, validate=validate.Length(min=1, max=80),
                       metadata={"description": "the user name of a colleague whose role may work the task"})


class Claim(s.Schema):
    case = fields.Integer()
    task_id = fields.String()
    task = fields.String()
    lane = fields.String(allow_none=True)
    holder = fields.String()
    claimed_at = s.Instant()
    claimed_by = fields.String()


class CommentRequest(s.Request):
    body = fields.String(required=True, validate=validate.Length(min=1, max=inbox.COMMENT_MAX))
    task_id = fields.String(load_default=None, allow_none=True, validate=TASK_ID,
                            metadata={"description": "a ready task of the case the comment is about"})


class Comment(s.Schema):
    id = fields.Integer()
    case = fields.Integer()
    author = fields.String()
    role = fields.String()
    body = fields.String()
    task_id = fields.String(allow_none=True)
    created_at = s.Instant()


class CommentList(s.Schema):
    case = fields.Integer()
    items = fields.List(fields.Nested(Comment))


def _plain(value):
    """Times as ISO-8601 text, at any depth."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


@bp.get("/inbox")
@require(*roles.CASE_ACTORS)
@operation("Read my inbox", query=InboxQuery, responses={200: (Inbox, "urgent items first, then ready tasks")},
           description="Urgent items addressed to you (a mandatory release, a breach, an escalation, an "
                       "admissibility flag; each with its severity and due time) come first, then the ready "
                       "tasks of your role's lane and those you hold, by due time.")
def read_inbox():
    args = query_args(InboxQuery())
    filters = inbox.Filters(stage=args.get("stage"), case=args.get("case"), q=args.get("q"),
                            blocked=args.get("blocked"), due_within=args.get("due_within"), whose=args["whose"])
    return answer(Inbox(), _plain(inbox.inbox(habeas(), current_actor(), filters, limit=args["limit"])))


@bp.post("/cases/<int:case_id>/tasks/<task_id>/claim")
@require(*roles.CASE_ACTORS)
@operation("Claim a ready task", body=ClaimRequest, responses={200: (Claim, "you hold the task")},
           errors=(STALE_OR_HELD,),
           description="Only a task your role may work; a task a colleague holds is not taken over. Audited.")
def claim_task(case_id: int, task_id: str):
    body = json_body(ClaimRequest())
    held = inbox.claim(habeas(), current_actor(), existing_id(case_id, "case"), task_id[:64],
                       expected_version=body["version"])
    return answer(Claim(), _plain(held))


@bp.post("/cases/<int:case_id>/tasks/<task_id>/reassign")
@require(*roles.CASE_ACTORS)
@operation("Reassign a ready task", body=ReassignRequest, responses={200: (Claim, "the colleague holds the task")},
           errors=(STALE_OR_HELD,),
           description="By the task's holder or a supervising prosecutor (anyone of the lane while nobody holds "
                       "it), only to an active user whose role may work the task (422 otherwise). Audited.")
def reassign_task(case_id: int, task_id: str):
    body = json_body(ReassignRequest())
    held = inbox.reassign(habeas(), current_actor(), existing_id(case_id, "case"), task_id[:64], body["to"],
                          expected_version=body["version"])
    return answer(Claim(), _plain(held))


@bp.get("/cases/<int:case_id>/comments")
@require(*inbox.COMMENT_READERS)
@operation("Read the comments on a case", responses={200: (CommentList, "oldest first")},
           description="The officials' working notes; not shown to the defence.")
def list_comments(case_id: int):
    items = inbox.comments(habeas(), current_actor(), existing_id(case_id, "case"))
    return answer(CommentList(), {"case": case_id, "items": _plain(items)})


@bp.post("/cases/<int:case_id>/comments")
@require(*inbox.COMMENTERS)
@operation("Comment on a case", body=CommentRequest, responses={201: (Comment, "the comment, audited")},
           errors=((409, s.Error, "conflict: the task named is no longer waiting"),))
def add_comment(case_id: int):
    body = json_body(CommentRequest())
    row = inbox.add_comment(habeas(), current_actor(), existing_id(case_id, "case"), body["body"],
                            task_id=body["task_id"])
    return answer(Comment(), _plain(row), 201)
