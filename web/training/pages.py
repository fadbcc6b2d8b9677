"""The training pages: thin translations between HTML forms and the training service."""
from flask import Response, flash, redirect, render_template, request, url_for

from engine.domain import catalogue, roles
from engine.domain.errors import HabeasError
from engine.services import training

from ..auth import current_actor, require
from ..cases.fields import submitted
from ..extensions import habeas
from . import bp

PLAYERS = (roles.TRAINEE, roles.TRAINER)


@bp.get("/")
@require(*PLAYERS)
def index():
    actor = current_actor()
    return render_template("training/index.html", scenarios=training.list_scenarios(actor),
                           runs=training.my_runs(habeas(), actor))


@bp.get("/scenarios/<scenario_id>")
@require(roles.TRAINER)
def scenario(scenario_id):
    """A trainer reviews a scenario whole: the expected outcomes, their reasoning and both walks."""
    return render_template("training/scenario.html", s=training.read_scenario(current_actor(), scenario_id))


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
        result = training.play(habeas(), current_actor(), case_id, step)
        flash("Done.")
    except HabeasError as err:
        flash(f"Refused: {err.message}")
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
    "release": [{"name": "released_at", "type": "datetime", "required": False, "label": "Released at"},
                {"name": "ground", "type": "text", "required": True, "label": "Ground of release"}],
    "derogate": [{"name": "ground", "type": "choice", "required": True, "label": "Ground (Directive 2013/48 art 3(6))",
                  "choices": ["urgent_risk_to_life_liberty_or_physical_integrity",
                              "prevent_substantial_jeopardy_to_proceedings"]},
                 {"name": "reason", "type": "text", "required": True, "label": "Written reasons"}],
    "override": [{"name": "checkpoint", "type": "choice", "required": True, "label": "Right",
                  "choices": sorted(catalogue.CATALOGUE)},
                 {"name": "reason", "type": "text", "required": True, "label": "Reason"},
                 {"name": "legal_ground", "type": "string", "required": True, "label": "Legal ground"}],
    "extend_custody": [{"name": n, "type": t, "required": True, "label": n.replace("_", " ").capitalize()}
                       for n, t in (("petition_at", "datetime"), ("ordered_at", "datetime"),
                                    ("extended_until", "datetime"), ("order_number", "string"),
                                    ("reasons", "text"), ("alternatives_considered", "text"))],
}
ACT_TITLES = {"release": "Release the person", "derogate": "Derogate from counsel (supervising prosecutor)",
              "override": "Override a right (with a legal ground)", "extend_custody": "Extend custody (judge)"}


@bp.post("/cases/<int:case_id>/acts/<kind>")
@require(*PLAYERS)
def act(case_id, kind):
    """Release, derogation, override or custody extension: the same step as over the API."""
    fields = ACTS.get(kind)
    if fields is None:
        flash(f"Refused: no act '{kind}'; one of: {', '.join(ACTS)}")
        return redirect(url_for("training.case", case_id=case_id))
    data = submitted(fields, request.form)
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


@bp.get("/cohort.csv")
@require(roles.TRAINER)
def cohort_csv():
    rows = training.cohort(habeas(), current_actor())
    return Response(training.cohort_csv(rows), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=training-cohort.csv"})


@bp.route("/jurors", methods=["GET", "POST"])
@require(*PLAYERS)
def jurors():
    actor = current_actor()
    graded = training.grade_juror(actor, request.form.to_dict()) if request.method == "POST" else None
    return render_template("training/jurors.html", module=training.juror_module(actor), graded=graded)
