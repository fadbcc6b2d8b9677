"""The forms that change a case: complete a task, record a right's evidence, override a block,
resolve an escalation.  A refused act re-renders its form with what was entered and why it was
refused; nothing is changed by a refusal.  Defence lawyers complete only the tasks of their own
lane (lodging the appeal); they never record evidence here."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l

from engine.domain import catalogue
from engine.domain.errors import CheckpointBlocked, Conflict, InvalidData, NotFound
from engine.domain.roles import may_work_lane
from engine.domain.stages import STAGE_BY_ID
from engine.services import cases, dashboards, queries, rights

from ..auth import current_actor, require
from ..extensions import habeas
from ..i18n import labels, said
from . import bp, fields
from .pages import ACTOR_ROLES

STALE = _l("Someone else changed the case after you opened this form. Nothing was saved. "
           "Check the case page for what changed, then submit again.")


# ---- tasks ------------------------------------------------------------------------------------

@bp.route("/<int:case_id>/tasks/<task_id>", methods=["GET", "POST"])
@require(*ACTOR_ROLES, "defence")
def task(case_id: int, task_id: str):
    ctx, actor = habeas(), current_actor()
    view = queries.show_case(ctx, actor, case_id)
    ready = _ready_task(view, task_id, posting=request.method == "POST")
    if request.method == "GET":
        return _task_page(view, ready, fields.prefilled(ready["form"], view["facts"]), version=view["version"])
    entered = fields.entered(ready["form"], request.form)
    version = request.form.get("version", type=int)
    if version is None:
        return _task_page(view, ready, entered, version=view["version"], status=409,
                          conflict=_("The form did not say which version of the case it was filled in on. "
                                     "Nothing was saved. Check the case, then submit again."))
    try:
        step = cases.complete_task(ctx, actor, case_id, task_id, fields.submitted(ready["form"], request.form),
                                   expected_version=version)
    except InvalidData as err:
        return _task_page(view, ready, entered, version=version, errors=err.fields, status=422)
    except CheckpointBlocked as err:
        return _task_page(view, ready, entered, version=version, refusal=err, status=409)
    except Conflict:
        fresh = queries.show_case(ctx, actor, case_id)
        ready = _ready_task(fresh, task_id, posting=True)
        return _task_page(fresh, ready, entered, version=fresh["version"], status=409,
                          conflict=str(STALE))
    for message in _done_messages(ready, step):
        flash(message)
    return redirect(url_for(".case", case_id=case_id))


def _ready_task(view: dict, task_id: str, posting: bool) -> dict:
    for ready in view["tasks"]:
        if ready["id"] == task_id:
            return ready
    if posting:
        raise said(Conflict(_("This task is no longer waiting: someone completed it meanwhile, or the case moved on. "
                         "Nothing was saved; open the case to see where it stands.")))
    raise said(NotFound(_("This task is not waiting in this case (it may have been completed already).")))


def _task_page(view, ready, values, *, version, errors=None, refusal=None, conflict=None, status=200):
    beside, general = fields.errors_by_field(errors, ready["form"])
    failures = [_failure_view(f, view["stage"]) for f in refusal.failures] if refusal else []
    stage = labels.stage_title(refusal.stage) if refusal else None
    return render_template("cases/task.html", case=view, task=ready, values=values, version=version,
                           errors=beside, general_errors=general, failures=failures, refused_stage=stage,
                           conflict=conflict, may_work=_may_work(ready)), status


def _may_work(ready: dict) -> bool:
    return may_work_lane(current_actor().role, ready["lane"])


def _failure_view(failure: dict, stage: str | None = None) -> dict:
    """A refused right as the refusal panel shows it: missing evidence by its labels."""
    cp = catalogue.get(failure["id"])
    names = labels.evidence_labels(cp.id)
    return {**failure, "missing_labels": [names.get(n, n) for n in failure.get("missing", [])],
            "on_failure": cp.on_failure,
            # "evidence incomplete: ..." says again what the missing labels say
            "explained": [r for r in failure.get("reasons", []) if not r.startswith("evidence incomplete")],
            "may_override": dashboards.may_override(current_actor(), cp.id, stage)}


def _done_messages(ready: dict, step) -> list[str]:
    out = [_("Done: %(task)s.", task=labels.task_title(ready))]
    if step.entered and step.stage in STAGE_BY_ID:
        out.append(_("The case is now at the stage: %(stage)s.", stage=labels.stage_title(step.stage)))
    if step.escalated:
        out.append(_("Escalated to the supervising prosecutor: %(rights)s.",
                     rights="; ".join(labels.right_name(c) for c in step.escalated)))
    if step.flagged:
        out.append(_("Marked for an admissibility ruling: %(rights)s.",
                     rights="; ".join(labels.right_name(c) for c in step.flagged)))
    return out


# ---- evidence ---------------------------------------------------------------------------------

@bp.route("/<int:case_id>/evidence/<checkpoint>", methods=["GET", "POST"])
@require(*ACTOR_ROLES)
def evidence(case_id: int, checkpoint: str):
    ctx, actor = habeas(), current_actor()
    cp = _checkpoint_or_404(checkpoint)
    view = queries.show_case(ctx, actor, case_id)
    form_fields = fields.as_dicts(cp.evidence)
    back = _back(case_id)
    if request.method == "GET":
        known = {**view["facts"], **_latest_evidence(view, cp.id)}
        return _evidence_page(view, cp, form_fields, fields.prefilled(form_fields, known), back)
    occurred = fields.local_to_utc(request.form.get("occurred_at", "")) or None
    try:
        rights.record_evidence(ctx, actor, case_id, cp.id, fields.submitted(form_fields, request.form),
                               occurred_at=occurred)
    except InvalidData as err:
        values = {**fields.entered(form_fields, request.form), "occurred_at": request.form.get("occurred_at", "")}
        return _evidence_page(view, cp, form_fields, values, back, errors=err.fields, status=422)
    flash(_("Evidence recorded: %(right)s.", right=labels.right_name(cp.id)))
    return redirect(back or url_for(".case", case_id=case_id, _anchor="rights"))


def _evidence_page(view, cp, form_fields, values, back, errors=None, status=200):
    occurred = {"name": "occurred_at", "type": "datetime", "required": cp.occurred_field is None,
                "label": _("When did it happen"),
                "help": _("The moment the fact happened, not the moment you fill in this form.")
                        + (" " + _("Leave empty to use “%(field)s”.", field=_label(cp, cp.occurred_field))
                           if cp.occurred_field else "")}
    beside, general = fields.errors_by_field(errors, form_fields + [occurred])
    current = next((item for item in view["checkpoints"] if item["id"] == cp.id), None)
    return render_template("cases/evidence.html", case=view, checkpoint=cp, current=current,
                           form_fields=form_fields, occurred=occurred, values=values, errors=beside,
                           general_errors=general, back=back), status


def _label(cp, name: str) -> str:
    return labels.evidence_labels(cp.id).get(name, name)


def _latest_evidence(view: dict, checkpoint_id: str) -> dict:
    rows = [row for row in view["evidence"] if row["checkpoint"] == checkpoint_id]
    return dict(rows[-1]["data"]) if rows else {}


def _checkpoint_or_404(checkpoint_id: str):
    if checkpoint_id not in catalogue.CATALOGUE:
        raise said(NotFound(_("There is no such right in the catalogue.")))
    return catalogue.get(checkpoint_id)


def _back(case_id: int) -> str | None:
    """Where to go after recording evidence: only back into this case (for example to the task
    that was refused), never elsewhere."""
    target = request.values.get("next") or ""
    prefix = url_for(".case", case_id=case_id)
    return target if target.startswith(prefix + "/") and "//" not in target and "\\" not in target else None


# ---- overrides and escalations ----------------------------------------------------------------

@bp.route("/<int:case_id>/overrides/<checkpoint>", methods=["GET", "POST"])
@require("supervising_prosecutor", "judge")  # the court overrides at the court stages
def override(case_id: int, checkpoint: str):
    ctx, actor = habeas(), current_actor()
    cp = _checkpoint_or_404(checkpoint)
    view = queries.show_case(ctx, actor, case_id)
    values = {"reason": request.form.get("reason", ""), "legal_ground": request.form.get("legal_ground", "")}
    if request.method == "GET":
        return _override_page(view, cp, values, back=_back(case_id))
    try:
        rights.override(ctx, actor, case_id, cp.id, values["reason"], values["legal_ground"])
    except InvalidData as err:
        return _override_page(view, cp, values, back=_back(case_id), errors=err.fields, status=422)
    flash(_("Override recorded for the next entry it guards: %(right)s. It counts against compliance.",
            right=labels.right_name(cp.id)))
    return redirect(_back(case_id) or url_for(".case", case_id=case_id, _anchor="rights"))


def _override_page(view, cp, values, back, errors=None, status=200):
    return render_template("cases/override.html", case=view, checkpoint=cp, values=values, back=back,
                           errors=errors or {}, allowed=dashboards.may_override(current_actor(), cp.id, view["stage"])), status


@bp.post("/<int:case_id>/escalations/<int:escalation_id>/resolve")
@require("supervising_prosecutor")
def resolve_escalation(case_id: int, escalation_id: int):
    ctx, actor = habeas(), current_actor()
    view = queries.show_case(ctx, actor, case_id)
    if not any(e["id"] == escalation_id for e in view["escalations"]):
        abort(404)
    try:
        rights.resolve_escalation(ctx, actor, escalation_id, request.form.get("resolution", ""))
    except InvalidData as err:
        flash(_("Not resolved: write how the escalation was resolved."))
    else:
        flash(_("The escalation is resolved."))
    return redirect(url_for(".case", case_id=case_id, _anchor="escalations"))
