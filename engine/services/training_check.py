"""Rehearsing the scenario library, as a trainer does after adding a scenario: every scenario's
reference walk and mistake walk played through the real engine on a throwaway SQLite database
(``habeas training check``).  A scenario is sound when its reference walk gets full marks and its
mistake walk loses exactly the points of the rights it says it breaks."""
import tempfile
from pathlib import Path

from ..domain.clock import FixedClock, utcnow
from ..domain.errors import HabeasError
from ..domain.params import Params
from ..persistence.database import make_engine, session_factory
from ..persistence.migrate import upgrade
from . import processes, training
from .context import Actor, Habeas

_CONSOLE = Actor("console", "admin")
_REHEARSER = Actor("rehearsal", "trainee")


def rehearse(process_dir: Path, only: str | None = None) -> dict:
    """Each scenario (or only one): both walks' scores, the steps refused, and whether it is sound."""
    chosen = [training.scenario(only)] if only else list(training.library().values())
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'rehearsal.sqlite3'}")
        try:
            upgrade(engine)
            ctx = Habeas(sessions=session_factory(engine), clock=FixedClock(utcnow()), params=Params.from_env())
            for path in sorted(Path(process_dir).glob("*.bpmn")):
                processes.deploy(ctx, _CONSOLE, path.read_bytes())
            results = [_rehearse_one(ctx, s) for s in chosen]
        finally:
            engine.dispose()
    return {"ok": all(r["ok"] for r in results), "scenarios": results}


def _rehearse_one(ctx: Habeas, scenario) -> dict:
    reference = _play(ctx, scenario.id, list(scenario.reference_walk))
    mistake = _play(ctx, scenario.id, scenario.mistake_walk())
    lost = sorted(r["right"] for r in mistake["rights"] if r["points"] < r["of"])
    problems = []
    if reference["score"] != scenario.max_score:
        problems.append(f"the reference walk scores {reference['score']} of {scenario.max_score}: "
                        + ", ".join(f"{r['right']} {r['outcome']}" for r in reference["rights"]
                                    if r["points"] < r["of"]))
    if lost != sorted(scenario.mistake["breaks"]):
        problems.append(f"the mistake walk loses {lost or 'nothing'}, not {sorted(scenario.mistake['breaks'])}")
    return {"id": scenario.id, "ok": not problems, "problems": problems,
            "reference": {"score": reference["score"], "refused": reference["refused"]},
            "mistake": {"score": mistake["score"], "lost": lost, "refused": mistake["refused"]},
            "max_score": scenario.max_score}


def _play(ctx: Habeas, scenario_id: str, walk: list[dict]) -> dict:
    case_id = training.start(ctx, _REHEARSER, scenario_id)["case"]
    refused = []
    for i, step in enumerate(walk):
        try:
            training.play(ctx, _REHEARSER, case_id, step)
        except HabeasError as err:
            refused.append({"step": i, "do": step.get("do"), "message": err.message})
    return {**training.finish(ctx, _REHEARSER, case_id), "refused": refused}
