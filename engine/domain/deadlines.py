"""The legal clocks of a case, computed from its facts: a pure function of the facts, the latest
evidence per checkpoint, the stage, the time and the parameters.

Each clock starts from the fact as entered with its own time (apprehension, registration,
pronouncement, the custody order's expiry), never from the moment a form was filled in, and it
is recomputed whenever a fact changes, so a corrected age, a late-entered apprehension time or
an extension moves the deadline.  A model change never touches these clocks: they do not come
from the diagram.

The clocks (the brief's list):

- ``detention_judicial_review``: apprehension + 48 h (72 h listed crimes, 24 h minors);
  warnings at due - 12 h and due - 4 h; at expiry a mandatory-release task and a breach, and
  statements taken after it are flagged;
- ``family_consular_notice``: family within 12 h, a foreigner's consulate within 24 h;
- ``custody_term_review``: the custody term's expiry as the law allows it (2 calendar months
  from the order, extensions within the tiers and ceilings); it runs through the court stages
  until the verdict, a release or the case's closing; 3 days before expiry without a petition
  an escalation (``escalate_at``); at expiry without extension a release task;
- ``reasonable_time``: the investigation term from registration, with its extension and any
  interruptions; acts after expiry are flagged;
- ``complaint_review``: the ruling within its term from filing (param; the 15 days are the
  complainant's window); escalated when missed;
- ``medical_examination``: an ill-treatment allegation referred to the prosecutor within 24 h
  (param) of the earliest allegation not yet referred; escalated when missed;
- ``appeal_notice``: the copy served with the appeal rights: within 15 days of pronouncement,
  or for a convict in custody at the verdict within 5 days (the appeal period then runs from
  service);
- ``preliminary_hearing``: held within 10 days of the decision to hold it (a procedural clock,
  not a checkpoint).
"""
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from . import catalogue
from .clock import as_utc, parse_instant
from .facts import CaseFacts
from .params import Params
from .rights import CheckContext, EvidenceRecord
from .wording import N_, number, say, when as _when

CHECKPOINT = "checkpoint"   # a catalogue checkpoint's deadline
PROCEDURE = "procedure"     # a procedural time limit that is not a checkpoint
TIMER = "timer"             # a BPMN timer of the case's diagram (see the workflow adapter)

# Stages after the pre-trial investigation: its term and the pre-trial custody term end there.
AFTER_INVESTIGATION = frozenset({"completion", "indictment", "preliminary_hearing", "trial",
                                 "appeal", "cassation", "closed"})
IN_COURT = frozenset({"preliminary_hearing", "trial", "appeal", "cassation", "closed"})


class Action(StrEnum):
    """What the scheduler does when a clock expires unmet (the catalogue's failure action)."""

    RELEASE_AND_BREACH = "release_and_breach"  # mandatory-release task, breach, statements flagged
    RELEASE = "release"                        # release task and a failed evaluation
    ESCALATE = "escalate"                      # a task for the supervising prosecutor
    ESCALATE_AND_FLAG = "escalate_and_flag"    # escalate; acts after expiry are flagged


class State(StrEnum):
    OPEN = "open"            # running: warnings and the failure action are still to come
    MET = "met"              # the right was shown respected (or the clock ended in time)
    SUSPENDED = "suspended"  # the clock is interrupted (an investigation suspended)


@dataclass(frozen=True)
class ClockRule:
    id: str
    kind: str
    action: Action
    title: str
    advice: str                     # what the supervising prosecutor should see done
    flags_acts_after: bool = False  # statements taken after an unmet deadline are flagged


RULES: dict[str, ClockRule] = {r.id: r for r in (
    ClockRule("detention_judicial_review", CHECKPOINT, Action.RELEASE_AND_BREACH,
              N_("judicial review of detention"),
              N_("bring the detainee before the investigating judge, or release them"),
              flags_acts_after=True),
    ClockRule("family_consular_notice", CHECKPOINT, Action.ESCALATE,
              N_("family and consular notice"), N_("tell the family (and a foreigner's consulate)")),
    ClockRule("custody_term_review", CHECKPOINT, Action.RELEASE, N_("custody term"),
              N_("petition for an extension before the term expires, or release the detainee")),
    ClockRule("reasonable_time", CHECKPOINT, Action.ESCALATE_AND_FLAG, N_("investigation term"),
              N_("extend the investigation term or complete the investigation"),
              flags_acts_after=True),
    ClockRule("complaint_review", CHECKPOINT, Action.ESCALATE, N_("ruling on a complaint"),
              N_("register the complaint, route it and rule on it")),
    ClockRule("medical_examination", CHECKPOINT, Action.ESCALATE, N_("referral of an ill-treatment allegation"),
              N_("refer the allegation to the prosecutor for an independent check")),
    ClockRule("appeal_notice", CHECKPOINT, Action.ESCALATE, N_("appeal period"),
              N_("serve the verdict with the right and the deadline to appeal explained")),
    ClockRule("preliminary_hearing", PROCEDURE, Action.ESCALATE, N_("preliminary hearing"),
              N_("have the preliminary hearing held")),
)}


@dataclass(frozen=True)
class LegalClock:
    id: str
    kind: str
    starts_at: datetime | None
    due_at: datetime
    state: State
    warnings: tuple[datetime, ...]  # moments to warn at, earliest first
    basis: str                      # how the deadline was computed, in words
    reasons: tuple[str, ...] = ()   # why it is unmet (for the breach record)
    # when an escalation (a task to the supervisor, the case non-compliant) is due before the
    # deadline, and why: the custody term without a petition 3 days before expiry
    escalate_at: datetime | None = None
    escalation_reason: str = ""
    escalate_to: str | None = None  # the role the escalation goes to (the court in court)

    @property
    def rule(self) -> ClockRule:
        return RULES[self.id]


def parse_offsets(text: str | None, unit: str) -> tuple[timedelta, ...]:
    """``"12,4"`` in hours (or days) before a deadline, as timedeltas; blanks ignored."""
    out = []
    for part in str(text or "").replace(";", ",").split(","):
        part = part.strip()
        if part:
            out.append(timedelta(**{unit: float(part)}))
    return tuple(out)


def warning_offsets(clock_id: str, params: Params) -> tuple[timedelta, ...]:
    """How long before each clock's deadline the supervising prosecutor is warned."""
    table = {
        "detention_judicial_review": (params.detention_review_warning_hours, "hours"),
        "family_consular_notice": (params.notice_warning_hours, "hours"),
        "custody_term_review": (str(params.custody_warning_days), "days"),
        "reasonable_time": (params.investigation_term_warning_days, "days"),
        "complaint_review": (params.complaint_warning_days, "days"),
        "medical_examination": (params.ill_treatment_referral_warning_hours, "hours"),
        "appeal_notice": (params.appeal_warning_days, "days"),
        "preliminary_hearing": (params.preliminary_hearing_warning_days, "days"),
    }
    text, unit = table[clock_id]
    return parse_offsets(text, unit)


def warning_times(due: datetime, offsets) -> tuple[datetime, ...]:
    return tuple(sorted(due - offset for offset in offsets))


def legal_clocks(data: dict, evidence: dict[str, EvidenceRecord], stage: str | None,
                 closed: bool, now: datetime, params: Params) -> list[LegalClock]:
    """Every legal clock the facts start, with its due time and whether it is still running."""
    facts = CaseFacts.from_data(data, params)
    now = as_utc(now)
    found = []
    for rule in RULES.values():
        if rule.kind == PROCEDURE:
            clock = _preliminary_hearing(data, stage, now, params)
        else:
            clock = _checkpoint_clock(rule, facts, data, evidence, stage, closed, now, params)
        if clock is not None:
            found.append(clock)
    return found


def _checkpoint_clock(rule, facts, data, evidence, stage, closed, now, params) -> LegalClock | None:
    cp = catalogue.get(rule.id)
    if rule.id == "reasonable_time":
        return _investigation_term(facts, data, evidence, stage, closed, now, params)
    ctx = CheckContext(facts=facts, evidence=evidence.get(cp.id), now=now, params=params, stage=stage)
    if not cp.applies(ctx):
        return None
    due = cp.deadline(ctx)
    if due is None:
        return None
    ev = cp.cite(cp.judge(ctx))
    state = State.MET if ev.satisfied else State.OPEN
    escalate_at, escalation_reason = None, ""
    if rule.id == "custody_term_review":
        # The term runs until it expires, through the court stages (CPC 151-152; brief,
        # precisions): it is met only when the case is closed, the verdict is pronounced or the
        # person is released after the order.
        ordered = catalogue._instant(ctx.evidence.data if ctx.evidence else {}, "ordered_at")
        ended = catalogue.custody_ended_at(facts, ordered)
        state = State.MET if (closed or (ended is not None and ended <= due)) else State.OPEN
        escalate_at = catalogue.custody_escalation_at(ctx)
        if escalate_at is not None and state is State.OPEN:
            escalation_reason = say(NO_PETITION, warning_days=params.custody_warning_days, due=_when(due))
        else:
            escalate_at = None
    if rule.id == "medical_examination":
        # the clock is the referral's: met once every allegation is referred, whatever the
        # examination (which questioning waits for, a block of its own)
        state = State.MET if catalogue.referral_made_at(ctx) is not None else State.OPEN
    started = ev.clock_started_at
    return LegalClock(rule.id, rule.kind, started, due, state,
                      warning_times(due, warning_offsets(rule.id, params)),
                      _basis(rule.id, facts, started, due, params), ev.reasons,
                      escalate_at, escalation_reason,
                      catalogue.escalation_role(rule.id, stage))


# How each clock's deadline was computed, and why it is unmet: English message ids with named
# placeholders (``wording``), so that the web and the CLI say them in the reader's language.
NO_PETITION = N_("no extension petition %(warning_days)s days before the custody term expires (%(due)s): "
                 "petition or release (CPC arts 151-152)")
BASIS_APPREHENSION = N_("apprehension %(started)s + %(hours)s h")
BASIS_CUSTODY = N_("custody term to expire %(due)s (at most %(months)s calendar months from the order, "
                   "extensions within the tiers and ceilings)")
BASIS_FAMILY = N_("apprehension %(started)s: family within %(family_hours)s h")
BASIS_FAMILY_CONSULATE = N_("apprehension %(started)s: family within %(family_hours)s h, consulate within "
                            "%(consulate_hours)s h")
BASIS_COMPLAINT = N_("complaint filed %(started)s + %(days)s days to rule")
BASIS_ALLEGATION = N_("ill-treatment allegation %(started)s + %(hours)s h to refer it (UNCAT arts 12-13)")
BASIS_VERDICT_COPY = N_("pronouncement %(started)s + %(days)s days to serve the copy on the detainee (the "
                        "%(appeal_days)s-day appeal period runs from service)")
BASIS_APPEAL = N_("pronouncement %(started)s + %(days)s days")
BASIS_DUE = N_("due %(due)s")
BASIS_TERM = N_("registration %(started)s + %(days)s days")
BASIS_TERM_EXTENDED = N_("extended until %(due)s")
BASIS_INTERRUPTED_DAY = N_("%(basis)s + 1 day interrupted")
BASIS_INTERRUPTED = N_("%(basis)s + %(days)s days interrupted")
BASIS_INTERRUPTED_NOW = N_("%(basis)s; interrupted now")
TERM_ENDED = catalogue.TERM_ENDED
BASIS_HEARING = N_("case sent to court %(started)s + %(days)s days")
NO_HEARING = N_("no preliminary hearing within %(days)s days of the decision to hold it")
NO_ORDER = catalogue.NO_ORDER
CUSTODY_EXPIRED = N_("custody term expired at %(due)s without an extension: release is mandatory")
NOT_RESPECTED = N_("%(title)s not respected by %(due)s (%(basis)s)")


def _basis(clock_id, facts, started, due, params) -> str:
    if clock_id == "detention_judicial_review":
        hours = catalogue.judicial_review_limit_hours(facts, started, params)
        return say(BASIS_APPREHENSION, started=_when(started), hours=hours)
    if clock_id == "custody_term_review":
        return say(BASIS_CUSTODY, due=_when(due), months=params.custody_first_term_months)
    if clock_id == "family_consular_notice":
        if facts.is_foreigner(params):
            return say(BASIS_FAMILY_CONSULATE, started=_when(started), family_hours=params.family_notice_hours,
                       consulate_hours=params.consulate_notice_hours)
        return say(BASIS_FAMILY, started=_when(started), family_hours=params.family_notice_hours)
    if clock_id == "complaint_review":
        return say(BASIS_COMPLAINT, started=_when(started), days=params.complaint_ruling_days)
    if clock_id == "medical_examination":
        return say(BASIS_ALLEGATION, started=_when(started), hours=params.ill_treatment_referral_hours)
    if clock_id == "appeal_notice":
        if facts.in_custody_at_verdict:
            return say(BASIS_VERDICT_COPY, started=_when(started), days=params.verdict_copy_days,
                       appeal_days=params.appeal_days)
        return say(BASIS_APPEAL, started=_when(started), days=params.appeal_days)
    return say(BASIS_DUE, due=_when(due))


def interruptions(data: dict) -> tuple[timedelta, bool]:
    """Time the investigation was interrupted (``investigation_interruptions``: a list of
    ``{"from", "to"}``), and whether an interruption is still running (no ``to``)."""
    total, running = timedelta(0), False
    for item in data.get("investigation_interruptions") or ():
        try:
            start, end = parse_instant(item.get("from")), parse_instant(item.get("to"))
        except (AttributeError, TypeError, ValueError):
            continue
        if start is None:
            continue
        if end is None:
            running = True
        elif end > start:
            total += end - start
    return total, running


def _investigation_term(facts, data, evidence, stage, closed, now, params) -> LegalClock | None:
    """Registration + the form's term, or the approved extension; interruptions add to it."""
    if facts.registered_at is None:
        return None
    ctx = CheckContext(facts=facts, evidence=evidence.get("reasonable_time"), now=now,
                       params=params, stage=stage)
    base = catalogue.investigation_term_deadline(ctx)
    paused, running = interruptions(data)
    due = base + paused
    days = catalogue.investigation_term_days(facts.investigation_form, params)
    extended = base != facts.registered_at + timedelta(days=days)
    basis = (say(BASIS_TERM_EXTENDED, due=_when(base)) if extended else
             say(BASIS_TERM, started=_when(facts.registered_at), days=days))
    if paused:
        paused_days = paused.total_seconds() / 86400
        basis = (say(BASIS_INTERRUPTED_DAY, basis=basis) if paused_days == 1 else
                 say(BASIS_INTERRUPTED, basis=basis, days=number(paused_days)))
    if closed or stage in AFTER_INVESTIGATION:
        state = State.MET
    elif running:
        state = State.SUSPENDED
        basis = say(BASIS_INTERRUPTED_NOW, basis=basis)
    else:
        state = State.OPEN
    reasons = (say(TERM_ENDED, due=_when(due)),)
    return LegalClock("reasonable_time", CHECKPOINT, facts.registered_at, due, state,
                      warning_times(due, warning_offsets("reasonable_time", params)), basis, reasons)


def _preliminary_hearing(data, stage, now, params) -> LegalClock | None:
    """Held within the set days of the decision to hold it: the case sent to court
    (``indictment_decision`` ``send_to_court``, dated by ``indictment_served_at``)."""
    if data.get("indictment_decision") != "send_to_court":
        return None
    try:
        decided = parse_instant(data.get("hearing_ordered_at") or data.get("indictment_served_at"))
    except (TypeError, ValueError):
        decided = None
    if decided is None:
        return None
    due = decided + timedelta(days=params.preliminary_hearing_days)
    state = State.OPEN if stage == "indictment" else State.MET
    return LegalClock("preliminary_hearing", PROCEDURE, decided, due, state,
                      warning_times(due, warning_offsets("preliminary_hearing", params)),
                      say(BASIS_HEARING, started=_when(decided), days=params.preliminary_hearing_days),
                      (say(NO_HEARING, days=params.preliminary_hearing_days),))


def breach_reasons(clock: LegalClock, params: Params, facts_data: dict) -> tuple[str, ...]:
    """What the breach record says: the rule's own reasons when it gives them, else the basis."""
    if clock.id == "detention_judicial_review":
        facts = CaseFacts.from_data(facts_data, params)
        hours = catalogue.judicial_review_limit_hours(facts, clock.starts_at, params)
        return (say(NO_ORDER, hours=hours, started=_when(clock.starts_at)),)
    if clock.id == "custody_term_review":
        return (say(CUSTODY_EXPIRED, due=_when(clock.due_at)),)
    reasons = tuple(r for r in clock.reasons if r)
    return reasons or (say(NOT_RESPECTED, title=clock.rule.title, due=_when(clock.due_at), basis=clock.basis),)
