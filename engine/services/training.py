"""Training mode: practice cases played on the real engine, each on its own virtual clock.

A training case is marked from creation (``Case.training``), numbered ``TR-...`` and never shown
among live cases, reports, dashboards, deadlines, exports or the live scheduler's ticks.  Its
clock stands at the moment it was opened plus ``Case.clock_offset_seconds``, the time the trainee
has advanced: ``case_context`` gives every service called on it a ``Habeas`` whose ``now()`` is
that virtual now, so the services themselves need not know they are being played.  The trainee plays every lane of the
case (there are no other people in a practice case) as a ``training`` actor; when the clock is
advanced the case's own deadlines are ticked at the virtual now and the scenario's events arrive.

Scoring reads what the engine recorded, right by right: respected, late (failed, then secured),
missed, overridden without a lawful ground, or not reached; a right is worth its points only when
its outcome is the one the scenario expects."""
import os
from dataclasses import replace
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

from sqlalchemy import select

from .. import library
from ..domain import catalogue, roles, scenarios
from ..domain.clock import VirtualClock
from ..domain.errors import Forbidden, HabeasError, InvalidData, NotFound
from ..domain.rights import Status
from ..persistence.models import Case, CaseParty, CheckpointEvaluation, Deadline, ProcessVersion, TrainingRun
from . import allegations, cases, complaints, procedure, queries, rights, scheduler
from .clocks import BREACHED, MET
from .context import Actor, Habeas
from .demo import registration, sample_value

PLAYERS = frozenset({roles.TRAINEE, roles.TRAINER})
DEFAULT_DIR = library.library_dir() / "training"  # shipped in the wheel, or the checkout's processes/
_SATISFIED = {Status.PASSED.value, Status.WAIVED.value}


def library_dir() -> Path:
    return Path(os.environ.get("HABEAS_TRAINING_DIR") or DEFAULT_DIR)


@lru_cache(maxsize=4)
def _library(directory: str) -> dict[str, scenarios.Scenario]:
    return scenarios.load_library(Path(directory))


def library() -> dict[str, scenarios.Scenario]:
    """The scenario library, read once per process (scenarios are data files, changed by deploy)."""
    return _library(str(library_dir()))


def scenario(scenario_id: str) -> scenarios.Scenario:
    found = library().get(scenario_id)
    if found is None:
        raise NotFound(f"no training scenario '{scenario_id}'")
    return found


def read_scenario(actor: Actor, scenario_id: str) -> dict:
    """A trainer reads the whole scenario; a trainee its briefing (no answers before the debrief)."""
    access_training(actor)
    found = scenario(scenario_id)
    return found.to_dict() if actor.role == roles.TRAINER else found.briefing()


def list_scenarios(actor: Actor) -> list[dict]:
    access_training(actor)
    return [{"id": s.id, "title": s.title, "summary": s.summary, "role": s.role, "standards": list(s.standards),
             "max_score": s.max_score} for s in library().values()]


def access_training(actor: Actor, allowed=PLAYERS, what: str = "use the training space") -> None:
    if actor.role not in allowed:
        raise Forbidden(f"a {actor.role.replace('_', ' ')} may not {what}; the training space is for "
                        "trainees and trainers")


# ---- the virtual clock -------------------------------------------------------------------------

def case_context(ctx: Habeas, case: Case) -> Habeas:
    """The engine as a training case sees it: the same sessions, models and caches, its own clock."""
    return replace(ctx, clock=VirtualClock(case.opened_at, timedelta(seconds=case.clock_offset_seconds or 0)))


def _player(actor: Actor, role: str) -> Actor:
    """The trainee acting in one lane of their practice case."""
    return Actor(actor.username, role, training=True)


def _run(session, actor: Actor, case_id: int, *, write: bool = False) -> tuple[TrainingRun, Case]:
    """The run on a training case: its trainee plays it; a trainer may read any run."""
    access_training(actor)
    run = session.execute(select(TrainingRun).where(TrainingRun.case_id == case_id)).scalar_one_or_none()
    case = session.get(Case, case_id)
    if run is None or case is None or not case.training:
        raise NotFound(f"no training case {case_id}")
    if run.trainee != actor.username and (write or actor.role != roles.TRAINER):
        raise Forbidden("a practice case is played by its own trainee only")
    return run, case


# ---- playing -----------------------------------------------------------------------------------

def start(ctx: Habeas, actor: Actor, scenario_id: str) -> dict:
    """Open the scenario's practice case (marked training from creation) for this trainee."""
    access_training(actor, what="start a practice case")
    found = scenario(scenario_id)
    now = ctx.now()
    data = {**registration(now), **scenarios.resolve(found.opening, now)}
    case_id = cases.open_case(ctx, _player(actor, roles.INVESTIGATOR), found.process, data,
                              unit="training")
    with ctx.unit_of_work() as session:
        session.add(TrainingRun(case_id=case_id, scenario=found.id, trainee=actor.username, started_at=now,
                                outcomes={"steps": []}))
        # the trainee plays every lane, the defence's included (a complaint, an appeal)
        session.add(CaseParty(case_id=case_id, username=actor.username, role=roles.DEFENCE))
    _deliver_events(ctx, actor, case_id)
    return {"case": case_id, "scenario": found.id}


def advance(ctx: Habeas, actor: Actor, case_id: int, hours: float) -> dict:
    """Move the case's virtual clock ahead ("2 hours later") and act on what fell due meanwhile."""
    return play(ctx, actor, case_id, {"do": "advance", "hours": hours})


def play(ctx: Habeas, actor: Actor, case_id: int, step: dict) -> dict:
    """One step of the trainee's walk, done through the ordinary services on the case's virtual
    clock.  A refused step (a right unmet, a wrong fact) is recorded in the walk and re-raised, so
    the trainee sees the same refusal as at work; the case is unchanged by it."""
    problem = scenarios.step_problem(step)
    if problem:
        raise InvalidData(f"this step is invalid: {problem}", {"step": [problem]})
    with ctx.unit_of_work() as session:
        run, case = _run(session, actor, case_id, write=True)
        if run.finished_at is not None:
            raise InvalidData("this practice case is finished; start it again to replay", {"case": ["finished"]})
        found = scenario(run.scenario)
        if step["do"] == "advance":
            case.clock_offset_seconds = (case.clock_offset_seconds or 0) + int(step["hours"] * 3600)
        virtual = case_context(ctx, case)
    outcome, error = "done", None
    try:
        if step["do"] != "advance":
            _do(virtual, actor, found, case_id, step)
    except HabeasError as err:
        outcome, error = "refused", err
    delivered = _deliver_events(ctx, actor, case_id) if step["do"] == "advance" else []
    tick = scheduler.tick(virtual, training_case=case_id)
    at = virtual.now()
    with ctx.unit_of_work() as session:
        run, _ = _run(session, actor, case_id, write=True)
        steps = list((run.outcomes or {}).get("steps", []))
        steps.append({"step": step, "at": at.isoformat(), "outcome": outcome,
                      "message": error.message if error else None,
                      "refused_for": [f["id"] for f in getattr(error, "failures", ())]})
        run.outcomes = {**(run.outcomes or {}), "steps": steps}
    if error is not None:
        raise error
    return {"case": case_id, "virtual_now": at.isoformat(), "outcome": outcome,
            "ticked": tick.processed, "events": delivered}


def _deliver_events(ctx: Habeas, actor: Actor, case_id: int) -> list[dict]:
    """The scenario's events that act on the case (an allegation, a complaint) and that the
    virtual clock has reached, done through the ordinary services at the moment each happened
    (not at the moment the trainee looked), as the person or their defence would.  Each is
    delivered once; what it did (or why the engine refused it) is kept with the walk."""
    with ctx.unit_of_work() as session:
        run, case = _run(session, actor, case_id, write=True)
        found = scenario(run.scenario)
        virtual = case_context(ctx, case)
        opened, played = case.opened_at, (case.clock_offset_seconds or 0) / 3600
        due = scenarios.due_events(found.events, played, (run.outcomes or {}).get("delivered", ()))
    results = []
    for index, event in due:
        at = opened + timedelta(hours=event["at_hours"])
        try:
            did = _event_act(virtual, actor, case_id, event["act"], at)
            results.append({"event": index, "at": at.isoformat(), "outcome": "done", "did": did})
        except HabeasError as err:
            results.append({"event": index, "at": at.isoformat(), "outcome": "refused", "message": err.message})
    if results:
        with ctx.unit_of_work() as session:
            run, _ = _run(session, actor, case_id, write=True)
            outcomes = dict(run.outcomes or {})
            outcomes["delivered"] = [*outcomes.get("delivered", ()), *(r["event"] for r in results)]
            outcomes["events"] = [*outcomes.get("events", ()), *results]
            run.outcomes = outcomes
    return results


def _event_act(ctx: Habeas, actor: Actor, case_id: int, act: dict, at) -> dict:
    data = scenarios.resolve(act.get("data") or {}, at)
    if act["do"] == "allege":
        made = allegations.record(ctx, _player(actor, roles.DEFENCE), case_id,
                                  {"made_by": "person", "alleged_at": at.isoformat(), **data})
        return {"allegation": made["id"], "referral_due_at": made["referral_due_at"]}
    filed = complaints.file(ctx, _player(actor, roles.DEFENCE), case_id,
                            {"complainant": "defence", "complaint_filed_at": at.isoformat(), **data})
    return {"complaint": filed["id"], "ruling_due_at": filed["ruling_due_at"]}


def _do(ctx: Habeas, actor: Actor, found: scenarios.Scenario, case_id: int, step: dict) -> None:
    now = ctx.now()
    data = scenarios.resolve(step.get("data") or {}, now)
    kind = step["do"]
    default_role = found.role if found.role != roles.DEFENCE else roles.INVESTIGATOR
    if kind == "complete":
        _complete(ctx, actor, case_id, step["task"], data, step.get("as"))
    elif kind == "evidence":
        _evidence(ctx, _player(actor, step.get("as") or default_role), case_id, step["checkpoint"], data,
                  scenarios.resolve(step.get("occurred_at"), now), step.get("act"))
    elif kind == "release":
        procedure.release(ctx, _player(actor, step.get("as") or roles.INVESTIGATOR), case_id,
                          scenarios.resolve(step.get("released_at"), now), step.get("ground", ""))
    elif kind == "derogate":
        procedure.derogate(ctx, _player(actor, roles.SUPERVISING_PROSECUTOR), case_id, step.get("ground", ""),
                           step.get("reason", ""))
    elif kind == "override":
        rights.override(ctx, _player(actor, step.get("as") or roles.SUPERVISING_PROSECUTOR), case_id,
                        step["checkpoint"], step.get("reason", ""), step.get("legal_ground", ""))
    elif kind == "extend_custody":
        procedure.extend_custody(ctx, _player(actor, roles.JUDGE), case_id, data)
    elif kind == "refer":
        pending = [a for a in _allegations(ctx, case_id) if a["referred_at"] is None]
        if not pending:
            raise InvalidData("no ill-treatment allegation waits for its referral", {"allegation": ["none pending"]})
        for made in pending:
            allegations.refer(ctx, _player(actor, step.get("as") or roles.PROSECUTOR), case_id, made["id"],
                              {"referred_to": step["referred_to"], "referred_at": data.get("referred_at") or now.isoformat()})
    elif kind == "requalify":
        procedure.requalify(ctx, _player(actor, step.get("as") or roles.INVESTIGATOR), case_id,
                            step.get("qualification", ""), scenarios.resolve(step.get("decided_at"), now))


def _allegations(ctx: Habeas, case_id: int) -> list[dict]:
    with ctx.unit_of_work() as session:
        return allegations.of_case(session, case_id)


def _complete(ctx, actor, case_id, name, data, as_role) -> None:
    """Complete a ready task as its lane: the values given, else what the case knows, else a
    plausible sample for each required field of the task's own.  The fields of the rights the
    task records (its ``evidence``) are never made up: left empty, the act is refused for want
    of that right's evidence, and the refusal counts against the right."""
    view = queries.show_case(ctx, _player(actor, roles.INVESTIGATOR), case_id)
    task = next((t for t in view["tasks"] if t["name"] == name), None)
    if task is None:
        ready = ", ".join(t["name"] for t in view["tasks"]) or "none"
        raise InvalidData(f"the task '{name}' is not waiting; ready: {ready}", {"task": [f"ready: {ready}"]})
    now, known = ctx.now(), {**view["facts"], **data}
    rights_fields = {f.name: cid for cid in task["evidence"] for f in catalogue.get(cid).evidence}
    filled = {}
    for f in task["form"]:
        if f["name"] in data or (f["name"] in known and f["name"] not in rights_fields):
            if known[f["name"]] is not None:
                filled[f["name"]] = known[f["name"]]
        elif f["required"] and f["name"] not in rights_fields:
            filled[f["name"]] = sample_value(_FieldView(f), now)
    role = as_role or task["lane"] or roles.INVESTIGATOR
    try:
        cases.complete_task(ctx, _player(actor, role), case_id, task["id"], filled)
    except InvalidData as err:
        err.failures = [{"id": cid} for cid in dict.fromkeys(rights_fields[name] for name in err.fields
                                                              if name in rights_fields)]
        raise


def _evidence(ctx, actor, case_id, checkpoint, data, occurred_at, act) -> None:
    now = ctx.now()
    fields = catalogue.get(checkpoint).evidence
    filled = {f.name: data[f.name] if f.name in data else sample_value(f, now)
              for f in fields if f.required or f.name in data}
    rights.record_evidence(ctx, actor, case_id, checkpoint, filled, occurred_at=occurred_at or now.isoformat(),
                           act=act)


class _FieldView:
    def __init__(self, d: dict):
        self.name, self.type, self.label = d["name"], d["type"], d.get("label", "")
        self.choices = tuple(d.get("choices") or ())


# ---- reading and scoring -----------------------------------------------------------------------

def view(ctx: Habeas, actor: Actor, case_id: int) -> dict:
    """The practice case as its trainee sees it: the ordinary case view at the virtual now, the
    scenario, the events delivered so far and the walk played."""
    with ctx.unit_of_work() as session:
        run, case = _run(session, actor, case_id)
        opened, virtual = case.opened_at, case_context(ctx, case)
        run_info = _run_dict(run)
    found = scenario(run_info["scenario"])
    now = virtual.now()
    elapsed = (now - opened).total_seconds() / 3600
    case_view = queries.show_case(virtual, _player(actor, roles.INVESTIGATOR), case_id)
    return {"training": True, "case": case_view, "virtual_now": now.isoformat(),
            "hours_played": round(elapsed, 2), "scenario": found.briefing(), "run": run_info,
            "events": _events_so_far(found, elapsed, run_info["events"]),
            "next_event_in_hours": next((round(e["at_hours"] - elapsed, 2) for e in found.events
                                         if e["at_hours"] > elapsed + 1e-9), None)}


def _events_so_far(found: scenarios.Scenario, hours_played: float, delivered: list[dict]) -> list[dict]:
    """The events the virtual clock has reached, each with what it did to the case, if anything."""
    done = {d["event"]: d for d in delivered}
    return [{**e, "result": done.get(i)} for i, e in enumerate(found.events) if e["at_hours"] <= hours_played + 1e-9]


def debrief(ctx: Habeas, actor: Actor, case_id: int) -> dict:
    """Feedback per right (expected, what the record shows, the points, the reasoning and its
    legal basis, what the engine said), the score, and the reference walk beside the trainee's."""
    with ctx.unit_of_work() as session:
        run, case = _run(session, actor, case_id)
        found = scenario(run.scenario)
        info = _run_dict(run)
        points = _score(session, case.id, found, info["steps"])
        tasks = {name: {"title": t.title, "translations": dict(t.translations)}
                 for name, t in ctx.models.get(session, case.process_version_id).tasks.items()}
    score = sum(p["points"] for p in points)
    return {"case": case_id, "scenario": found.to_dict(), "trainee": info["trainee"], "score": score,
            "max_score": found.max_score, "rights": points, "reference_walk": list(found.reference_walk),
            "trainee_walk": info["steps"], "events": info["events"], "tasks": tasks,
            "finished": info["finished_at"] is not None}


def finish(ctx: Habeas, actor: Actor, case_id: int) -> dict:
    """End the practice case: the score is kept for the trainee's progress and the cohort report."""
    with ctx.unit_of_work() as session:
        run, case = _run(session, actor, case_id, write=True)
        if run.finished_at is None:
            found = scenario(run.scenario)
            points = _score(session, case.id, found, _run_dict(run)["steps"])
            run.score, run.max_score = sum(p["points"] for p in points), found.max_score
            run.finished_at = case_context(ctx, case).now()
            run.outcomes = {**(run.outcomes or {}), "rights": {p["right"]: p["outcome"] for p in points}}
    return debrief(ctx, actor, case_id)


def _score(session, case_id: int, found: scenarios.Scenario, steps: list[dict]) -> list[dict]:
    """Each right's outcome from what the engine recorded: its evaluations, its breached
    deadlines, and the acts it refused the trainee (an attempt without the right is a failure
    even though the engine stopped it: it records such a refusal as still pending)."""
    rows = session.execute(select(CheckpointEvaluation.checkpoint, CheckpointEvaluation.status,
                                  CheckpointEvaluation.detail)
                           .where(CheckpointEvaluation.case_id == case_id)
                           .order_by(CheckpointEvaluation.id)).all()
    clock_states = dict(session.execute(select(Deadline.checkpoint, Deadline.status).where(
        Deadline.case_id == case_id, Deadline.status.in_((BREACHED, MET))).order_by(Deadline.id)).all())
    breached = {cid for cid, status in clock_states.items() if status == BREACHED}
    met = {cid for cid, status in clock_states.items() if status == MET}
    out = []
    for e in found.rights:
        # a refused attempt's rows keep what each right stood at in ``attempt_status``
        mine = [((detail or {}).get("attempt_status", status) if status == "refused" else status, detail or {})
                for cid, status, detail in rows if cid == e.right]
        refused = [s for s in steps if e.right in s.get("refused_for", ())]
        outcome = outcome_of([s for s, _ in mine], e.right in breached or bool(refused), e.expected,
                             met_in_time=e.right in met)
        reasons = [r for s, d in mine if s == Status.FAILED.value for r in d.get("reasons", [])]
        reasons += [s["message"] for s in refused]
        cp = catalogue.get(e.right)
        out.append({"right": e.right, "name": cp.right, "expected": e.expected, "outcome": outcome,
                    "points": e.points if outcome == e.expected else 0, "of": e.points,
                    "reasoning": e.reasoning, "legal_basis": e.legal_basis,
                    "explanation": EXPLAIN[outcome], "engine_said": list(dict.fromkeys(reasons))[:5]})
    return out


def outcome_of(statuses: list[str], failed_once: bool, expected: str, met_in_time: bool = False) -> str:
    """What the record shows of one right: an override (lawful only where the scenario expects
    one), a failure never cured (missed) or cured afterwards (late), shown respected (by a
    satisfied evaluation, or by its legal clock met in time where no act evaluated it after, as
    a complaint ruled on in time), or never reached by the walk."""
    if Status.OVERRIDDEN.value in statuses:
        return scenarios.OVERRIDDEN if expected == scenarios.OVERRIDDEN else scenarios.OVERRIDDEN_WITHOUT_GROUND
    decided = [s for s in statuses if s not in (Status.PENDING.value, Status.NOT_APPLICABLE.value)]
    failed = failed_once or Status.FAILED.value in decided
    if failed:
        return scenarios.LATE if decided and decided[-1] in _SATISFIED else scenarios.MISSED
    if (decided and decided[-1] in _SATISFIED) or (not decided and met_in_time):
        return scenarios.RESPECTED
    return scenarios.NOT_REACHED


EXPLAIN = {
    scenarios.RESPECTED: "The record shows the right respected before the act it guards.",
    scenarios.LATE: "The right was secured only after the engine had refused or flagged an act, or after "
                    "its deadline: an act was attempted (or time ran out) without it.",
    scenarios.MISSED: "The right was not respected and never secured afterwards.",
    scenarios.OVERRIDDEN_WITHOUT_GROUND: "The right was set aside by an override where the facts give no "
                                         "lawful ground for one.",
    scenarios.OVERRIDDEN: "The right was set aside on the lawful ground the facts give.",
    scenarios.NOT_REACHED: "The walk never reached an act this right guards, so nothing shows it respected.",
}


def _run_dict(run: TrainingRun) -> dict:
    return {"case": run.case_id, "scenario": run.scenario, "trainee": run.trainee,
            "started_at": run.started_at.isoformat(),
            "finished_at": run.finished_at.isoformat() if run.finished_at else None,
            "score": run.score, "max_score": run.max_score,
            "steps": list((run.outcomes or {}).get("steps", [])),
            "events": list((run.outcomes or {}).get("events", [])),
            "rights": dict((run.outcomes or {}).get("rights", {}))}


def task_titles(ctx: Habeas, scenario_id: str) -> dict[str, dict]:
    """The user tasks of the scenario's process as deployed now, by name, with their title and
    the diagram's own translations: to show a walk's steps in words."""
    found = scenario(scenario_id)
    with ctx.unit_of_work() as session:
        version = session.execute(select(ProcessVersion).where(ProcessVersion.process_id == found.process)
                                  .order_by(ProcessVersion.version.desc()).limit(1)).scalar_one_or_none()
        if version is None:
            return {}
        return {name: {"title": t.title, "translations": dict(t.translations)}
                for name, t in ctx.models.get(session, version.id).tasks.items()}


def my_runs(ctx: Habeas, actor: Actor) -> list[dict]:
    """The trainee's own practice cases (a trainer sees every run)."""
    access_training(actor)
    query = select(TrainingRun).order_by(TrainingRun.id.desc())
    if actor.role != roles.TRAINER:
        query = query.where(TrainingRun.trainee == actor.username)
    with ctx.unit_of_work() as session:
        return [_run_dict(r) for r in session.execute(query.limit(500)).scalars()]


# ---- for trainers ------------------------------------------------------------------------------

def progress(ctx: Habeas, actor: Actor) -> list[dict]:
    """Per trainee: runs started and finished, points earned of points possible, and the last run."""
    access_training(actor, {roles.TRAINER}, "read trainees' progress")
    per: dict[str, dict] = {}
    for run in reversed(my_runs(ctx, actor)):
        row = per.setdefault(run["trainee"], {"trainee": run["trainee"], "started": 0, "finished": 0,
                                              "score": 0, "max_score": 0, "scenarios": []})
        row["started"] += 1
        if run["finished_at"]:
            row["finished"] += 1
            row["score"] += run["score"] or 0
            row["max_score"] += run["max_score"] or 0
            row["scenarios"].append(run["scenario"])
    for row in per.values():
        row["rate"] = round(row["score"] / row["max_score"], 3) if row["max_score"] else None
    return sorted(per.values(), key=lambda r: r["trainee"])


def cohort(ctx: Habeas, actor: Actor) -> list[dict]:
    """Which rights the cohort most often gets wrong, over finished runs: to feed the curriculum."""
    access_training(actor, {roles.TRAINER}, "read the cohort report")
    per: dict[str, dict] = {}
    for run in my_runs(ctx, actor):
        if not run["finished_at"]:
            continue
        found = library().get(run["scenario"])
        for right, outcome in run["rights"].items():
            expected = found.expectation(right).expected if found and found.expectation(right) else scenarios.RESPECTED
            row = per.setdefault(right, {"right": right, "name": catalogue.get(right).right, "played": 0,
                                         "wrong": 0, **{o: 0 for o in scenarios.OUTCOMES}})
            row["played"] += 1
            row[outcome] += 1
            row["wrong"] += outcome != expected
    for row in per.values():
        row["wrong_rate"] = round(row["wrong"] / row["played"], 3)
    return sorted(per.values(), key=lambda r: (-r["wrong_rate"], -r["wrong"], r["right"]))


# ---- jurors ------------------------------------------------------------------------------------

def juror_module(actor: Actor) -> dict:
    """The jurors' guided module, without the answers (they come with the grading)."""
    access_training(actor)
    module = scenarios.load_module(library_dir() / "jurors.json")
    return {**module, "questions": [{k: v for k, v in q.items() if k not in ("answer", "explanation")}
                                    for q in module["questions"]]}


def grade_juror(actor: Actor, answers: dict) -> dict:
    access_training(actor)
    if not isinstance(answers, dict):
        raise InvalidData("answers are an object of question id -> choice index", {"answers": ["not an object"]})
    return scenarios.grade(scenarios.load_module(library_dir() / "jurors.json"), answers)
