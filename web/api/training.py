"""Training over the API: the scenario library, practice cases played step by step on their
virtual clock, the debrief, the trainers' reports and the jurors' module.  Only trainees and
trainers come here; no live case is ever reachable through these endpoints."""
from flask import Response, jsonify, url_for
from marshmallow import Schema, fields, validate

from engine.domain import roles
from engine.services import training

from ..auth import current_actor, require
from ..extensions import habeas
from ..training import exports
from . import bp
from .docs import operation
from .http import existing_id, json_body, query_args

PLAYERS = (roles.TRAINEE, roles.TRAINER)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class StepRequest(Schema):
    step = fields.Dict(required=True, metadata={"description": "one step: {do: complete|evidence|advance|"
                                                                "release|derogate|override|extend_custody|"
                                                                "requalify|refer, ...}"})


class AnswersRequest(Schema):
    answers = fields.Dict(keys=fields.String(), values=fields.Raw(), required=True)


class FormatQuery(Schema):
    format = fields.String(load_default="json", validate=validate.OneOf(("json", "csv", "xlsx")))
    separator = fields.String(load_default="comma", validate=validate.OneOf(tuple(exports.SEPARATORS)),
                              metadata={"description": "CSV only: comma, or semicolon for Excel set to Russian or Kazakh"})


def _dump(body, status=200, **headers):
    """The service's answer as JSON (its shape is documented in README, "Training mode")."""
    response = jsonify(body)
    response.status_code = status
    response.headers.update(headers)
    return response


@bp.get("/training/scenarios")
@require(*PLAYERS)
@operation("List training scenarios", tag="training", responses={200: (None, "the scenario library")})
def training_scenarios():
    return _dump({"items": training.list_scenarios(current_actor())})


@bp.get("/training/scenarios/<scenario_id>")
@require(*PLAYERS)
@operation("Read a training scenario", tag="training",
           responses={200: (None, "a trainer gets the whole scenario; a trainee its briefing, without the answers")})
def training_scenario(scenario_id):
    return _dump(training.read_scenario(current_actor(), scenario_id))


@bp.post("/training/scenarios/<scenario_id>/start")
@require(*PLAYERS)
@operation("Start a practice case", tag="training", responses={201: (None, "the practice case")},
           description="Opens the scenario's case, marked training from creation, on its own virtual clock.")
def training_start(scenario_id):
    started = training.start(habeas(), current_actor(), scenario_id)
    return _dump(training.view(habeas(), current_actor(), started["case"]), 201,
                 Location=url_for("api.training_case", case_id=started["case"]))


@bp.get("/training/cases")
@require(*PLAYERS)
@operation("My practice cases", tag="training", responses={200: (None, "runs, newest first")})
def training_cases():
    return _dump({"items": training.my_runs(habeas(), current_actor())})


@bp.get("/training/cases/<int:case_id>")
@require(*PLAYERS)
@operation("Read a practice case", tag="training", responses={200: (None, "the case at its virtual now")})
def training_case(case_id):
    return _dump(training.view(habeas(), current_actor(), existing_id(case_id, "training case")))


@bp.post("/training/cases/<int:case_id>/steps")
@require(roles.TRAINEE, roles.TRAINER)
@operation("Play one step", tag="training", body=StepRequest, responses={200: (None, "what the step did")},
           errors=((409, None, "checkpoint_blocked: the engine refused the act, as it would at work"),),
           description="Completes a task, records evidence, advances the virtual clock, releases, derogates, "
                       "overrides or extends custody, through the ordinary services.")
def training_step(case_id):
    body = json_body(StepRequest())
    return _dump(training.play(habeas(), current_actor(), existing_id(case_id, "training case"), body["step"]))


@bp.get("/training/cases/<int:case_id>/debrief")
@require(*PLAYERS)
@operation("Debrief", tag="training", responses={200: (None, "feedback per right, score, both walks")})
def training_debrief(case_id):
    return _dump(training.debrief(habeas(), current_actor(), existing_id(case_id, "training case")))


@bp.post("/training/cases/<int:case_id>/finish")
@require(*PLAYERS)
@operation("Finish a practice case", tag="training", responses={200: (None, "the debrief; the score is kept")})
def training_finish(case_id):
    return _dump(training.finish(habeas(), current_actor(), existing_id(case_id, "training case")))


@bp.get("/training/progress")
@require(roles.TRAINER)
@operation("Progress per trainee", tag="training", responses={200: (None, "per trainee")})
def training_progress():
    return _dump({"items": training.progress(habeas(), current_actor())})


@bp.get("/training/cohort")
@require(roles.TRAINER)
@operation("Cohort report: rights most often missed", tag="training", query=FormatQuery,
           responses={200: (None, "per right, worst first (CSV with format=csv; XLSX with format=xlsx, "
                                  "the cohort and the progress per trainee, one sheet each)")},
           produces=("application/json", "text/csv", XLSX))
def training_cohort():
    args = query_args(FormatQuery())
    rows = training.cohort(habeas(), current_actor())
    if args["format"] == "csv":
        return Response(exports.to_csv(rows, "cohort", args["separator"]), mimetype="text/csv",
                        headers={"Content-Disposition": "attachment; filename=training-cohort.csv"})
    if args["format"] == "xlsx":
        tables = {"progress": training.progress(habeas(), current_actor()), "cohort": rows}
        return Response(exports.to_xlsx(tables), mimetype=XLSX,
                        headers={"Content-Disposition": "attachment; filename=training.xlsx"})
    return _dump({"items": rows})


@bp.get("/training/jurors")
@require(*PLAYERS)
@operation("The jurors' module", tag="training", responses={200: (None, "lessons and questions")})
def training_jurors():
    return _dump(training.juror_module(current_actor()))


@bp.post("/training/jurors/answers")
@require(*PLAYERS)
@operation("Check the jurors' answers", tag="training", body=AnswersRequest,
           responses={200: (None, "each answer checked and explained")})
def training_juror_answers():
    body = json_body(AnswersRequest())
    return _dump(training.grade_juror(current_actor(), body["answers"]))
