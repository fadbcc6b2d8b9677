"""What the defence (and officials) file about a case from its page: a complaint about an act
(CPC 105-106), an ill-treatment allegation (UNCAT 12-13), a request to read the file.  A bad
entry re-renders the form with each field's error (422) and nothing is recorded."""
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.domain import acts as act_kinds
from engine.domain.errors import InvalidData
from engine.services import allegations, complaints, file_access, queries

from ..auth import current_actor, require
from ..extensions import habeas
from ..i18n import labels
from . import bp, fields


def N_(english: str) -> str:
    """Marks a form's label or help for the catalogues; ``labels.field_label`` translates it."""
    return english


COMPLAINT_FORM = [
    {"name": "act_complained_of", "type": "text", "required": True, "label": N_("Act complained of"),
     "help": N_("Which act or decision, by whom, and why it is unlawful")},
    {"name": "about_act", "type": "choice", "required": False, "label": N_("Kind of act"),
     "help": N_("A detention act (apprehension, custody decision or extension) challenges the lawfulness of detention"),
     "choices": sorted(act_kinds.ACT_KINDS)},
    {"name": "learned_of_act_at", "type": "datetime", "required": True, "label": N_("Learned of the act at"),
     "help": N_("The complainant's 15 days run from it")},
    {"name": "complaint_challenges_detention", "type": "boolean", "required": False,
     "label": N_("Challenges the lawfulness of a detention"), "help": ""},
    {"name": "complainant", "type": "choice", "required": False, "label": N_("Complainant"), "help": "",
     "choices": list(complaints.COMPLAINANTS)},
    {"name": "addressed_to", "type": "choice", "required": False, "label": N_("Addressed to"),
     "help": N_("The investigating judge (default), or the prosecutor for an act of the investigator (CPC 105)"),
     "choices": list(complaints.ROUTES)},
]
ALLEGATION_FORM = [
    {"name": "description", "type": "text", "required": True, "label": N_("What is alleged"),
     "help": N_("What happened, by whom, when and where")},
    {"name": "alleged_at", "type": "datetime", "required": False, "label": N_("Alleged at"),
     "help": N_("When the allegation was made; now if left empty")},
    {"name": "made_by", "type": "choice", "required": False, "label": N_("Made by"), "help": "",
     "choices": list(allegations.MADE_BY)},
    {"name": "period_from", "type": "datetime", "required": False, "label": N_("Period from"), "help": ""},
    {"name": "period_to", "type": "datetime", "required": False, "label": N_("Period to"), "help": ""},
]
FILERS = tuple(sorted(complaints.FILERS))
FORMS = (COMPLAINT_FORM, ALLEGATION_FORM)  # their choices reach the catalogues via web.i18n.terms


@bp.route("/<int:case_id>/complaints/new", methods=["GET", "POST"])
@require(*FILERS)
def file_complaint(case_id: int):
    return _filing(case_id, _("File a complaint"), complaints.BASIS, COMPLAINT_FORM,
                   lambda ctx, actor, data: complaints.file(ctx, actor, case_id, data),
                   lambda result: _("Complaint filed: %(number)s; ruling due %(due)s.", number=result["number"],
                                    due=_local(result["ruling_due_at"])))


@bp.route("/<int:case_id>/allegations/new", methods=["GET", "POST"])
@require(*sorted(allegations.RECORDERS))
def record_allegation(case_id: int):
    return _filing(case_id, _("Record an ill-treatment allegation"), allegations.BASIS, ALLEGATION_FORM,
                   lambda ctx, actor, data: allegations.record(ctx, actor, case_id, data),
                   lambda result: _("Allegation recorded; referral due %(due)s. Questioning waits for a medical "
                                    "examination.", due=_local(result["referral_due_at"])))


@bp.post("/<int:case_id>/allegations/<int:allegation_id>/referral")
@require(*sorted(allegations.REFERRERS))
def refer_allegation(case_id: int, allegation_id: int):
    data = {"referred_to": request.form.get("referred_to", ""),
            "referred_at": fields.local_to_utc(request.form.get("referred_at", "")) or None}
    try:
        result = allegations.refer(habeas(), current_actor(), case_id, allegation_id, data)
    except InvalidData as err:
        flash(_("Not recorded: %(reason)s", reason="; ".join(
            f"{_field_name(name)}: {' '.join(labels.field_error(m) for m in messages)}"
            for name, messages in err.fields.items())))
    else:
        flash(_("Allegation referred to %(body)s (after its deadline).", body=result["referred_to"]) if result["late"]
              else _("Allegation referred to %(body)s.", body=result["referred_to"]))
    return redirect(url_for(".case", case_id=case_id, _anchor="complaints"))


@bp.post("/<int:case_id>/file-access-requests")
@require("defence")
def request_file_access(case_id: int):
    file_access.request_access(habeas(), current_actor(), case_id, request.form.get("note", ""))
    flash(_("Your request to read the case file was sent to the investigator."))
    return redirect(url_for(".case", case_id=case_id))


def _filing(case_id, title, basis, form, act, done):
    ctx, actor = habeas(), current_actor()
    view = queries.show_case(ctx, actor, case_id)
    if request.method == "GET":
        return _page(view, title, basis, form, {}, {})
    data = _submitted(form)
    try:
        result = act(ctx, actor, data)
    except InvalidData as err:
        values = {f["name"]: request.form.get(f["name"], "") for f in form}
        return _page(view, title, basis, form, values, err.fields, 422)
    flash(done(result))
    return redirect(url_for(".case", case_id=case_id))


def _local(iso: str | None) -> str:
    """A deadline as people read it: dd.mm.yyyy hh:mm in the configured zone."""
    return current_app.jinja_env.filters["localtime"](iso)


REFERRAL_FIELDS = {"referred_to": N_("Referred to"), "referred_at": N_("Referred at"),
                   "allegation": N_("Allegation")}


def _field_name(name: str) -> str:
    return labels.text(REFERRAL_FIELDS[name]) if name in REFERRAL_FIELDS else name


def _submitted(form) -> dict:
    out = {}
    for f in form:
        raw = request.form.get(f["name"], "")
        if f["type"] == "boolean":
            out[f["name"]] = raw in ("on", "true")
        elif f["type"] == "datetime":
            out[f["name"]] = fields.local_to_utc(raw) or None
        else:
            out[f["name"]] = raw.strip() or None
    return out


def _page(view, title, basis, form, values, errors, status=200):
    beside, general = fields.errors_by_field(errors, form)
    return render_template("cases/filing.html", case=view, title=title, basis=basis, form=form, values=values,
                           errors=beside, general_errors=general), status
