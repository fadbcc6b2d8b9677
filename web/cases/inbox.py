"""The inbox page: what waits for the user, urgent items first, with filters and a search, claim
and reassign; and the comments form of the case page.  Every rule is the engine's
(``engine.services.inbox``); a stale or invalid attempt comes back as a message, a forbidden one
as the refusal page (403), and neither changes anything."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l

from engine.domain import roles
from engine.domain.errors import Conflict, InvalidData, NotFound
from engine.domain.stages import STAGE_IDS
from engine.services import inbox

from ..auth import current_actor, require
from ..extensions import habeas
from ..filters import error_message
from . import bp

DUE_WINDOWS = (4, 12, 24, 48, 168)
WHOSE = {"all": _l("Mine and my group's"), "mine": _l("Only the tasks I hold"), "group": _l("Only my group's")}


@bp.get("/inbox")
@require(*roles.CASE_ACTORS)
def inbox_page():
    ctx, actor = habeas(), current_actor()
    filters, errors = _filters(request.args)
    result = inbox.inbox(ctx, actor, filters)
    reassign_to = {}
    for item in result["items"]:
        if item["kind"] == "task" and item["lane"] not in reassign_to:
            reassign_to[item["lane"]] = inbox.colleagues_for(ctx, item["lane"])
    return render_template("cases/inbox.html", result=result, filters=filters, errors=errors,
                           stages=sorted(STAGE_IDS), windows=DUE_WINDOWS, whose=WHOSE, reassign_to=reassign_to,
                           may_claim=lambda i: roles.may_work_lane(actor.role, i["lane"]),
                           may_reassign=lambda i: inbox.may_reassign(actor, i["lane"], i["holder"])), \
        422 if errors else 200


def _filters(args) -> tuple[inbox.Filters, list[str]]:
    """The filters as asked; a value we cannot read is named in an error and left out."""
    errors = []
    stage = args.get("stage") or None
    if stage and stage not in STAGE_IDS:
        errors.append(_("Choose a stage from the list."))
        stage = None
    blocked = {"": None, "yes": True, "no": False}.get(args.get("blocked", ""), "bad")
    if blocked == "bad":
        errors.append(_("Choose whether to show blocked items."))
        blocked = None
    due = args.get("due_within") or ""
    due_within = int(due) if due.isdigit() and int(due) in DUE_WINDOWS else None
    if due and due_within is None:
        errors.append(_("Choose a deadline window from the list."))
    whose = args.get("whose") or "all"
    if whose not in inbox.WHOSE:
        errors.append(_("Choose whose tasks to show from the list."))
        whose = "all"
    q = (args.get("q") or "").strip()[:200] or None
    case = (args.get("case") or "").strip()[:40] or None
    return inbox.Filters(stage=stage, case=case, q=q, blocked=blocked, due_within=due_within, whose=whose), errors


def _back():
    """Back to the inbox with the filters the user had."""
    target = request.form.get("back", "")
    return redirect(target if target.startswith("/cases/inbox") else url_for(".inbox_page"), code=303)


@bp.post("/<int:case_id>/tasks/<task_id>/claim")
@require(*roles.CASE_ACTORS)
def claim_task(case_id: int, task_id: str):
    try:
        inbox.claim(habeas(), current_actor(), case_id, task_id[:64],
                    expected_version=request.form.get("version", type=int))
    except (Conflict, NotFound, InvalidData) as refused:
        flash(_("Not claimed: %(why)s", why=error_message(refused)))
    else:
        flash(_("You hold the task now."))
    return _back()


@bp.post("/<int:case_id>/tasks/<task_id>/reassign")
@require(*roles.CASE_ACTORS)
def reassign_task(case_id: int, task_id: str):
    to = request.form.get("to", "")
    try:
        inbox.reassign(habeas(), current_actor(), case_id, task_id[:64], to,
                       expected_version=request.form.get("version", type=int))
    except (Conflict, NotFound, InvalidData) as refused:
        flash(_("Not reassigned: %(why)s", why=error_message(refused)))
    else:
        flash(_("The task is reassigned to %(name)s.", name=to))
    return _back()


@bp.post("/<int:case_id>/comments")
@require(*inbox.COMMENTERS)
def comment(case_id: int):
    try:
        inbox.add_comment(habeas(), current_actor(), case_id, request.form.get("body", ""))
    except (InvalidData, Conflict) as refused:
        flash(_("Not added: %(why)s", why=error_message(refused)))
    else:
        flash(_("Your comment is added."))
    return redirect(url_for(".case", case_id=case_id, _anchor="comments"), code=303)
