"""The training pages: thin translations between HTML forms and the training service."""
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l

from engine.domain import catalogue, roles
from engine.domain.errors import HabeasError
from engine.services import training

from ..auth import current_actor, require
from ..cases.fields import submitted
from ..extensions import habeas
from ..filters import error_message
from ..i18n.scripts import N_
from . import bp, exports

PLAYERS = (roles.TRAINEE, roles.TRAINER)


@bp.get("/")
@require(*PLAYERS)
def index():
    actor = current_actor()
    found = training.list_scenarios(actor)
    return render_template("training/index.html", scenarios=found, runs=training.my_runs(habeas(), actor),
                           scenario_titles={s["id"]: s["title"] for s in found})


@bp.get("/scenarios/<scenario_id>")
@require(roles.TRAINER)
def scenario(scenario_id):
    """A trainer reviews a scenario whole: the expected outcomes, their reasoning and both walks."""
    return render_template("training/scenario.html", s=training.read_scenario(current_actor(), scenario_id),
                           tasks=training.task_titles(habeas(), scenario_id))


@bp.post("/scenarios/<scenario_id>/start")
@require(*PLAYERS)
def start(scenario_id):
    started = training.start(habeas(), current_actor(), scenario_id)
    return redirect(url_for("training.case", case_id=started["case"]))


@bp.get("/cases/<int:case_id>")
@require(*PLAYERS)
def case(case_id):
    view = training.view(habeas(), current_actor(), case_id)
    rights = [catalogue.get(r["right"]) for r in view["scenario"]["rights"]]
    return render_template("training/case.html", view=view, case=view["case"], rights=rights,
                           evidence_fields={cp.id: [f.to_dict() for f in cp.evidence] for cp in rights},
                           acts=ACTS, act_titles=ACT_TITLES)


def _play(case_id, step):
    try:
        training.play(habeas(), current_actor(), case_id, step)
        flash(_("Done."))
    except HabeasError as err:
        flash(_("Refused: %(reason)s", reason=error_message(err)))
    return redirect(url_for("training.case", case_id=case_id))


@bp.post("/cases/<int:case_id>/tasks/<task_name>")
@require(*PLAYERS)
def task(case_id, task_name):
    view = training.view(habeas(), current_actor(), case_id)
    found = next((t for t in view["case"]["tasks"] if t["name"] == task_name), None)
    data = submitted(found["form"], request.form) if found else {}
    return _play(case_id, {"do": "complete", "task": task_name, "data": data})


@bp.post("/cases/<int:case_id>/evidence/<checkpoint>")
@require(*PLAYERS)
def evidence(case_id, checkpoint):
    cp = catalogue.CATALOGUE.get(checkpoint)
    data = submitted([f.to_dict() for f in cp.evidence], request.form) if cp else {}
    step = {"do": "evidence", "checkpoint": checkpoint, "data": data}
    if request.form.get("act"):
        step["act"] = request.form["act"]
    return _play(case_id, step)


# the acts the engine offers beside the diagram, as form fields (engine.services.procedure)
ACTS = {
    "release": [{"name": "released_at", "type": "datetime", "required": False, "label": N_("Released at")},
                {"name": "ground", "type": "text", "required": True, "label": N_("Ground of release")}],
    "derogate": [{"name": "derogation_ground", "type": "choice", "required": True,
                  "label": N_("Ground (Directive 2013/48 art 3(6))"),
                  "choices": ["urgent_risk_to_life_liberty_or_physical_integrity",
                              "prevent_substantial_jeopardy_to_proceedings"]},
                 {"name": "reason", "type": "text", "required": True, "label": N_("Written reasons")}],
    "override": [{"name": "checkpoint", "type": "choice", "required": True, "label": N_("Right"),
                  "choices": sorted(catalogue.CATALOGUE)},
                 {"name": "reason", "type": "text", "required": True, "label": N_("Reason")},
                 {"name": "legal_ground", "type": "string", "required": True, "label": N_("Legal ground")}],
    "extend_custody": [{"name": "petition_at", "type": "datetime", "required": True, "label": N_("Petition at")},
                       {"name": "ordered_at", "type": "datetime", "required": True, "label": N_("Ordered at")},
                       {"name": "extended_until", "type": "datetime", "required": True,
                        "label": N_("Extended until")},
                       {"name": "order_number", "type": "string", "required": True, "label": N_("Order number")},
                       {"name": "reasons", "type": "text", "required": True, "label": N_("Reasons")},
                       {"name": "alternatives_considered", "type": "text", "required": True,
                        "label": N_("Alternatives considered")}],
    "refer": [{"name": "referred_to", "type": "string", "required": True,
               "label": N_("Referred to (the body that checks the allegation independently)")}],
}
ACT_TITLES = {"release": _l("Release the person"), "derogate": _l("Derogate from counsel (supervising prosecutor)"),
              "override": _l("Override a right (with a legal ground)"), "extend_custody": _l("Extend custody (judge)"),
              "refer": _l("Refer an ill-treatment allegation (prosecutor)")}


@bp.post("/cases/<int:case_id>/acts/<kind>")
@require(*PLAYERS)
def act(case_id, kind):
    """Release, derogation, override, custody extension or referral: the same step as over the API."""
    fields = ACTS.get(kind)
    if fields is None:
        flash(_("Refused: no such act."))
        return redirect(url_for("training.case", case_id=case_id))
    data = submitted(fields, request.form)
    if kind == "derogate":  # the field is named as on the case page, whose choices it shares
        data["ground"] = data.pop("derogation_ground", None)
    step = {"do": kind, "data": data} if kind == "extend_custody" else {"do": kind, **data}
    return _play(case_id, step)


@bp.post("/cases/<int:case_id>/advance")
@require(*PLAYERS)
def advance(case_id):
    try:
        hours = float(request.form.get("hours", ""))
    except ValueError:
        hours = 0
    return _play(case_id, {"do": "advance", "hours": hours})


@bp.post("/cases/<int:case_id>/finish")
@require(*PLAYERS)
def finish(case_id):
    training.finish(habeas(), current_actor(), case_id)
    return redirect(url_for("training.debrief", case_id=case_id))


@bp.get("/cases/<int:case_id>/debrief")
@require(*PLAYERS)
def debrief(case_id):
    return render_template("training/debrief.html", d=training.debrief(habeas(), current_actor(), case_id))


@bp.get("/progress")
@require(roles.TRAINER)
def progress():
    actor = current_actor()
    return render_template("training/progress.html", progress=training.progress(habeas(), actor),
                           cohort=training.cohort(habeas(), actor))


@bp.get("/export.<format>")
@require(roles.TRAINER)
def export(format):
    """The trainers' reports as a file: XLSX (both tables) or CSV (one table, comma or semicolon)."""
    actor = current_actor()
    tables = {"progress": training.progress(habeas(), actor), "cohort": training.cohort(habeas(), actor)}
    if format == "xlsx":
        return Response(exports.to_xlsx(tables), headers={"Content-Disposition": "attachment; filename=training.xlsx"},
                        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    table, separator = request.args.get("table", "cohort"), request.args.get("separator", "comma")
    if format != "csv" or table not in tables or separator not in exports.SEPARATORS:
        abort(404)
    return Response(exports.to_csv(tables[table], table, separator), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename=training-{table}.csv"})


@bp.route("/jurors", methods=["GET", "POST"])
@require(*PLAYERS)
def jurors():
    actor = current_actor()
    graded = training.grade_juror(actor, request.form.to_dict()) if request.method == "POST" else None
    return render_template("training/jurors.html", module=training.juror_module(actor), graded=graded)
