"""The forms that change a case: complete a task, record a right's evidence, override a block,
resolve an escalation.  A refused act re-renders its form with what was entered and why it was
refused; nothing is changed by a refusal.  Defence lawyers complete only the tasks of their own
lane (lodging the appeal); they never record evidence here."""
import json

from flask import abort, flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _, lazy_gettext as _l

from engine.domain import catalogue
from engine.domain.errors import CheckpointBlocked, Conflict, HabeasError, InvalidData, NotFound
from engine.domain.roles import may_work_lane
from engine.domain.stages import STAGE_BY_ID
from engine.services import cases, dashboards, previews, queries, rights

from ..auth import current_actor, require
from ..extensions import habeas
from ..i18n import labels, said
from . import bp, fields
from .pages import ACTOR_ROLES

STALE = _l("Someone else changed the case after you opened this form. Nothing was saved. "
           "Check the case page for what changed, then submit again.")


# ---- tasks ------------------------------------------------------------------------------------

DRAFT = "task_draft"      # what was typed in a task form, kept until the task is done
DRAFT_LIMIT = 3000        # characters: the session travels in a cookie


@bp.route("/<int:case_id>/tasks/<task_id>", methods=["GET", "POST"])
@require(*ACTOR_ROLES, "defence")
def task(case_id: int, task_id: str):
    ctx, actor = habeas(), current_actor()
    view = queries.show_case(ctx, actor, case_id)
    ready = _ready_task(view, task_id, posting=request.method == "POST")
    form = form_of(ready)
    if request.method == "GET":
        draft = _draft(case_id, task_id)
        values = {**fields.prefilled(form, view["facts"]), **_known(ready, form), **(draft or {})}
        return _task_page(view, ready, form, values, version=view["version"], restored=draft is not None)
    entered = fields.entered(form, request.form)
    _keep_draft(case_id, task_id, entered)
    version = request.form.get("version", type=int)
    if version is None:
        return _task_page(view, ready, form, entered, version=view["version"], status=409,
                          conflict=_("The form did not say which version of the case it was filled in on. "
                                     "Nothing was saved. Check the case, then submit again."))
    try:
        step = cases.complete_task(ctx, actor, case_id, task_id, fields.submitted(form, request.form),
                                   expected_version=version)
    except InvalidData as err:
        return _task_page(view, ready, form, entered, version=version, errors=err.fields, status=422)
    except CheckpointBlocked as err:
        return _task_page(view, ready, form, entered, version=version, refusal=err, status=409)
    except Conflict:
        fresh = queries.show_case(ctx, actor, case_id)
        ready = _ready_task(fresh, task_id, posting=True)
        return _task_page(fresh, ready, form_of(ready), entered, version=fresh["version"], status=409,
                          conflict=str(STALE))
    _drop_draft()
    for message in _done_messages(ready, step):
        flash(message)
    return redirect(url_for(".case", case_id=case_id))


@bp.post("/<int:case_id>/tasks/<task_id>/check")
@require(*ACTOR_ROLES, "defence")
def task_check(case_id: int, task_id: str):
    """The checklist for what the form holds now (the page calls this as the form changes), and
    the entries kept: leaving for an evidence form and coming back finds them again."""
    ctx, actor = habeas(), current_actor()
    view = queries.show_case(ctx, actor, case_id)  # who may not read the case is refused here
    try:
        ready = _ready_task(view, task_id, posting=True)
    except (Conflict, NotFound) as err:
        return jsonify({"error": err.code, "message": str(err.message)}), 409
    form = form_of(ready)
    entered = fields.entered(form, request.form)
    _keep_draft(case_id, task_id, entered)
    checklist = _checklist(view, ready, form, entered)
    if checklist is None:
        return jsonify({"error": "unavailable"}), 409
    html = render_template("cases/_checklist.html", checklist=checklist, case=view, task=ready)
    return jsonify({"html": html, "blocked": checklist["blocked"], "open": checklist["open"]})


@bp.post("/<int:case_id>/tasks/<task_id>/evidence/<checkpoint>")
@require(*ACTOR_ROLES)
def task_evidence(case_id: int, task_id: str, checkpoint: str):
    """Record a right's evidence from the task page itself: the task form posts here whole, so
    what was typed in it is kept (as a draft) and shown again with the right now recorded."""
    ctx, actor = habeas(), current_actor()
    cp = _checkpoint_or_404(checkpoint)
    view = queries.show_case(ctx, actor, case_id)
    ready = _ready_task(view, task_id, posting=True)
    form = form_of(ready)
    entered = fields.entered(form, request.form)
    kept = _keep_draft(case_id, task_id, entered)
    prefix = evidence_prefix(cp.id)
    own = {name[len(prefix):]: value for name, value in request.form.items() if name.startswith(prefix)}
    ev_fields = fields.as_dicts(cp.evidence)
    occurred = fields.local_to_utc(own.get("occurred_at", "")) or None
    try:
        rights.record_evidence(ctx, actor, case_id, cp.id, fields.submitted(ev_fields, own), occurred_at=occurred)
    except InvalidData as err:
        typed = {**fields.entered(ev_fields, own), "occurred_at": own.get("occurred_at", "")}
        return _task_page(view, ready, form, entered, version=request.form.get("version", type=int) or view["version"],
                          evidence_errors={cp.id: err.fields}, evidence_values={cp.id: typed}, status=422)
    message = _("Evidence recorded: %(right)s.", right=labels.right_name(cp.id))
    if not kept:  # too long for the session: shown again from this very request
        fresh = queries.show_case(ctx, actor, case_id)
        ready = _ready_task(fresh, task_id, posting=True)
        return _task_page(fresh, ready, form_of(ready), entered, version=fresh["version"], notice=message)
    flash(message)
    return redirect(url_for(".task", case_id=case_id, task_id=task_id))


def evidence_prefix(checkpoint_id: str) -> str:
    return f"ev-{checkpoint_id}-"


def form_of(ready: dict) -> list[dict]:
    """The task's form as the page shows it: an approval's yes/no is an explicit choice, never
    an unticked box read as a refusal."""
    form = [dict(f) for f in ready["form"]]
    if ready.get("act") == "approval":
        for f in form:
            if f["name"] == "approved" and f["type"] == "boolean":
                f["widget"] = fields.DECISION
        # read in the order a decision is taken: what is decided, the choice, then its reasons
        reasons = [f for f in form if f["name"] == "refusal_reasons"]
        rest = [f for f in form if f["name"] != "refusal_reasons"]
        at = next((i + 1 for i, f in enumerate(rest) if f.get("widget") == fields.DECISION), len(rest))
        form = rest[:at] + reasons + rest[at:]
    return form


def _known(ready: dict, form: list[dict]) -> dict:
    """What the system knows for a decision, so nobody retypes it: who decides (the logged-in
    prosecutor) and when (now, to be corrected if the decision was taken earlier)."""
    if ready.get("act") != "approval":
        return {}
    names = {f["name"] for f in form}
    # the decision itself is never prefilled, not even from an earlier round's refusal
    known = {name: None for name in ("approved", "refusal_reasons") if name in names}
    if "approved_by" in names:
        known["approved_by"] = current_actor().username
    if "approved_at" in names:
        known["approved_at"] = fields.utc_to_local(habeas().now().isoformat())
    return known


def _draft_key(case_id: int, task_id: str) -> str:
    return f"{session.get('user', '')}/{case_id}/{task_id}"  # one person's draft, never another's


def _keep_draft(case_id: int, task_id: str, values: dict) -> bool:
    """Keep one draft (the latest task's) in the session; False when too long to keep."""
    if len(json.dumps(values, default=str)) > DRAFT_LIMIT:
        session.pop(DRAFT, None)
        return False
    session[DRAFT] = {"key": _draft_key(case_id, task_id), "values": values}
    return True


def _draft(case_id: int, task_id: str) -> dict | None:
    draft = session.get(DRAFT)
    if isinstance(draft, dict) and draft.get("key") == _draft_key(case_id, task_id):
        return draft.get("values") or {}
    return None


def _drop_draft() -> None:
    session.pop(DRAFT, None)


def _ready_task(view: dict, task_id: str, posting: bool) -> dict:
    for ready in view["tasks"]:
        if ready["id"] == task_id:
            return ready
    if posting:
        raise said(Conflict(_("This task is no longer waiting: someone completed it meanwhile, or the case moved on. "
                         "Nothing was saved; open the case to see where it stands.")))
    raise said(NotFound(_("This task is not waiting in this case (it may have been completed already).")))


def _task_page(view, ready, form, values, *, version, errors=None, refusal=None, conflict=None, status=200,
               restored=False, evidence_errors=None, evidence_values=None, notice=None):
    beside, general = fields.errors_by_field(errors, form)
    failures = [_failure_view(f, view["stage"], ready, form) for f in refusal.failures] if refusal else []
    notes = {}
    for f in failures:
        for name in f["fix_here"]:
            notes.setdefault(name, []).append(labels.reason(f["explained"][0], f["id"]) if f["explained"]
                                              else _("Check this entry: “%(right)s” is not shown respected.",
                                                     right=labels.right_name(f["id"])))
    stage = labels.stage_title(refusal.stage) if refusal else None
    checklist = _checklist(view, ready, form, values) if _may_work(ready) else None
    panels = _evidence_panels(checklist, evidence_values or {}, evidence_errors or {}) if checklist else []
    return render_template("cases/task.html", case=view, task=ready, form=form, values=values, version=version,
                           errors=beside, general_errors=general, failures=failures, refused_stage=stage,
                           conflict=conflict, may_work=_may_work(ready), checklist=checklist, panels=panels,
                           notes=notes, restored=restored, notice=notice,
                           earlier_refusal=_earlier_refusal(view, ready),
                           summary=_error_summary(beside, general, failures, evidence_errors or {}, form)), status


def _checklist(view, ready, form, values) -> dict | None:
    """The rights this act needs, as the engine reads them for what the form holds now."""
    try:
        found = previews.what_would_block(habeas(), current_actor(), view["id"], ready["id"],
                                          fields.submitted(form, values))
    except HabeasError:
        return None
    items = []
    for item in found["items"]:
        names = labels.evidence_labels(item["id"])
        items.append({**item, "in_form_labels": [(n, names.get(n, n)) for n in item.get("in_form", [])],
                      "elsewhere_labels": [names.get(n, n) for n in item.get("elsewhere", [])],
                      "recordable": item["id"] in catalogue.CATALOGUE and item["id"] != "complaint_review"
                                    and not item.get("satisfied") and bool(item.get("elsewhere") or not item.get("in_form"))})
    items.sort(key=lambda i: (not i["blocks"], i.get("satisfied", False)))
    return {"items": items, "blocked": found["blocked"], "stage": found["stage"], "entering": found["entering"],
            "open": [i["id"] for i in items if i["recordable"]]}


def _evidence_panels(checklist: dict, typed: dict, errors: dict) -> list[dict]:
    """An evidence form per right the act still needs that this form does not record; only for
    those who record evidence (not defence counsel)."""
    if current_actor().role not in ACTOR_ROLES:
        return []
    out = []
    for item in checklist["items"]:
        if not item["recordable"] or item["id"] in {p["id"] for p in out}:
            continue
        cp = catalogue.get(item["id"])
        occurred = {"name": "occurred_at", "type": "datetime", "required": cp.occurred_field is None,
                    "label": _("When did it happen"),
                    "help": _("The moment the fact happened, not the moment you fill in this form.")
                            + (" " + _("Leave empty to use “%(field)s”.", field=_label(cp, cp.occurred_field))
                               if cp.occurred_field else "")}
        beside, general = fields.errors_by_field(errors.get(cp.id), fields.as_dicts(cp.evidence) + [occurred])
        out.append({"id": cp.id, "fields": fields.as_dicts(cp.evidence), "occurred": occurred,
                    "values": typed.get(cp.id, {}), "errors": beside, "general": general,
                    "prefix": evidence_prefix(cp.id), "open": cp.id in errors})
    return out


def _earlier_refusal(view: dict, ready: dict) -> dict | None:
    """On a redraft, the prosecutor's refusal of the previous draft: who, when, and why."""
    facts = view["facts"] or {}
    if ready.get("act") != "qualification" or facts.get("approved") is not False:
        return None
    return {"reasons": facts.get("refusal_reasons") or "", "by": facts.get("approved_by") or "",
            "at": facts.get("approved_at"), "decision_number": facts.get("decision_number") or ""}


def _error_summary(beside: dict, general: list, failures: list, evidence_errors: dict, form: list[dict]) -> list[dict]:
    """Every problem of a refused or invalid submit, each a link to where it is fixed."""
    titles = {f["name"]: labels.field_label(f) for f in form}
    out = [{"href": f"#f-{name}", "text": titles.get(name, name), "messages": messages}
           for name, messages in beside.items()]
    out += [{"href": "", "text": m, "messages": []} for m in general]
    for f in failures:
        target = f"#f-{f['fix_here'][0]}" if f["fix_here"] else f"#missing-{f['id']}"
        out.append({"href": target, "text": labels.right_name(f["id"]), "messages": [], "right": True})
    for cid, errs in evidence_errors.items():
        names = {**labels.evidence_labels(cid), "occurred_at": _("When did it happen")}
        for name, messages in errs.items():
            out.append({"href": f"#f-{evidence_prefix(cid)}{name}", "text": names.get(name, name), "messages": messages})
    return out


def _may_work(ready: dict) -> bool:
    return may_work_lane(current_actor().role, ready["lane"])


def _failure_view(failure: dict, stage: str | None = None, ready: dict | None = None,
                  form: list[dict] | None = None) -> dict:
    """A refused right as the refusal panel shows it: missing evidence by its labels, and, when
    this very form records the right (a hearing's times), the fields to correct here."""
    cp = catalogue.get(failure["id"])
    names = labels.evidence_labels(cp.id)
    own = {f["name"] for f in form or ()}
    fix_here = []
    if ready is not None and cp.id in (ready.get("evidence") or ()):  # this form records the right
        fix_here = [n for n in failure.get("missing", []) if n in own]
        fix_here += [catalogue.FORM_CORRECTIONS[r] for r in failure.get("reasons", [])
                     if catalogue.FORM_CORRECTIONS.get(r) in own and catalogue.FORM_CORRECTIONS[r] not in fix_here]
    return {**failure, "missing_labels": [names.get(n, n) for n in failure.get("missing", [])],
            "on_failure": cp.on_failure, "fix_here": fix_here,
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
