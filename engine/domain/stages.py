"""The stages of a criminal case under the CPC of Kazakhstan, in procedural order."""
from dataclasses import dataclass


@dataclass(frozen=True)
class Stage:
    id: str
    title: str
    repeated_entry: bool = False  # every act in this stage is a new entry (each interrogation)
    side_track: bool = False      # runs beside the main line (complaints)


STAGES: tuple[Stage, ...] = (
    Stage("registration", "Registration in the Unified Register (ERDR)"),
    Stage("investigation", "Pre-trial investigation"),
    Stage("detention", "Apprehension of a suspect"),
    Stage("suspicion", "Recognition as suspect"),
    Stage("interrogation", "Interrogation of the suspect", repeated_entry=True),
    Stage("custody", "Preventive measure of custody"),
    Stage("completion", "End of investigation"),
    Stage("indictment", "Prosecutor's review and indictment"),
    Stage("preliminary_hearing", "Preliminary hearing"),
    Stage("trial", "Main trial"),
    Stage("appeal", "Appeal"),
    Stage("cassation", "Cassation"),
    Stage("closed", "Closed"),
    Stage("complaint", "Complaint to the investigating judge", side_track=True),
)

# Stages where the court, not the supervising prosecutor, decides overrides and escalations.
COURT_STAGES = frozenset({"preliminary_hearing", "trial", "appeal", "cassation"})

STAGE_BY_ID = {stage.id: stage for stage in STAGES}
STAGE_IDS = frozenset(STAGE_BY_ID)


def is_entry(current_stage: str | None, task_stage: str) -> bool:
    """Whether completing a task of ``task_stage`` enters that stage."""
    stage = STAGE_BY_ID[task_stage]
    return stage.repeated_entry or task_stage != current_stage
