"""Judging rights on a case's evidence, with no database: the evidence book (which record each
act reads, by scope), the assessment of checkpoints (an open override turns an unmet one into
``overridden``) and the missed judicial review that leaves release as the only lawful act.

Rows are read by their attributes only (``checkpoint``, ``scope``, ``data``, ``occurred_at``,
``recorded_at``, ``recorded_by``; an override's ``actor``, ``reason``, ``legal_ground``), so the
persistence layer's rows and plain objects in tests serve alike."""
from dataclasses import dataclass, replace
from datetime import datetime

from . import acts, catalogue
from .clock import as_utc
from .facts import CaseFacts
from .params import Params
from .rights import CheckContext, Checkpoint, EvidenceRecord, Evaluation, FailureClass, Status
from .wording import N_, say


@dataclass(frozen=True)
class Assessment:
    checkpoint: Checkpoint
    evaluation: Evaluation

    @property
    def blocks(self) -> bool:
        return self.checkpoint.failure is FailureClass.BLOCK and not self.evaluation.satisfied

    def failure(self) -> dict:
        """What a refused user is told: the right, its legal basis, what evidence is missing."""
        cp, ev = self.checkpoint, self.evaluation
        return {"id": cp.id, "right": cp.right, "legal_basis": cp.legal_basis, "status": ev.status.value,
                "missing": list(ev.missing), "reasons": list(ev.reasons),
                "override": cp.override.value, "due_at": ev.due_at.isoformat() if ev.due_at else None}


class EvidenceBook:
    """Every evidence record of a case, by right and by the act or episode it proves.

    An act reads only the evidence of its own scope (``acts.scope_of``); a right bound to the
    whole case reads the best record of any scope.  Within a scope the latest *decided* record
    counts (one the rule can pass or fail on): an empty or partial record never replaces a
    complete one, while a complete correction does."""

    def __init__(self, rows=()):
        self._rows: list[tuple[str, str | None, EvidenceRecord]] = []
        for row in rows:
            self.add(row)

    def add(self, row) -> None:
        self._rows.append((row.checkpoint, row.scope, to_record(row)))

    def extended(self, rows) -> "EvidenceBook":
        """A new book: this one's records, then ``rows`` (this one is left as it was)."""
        book = EvidenceBook()
        book._rows = list(self._rows)
        for row in rows:
            book.add(row)
        return book

    def records(self, checkpoint_id: str, scope: str | None = None, any_scope: bool = False):
        return [rec for cid, sc, rec in self._rows
                if cid == checkpoint_id and (any_scope or sc == scope)]

    def best(self, checkpoint_id: str, scope: str | None, facts: CaseFacts, now: datetime, params: Params,
             any_scope: bool = False) -> EvidenceRecord | None:
        candidates = self.records(checkpoint_id, scope, any_scope)
        if not candidates:
            return None
        cp = catalogue.get(checkpoint_id)
        for rec in reversed(candidates):
            ev = catalogue.evaluate(cp, facts, rec, now, params)
            if ev.status is not Status.PENDING and not ev.missing:
                return rec
        return candidates[-1]

    def in_scope(self, checkpoint_id: str, scope: str | None, facts: CaseFacts, now: datetime,
                 params: Params) -> EvidenceRecord | None:
        """The record a right reads in a scope: its own scope for a right bound to acts,
        qualifications or episodes; the best of any scope for a right of the whole case."""
        scoped = scope is not None and checkpoint_id in acts.PER_ACT | acts.PER_QUALIFICATION | acts.PER_EPISODE
        return self.best(checkpoint_id, scope, facts, now, params, any_scope=not scoped)

    def for_act(self, checkpoints, kind: str | None, procedure: acts.Procedure, facts: CaseFacts,
                now: datetime, params: Params) -> dict[str, EvidenceRecord]:
        """The evidence each checkpoint reads for an act of ``kind``."""
        out = {}
        for cp in checkpoints:
            cid = cp.id if isinstance(cp, Checkpoint) else cp
            if (cid, kind) in acts.EPISODE_WIDE and procedure.open_episode is not None:
                since = procedure.open_episode.apprehended_at
                found = [rec for c, _, rec in self._rows if c == cid and (since is None or rec.occurred_at >= since)]
                if found:
                    out[cid] = found[-1]
                continue
            rec = self.in_scope(cid, acts.scope_of(cid, kind, procedure), facts, now, params)
            if rec is not None:
                out[cid] = rec
        return out

    def for_clocks(self, procedure: acts.Procedure, facts: CaseFacts, now: datetime,
                   params: Params) -> dict[str, EvidenceRecord]:
        """What the legal clocks read: a detention episode's rights from that episode's own
        evidence, every other right from its latest record."""
        out = self.latest()
        for cid in acts.PER_EPISODE:
            out.pop(cid, None)
            rec = self.best(cid, acts.scope_of(cid, None, procedure), facts, now, params)
            if rec is not None:
                out[cid] = rec
        return out

    def latest(self) -> dict[str, EvidenceRecord]:
        """The latest record per right, any scope (what the case-wide clocks read)."""
        out = {}
        for cid, _, rec in self._rows:
            out[cid] = rec
        return out


def to_record(row) -> EvidenceRecord:
    return EvidenceRecord(checkpoint=row.checkpoint, data=row.data, occurred_at=row.occurred_at,
                          recorded_at=row.recorded_at, actor=row.recorded_by)


OVERRIDDEN = N_("overridden by %(who)s: %(note)s (legal ground: %(citation)s)")


def assess(checkpoints: list[Checkpoint], facts: CaseFacts, evidence: dict[str, EvidenceRecord],
           now: datetime, params: Params, stage: str | None,
           overrides: dict | None = None, actor: str | None = None,
           act: str | None = None) -> list[Assessment]:
    """Evaluate each checkpoint; an unused override turns an unsatisfied one into ``overridden``."""
    out = []
    for cp in checkpoints:
        ctx = CheckContext(facts=facts, evidence=evidence.get(cp.id), now=as_utc(now), params=params,
                           stage=stage, actor=actor, act=act)
        ev = cp.evaluate(ctx)
        override = (overrides or {}).get(cp.id)
        if not ev.satisfied and override is not None:
            ev = replace(ev, status=Status.OVERRIDDEN,
                         reasons=ev.reasons + (say(OVERRIDDEN, who=override.actor, note=override.reason,
                                                   citation=override.legal_ground),))
        out.append(Assessment(cp, ev))
    return out


RELEASE_ONLY = ("no judicial order within the limit of this detention: release is the only lawful act "
                "(CPC art 131(4); ICCPR 9(3))")


def missed_review(procedure: acts.Procedure, facts: CaseFacts, book: EvidenceBook, now: datetime,
                  params: Params) -> Assessment | None:
    """The open detention episode's judicial review, when its deadline passed without an order:
    then every act but a release is refused (the brief's second precision)."""
    episode = procedure.open_episode
    if episode is None:
        return None
    cp = catalogue.get("detention_judicial_review")
    scope = acts.scope_of(cp.id, None, procedure)
    rec = book.best(cp.id, scope, facts, now, params)
    ev = cp.evaluate(CheckContext(facts=facts, evidence=rec, now=as_utc(now), params=params))
    if ev.status is not Status.FAILED or ev.due_at is None or as_utc(now) <= ev.due_at:
        return None
    return Assessment(cp, replace(ev, reasons=ev.reasons + (RELEASE_ONLY,)))
