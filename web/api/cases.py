"""Cases over the API: open, list, read, complete a task, read the audit trail."""
from flask import url_for

from engine.domain import roles
from engine.services import access, cases, previews, queries

from ..auth import current_actor, require
from ..extensions import habeas
from . import bp, schemas as s
from .docs import operation
from .http import answer, existing_id, json_body, query_args

BLOCKED = (409, s.CheckpointBlockedError, "checkpoint_blocked: the rights guarding the stage are not shown "
                                          "respected (each with its legal basis and the missing evidence); "
                                          "or conflict: the version is stale or the task was completed meanwhile")


@bp.post("/cases")
@require(*roles.OPENERS)
@operation("Open a case", body=s.OpenCaseRequest, responses={201: (s.Case, "the new case")},
           errors=((404, s.Error, "no such deployed process"),),
           description="Opens a case on the newest version of a process.  Named defence counsel must be "
                       "existing defence users; they may then read the case.")
def open_case():
    body = json_body(s.OpenCaseRequest())
    actor = current_actor()
    case_id = cases.open_case(habeas(), actor, body["process"], body["data"], unit=body["unit"],
                              prosecutor=body["prosecutor"], defence=body["defence"])
    view = queries.show_case(habeas(), actor, case_id)
    return answer(s.Case(), view, 201, Location=url_for("api.show_case", case_id=case_id))


@bp.get("/cases")
@require(*access.READERS)
@operation("List cases", query=s.CaseListQuery, responses={200: (s.CaseList, "a page of cases, newest first")},
           description="A defence lawyer sees only the cases where they are counsel.  Pages with "
                       "`limit` (1-200) and `offset`; `next_offset` is null on the last page.")
def list_cases():
    args = query_args(s.CaseListQuery())
    items = queries.list_cases(habeas(), current_actor(), stage=args.get("stage"), status=args.get("status"),
                               limit=args["limit"], offset=args["offset"])
    next_offset = args["offset"] + args["limit"] if len(items) == args["limit"] else None
    return answer(s.CaseList(), {"items": items, "limit": args["limit"], "offset": args["offset"],
                                 "next_offset": next_offset})


@bp.get("/cases/<int:case_id>")
@require()
@operation("Read a case", responses={200: (s.Case, "the case with its ready tasks, checkpoints and deadlines")},
           description="A defence lawyer's read is recorded in the audit trail.")
def show_case(case_id: int):
    view = queries.show_case(habeas(), current_actor(), existing_id(case_id, "case"))
    return answer(s.Case(), view)


@bp.post("/cases/<int:case_id>/tasks/<task_id>/complete")
@require(*roles.CASE_ACTORS)
@operation("Complete a ready task", body=s.CompleteTaskRequest, query=s.CompleteTaskQuery,
           responses={200: (s.CompletedTaskBrief, "the case's new version, stage and ready tasks, with what the "
                                                  "step did (the whole case view with `?view=full`)")},
           errors=(BLOCKED,),
           description="The form data is validated against the task's form (422 `invalid_data` with messages "
                       "per field).  Send the `version` you read to be refused (409 `conflict`) if the case "
                       "changed meanwhile.  A refused entry into a stage changes nothing but the audit trail.")
def complete_task(case_id: int, task_id: str):
    args = query_args(s.CompleteTaskQuery())
    body = json_body(s.CompleteTaskRequest())
    actor = current_actor()
    step = cases.complete_task(habeas(), actor, existing_id(case_id, "case"), task_id[:100], body["data"],
                               expected_version=body["version"])
    done = {"stage": step.stage, "entered": step.entered, "escalated": list(step.escalated),
            "flagged": list(step.flagged)}
    if args["view"] == "full":
        return answer(s.CompletedTask(), {**queries.show_case(habeas(), actor, case_id), "step": done})
    return answer(s.CompletedTaskBrief(), {"id": step.case_id, "version": step.version, "stage": step.stage,
                                           "status": step.status, "non_compliant": step.non_compliant,
                                           "tasks": list(step.tasks), "step": done})


@bp.post("/cases/<int:case_id>/tasks/<task_id>/check")
@require(*roles.CASE_ACTORS)
@operation("What would block completing a task now", body=s.CheckTaskRequest,
           responses={200: (s.TaskCheck, "the rights guarding the task's act, read for the data given")},
           description="Read only: the step's own check (the act's guards, the stage it enters) run on the form's "
                       "values so far; nothing is saved and nothing is audited.  Invalid values are left out "
                       "and listed in `form_errors`.")
def check_task(case_id: int, task_id: str):
    body = json_body(s.CheckTaskRequest())
    found = previews.what_would_block(habeas(), current_actor(), existing_id(case_id, "case"), task_id[:100],
                                      body["data"])
    return answer(s.TaskCheck(), found)


@bp.get("/cases/<int:case_id>/audit")
@require()
@operation("Read a case's audit trail", tag="audit",
           responses={200: (s.CaseAudit, "the case's entries in the chained audit trail, oldest first")})
def case_audit(case_id: int):
    entries = queries.case_audit(habeas(), current_actor(), existing_id(case_id, "case"))
    return answer(s.CaseAudit(), {"case": case_id, "entries": entries})
