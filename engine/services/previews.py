"""What would block this act now: the rights checklist a task page shows before its form is
submitted, and again as the form changes.

It is the step's own reading (``cases.attempt_of`` and the pure ``engine.domain.step.decide``,
the catalogue's rules over the ``EvidenceBook``), run on what is typed so far and never saved: a form still half
filled in is read with its valid fields only, the rest counted as not given.  So a person is
never refused for a right the page did not show them first, and there is no second copy of the
law to drift from the one the step applies."""
from dataclasses import replace

from ..domain import step as step_rules
from ..domain.errors import InvalidData
from ..domain.rights import FailureClass, Status
from . import access, cases, facts_check, forms
from .context import Actor, Habeas

_ROUNDS = 8  # each round drops the fields still in error; a form has far fewer kinds of error


def what_would_block(ctx: Habeas, actor: Actor, case_id: int, task_id: str, data: dict | None = None) -> dict:
    """The checklist of a ready task for ``data`` (what the form holds now); nothing changes.

    Returns ``{"task", "stage", "entering", "items": [...], "blocked": bool, "form_errors": {...}}``;
    each item names the right, its legal basis, its status, whether it blocks the act, the
    evidence still missing and which of it this very form records."""
    data = dict(data or {}) if isinstance(data, dict) else {}
    with ctx.unit() as uow:  # never committed: nothing of this attempt reaches the database
        record = uow.cases.get(case_id)
        access.require_read_on(actor, record.row, is_party=uow.cases.is_party)
        definition = record.run.ready_task(task_id).definition
        fields = cases.form_for(definition, data)
        now = ctx.now()
        clean, errors = _lenient(fields, cases.kept_data(definition, fields, data), record.row.facts or {}, now)
        attempt = None
        for given in (clean, None, {}):  # a custody order without its times, or beyond the law's term
            if given is None:
                given = {k: v for k, v in clean.items() if k not in errors}
            try:
                attempt = cases.attempt_of(ctx, uow, record, definition, given, actor, now)
                break
            except InvalidData as err:
                errors.update(err.fields)
        if attempt is None:
            raise InvalidData("the form cannot be read as given", errors)
        decision = step_rules.decide(attempt.state, attempt.act, attempt.facts, now, ctx.params)
        case_id, version = record.row.id, record.row.lock_version
        uow.rollback()
    ctx.runs.put(case_id, version, record.run)  # unchanged: the next step need not load it again
    assessed = {a.checkpoint.id for a in decision.assessments}
    blocking = {f["id"] for f in decision.refused}
    challenged = [f for f in decision.refused if f["id"] not in assessed]
    own = {f.name for f in fields}
    items = [_item(a, a.checkpoint.id in blocking, own) for a in decision.assessments
             if a.evaluation.status is not Status.NOT_APPLICABLE]
    for failure in challenged:
        items.append({**failure, "blocks": True, "satisfied": False, "failure": FailureClass.BLOCK.value,
                      "in_form": [], "elsewhere": list(failure.get("missing", []))})
    return {"task": task_id, "stage": attempt.act.stage, "entering": attempt.act.entering,
            "items": items, "blocked": bool(decision.refused), "form_errors": errors}


def _item(assessment, blocks: bool, own: set) -> dict:
    cp, ev = assessment.checkpoint, assessment.evaluation
    missing = list(ev.missing)
    return {**assessment.failure(), "blocks": blocks, "satisfied": ev.satisfied, "failure": cp.failure.value,
            "in_form": [name for name in missing if name in own],
            "elsewhere": [name for name in missing if name not in own],
            "fields": [f.name for f in cp.evidence if f.name in own]}


def _lenient(fields, data: dict, known: dict, now) -> tuple[dict, dict]:
    """The form's valid values, and the errors of the others (left out as not given).  Nothing
    is required here: a field not filled in yet is simply not given, as the rights read it."""
    errors: dict = {}
    fields = [replace(f, required=False) for f in fields]
    for _ in range(_ROUNDS):
        try:
            clean = forms.clean(fields, data)
            return facts_check.require(clean, now=now, known=known, fields=fields), errors
        except InvalidData as err:
            bad = set(err.fields) & set(data)
            errors.update(err.fields)
            if not bad:
                break
            data = {k: v for k, v in data.items() if k not in bad}
    return {}, errors
