"""The one case every variant runs: a detained suspect taken from the report to the closed case
(the happy path of processes/criminal_case.bpmn, 17 user tasks), with the same user tasks and the
same form data.

The data is built once from the deployed model's forms, as ``engine.fixtures.demo.Driver`` fills
them (given values, else what the case already knows, else a sample), so bare SpiffWorkflow and
the engine complete identical tasks with identical values.  The evidence the interrogation needs
(counsel, caution, medical examination) is recorded before it, outside the timed steps.
"""
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from engine.domain import catalogue
from engine.fixtures.bulk import fill_forms
from engine.fixtures.demo import registration, sample_value

ROOT = Path(__file__).resolve().parents[1]
PROCESSES = ROOT / "processes"
CRIMINAL_CASE = PROCESSES / "criminal_case.bpmn"
PROCESS_ID = "criminal_case"

# Evidence recorded (outside the timed steps) before the step named here.
EVIDENCE_BEFORE = {"interrogate_suspect": ("counsel_before_interrogation", "silence_caution", "medical_examination")}


@dataclass(frozen=True)
class Step:
    name: str
    lane: str | None
    data: dict


@dataclass(frozen=True)
class Scenario:
    opening: dict
    steps: tuple[Step, ...]
    evidence: dict = field(default_factory=dict)  # step name -> [(checkpoint, data, occurred_at)]

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.steps]


def build(model, now: datetime | None = None) -> Scenario:
    """The scenario for a ``ProcessModel`` of processes/criminal_case.bpmn."""
    now = now or datetime.now(timezone.utc)
    opening = registration(now)
    steps = tuple(Step(name, lane, data) for name, lane, data in fill_forms(model, opening, now))
    evidence = {before: [(cid, _evidence_data(cid, now), now.isoformat()) for cid in checkpoints]
                for before, checkpoints in EVIDENCE_BEFORE.items()}
    return Scenario(opening, steps, evidence)


def _evidence_data(checkpoint: str, now: datetime) -> dict:
    given = {"counsel_before_interrogation": {
        "lawyer_name": "A. Bekova", "bar_number": "AL-1187", "requested_at": (now - timedelta(hours=2)).isoformat(),
        "consulted_at": (now - timedelta(hours=1)).isoformat(), "present_at_interrogation": True},
        "silence_caution": {"caution_given": True}}.get(checkpoint, {})
    given = {k: v for k, v in given.items()}
    return {f.name: given[f.name] if f.name in given else sample_value(f, now)
            for f in catalogue.get(checkpoint).evidence if f.required or f.name in given}
