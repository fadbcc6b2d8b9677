"""The shape of a rights checkpoint and of its evaluation.

A checkpoint is a right that must be shown respected, with evidence, before a case may enter a
stage (or by a deadline).  Its rule is a pure function of the case's facts, the latest evidence
recorded for it, the time and the parameters.
"""
import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Callable

from .facts import CaseFacts
from .forms import FormField
from .params import Params
from .wording import CITED, say


class Status(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    PENDING = "pending"
    WAIVED = "waived"
    OVERRIDDEN = "overridden"
    NOT_APPLICABLE = "not_applicable"


SATISFIED = frozenset({Status.PASSED, Status.WAIVED, Status.OVERRIDDEN, Status.NOT_APPLICABLE})
# A reason that cites one of these already names its legal basis.
CITATION = re.compile(r"\b(ICCPR|ECHR|CPC|Directive|UNCAT|CRC|OPCAT|VCCR|Constitutional Law)\b")


class FailureClass(StrEnum):
    BLOCK = "block"        # the transition cannot happen
    ESCALATE = "escalate"  # it may happen; a task goes to the supervising prosecutor
    FLAG = "flag"          # it happened; what it produced is marked for an admissibility ruling


class OverridePolicy(StrEnum):
    NEVER = "never"              # no override at all (detention review, juvenile safeguards)
    BY_ROLE = "by_role"          # a role with that power, a written reason and a legal ground
    WAIVER_ONLY = "waiver_only"  # only the person's own documented waiver, recorded as evidence
    # counsel: the person's written waiver after independent legal advice (never where defence
    # is mandatory), or the temporary derogation of Directive 2013/48 art 3(6) by the
    # supervising prosecutor on one of its two grounds, the statement always flagged
    DEROGATION_OR_WAIVER = "derogation_or_waiver"


@dataclass(frozen=True)
class EvidenceRecord:
    checkpoint: str
    data: dict
    occurred_at: datetime
    recorded_at: datetime
    actor: str


@dataclass(frozen=True)
class CheckContext:
    facts: CaseFacts
    evidence: EvidenceRecord | None  # the latest record (a correction supersedes earlier ones)
    now: datetime
    params: Params
    stage: str | None = None  # the stage being entered, when evaluated at a transition
    actor: str | None = None  # the username completing the act (a waiver's adviser is compared)
    act: str | None = None    # the kind of act being done ("interrogation", "verdict_service")


@dataclass(frozen=True)
class Evaluation:
    checkpoint: str
    status: Status
    reasons: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    due_at: datetime | None = None
    clock_started_at: datetime | None = None
    satisfied_at: datetime | None = None
    # what the act produced must be marked for an admissibility ruling, and why (a counsel
    # derogation always flags the statement, even though the act may go ahead)
    flags: tuple[str, ...] = ()

    @property
    def satisfied(self) -> bool:
        return self.status in SATISFIED


@dataclass(frozen=True)
class Checkpoint:
    id: str
    right: str
    legal_basis: str
    stages: frozenset[str]
    failure: FailureClass
    override: OverridePolicy
    evidence: tuple[FormField, ...]
    applies: Callable[[CheckContext], bool]
    judge: Callable[[CheckContext], Evaluation]
    deadline: Callable[[CheckContext], datetime | None] = lambda ctx: None
    override_roles: frozenset[str] = field(default_factory=frozenset)
    occurred_field: str | None = None  # the evidence field that says when the fact happened
    on_failure: str = ""  # what the engine does on failure, in words (shown to users)

    def evaluate(self, ctx: CheckContext) -> Evaluation:
        if not self.applies(ctx):
            return Evaluation(self.id, Status.NOT_APPLICABLE)
        return self.cite(self.judge(ctx))

    def cite(self, evaluation: Evaluation) -> Evaluation:
        """A failure names the right and its legal basis in each reason that does not cite
        one already."""
        if evaluation.status is not Status.FAILED:
            return evaluation
        reasons = tuple(r if CITATION.search(r) else say(CITED, reason=r, right=self.right, citation=self.legal_basis)
                        for r in evaluation.reasons)
        return replace(evaluation, reasons=reasons)

    def describe(self) -> dict:
        return {"id": self.id, "right": self.right, "legal_basis": self.legal_basis,
                "stages": sorted(self.stages), "failure": self.failure.value,
                "override": self.override.value, "override_roles": sorted(self.override_roles),
                "on_failure": self.on_failure,
                "evidence": [f.to_dict() for f in self.evidence]}
