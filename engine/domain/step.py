"""One step's legal decision, with no database and no workflow engine.

From the case as loaded (its facts, acts, evidence, open overrides and escalations) and the act
being done, ``decide`` says what the law makes of it: the rights guarding the act and the stage it
enters, each judged on the evidence of the act's own scope; whether it is refused (and why, each
failure naming the right and its legal basis); the overrides it uses up; the evidence the act
records and what that evidence satisfies; the escalations and admissibility flags it raises; and
the legal clocks the case must run afterwards.  The service only applies the decision: it writes
the rows, runs the workflow and audits.  Keeping the judgment here lets it be tested directly,
and a wrong legal outcome is the worst bug this system can have."""
from dataclasses import dataclass, field
from collections.abc import Container
from datetime import datetime, timedelta

from . import acts, catalogue, deadlines
from .assessment import Assessment, EvidenceBook, assess, missed_review
from .facts import CaseFacts
from .params import Params
from .rights import FailureClass, Status
from .wording import N_, say

NOT_SHOWN = N_("%(right)s: not shown respected")
NOT_SHOWN_BARE = N_("not shown respected")
FLAGGED = N_("%(right)s (%(citation)s): %(reasons)s")


@dataclass(frozen=True)
class CaseState:
    """What the decision reads of the case before the act."""

    stage: str | None
    procedure: acts.Procedure
    evidence: EvidenceBook
    overrides: dict = field(default_factory=dict)       # checkpoint -> open (unused) override
    escalated: Container[str] = frozenset()             # checkpoints with an open escalation
    challenged: tuple = ()   # complaints awaiting a ruling on this detention (blocked-right shape)


@dataclass(frozen=True)
class Act:
    """The act: its kind (``acts.ActKind``), the task that records it and the stage it enters."""

    kind: str | None
    title: str
    stage: str | None
    entering: bool
    actor: str
    checkpoints: tuple[str, ...] = ()   # checkpoints the diagram adds to the task (never removes)
    recorded: tuple = ()                # evidence rows the act records (``checkpoint``, ``scope``, ...)


@dataclass(frozen=True)
class NewEscalation:
    checkpoint: str
    reason: str
    due_at: datetime


@dataclass(frozen=True)
class Flag:
    checkpoint: str
    reason: str


@dataclass(frozen=True)
class Decision:
    assessments: tuple[Assessment, ...]     # the rights guarding the act
    refused: tuple[dict, ...] = ()          # why it is refused (empty: it goes ahead)
    evidenced: tuple[Assessment, ...] = ()  # the rights the recorded evidence bears on
    overrides_used: tuple[str, ...] = ()
    resolved: tuple[str, ...] = ()          # checkpoints whose open escalations the evidence closes
    escalated: tuple[str, ...] = ()         # failed escalate checkpoints (all of them)
    escalations: tuple[NewEscalation, ...] = ()  # those not already open: new tasks
    flags: tuple[Flag, ...] = ()
    book: EvidenceBook | None = None        # the evidence after the act

    @property
    def allowed(self) -> bool:
        return not self.refused

    @property
    def evaluated(self) -> tuple[Assessment, ...]:
        return self.assessments + self.evidenced


def decide(case: CaseState, act: Act, facts: CaseFacts, now: datetime, params: Params) -> Decision:
    """The law's answer to this act on this case (see the module's docstring)."""
    book = case.evidence.extended(act.recorded)
    assessments, blocked = _guards(case, act, book, facts, now, params)
    if blocked or case.challenged and act.kind == acts.ActKind.CUSTODY_DECISION:
        challenged = case.challenged if act.kind == acts.ActKind.CUSTODY_DECISION else ()
        return Decision(tuple(assessments), tuple([a.failure() for a in blocked] + list(challenged)), book=book)
    used = tuple(a.checkpoint.id for a in assessments
                 if a.evaluation.status is Status.OVERRIDDEN and a.checkpoint.id in case.overrides)
    assessed = {a.checkpoint.id for a in assessments}
    recorded_ids = [row.checkpoint for row in act.recorded]
    evidenced = assess([catalogue.get(cid) for cid in recorded_ids if cid not in assessed], facts,
                       book.for_act(recorded_ids, act.kind, case.procedure, facts, now, params), now, params,
                       act.stage, actor=act.actor, act=act.kind)
    failed = [a for a in assessments
              if a.checkpoint.failure is FailureClass.ESCALATE and a.evaluation.status is Status.FAILED]
    return Decision(
        tuple(assessments), (), tuple(evidenced), used,
        resolved=tuple(a.checkpoint.id for a in evidenced if a.evaluation.satisfied),
        escalated=tuple(a.checkpoint.id for a in failed),
        escalations=tuple(NewEscalation(a.checkpoint.id, "; ".join(a.evaluation.reasons)
                                        or say(NOT_SHOWN, right=a.checkpoint.right),
                                        now + timedelta(days=params.escalation_days))
                          for a in failed if a.checkpoint.id not in case.escalated),
        flags=tuple(_flags(assessments)), book=book)


def _guards(case: CaseState, act: Act, book: EvidenceBook, facts, now, params):
    """The rights guarding this act (by its kind), and the stage it enters (by the catalogue),
    each read from the evidence of this act's own scope.  A release is never refused; after a
    missed judicial review it is the only lawful act."""
    if act.kind == acts.ActKind.RELEASE:
        return [], []
    ids = list(acts.guards(act.kind))
    if act.entering:
        ids += [cp.id for cp in catalogue.guarding(act.stage)]
    ids += list(act.checkpoints)
    checkpoints = [catalogue.get(cid) for cid in dict.fromkeys(ids) if cid in catalogue.CATALOGUE]
    evidence = book.for_act(checkpoints, act.kind, case.procedure, facts, now, params)
    assessments = assess(checkpoints, facts, evidence, now, params, act.stage, case.overrides,
                         actor=act.actor, act=act.kind)
    blocked = [a for a in assessments if a.blocks]
    missed = missed_review(case.procedure, facts, book, now, params)
    if missed is not None and act.kind not in acts.ALWAYS_LAWFUL:
        assessments = [a for a in assessments if a.checkpoint.id != missed.checkpoint.id] + [missed]
        blocked = [a for a in blocked if a.checkpoint.id != missed.checkpoint.id] + [missed]
    return assessments, blocked


def _flags(assessments) -> list[Flag]:
    """Failed flag checkpoints: the record this act produced goes to an admissibility ruling.
    A statement taken under a derogation from counsel is always flagged (Directive 2013/48
    art 3(6); the brief's precisions)."""
    out = []
    for a in assessments:
        derogated = (a.checkpoint.id == "counsel_before_interrogation"
                     and a.evaluation.status is Status.OVERRIDDEN) or bool(getattr(a.evaluation, "flags", ()))
        if derogated or a.checkpoint.failure is FailureClass.FLAG and not a.evaluation.satisfied:
            out.append(Flag(a.checkpoint.id, say(FLAGGED, right=a.checkpoint.right, citation=a.checkpoint.legal_basis,
                                                 reasons="; ".join(a.evaluation.reasons) or NOT_SHOWN_BARE)))
    return out


def clocks_after(facts: dict, book: EvidenceBook, procedure: acts.Procedure, stage: str | None, closed: bool,
                 now: datetime, params: Params) -> list[deadlines.LegalClock]:
    """The legal clocks the case runs after the act: computed from its facts and evidence (a
    detention episode's rights from that episode's own evidence), never from the diagram."""
    evidence = book.for_clocks(procedure, CaseFacts.from_data(facts, params), now, params)
    return deadlines.legal_clocks(facts, evidence, stage, closed, now, params)
