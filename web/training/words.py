"""What the training pages say in the reader's language: the outcomes a right can have at the
debrief, the kinds of step a walk is made of, the acts beside the diagram offered on a practice
case, and the engine's explanation of each outcome.  Scenario texts themselves are translated
by their English wording (``web.i18n.terms.extract_scenario`` collects them)."""
from flask_babel import lazy_gettext as _l

from engine.domain import scenarios

from ..i18n import labels

OUTCOMES = {
    scenarios.RESPECTED: _l("respected"), scenarios.LATE: _l("late"), scenarios.MISSED: _l("missed"),
    scenarios.OVERRIDDEN_WITHOUT_GROUND: _l("overridden without a lawful ground"),
    scenarios.OVERRIDDEN: _l("overridden on a lawful ground"), scenarios.NOT_REACHED: _l("not reached"),
}

EXPLANATIONS = {
    scenarios.RESPECTED: _l("The record shows the right respected before the act it guards."),
    scenarios.LATE: _l("The right was secured only after the engine had refused or flagged an act, or after its "
                       "deadline: an act was attempted (or time ran out) without it."),
    scenarios.MISSED: _l("The right was not respected and never secured afterwards."),
    scenarios.OVERRIDDEN_WITHOUT_GROUND: _l("The right was set aside by an override where the facts give no lawful "
                                            "ground for one."),
    scenarios.OVERRIDDEN: _l("The right was set aside on the lawful ground the facts give."),
    scenarios.NOT_REACHED: _l("The walk never reached an act this right guards, so nothing shows it respected."),
}

STEPS = {
    "complete": _l("Complete a task"), "evidence": _l("Record evidence of a right"),
    "advance": _l("Let time pass"), "release": _l("Release the person"),
    "derogate": _l("Derogate from counsel"), "override": _l("Override a right"),
    "extend_custody": _l("Extend custody"), "requalify": _l("Re-qualify the offence"),
    "refer": _l("Refer the allegation for an independent check"),
}

STEP_OUTCOMES = {"done": _l("done"), "refused": _l("refused")}

EVENT_ACTS = {"allege": _l("recorded as an ill-treatment allegation"),
              "complain": _l("filed as a complaint to the investigating judge")}


def outcome(value: str) -> str:
    return str(OUTCOMES.get(value, value.replace("_", " ")))


def explanation(value: str) -> str:
    return str(EXPLANATIONS.get(value, ""))


def step_line(step: dict, tasks: dict | None = None) -> str:
    """One step of a walk as a person reads it: what was done, and to which task or right
    (``tasks``: the process's user tasks by name, with their title and own translations)."""
    kind = step.get("do", "")
    what = str(STEPS.get(kind, kind))
    if kind == "complete":
        task = (tasks or {}).get(step.get("task"))
        return f"{what}: {labels.task_title(task) if task else step.get('task', '')}"
    if kind in ("evidence", "override"):
        return f"{what}: {labels.right_name(step.get('checkpoint', ''))}"
    if kind == "advance":
        return f"{what}: +{step.get('hours')} h"
    return what


def step_outcome(value: str) -> str:
    return str(STEP_OUTCOMES.get(value, value))


def event_act(event: dict) -> str:
    act = (event.get("act") or {}).get("do")
    return str(EVENT_ACTS[act]) if act in EVENT_ACTS else ""


def register(bp) -> None:
    @bp.app_context_processor
    def _training_words():
        return {"training_outcome": outcome, "training_explanation": explanation, "training_step": step_line,
                "training_step_outcome": step_outcome, "training_event_act": event_act}
