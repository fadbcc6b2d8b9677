"""The sixteen rights checkpoints of the domain brief, each with its legal basis and its rule.

Every rule is a small pure function of a ``CheckContext``: the case's facts, the latest evidence
recorded for the checkpoint (``ctx.evidence``, or ``None``), the time and the parameters.  The
rules share three habits:

- evidence that is absent or incomplete leaves a checkpoint ``PENDING`` (which still blocks a
  block checkpoint) until its deadline, and ``FAILED`` after it; ``missing`` names the fields;
- every clock runs from the fact as entered with its own time (apprehension, registration,
  pronouncement), never from the moment a form was filled in;
- every figure comes from ``ctx.params`` (the brief's *(param)* figures), never a literal.
"""
from datetime import datetime, timedelta
from typing import Iterable

from . import custody
from .clock import as_utc, parse_instant
from .facts import CaseFacts
from .forms import FormField
from .params import DEFAULT_PARAMS, Params
from .rights import (CheckContext, Checkpoint, Evaluation, EvidenceRecord, FailureClass,
                     OverridePolicy, Status)
from .roles import JUDGE, PROSECUTOR, SUPERVISING_PROSECUTOR
from .stages import COURT_STAGES, STAGE_IDS
from .wording import N_, say, span as _duration, when as _when

__all__ = ["CATALOGUE", "CHECKPOINT_IDS", "get", "guarding", "evaluate", "failure_class",
           "judicial_review_limit_hours", "investigation_term_days", "override_roles",
           "escalation_role", "policy_table", "derogation_refusal", "INTERPRETER_ACTS",
           "COURT_STAGES"]

SUPERVISOR_OVERRIDES = frozenset({SUPERVISING_PROSECUTOR})
# At the court stages overrides and escalations belong to the court, not the prosecutor.
COURT_OVERRIDE_ROLES = frozenset({JUDGE})
court_override_roles = COURT_OVERRIDE_ROLES


# --------------------------------------------------------------------------------------------
# Small helpers shared by the rules
# --------------------------------------------------------------------------------------------

def _field(name: str, type: str = "string", required: bool = True, label: str = "",
           help: str = "", choices: Iterable[str] = ()) -> FormField:
    return FormField(name=name, type=type, required=required,
                     label=label or name.replace("_", " ").capitalize(), help=help,
                     choices=tuple(choices))


def _data(ctx: CheckContext) -> dict:
    return dict(ctx.evidence.data) if ctx.evidence is not None else {}


def _now(ctx: CheckContext) -> datetime:
    return as_utc(ctx.now)


def _absent(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _missing(data: dict, names: Iterable[str]) -> tuple[str, ...]:
    """The names among ``names`` that the evidence leaves empty."""
    return tuple(name for name in names if _absent(data.get(name)))


def _instant(data: dict, name: str) -> datetime | None:
    """A datetime field of the evidence (stored as ISO-8601 text), or ``None``."""
    try:
        return parse_instant(data.get(name))
    except (TypeError, ValueError):
        return None


def _flag(data: dict, name: str) -> bool | None:
    """A boolean field of the evidence: ``True``, ``False`` or ``None`` when not recorded."""
    value = data.get(name)
    if isinstance(value, bool) or value is None:
        return value
    text = str(value).strip().lower()
    if text in {"true", "1", "yes", "y", "on"}:
        return True
    if text in {"false", "0", "no", "n", "off"}:
        return False
    return None


def _occurred(ctx: CheckContext, name: str) -> datetime | None:
    """When the evidenced fact happened: its own field, else the record's occurred time."""
    value = _instant(_data(ctx), name)
    if value is None and ctx.evidence is not None:
        return as_utc(ctx.evidence.occurred_at)
    return value


def _plus(start: datetime | None, **delta) -> datetime | None:
    return None if start is None else start + timedelta(**delta)


# The reasons with values in them, as message ids with named placeholders (``wording``): the
# engine says them in English; the web and the CLI say them in the reader's language.
NOT_BY_DEADLINE = N_("evidence not recorded by the deadline (%(when)s)")
DUE_BY = N_("%(reason)s; due by %(when)s")
RELEASED_IN_TIME = N_("released %(held)s after apprehension, within the %(hours)s h limit")
HELD_TOO_LONG = N_("held %(held)s without a judicial order before release, beyond the %(hours)s h limit "
                   "(CPC art 131(4); ICCPR 9(3))")
NO_ORDER = N_("no judicial order within %(hours)s h of apprehension (%(started)s): release is mandatory")
HEARING_LATE = N_("hearing held %(elapsed)s after apprehension, beyond the %(hours)s h limit")
HEARING_IN_TIME = N_("hearing held %(elapsed)s after apprehension, within the %(hours)s h limit")
CUSTODY_ENDED = N_("custody ended at %(when)s, within the term (%(citation)s)")
CUSTODY_EXPIRED_UNLESS = N_("custody term expired at %(when)s: release is mandatory unless the term was lawfully "
                            "extended (%(citation)s)")
CUSTODY_NO_PETITION = N_("no extension petition %(warning_days)s days before the custody term expires (%(due)s): "
                         "escalation due since %(escalate)s; petition or release (%(citation)s)")
CUSTODY_ESCALATION_AHEAD = N_("an escalation is due at %(escalate)s unless an extension petition is filed; the "
                              "term expires at %(expires)s")
TERM_ENDED = N_("the investigation term ended at %(due)s: acts after expiry are flagged")
FAMILY_LATE = N_("family told %(late)s after apprehension, beyond the limit of %(limit)s (%(due)s; %(citation)s)")
CONSULATE_LATE = N_("consulate told %(late)s after apprehension, beyond the limit of %(limit)s (%(due)s; %(citation)s)")
FAMILY_NOT_TOLD = N_("family not told within %(limit)s of apprehension (%(due)s; %(citation)s)")
CONSULATE_NOT_TOLD = N_("consulate not told within %(limit)s of apprehension (%(due)s; %(citation)s)")
FAMILY_PENDING = N_("family not yet told")
CONSULATE_PENDING = N_("consulate not yet told")
REFERRED_LATE = N_("the ill-treatment allegation of %(started)s was referred at %(when)s, beyond %(hours)s h "
                   "(%(citation)s)")
NOT_REFERRED = N_("the ill-treatment allegation of %(started)s was not referred within %(hours)s h (%(citation)s)")
AWAITS_REFERRAL = N_("the ill-treatment allegation of %(started)s awaits its referral by the prosecutor for an "
                     "independent check (UNCAT art 12)")
NOT_EXAMINED_SINCE = N_("no medical examination since the ill-treatment allegation of %(started)s (%(citation)s)")
# a document's language (a letter of rights, a copy of the verdict) and the interpreter's
LETTER_UNREADABLE = N_("the letter of rights cannot be shown to be in a language the person understands: the person "
                       "needs an interpreter and their language (suspect_language) is not recorded (the right to be "
                       "told of the suspicion and rights in a language understood (ICCPR 9(2), 14(3)(a); Directive "
                       "2012/13 art 4(5); CPC art 64(2)))")
LETTER_IN_OTHER = N_("the letter of rights is in '%(given)s', which the person is not shown to understand "
                     "(understood: %(understood)s; the right to be told of the suspicion and rights in a language "
                     "understood (ICCPR 9(2), 14(3)(a); Directive 2012/13 art 4(5); CPC art 64(2)))")
COPY_UNREADABLE = N_("the copy of the verdict cannot be shown to be in a language the person understands: the person "
                     "needs an interpreter and their language (suspect_language) is not recorded (the right to know "
                     "of the appeal in a language understood; Directive 2010/64 art 3; ICCPR 14(5); ECHR Protocol 7 "
                     "art 2; CPC arts 414-417)")
COPY_IN_OTHER = N_("the copy of the verdict is in '%(given)s', which the person is not shown to understand "
                   "(understood: %(understood)s; the right to know of the appeal in a language understood; Directive "
                   "2010/64 art 3; ICCPR 14(5); ECHR Protocol 7 art 2; CPC arts 414-417)")
INTERPRETER_LANGUAGE = N_("the interpreter works in '%(given)s', not the person's language '%(own)s' (the right to "
                          "free interpretation; Directive 2010/64 arts 2-3; CPC art 210)")
DEROGATION_GRANTED = N_("temporary derogation granted by %(who)s (%(citation)s)")
WAIVER_BY_INTERROGATOR = N_("the waiver was advised by the interrogator (%(who)s): a waiver needs advice from an "
                            "independent lawyer (right to a lawyer from the first questioning; Directive 2013/48 "
                            "arts 3, 9; Ibrahim v UK)")
WAIVED = N_("counsel waived in writing after advice from %(who)s (bar number %(bar)s; %(citation)s)")
NO_DELAY_FOR_CHILD = N_("no delay of the notice is lawful for a child (the right to have the family told of the "
                        "detention; Directive 2016/800 art 5; CRC art 37)")
DELAY_UNAUTHORISED = N_("a delay must be authorised by a named prosecutor (the right to have the family told of the "
                        "detention; Directive 2013/48 art 5(3))")
DELAY_UNBOUNDED = N_("a delay must say until when it lasts (the right to have the family told of the detention; "
                     "Directive 2013/48 art 5(3))")
DELAY_TOO_LONG = N_("a delay may last at most %(hours)s h from apprehension (until %(bound)s), not until %(until)s "
                    "(the right to have the family told of the detention; Directive 2013/48 art 5(3))")
DELAY_NOT_COUNTED = N_("the delay is not lawful and does not count: %(reason)s")
# the temporary derogation from access to a lawyer refused (``derogation_refusal``)
DEROGATION_NOT_IN_COURT = N_("the right to a lawyer from the first questioning: a derogation is possible only at the "
                             "pre-trial stage, not at the %(stage)s (%(citation)s)")
NO_DEROGATION_FOR_CHILD = N_("the right to a lawyer from the first questioning: no derogation for a child (Directive "
                             "2016/800 art 6(8) allows none without a lawyer; CPC art 67)")
NO_DEROGATION_MANDATORY = N_("the right to a lawyer from the first questioning: no derogation where defence is "
                             "mandatory (%(mandatory)s; CPC art 67)")
DEROGATION_WRONG_ROLE = N_("the right to a lawyer from the first questioning: a derogation may be granted only by the "
                           "supervising prosecutor, not a %(role)s (%(citation)s)")
DEROGATION_WRONG_GROUND = N_("the right to a lawyer from the first questioning: a derogation needs one of the grounds "
                             "of %(citation)s (%(grounds)s), not %(ground)s")
DEROGATION_FLAG = N_("statement taken under a temporary derogation from the right to a lawyer from the first "
                     "questioning (%(citation)s, ground: %(derogation_ground)s): admissibility to be ruled on")
NO_ROLE = N_("person without a role")
NO_GROUND = "none"
DELAY_WRONG_GROUND = N_("a delay needs a ground of %(citation)s (%(delay_grounds)s), not '%(ground)s' (the right to have "
                        "the family told of the detention)")
WAIVER_MANDATORY = N_("waiver not allowed: defence is mandatory (minor or other CPC art 67 case): %(mandatory)s (right "
                      "to a lawyer from the first questioning; %(citation)s)")
EXTENSION_LACKS = N_("the recorded extension lacks %(lacking)s: not counted")
NOTICE_DELAYED = N_("family notice lawfully delayed until %(until)s (%(citation)s; authorised by %(who)s)")


def _outstanding(checkpoint_id: str, ctx: CheckContext, missing: tuple[str, ...],
                 due_at: datetime | None = None, clock_started_at: datetime | None = None,
                 overdue: str = "") -> Evaluation:
    """Evidence absent or incomplete: pending until the deadline, failed once it has passed."""
    if due_at is not None and _now(ctx) > due_at:
        reason = overdue or say(NOT_BY_DEADLINE, when=_when(due_at))
        return Evaluation(checkpoint_id, Status.FAILED, (reason,), missing, due_at,
                          clock_started_at)
    if ctx.evidence is None:
        reason = "no evidence recorded yet"
    else:
        reason = "evidence incomplete: " + ", ".join(missing) if missing else "evidence incomplete"
    if due_at is not None:
        reason = say(DUE_BY, reason=reason, when=_when(due_at))
    return Evaluation(checkpoint_id, Status.PENDING, (reason,), missing, due_at, clock_started_at)


def _always(ctx: CheckContext) -> bool:
    return True


def _no_deadline(ctx: CheckContext) -> datetime | None:
    return None


def _detained(ctx: CheckContext) -> bool:
    return ctx.facts.detained


def _apprehended(ctx: CheckContext) -> bool:
    """Held now or ever apprehended: a release ends the holding, never the rights it owed (a
    review missed or a notice not given stays a failure after the release)."""
    return ctx.facts.detained or ctx.facts.apprehended_at is not None


def _in_custody(ctx: CheckContext) -> bool:
    """Held now, or custody was ordered: a term overrun stays a failure after the release."""
    return ctx.facts.detained or ctx.facts.custody_ordered_at is not None


def _released(ctx: CheckContext, since: datetime | None) -> datetime | None:
    """When the person was released after ``since`` (the apprehension), if they were."""
    released = ctx.facts.released_at
    if released is None or (since is not None and released < since):
        return None
    return released


# --------------------------------------------------------------------------------------------
# 1. detention_judicial_review
# --------------------------------------------------------------------------------------------

JUDICIAL_REVIEW_EVIDENCE = (
    _field("apprehended_at", "datetime", required=False, label="Apprehended at",
           help="The moment of apprehension; taken from the case when left empty"),
    _field("protocol_at", "datetime", label="Detention protocol drawn up at"),
    _field("petition_at", "datetime", label="Prosecutor's petition filed at"),
    _field("hearing_at", "datetime", label="Court hearing held at"),
    _field("judge", label="Investigating judge"),
    _field("order_number", label="Order number"),
    _field("outcome", "choice", label="Outcome",
           choices=("custody", "house_arrest", "bail", "release")),
)


def judicial_review_limit_hours(facts: CaseFacts, apprehended_at: datetime | None,
                                params: Params) -> int:
    """Hours from apprehension within which a judge must rule (CPC art 131(4); GC 35 para 33).

    A child gets the shortest limit (GC 35: about 24 h for juveniles), whatever the offence;
    listed crimes (especially grave, terrorist, extremist, mass riots, emergency) the longest.
    """
    if apprehended_at is not None and facts.is_minor(apprehended_at, params):
        return params.judicial_review_hours_minor
    if facts.is_listed_crime():
        return params.judicial_review_hours_listed_crimes
    return params.judicial_review_hours


def _apprehended_at(ctx: CheckContext) -> datetime | None:
    return _instant(_data(ctx), "apprehended_at") or ctx.facts.apprehended_at


def detention_review_deadline(ctx: CheckContext) -> datetime | None:
    """Apprehension plus the judicial-review limit: the moment release becomes mandatory."""
    apprehended = _apprehended_at(ctx)
    if apprehended is None:
        return None
    return apprehended + timedelta(
        hours=judicial_review_limit_hours(ctx.facts, apprehended, ctx.params))


HEARING_BEFORE_APPREHENSION = "the hearing time precedes the apprehension: check the recorded times"


def judge_detention_review(ctx: CheckContext) -> Evaluation:
    """Prompt judicial review of detention: ICCPR 9(3), GC 35 para 33; ECHR 5(3); CPC 131(4).

    Passes iff the hearing was held within the limit from apprehension; without an order the
    detainee must be released at the deadline.
    """
    cid = "detention_judicial_review"
    data = _data(ctx)
    apprehended = _apprehended_at(ctx)
    due = detention_review_deadline(ctx)
    required = ["protocol_at", "petition_at", "hearing_at", "judge", "order_number", "outcome"]
    missing = (("apprehended_at",) if apprehended is None else ()) + _missing(data, required)
    limit_hours = judicial_review_limit_hours(ctx.facts, apprehended, ctx.params)
    released = _released(ctx, apprehended)
    if missing and released is not None and apprehended is not None:
        held = released - apprehended
        if due is not None and released <= due:
            return Evaluation(cid, Status.PASSED,
                              (say(RELEASED_IN_TIME, held=_duration(held), hours=limit_hours),),
                              due_at=due, clock_started_at=apprehended, satisfied_at=released)
        return Evaluation(cid, Status.FAILED,
                          (say(HELD_TOO_LONG, held=_duration(held), hours=limit_hours),),
                          missing, due, apprehended)
    if missing:
        overdue = say(NO_ORDER, hours=limit_hours, started=_when(apprehended)) if apprehended else ""
        return _outstanding(cid, ctx, missing, due, apprehended, overdue)
    hearing = _instant(data, "hearing_at")
    elapsed = hearing - apprehended
    if elapsed < timedelta(0):
        return Evaluation(cid, Status.FAILED, (HEARING_BEFORE_APPREHENSION,),
                          due_at=due, clock_started_at=apprehended)
    if elapsed > timedelta(hours=limit_hours):
        reason = say(HEARING_LATE, elapsed=_duration(elapsed), hours=limit_hours)
        return Evaluation(cid, Status.FAILED, (reason,), due_at=due, clock_started_at=apprehended)
    return Evaluation(cid, Status.PASSED,
                      (say(HEARING_IN_TIME, elapsed=_duration(elapsed), hours=limit_hours),),
                      due_at=due, clock_started_at=apprehended, satisfied_at=hearing)


# --------------------------------------------------------------------------------------------
# 2. rights_information
# --------------------------------------------------------------------------------------------

RIGHTS_INFORMATION_EVIDENCE = (
    _field("letter_version", label="Letter of rights version"),
    _field("language", label="Language of the letter"),
    _field("informed_at", "datetime", label="Informed at"),
    _field("signed", "boolean", label="Signed by the suspect"),
    _field("refusal_witnessed_by", required=False, label="Refusal to sign witnessed by"),
)


def judge_rights_information(ctx: CheckContext) -> Evaluation:
    """Information on the suspicion and rights, in writing, in a language understood.

    ICCPR 9(2), 14(3)(a); ECHR 5(2); Directive 2012/13 arts 3-4, 8; CPC arts 64(2), 131(1).
    Shown by the suspect's signature on the letter of rights, or a witnessed refusal to sign.
    """
    cid = "rights_information"
    data = _data(ctx)
    missing = _missing(data, ("letter_version", "language", "informed_at", "signed"))
    if missing:
        return _outstanding(cid, ctx, missing)
    if _flag(data, "signed") is not True and _absent(data.get("refusal_witnessed_by")):
        return Evaluation(cid, Status.FAILED, ("the letter of rights is neither signed nor is a "
                                               "refusal to sign witnessed",),
                          missing=("refusal_witnessed_by",))
    problem = language_problem(ctx.facts, data.get("language"), ctx.params, LETTER_UNREADABLE, LETTER_IN_OTHER)
    if problem:
        return Evaluation(cid, Status.FAILED, (problem,), missing=("language",))
    return Evaluation(cid, Status.PASSED, satisfied_at=_occurred(ctx, "informed_at"))


def language_problem(facts: CaseFacts, language, params: Params, unreadable: str,
                     in_other: str) -> str | None:
    """Why a document's language is not one the person understands, or ``None``: the person's
    own language when they need an interpreter, otherwise a language of proceedings or their
    own (Directive 2010/64 art 3; Directive 2012/13 art 4(5))."""
    given = str(language or "").strip().lower()
    understood = facts.understood_languages(params)
    if not understood:
        return say(unreadable)
    if given not in understood:
        return say(in_other, given=given or "no language", understood=", ".join(sorted(understood)))
    return None


# --------------------------------------------------------------------------------------------
# 3. counsel_before_interrogation
# --------------------------------------------------------------------------------------------

COUNSEL_BASIS = "Salduz v Turkey; Directive 2013/48 arts 3, 9; CPC arts 64, 67"
DEROGATION_BASIS = "Directive 2013/48 art 3(6)"
# The two grounds on which Directive 2013/48 art 3(6) allows a temporary derogation.
DEROGATION_GROUNDS = ("urgent_risk_to_life_liberty_or_physical_integrity",
                      "prevent_substantial_jeopardy_to_proceedings")
DEROGATION_ROLES = frozenset({SUPERVISING_PROSECUTOR})

COUNSEL_EVIDENCE = (
    _field("lawyer_name", required=False, label="Lawyer"),
    _field("bar_number", required=False, label="Bar number"),
    _field("requested_at", "datetime", required=False, label="Lawyer requested at"),
    _field("consulted_at", "datetime", required=False, label="Private consultation at"),
    _field("present_at_interrogation", "boolean", required=False,
           label="Lawyer present at the interrogation"),
    _field("interrogator", required=False, label="Interrogator (username)"),
    _field("waived", "boolean", required=False, label="Counsel waived in writing"),
    _field("waiver_advised_by", required=False, label="Waiver made after advice from (lawyer)",
           help="A lawyer who is not the interrogator"),
    _field("waiver_adviser_bar_number", required=False, label="Advising lawyer's bar number",
           help="Required with a waiver"),
    _field("derogation_ground", "choice", required=False,
           label="Temporary derogation: ground (Directive 2013/48 art 3(6))",
           choices=DEROGATION_GROUNDS),
    _field("derogation_granted_by", required=False, label="Derogation granted by"),
    _field("derogation_granted_by_role", "choice", required=False,
           label="Role of who granted the derogation", choices=(SUPERVISING_PROSECUTOR,)),
)
MANDATORY_DEFENCE_REASON = ("waiver not allowed: defence is mandatory "
                            "(minor or other CPC art 67 case)")


def derogation_refusal(facts: CaseFacts, ground: str | None, role: str | None, now: datetime,
                       params: Params, stage: str | None = None) -> str | None:
    """Whether the temporary derogation from access to a lawyer (Directive 2013/48 art 3(6))
    is allowed: ``None`` if so, else the reason.  Only at the pre-trial stage, for an adult
    without mandatory defence (CPC art 67), granted by the supervising prosecutor, on one of
    its two grounds; the statement taken is always flagged for an admissibility ruling."""
    now = as_utc(now)
    if stage in COURT_STAGES:
        return say(DEROGATION_NOT_IN_COURT, stage=stage.replace("_", " "), citation=DEROGATION_BASIS)
    if facts.is_minor(now, params) or (facts.apprehended_at is not None
                                       and facts.is_minor(facts.apprehended_at, params)):
        return say(NO_DEROGATION_FOR_CHILD)
    grounds = facts.mandatory_defence_grounds(now, params)
    if grounds:
        return say(NO_DEROGATION_MANDATORY, mandatory="; ".join(grounds))
    if role not in DEROGATION_ROLES:
        return say(DEROGATION_WRONG_ROLE, role=role or NO_ROLE, citation=DEROGATION_BASIS)
    if ground not in DEROGATION_GROUNDS:
        return say(DEROGATION_WRONG_GROUND, citation=DEROGATION_BASIS, grounds=", ".join(DEROGATION_GROUNDS),
                   ground=ground or NO_GROUND)
    return None


def _same_person(a, b) -> bool:
    return not _absent(a) and not _absent(b) and str(a).strip().lower() == str(b).strip().lower()


def judge_counsel(ctx: CheckContext) -> Evaluation:
    """A lawyer from the first questioning: Salduz, Ibrahim, Beuze; Directive 2013/48 arts 3, 9;
    Directive 2016/1919; CPC arts 64, 67.

    Either a named lawyer with a bar number consulted in private and present at the
    interrogation; or the person's written waiver after advice from a lawyer (with a bar
    number) who is not the interrogator, void where defence is mandatory (CPC art 67); or the
    temporary derogation of Directive 2013/48 art 3(6) (see ``derogation_refusal``), after
    which the act may go ahead but its statement is always flagged.
    """
    cid = "counsel_before_interrogation"
    data, now = _data(ctx), _now(ctx)
    right = "right to a lawyer from the first questioning"
    if not _absent(data.get("derogation_ground")):
        missing = _missing(data, ("derogation_granted_by", "derogation_granted_by_role"))
        if missing:
            return _outstanding(cid, ctx, missing)
        refusal = derogation_refusal(ctx.facts, data.get("derogation_ground"),
                                     data.get("derogation_granted_by_role"), now, ctx.params,
                                     ctx.stage)
        if refusal:
            return Evaluation(cid, Status.FAILED, (refusal,))
        flag = say(DEROGATION_FLAG, citation=DEROGATION_BASIS, derogation_ground=data["derogation_ground"])
        return Evaluation(cid, Status.OVERRIDDEN,
                          (say(DEROGATION_GRANTED, who=data["derogation_granted_by"], citation=DEROGATION_BASIS),),
                          flags=(flag,))
    if _flag(data, "waived") is True:
        grounds = ctx.facts.mandatory_defence_grounds(now, ctx.params)
        if grounds:
            return Evaluation(cid, Status.FAILED,
                              (say(WAIVER_MANDATORY, mandatory="; ".join(grounds), citation=COUNSEL_BASIS),))
        missing = _missing(data, ("waiver_advised_by", "waiver_adviser_bar_number"))
        if missing:
            return _outstanding(cid, ctx, missing)
        adviser = data.get("waiver_advised_by")
        recorder = ctx.evidence.actor if ctx.evidence is not None else None
        if any(_same_person(adviser, other)
               for other in (ctx.actor, data.get("interrogator"), recorder)):
            return Evaluation(cid, Status.FAILED,
                              (say(WAIVER_BY_INTERROGATOR, who=adviser),),
                              missing=("waiver_advised_by",))
        return Evaluation(cid, Status.WAIVED,
                          (say(WAIVED, who=adviser, bar=data["waiver_adviser_bar_number"], citation=COUNSEL_BASIS),),
                          satisfied_at=_occurred(ctx, "consulted_at"))
    missing = _missing(data, ("lawyer_name", "bar_number", "consulted_at",
                              "present_at_interrogation"))
    if missing:
        return _outstanding(cid, ctx, missing)
    if _flag(data, "present_at_interrogation") is not True:
        return Evaluation(cid, Status.FAILED, (f"the lawyer was not present at the interrogation "
                                               f"({right}; {COUNSEL_BASIS})",))
    return Evaluation(cid, Status.PASSED, satisfied_at=_occurred(ctx, "consulted_at"))


# --------------------------------------------------------------------------------------------
# 4. silence_caution
# --------------------------------------------------------------------------------------------

SILENCE_CAUTION_EVIDENCE = (
    _field("caution_given", "boolean", label="Caution on the right to silence given"),
    _field("cautioned_at", "datetime", label="Cautioned at"),
    _field("recording_reference", label="Recording reference"),
)


def judge_silence_caution(ctx: CheckContext) -> Evaluation:
    """Right to remain silent: ICCPR 14(3)(g); ECHR 6 (John Murray, Saunders, Jalloh);
    Directive 2016/343 art 7; CPC art 131(1).  Without a caution the statement is flagged."""
    cid = "silence_caution"
    data = _data(ctx)
    missing = _missing(data, ("caution_given", "cautioned_at", "recording_reference"))
    if missing:
        return _outstanding(cid, ctx, missing)
    if _flag(data, "caution_given") is not True:
        return Evaluation(cid, Status.FAILED, ("no caution on the right to silence was given",))
    return Evaluation(cid, Status.PASSED, satisfied_at=_occurred(ctx, "cautioned_at"))


# --------------------------------------------------------------------------------------------
# 5. interpreter
# --------------------------------------------------------------------------------------------

INTERPRETER_EVIDENCE = (
    _field("language", label="Language the person understands"),
    _field("interpreter_name", label="Interpreter"),
    _field("qualification", label="Interpreter's qualification"),
    _field("translated_documents", "text", label="Documents translated"),
    _field("assessed_at", "datetime", label="Language assessed at"),
)


# The acts at which an interpreter (and translation of the document) is owed (Directive
# 2010/64 arts 2-3; CPC art 210): questioning and the essential documents.
INTERPRETER_ACTS = frozenset({"interrogation", "custody_decision", "indictment",
                              "verdict_service", "suspicion_notice"})


def needs_interpreter(ctx: CheckContext) -> bool:
    """The person does not speak the language of proceedings and the act is one of
    ``INTERPRETER_ACTS`` (when no act is named, the guarded stage decides)."""
    if not ctx.facts.needs_interpreter:
        return False
    return ctx.act is None or ctx.act in INTERPRETER_ACTS


def judge_interpreter(ctx: CheckContext) -> Evaluation:
    """Free interpretation and translation of essential documents: ICCPR 14(3)(f);
    ECHR 6(3)(e) (Kamasinski); Directive 2010/64 arts 2, 3, 7; CPC art 210."""
    cid = "interpreter"
    missing = _missing(_data(ctx), ("language", "interpreter_name", "qualification",
                                    "translated_documents", "assessed_at"))
    if missing:
        return _outstanding(cid, ctx, missing)
    own = ctx.facts.suspect_language
    given = str(_data(ctx).get("language") or "").strip().lower()
    if own and given != own:
        return Evaluation(cid, Status.FAILED, (say(INTERPRETER_LANGUAGE, given=given, own=own),),
                          missing=("language",))
    return Evaluation(cid, Status.PASSED, satisfied_at=_occurred(ctx, "assessed_at"))


# --------------------------------------------------------------------------------------------
# 6. family_consular_notice
# --------------------------------------------------------------------------------------------

NOTICE_BASIS = "Directive 2013/48 arts 5, 7; VCCR art 36(1)(b); CPC art 135"
DELAY_BASIS = "Directive 2013/48 art 5(3)"
# The only grounds on which the family notice may be delayed (Directive 2013/48 art 5(3)).
NOTICE_DELAY_GROUNDS = ("serious_risk_to_life_liberty_or_physical_integrity",
                        "prevent_substantial_jeopardy_to_proceedings")
NOTICE_DELAY_ROLES = frozenset({PROSECUTOR, SUPERVISING_PROSECUTOR})

FAMILY_NOTICE_EVIDENCE = (
    _field("family_member", required=False, label="Family member told"),
    _field("method", required=False, label="How they were told"),
    _field("family_notified_at", "datetime", required=False, label="Family told at"),
    _field("consulate_notified_at", "datetime", required=False,
           label="Consulate told at", help="Required for a foreign national; never delayed"),
    _field("delay_ground", "choice", required=False,
           label="Ground for delaying the family notice (Directive 2013/48 art 5(3))",
           choices=NOTICE_DELAY_GROUNDS),
    _field("delay_reason", "text", required=False, label="Reasons for the delay"),
    _field("delay_authorised_by", required=False, label="Delay authorised by (prosecutor)"),
    _field("delay_authoriser_role", "choice", required=False, label="Authoriser's role",
           choices=tuple(sorted(NOTICE_DELAY_ROLES))),
    _field("delay_until", "datetime", required=False, label="Notice delayed until"),
)


def family_notice_deadline(ctx: CheckContext) -> datetime | None:
    """The family must be told without delay, at the latest within the set hours of
    apprehension (CPC art 135), or by the end of a lawful delay (``notice_delay``)."""
    base = _plus(ctx.facts.apprehended_at, hours=ctx.params.family_notice_hours)
    delayed_until, _ = notice_delay(ctx)
    if base is not None and delayed_until is not None:
        return max(base, delayed_until)
    return base


def consulate_notice_deadline(ctx: CheckContext) -> datetime | None:
    """A foreigner's consulate at once, at the latest within the set hours of apprehension
    (VCCR art 36(1)(b)); never delayed."""
    if not ctx.facts.is_foreigner(ctx.params):
        return None
    return _plus(ctx.facts.apprehended_at, hours=ctx.params.consulate_notice_hours)


def _claims_delay(data: dict) -> bool:
    return any(not _absent(data.get(name)) for name in
               ("delay_ground", "delay_reason", "delay_authorised_by", "delay_authoriser_role",
                "delay_until"))


def notice_delay(ctx: CheckContext) -> tuple[datetime | None, tuple[str, ...]]:
    """A delay of the family notice, judged (Directive 2013/48 art 5(3); CPC art 135): lawful
    only on a ground from the closed list, authorised by a prosecutor, bounded by
    apprehension + ``notice_delay_max_hours``, and never for a child.  Returns the lawful end
    of the delay (``None`` when there is none) and the reasons a claimed delay is unlawful.
    A free-text reason alone is no delay."""
    data = _data(ctx)
    if not _claims_delay(data):
        return None, ()
    problems = []
    if is_child(ctx):
        problems.append(say(NO_DELAY_FOR_CHILD))
    if data.get("delay_ground") not in NOTICE_DELAY_GROUNDS:
        problems.append(say(DELAY_WRONG_GROUND, citation=DELAY_BASIS, delay_grounds=", ".join(NOTICE_DELAY_GROUNDS),
                            ground=data.get("delay_ground") or NO_GROUND))
    if _absent(data.get("delay_authorised_by")) or \
            data.get("delay_authoriser_role") not in NOTICE_DELAY_ROLES:
        problems.append(say(DELAY_UNAUTHORISED))
    until = _instant(data, "delay_until")
    apprehended = ctx.facts.apprehended_at
    bound = _plus(apprehended, hours=ctx.params.notice_delay_max_hours)
    if until is None:
        problems.append(say(DELAY_UNBOUNDED))
    elif bound is not None and until > bound:
        problems.append(say(DELAY_TOO_LONG, hours=ctx.params.notice_delay_max_hours, bound=_when(bound),
                            until=_when(until)))
    if problems:
        return None, tuple(problems)
    return until, ()


def _notice_deadline(ctx: CheckContext) -> datetime | None:
    """The earliest notice still owed (the family's first, then the consulate's)."""
    data = _data(ctx)
    owed = [due for due, done in ((family_notice_deadline(ctx), "family_notified_at"),
                                  (consulate_notice_deadline(ctx), "consulate_notified_at"))
            if due is not None and _absent(data.get(done))]
    return min(owed) if owed else family_notice_deadline(ctx)


def judge_family_notice(ctx: CheckContext) -> Evaluation:
    """Family told of detention without delay, a foreigner's consulate within 24 h:
    Directive 2013/48 arts 5, 7; VCCR art 36(1)(b); CPC art 135.

    The family's deadline moves only for a lawful delay (``notice_delay``); the consulate's
    never.  A notice owed and not given by its deadline is a failure, never a pass."""
    cid = "family_consular_notice"
    data, now = _data(ctx), _now(ctx)
    apprehended = ctx.facts.apprehended_at
    delayed_until, delay_problems = notice_delay(ctx)
    parts = [("family", "family_notified_at", family_notice_deadline(ctx),
              ("family_member", "method", "family_notified_at"))]
    if ctx.facts.is_foreigner(ctx.params):
        parts.append(("consulate", "consulate_notified_at", consulate_notice_deadline(ctx),
                      ("consulate_notified_at",)))
    failures, pending, missing, done_times = [], [], [], []
    released = _released(ctx, apprehended)
    for who, done_field, due, required in parts:
        done = _instant(data, done_field)
        if done is None and released is not None and due is not None and released <= due:
            done_times.append(released)  # released before the notice was due: none is owed
            continue
        missing += _missing(data, required)
        limit = _duration(due - apprehended) if due is not None else ""
        if done is not None:
            done_times.append(done)
            if due is not None and done > due:
                failures.append(say(FAMILY_LATE if who == "family" else CONSULATE_LATE,
                                    late=_duration(done - apprehended), limit=limit, due=_when(due),
                                    citation=NOTICE_BASIS))
        elif due is not None and now > due:
            failures.append(say(FAMILY_NOT_TOLD if who == "family" else CONSULATE_NOT_TOLD, limit=limit,
                                due=_when(due), citation=NOTICE_BASIS))
        else:
            waiting = say(FAMILY_PENDING if who == "family" else CONSULATE_PENDING)
            pending.append(say(DUE_BY, reason=waiting, when=_when(due)) if due else waiting)
    notes = tuple(say(DELAY_NOT_COUNTED, reason=p) for p in delay_problems)
    if delayed_until is not None:
        notes += (say(NOTICE_DELAYED, until=_when(delayed_until), citation=DELAY_BASIS,
                      who=data.get("delay_authorised_by")),)
    due_at = _notice_deadline(ctx)
    if failures:
        return Evaluation(cid, Status.FAILED, tuple(failures) + notes, tuple(missing), due_at,
                          apprehended)
    if pending or missing:
        reasons = tuple(pending) or ("evidence incomplete: " + ", ".join(missing),)
        return Evaluation(cid, Status.PENDING, reasons + notes, tuple(missing), due_at,
                          apprehended)
    return Evaluation(cid, Status.PASSED, notes, due_at=due_at, clock_started_at=apprehended,
                      satisfied_at=max(done_times))


# --------------------------------------------------------------------------------------------
# 7. medical_examination
# --------------------------------------------------------------------------------------------

MEDICAL_EVIDENCE = (
    _field("doctor", label="Doctor"),
    _field("examined_at", "datetime", label="Examined at"),
    _field("findings", "text", label="Findings"),
    _field("referral_at", "datetime", required=False, label="Allegation referred at",
           help="Required when ill-treatment is alleged"),
)


def medical_applies(ctx: CheckContext) -> bool:
    return ctx.facts.detained or ctx.facts.ill_treatment_alleged


def referral_deadline(ctx: CheckContext) -> datetime | None:
    """An ill-treatment allegation is referred to the prosecutor for an independent check within
    the set hours of being made (UNCAT arts 12-13; brief, precisions).  With several allegations
    the clock runs from the earliest one not yet referred: a later allegation never moves an
    earlier one's deadline."""
    start = ctx.facts.ill_treatment_referral_from or ctx.facts.ill_treatment_alleged_at
    return _plus(start, hours=ctx.params.ill_treatment_referral_hours)


def referral_made_at(ctx: CheckContext) -> datetime | None:
    """When the allegation(s) were referred, if every one of them was: the referral recorded
    through the allegation (a fact) or, for older cases, in the examination record."""
    if ctx.facts.ill_treatment_referral_from is not None:
        return None  # an allegation still waits for its referral
    times = [t for t in (_instant(_data(ctx), "referral_at"), ctx.facts.ill_treatment_referred_at) if t]
    made = max(times) if times else None
    alleged = ctx.facts.ill_treatment_alleged_at
    if made is not None and alleged is not None and made < alleged:
        return None  # referred before the latest allegation: that one is not referred
    return made


def judge_medical(ctx: CheckContext) -> Evaluation:
    """Examination on admission and investigation of ill-treatment: ECHR 3 (Ribitsch,
    Selmouni, Assenov, Gäfgen); UNCAT arts 12, 13, 15.  An allegation must be referred within
    the set hours, and questioning waits for an examination made after the allegation."""
    cid = "medical_examination"
    data = _data(ctx)
    basis = "ECHR 3; UNCAT arts 12, 13, 15"
    alleged = ctx.facts.ill_treatment_alleged_at
    due = referral_deadline(ctx)
    missing = list(_missing(data, ["doctor", "examined_at", "findings"]))
    referral = referral_made_at(ctx) if ctx.facts.ill_treatment_alleged else None
    if ctx.facts.ill_treatment_alleged and referral is None:
        missing.append("referral_at")
    missing = tuple(missing)
    if referral is not None and due is not None and referral > due:
        return Evaluation(cid, Status.FAILED,
                          (say(REFERRED_LATE, started=_when(alleged), when=_when(referral),
                               hours=ctx.params.ill_treatment_referral_hours, citation=basis),), missing, due, alleged)
    if missing:
        outcome = _outstanding(cid, ctx, missing, due, alleged,
                               say(NOT_REFERRED, started=_when(alleged), hours=ctx.params.ill_treatment_referral_hours,
                                   citation=basis) if alleged else "")
        if ctx.facts.ill_treatment_referral_from is not None and outcome.status is Status.PENDING:
            waiting = (say(AWAITS_REFERRAL, started=_when(ctx.facts.ill_treatment_referral_from)),)
            return Evaluation(cid, outcome.status, waiting + outcome.reasons, outcome.missing, due, alleged)
        return outcome
    examined = _instant(data, "examined_at")
    if alleged is not None and examined is not None and examined < alleged:
        return _outstanding(cid, ctx, ("examined_at",), due, alleged,
                            say(NOT_EXAMINED_SINCE, started=_when(alleged), citation=basis))
    return Evaluation(cid, Status.PASSED, due_at=due, clock_started_at=alleged,
                      satisfied_at=_occurred(ctx, "examined_at"))


# --------------------------------------------------------------------------------------------
# 8. juvenile_safeguards
# --------------------------------------------------------------------------------------------

JUVENILE_EVIDENCE = (
    _field("age_checked", "boolean", label="Age checked"),
    _field("representative_name", label="Parent or legal representative"),
    _field("representative_notified_at", "datetime", label="Representative notified at"),
    _field("lawyer_name", label="Lawyer"),
    _field("specialist_present", "boolean", label="Teacher or psychologist present"),
    _field("recording_reference", label="Recording reference"),
)


def is_child(ctx: CheckContext) -> bool:
    """Under 18 now or when apprehended, or age in doubt (then a child is presumed: CRC 40)."""
    facts, params = ctx.facts, ctx.params
    if facts.is_minor(_now(ctx), params):
        return True
    return facts.apprehended_at is not None and facts.is_minor(facts.apprehended_at, params)


def judge_juvenile(ctx: CheckContext) -> Evaluation:
    """Special protection of a child suspect: CRC arts 37, 40; Directive 2016/800 arts 5-10;
    Panovits v Cyprus, Blokhin v Russia.  No waiver and no override."""
    cid = "juvenile_safeguards"
    data = _data(ctx)
    missing = _missing(data, ("age_checked", "representative_name", "representative_notified_at",
                              "lawyer_name", "specialist_present", "recording_reference"))
    if missing:
        return _outstanding(cid, ctx, missing)
    failures = []
    if _flag(data, "age_checked") is not True:
        failures.append("the child's age was not checked")
    if _flag(data, "specialist_present") is not True:
        failures.append("no teacher or psychologist was present")
    if failures:
        return Evaluation(cid, Status.FAILED, tuple(failures))
    return Evaluation(cid, Status.PASSED, satisfied_at=_occurred(ctx, "representative_notified_at"))


# --------------------------------------------------------------------------------------------
# 9. suspect_status_approval
# --------------------------------------------------------------------------------------------

APPROVAL_EVIDENCE = (
    _field("decision_number", label="Decision number"),
    _field("approved", "boolean", label="Approved by the procedural prosecutor"),
    _field("approved_by", label="Prosecutor"),
    _field("approved_at", "datetime", label="Approved (or refused) at"),
)
APPROVAL_REFUSED_REASON = ("the procedural prosecutor refused approval: "
                           "the decision has no legal force")


def judge_suspect_approval(ctx: CheckContext) -> Evaluation:
    """The accusation known and approved: ICCPR 14(3)(a); ECHR 6(3)(a) (Pélissier and Sassi);
    Directive 2012/13 art 6; CPC arts 64, 202, 207.  Without approval it has no legal force."""
    cid = "suspect_status_approval"
    data = _data(ctx)
    if _flag(data, "approved") is False:
        return Evaluation(cid, Status.FAILED, (APPROVAL_REFUSED_REASON,))
    missing = _missing(data, ("decision_number", "approved", "approved_by", "approved_at"))
    if missing:
        return _outstanding(cid, ctx, missing)
    return Evaluation(cid, Status.PASSED, satisfied_at=_occurred(ctx, "approved_at"))


# --------------------------------------------------------------------------------------------
# 10. custody_term_review
# --------------------------------------------------------------------------------------------

CUSTODY_BASIS = "CPC arts 147-152; ICCPR 9(3) (GC 35 para 38); ECHR 5(3) (Buzadji v Moldova)"

CUSTODY_TERM_EVIDENCE = (
    _field("order_number", label="Custody order number"),
    _field("ordered_at", "datetime", label="Ordered at"),
    _field("expires_at", "datetime", label="Term expires at",
           help="At most 2 calendar months from the order (CPC art 151)"),
    _field("first_ordered_at", "datetime", required=False, label="First custody order at",
           help="When this term extends an earlier one; the tiers count from the first order"),
    _field("petition_at", "datetime", required=False, label="Extension petition filed at"),
    _field("extended_until", "datetime", required=False, label="Extended until",
           help="Ordered by the investigating judge on the prosecutor's petition"),
    _field("reasons", "text", label="Reasons custody is necessary"),
    _field("alternatives_considered", "text", label="Alternatives considered"),
)


def _custody_terms(ctx: CheckContext) -> tuple[datetime | None, datetime | None, list[str]]:
    """(first order, lawful current expiry, errors) of the recorded custody term, computed
    from the law (``custody.py``): a typed expiry beyond the law is cut to the lawful limit,
    an extension petitioned too late does not count."""
    data = _data(ctx)
    ordered, expires = _instant(data, "ordered_at"), _instant(data, "expires_at")
    # the tiers count from the first order: recorded with the term, or the case's custody order
    first = _instant(data, "first_ordered_at") or ctx.facts.custody_ordered_at or ordered
    if ordered is not None and first is not None and first > ordered:
        first = ordered
    if ordered is None or expires is None:
        return first, expires, []
    errors = custody.check_first_term(first, expires, _now(ctx), ctx.params) \
        if first == ordered else []
    current = min(expires, custody.first_term_limit(first, ctx.params)) \
        if first == ordered else expires
    if first != ordered:  # this order itself extends an earlier one
        current = min(expires, custody.extension_limit(first, ctx.facts.offence_category,
                                                       ctx.params))
    until = _instant(data, "extended_until")
    if until is not None:
        problems = custody.check_extension(first, current, _instant(data, "petition_at"), until,
                                           ctx.facts.offence_category, ctx.params)
        errors += problems
        petition = _instant(data, "petition_at")
        if petition is not None and petition < current and until > current:
            step = custody.next_extension_limit(first, current, ctx.facts.offence_category,
                                                ctx.params)
            current = min(until, step) if step is not None else current
    return first, current, errors


def custody_term_deadline(ctx: CheckContext) -> datetime | None:
    """The current custody term's expiry, as the law allows it (CPC arts 151-152): the typed
    expiry or extension, never beyond the lawful limit."""
    return _custody_terms(ctx)[1]


def custody_escalation_at(ctx: CheckContext) -> datetime | None:
    """When the missing extension petition becomes an escalation: the set days before the
    term expires, unless a petition is on record (CPC arts 151-152)."""
    expires = custody_term_deadline(ctx)
    if expires is None or pending_petition(ctx):
        return None
    return expires - timedelta(days=ctx.params.custody_warning_days)


def pending_petition(ctx: CheckContext) -> bool:
    """Whether a petition to extend the *current* term is on record: filed at or after the
    term's order, and not already the ground of the extension that made the current term (a
    petition that led to an extension says nothing about the next expiry)."""
    data = _data(ctx)
    petition, ordered = _instant(data, "petition_at"), _instant(data, "ordered_at")
    if petition is None or _instant(data, "extended_until") is not None:
        return False
    return ordered is None or petition >= ordered


def custody_ended_at(facts: CaseFacts, ordered: datetime | None) -> datetime | None:
    """When pre-trial custody ended: release after the order, or the verdict (terms run
    through the court stages until the verdict)."""
    ends = [facts.verdict_pronounced_at]
    if facts.released_at is not None and (ordered is None or facts.released_at >= ordered):
        ends.append(facts.released_at)
    ends = [end for end in ends if end is not None]
    return min(ends) if ends else None


def judge_custody_term(ctx: CheckContext) -> Evaluation:
    """Detention only while necessary, within the terms of the law, with periodic review:
    ICCPR 9(3) (GC 35 para 38); ECHR 5(3) (Buzadji v Moldova), 5(4); CPC arts 147-152.

    The term is computed, not typed: at most 2 calendar months from the order, extended by the
    investigating judge on a petition filed before expiry, within the tiers and ceilings.  It
    runs through the court stages until the verdict or a release.  At expiry release is
    mandatory (FAILED); within the set days before expiry without a petition an escalation is
    due (FAILED, with the reason), not a mere warning."""
    cid = "custody_term_review"
    data, now = _data(ctx), _now(ctx)
    ordered = _instant(data, "ordered_at")
    first, expires, errors = _custody_terms(ctx)
    ended = custody_ended_at(ctx.facts, ordered)
    if ended is not None and expires is not None and ended <= expires:
        return Evaluation(cid, Status.PASSED, (say(CUSTODY_ENDED, when=_when(ended), citation=CUSTODY_BASIS),),
                          due_at=expires, clock_started_at=first, satisfied_at=ended)
    if expires is not None and now >= expires:
        return Evaluation(cid, Status.FAILED,
                          (say(CUSTODY_EXPIRED_UNLESS, when=_when(expires), citation=CUSTODY_BASIS),)
                          + tuple(errors),
                          _missing(data, ("order_number", "ordered_at", "reasons",
                                          "alternatives_considered")),
                          expires, first)
    missing = _missing(data, ("order_number", "ordered_at", "expires_at", "reasons",
                              "alternatives_considered"))
    if missing:
        return _outstanding(cid, ctx, missing, expires, first)
    if errors:
        return Evaluation(cid, Status.FAILED, tuple(errors), due_at=expires,
                          clock_started_at=first)
    escalate = custody_escalation_at(ctx)
    if escalate is not None and now >= escalate:
        return Evaluation(cid, Status.FAILED,
                          (say(CUSTODY_NO_PETITION, warning_days=ctx.params.custody_warning_days,
                               due=_when(expires), escalate=_when(escalate), citation=CUSTODY_BASIS),),
                          due_at=expires, clock_started_at=first)
    reasons = ((say(CUSTODY_ESCALATION_AHEAD, escalate=_when(escalate), expires=_when(expires)),)
               if escalate else ())
    return Evaluation(cid, Status.PASSED, reasons, due_at=expires, clock_started_at=first,
                      satisfied_at=_occurred(ctx, "ordered_at"))


# --------------------------------------------------------------------------------------------
# 11. reasonable_time
# --------------------------------------------------------------------------------------------

REASONABLE_TIME_EVIDENCE = (
    _field("extended_until", "datetime", label="Term extended until"),
    _field("approved_by", label="Extension approved by"),
    _field("grounds", "text", label="Grounds for the extension"),
    _field("extended_at", "datetime", label="Extended at"),
)

# The form of investigation decides its base term (CPC arts 192, 190-191).
_TERM_PARAMS = {
    "full": "investigation_term_days",
    "full_investigation": "investigation_term_days",
    "inquiry": "investigation_term_days",
    "expedited": "expedited_term_days",
    "protocol": "protocol_form_term_days",
    "protocol_form": "protocol_form_term_days",
    "order": "order_procedure_term_days",
    "order_procedure": "order_procedure_term_days",
}


def investigation_term_days(form: str | None, params: Params) -> int:
    """Base term in days for a form of investigation; an unknown form gets the full term."""
    return getattr(params, _TERM_PARAMS.get(form or "full", "investigation_term_days"))


def _extension(ctx: CheckContext) -> datetime | None:
    """The approved extension's end, if a complete extension is on record."""
    data = _data(ctx)
    if ctx.evidence is None or _missing(data, ("extended_until", "approved_by", "grounds")):
        return None
    return _instant(data, "extended_until")


def investigation_term_deadline(ctx: CheckContext) -> datetime | None:
    """Registration plus the term of the form of investigation, or the approved extension."""
    extended = _extension(ctx)
    if extended is not None:
        return extended
    days = investigation_term_days(ctx.facts.investigation_form, ctx.params)
    return _plus(ctx.facts.registered_at, days=days)


def term_running(ctx: CheckContext) -> bool:
    return ctx.facts.registered_at is not None


def judge_reasonable_time(ctx: CheckContext) -> Evaluation:
    """Trial within a reasonable time: ICCPR 14(3)(c); ECHR 6(1), 13 (Kudła v Poland);
    CPC arts 45, 192.  The investigation must end within its term or an approved extension."""
    cid = "reasonable_time"
    data = _data(ctx)
    registered = ctx.facts.registered_at
    end = investigation_term_deadline(ctx)
    reasons, missing = [], ()
    if ctx.evidence is not None and _extension(ctx) is None:
        missing = _missing(data, ("extended_until", "approved_by", "grounds"))
        reasons.append(say(EXTENSION_LACKS, lacking=", ".join(missing)))
    if _now(ctx) > end:
        reasons.insert(0, say(TERM_ENDED, due=_when(end)))
        return Evaluation(cid, Status.FAILED, tuple(reasons), missing, end, registered)
    return Evaluation(cid, Status.PASSED, tuple(reasons), missing, end, registered)


# --------------------------------------------------------------------------------------------
# 12. complaint_review
# --------------------------------------------------------------------------------------------

COMPLAINT_EVIDENCE = (
    _field("complaint_registered_at", "datetime", label="Complaint registered at"),
    _field("routed_to", label="Routed to (investigating judge)"),
    _field("ruling_due_at", "datetime", required=False, label="Ruling due at"),
)
DETENTION_CHALLENGE_NOTE = "the complaint challenges the lawfulness of detention: this blocks"


def complaint_lodged(ctx: CheckContext) -> bool:
    return ctx.facts.complaint_filed_at is not None or ctx.stage == "complaint"


def complaint_deadline(ctx: CheckContext) -> datetime | None:
    """The state's term to rule on a complaint, from its filing (param ``complaint_ruling_days``).
    The 15 days of CPC 105-106 are the complainant's window to file, not the state's term
    (brief, precisions).  A complaint to the prosecutor (CPC 105) has the prosecutor's term."""
    days = (ctx.params.complaint_ruling_days_prosecutor if ctx.facts.complaint_to_prosecutor
            else ctx.params.complaint_ruling_days)
    return _plus(ctx.facts.complaint_filed_at, days=days)


def judge_complaint(ctx: CheckContext) -> Evaluation:
    """Complaint to the investigating judge against an investigator or prosecutor: ECHR 13;
    CPC arts 105, 106.  Registered, routed and ruled on within the ruling's term; a ruling
    after the term does not cure the delay."""
    cid = "complaint_review"
    data = _data(ctx)
    filed, due = ctx.facts.complaint_filed_at, complaint_deadline(ctx)
    ruled = ctx.facts.complaint_ruled_at
    note = (DETENTION_CHALLENGE_NOTE,) if ctx.facts.complaint_challenges_detention else ()
    missing = _missing(data, ("complaint_registered_at", "routed_to"))
    if ruled is None:
        missing = tuple(missing) + ("ruled_at",)
    if ruled is not None and due is not None and ruled > due:
        return Evaluation(cid, Status.FAILED,
                          (f"complaint ruled on at {_when(ruled)}, after its term ({_when(due)}; ECHR 13; "
                           "CPC arts 105, 106)",) + note, tuple(missing), due, filed)
    if missing:
        outcome = _outstanding(cid, ctx, tuple(missing), due, filed,
                               f"complaint not ruled on within its term from filing ({_when(due) if due else 'no filing time'}; ECHR 13; "
                               "CPC arts 105, 106)")
        return Evaluation(cid, outcome.status, outcome.reasons + note, tuple(missing), due, filed)
    return Evaluation(cid, Status.PASSED, due_at=due, clock_started_at=filed, satisfied_at=ruled)


# --------------------------------------------------------------------------------------------
# 13. file_access_disclosure
# --------------------------------------------------------------------------------------------

FILE_ACCESS_EVIDENCE = (
    _field("completion_notice_at", "datetime", label="Completion notice served at"),
    _field("file_index", "text", label="File index with digests"),
    _field("defence_access_from", "datetime", label="Defence access from"),
    _field("defence_access_until", "datetime", label="Defence access until"),
    _field("withheld_items", "text", required=False, label="Items withheld"),
    _field("withholding_ruling", required=False, label="Court ruling on withholding",
           help="Required when items are withheld"),
)


def judge_file_access(ctx: CheckContext) -> Evaluation:
    """Time and facilities for the defence, access to the file: ICCPR 14(3)(b); ECHR 6(3)(b)
    (Edwards, Rowe and Davis); Directive 2012/13 art 7; CPC art 320.  Only a court may let
    material be withheld."""
    cid = "file_access_disclosure"
    data = _data(ctx)
    required = ["completion_notice_at", "file_index", "defence_access_from",
                "defence_access_until"]
    if not _absent(data.get("withheld_items")):
        required.append("withholding_ruling")
    missing = _missing(data, required)
    if missing:
        return _outstanding(cid, ctx, missing)
    access_from = _instant(data, "defence_access_from")
    if _instant(data, "defence_access_until") < access_from:
        return Evaluation(cid, Status.FAILED, ("the defence's access ends before it begins",))
    return Evaluation(cid, Status.PASSED, satisfied_at=_occurred(ctx, "defence_access_from"))


# --------------------------------------------------------------------------------------------
# 14. jury_right
# --------------------------------------------------------------------------------------------

JURY_EVIDENCE = (
    _field("explained_at", "datetime", label="Right to a jury explained at"),
    _field("accused_choice", "choice", label="Accused's choice", choices=("jury", "bench")),
)


def jury_eligible(ctx: CheckContext) -> bool:
    return ctx.facts.jury_eligible


def judge_jury(ctx: CheckContext) -> Evaluation:
    """Trial by jury on request for eligible offences: ECHR 6 (Taxquet v Belgium);
    CPC arts 52, 321.  The accused must have been told and have chosen."""
    cid = "jury_right"
    data = _data(ctx)
    missing = _missing(data, ("explained_at", "accused_choice"))
    if missing:
        return _outstanding(cid, ctx, missing)
    return Evaluation(cid, Status.PASSED, (f"the accused chose a {data['accused_choice']} trial",),
                      satisfied_at=_occurred(ctx, "explained_at"))


# --------------------------------------------------------------------------------------------
# 15. appeal_notice
# --------------------------------------------------------------------------------------------

APPEAL_EVIDENCE = (
    _field("pronounced_at", "datetime", label="Verdict pronounced at"),
    _field("copy_served_at", "datetime", label="Copy of the verdict served at"),
    _field("language", label="Language of the copy"),
    _field("rights_explained", "boolean", label="Right and deadline to appeal explained"),
)


APPEAL_BASIS = "ICCPR 14(5); ECHR Protocol 7 art 2; CPC arts 414-417"


def verdict_pronounced(ctx: CheckContext) -> bool:
    return ctx.facts.verdict_pronounced_at is not None


def _pronounced(ctx: CheckContext) -> datetime | None:
    return _instant(_data(ctx), "pronounced_at") or ctx.facts.verdict_pronounced_at


def appeal_period_end(facts: CaseFacts, pronounced_at: datetime | None,
                      served_at: datetime | None, params: Params) -> datetime | None:
    """The end of the person's time to appeal (CPC arts 414-417): ``appeal_days`` from the
    pronouncement; for a convict held in custody at the verdict, from the service of the copy
    (``None`` until served).  Late service to a detainee restores the time: it runs from it."""
    if facts.in_custody_at_verdict:
        return _plus(served_at, days=params.appeal_days)
    return _plus(pronounced_at, days=params.appeal_days)


def appeal_deadline(ctx: CheckContext) -> datetime | None:
    """When the state must have served the copy with the appeal rights explained: for a
    convict in custody at the verdict, within ``verdict_copy_days`` of pronouncement; for
    anyone else, within the appeal period from pronouncement (CPC arts 414-417)."""
    pronounced = _pronounced(ctx)
    if ctx.facts.in_custody_at_verdict:
        return _plus(pronounced, days=ctx.params.verdict_copy_days)
    return _plus(pronounced, days=ctx.params.appeal_days)


def judge_appeal_notice(ctx: CheckContext) -> Evaluation:
    """The right and deadline to appeal made known: ICCPR 14(5); ECHR Protocol 7 art 2;
    CPC arts 414-417.

    15 days from pronouncement; for a convict held in custody at the verdict, from service of
    the copy, which is owed within ``verdict_copy_days``: later service restores the time but
    is a failure (an escalation the late service does not resolve).  For a person not in
    custody, service after the period ended is a failure (the time must be restored).  The copy
    must be in a language the person understands."""
    cid = "appeal_notice"
    data = _data(ctx)
    due = appeal_deadline(ctx)
    pronounced = _pronounced(ctx)
    served = _instant(data, "copy_served_at")
    detainee = ctx.facts.in_custody_at_verdict
    missing = _missing(data, ("pronounced_at", "copy_served_at", "language", "rights_explained"))
    if missing:
        overdue = (f"copy of the verdict not served on the detainee within "
                   f"{ctx.params.verdict_copy_days} days of pronouncement ({APPEAL_BASIS})"
                   if detainee else
                   f"verdict not served with the appeal rights within "
                   f"{ctx.params.appeal_days} days of pronouncement ({APPEAL_BASIS})")
        return _outstanding(cid, ctx, missing, due, pronounced, overdue)
    period_end = appeal_period_end(ctx.facts, pronounced, served, ctx.params)
    counted = (f"the {ctx.params.appeal_days}-day appeal period runs "
               + (f"from service, until {_when(period_end)}" if detainee else
                  f"from pronouncement, until {_when(period_end)}"))
    if _flag(data, "rights_explained") is not True:
        return Evaluation(cid, Status.FAILED,
                          (f"the right to appeal and its deadline were not explained "
                           f"({APPEAL_BASIS})", counted),
                          due_at=due, clock_started_at=pronounced)
    problem = language_problem(ctx.facts, data.get("language"), ctx.params, COPY_UNREADABLE, COPY_IN_OTHER)
    if problem:
        return Evaluation(cid, Status.FAILED, (problem, counted), missing=("language",),
                          due_at=due, clock_started_at=pronounced)
    if pronounced is not None and served < pronounced:
        return Evaluation(cid, Status.FAILED, ("the copy is recorded as served before the "
                                               "verdict was pronounced: check the times",),
                          due_at=due, clock_started_at=pronounced)
    if due is not None and served > due:
        if detainee:
            reason = (f"copy served on the detainee {_duration(served - pronounced)} after "
                      f"pronouncement, beyond {ctx.params.verdict_copy_days} days: the time to "
                      f"appeal is restored ({counted}); the late service stays a failure "
                      f"({APPEAL_BASIS})")
        else:
            reason = (f"copy served after the appeal period ended ({_when(due)}): the time "
                      f"limit must be restored ({APPEAL_BASIS})")
        return Evaluation(cid, Status.FAILED, (reason,), due_at=due, clock_started_at=pronounced)
    return Evaluation(cid, Status.PASSED, (counted,), due_at=due, clock_started_at=pronounced,
                      satisfied_at=served)


# --------------------------------------------------------------------------------------------
# 16. ombudsperson_access
# --------------------------------------------------------------------------------------------

OMBUDSPERSON_EVIDENCE = (
    _field("forwarded_at", "datetime", label="Complaint forwarded at"),
    _field("forwarded_unopened", "boolean", label="Forwarded unopened"),
    _field("visit_log", "text", required=False, label="Preventive-mechanism visit log"),
)


def ombudsperson_complaint(ctx: CheckContext) -> bool:
    return ctx.facts.ombudsperson_complaint


def judge_ombudsperson(ctx: CheckContext) -> Evaluation:
    """Complaint to the Commissioner for Human Rights, forwarded unopened; visits allowed:
    OPCAT; Constitutional Law on the Commissioner No. 154-VII (2022)."""
    cid = "ombudsperson_access"
    data = _data(ctx)
    missing = _missing(data, ("forwarded_at", "forwarded_unopened"))
    if missing:
        return _outstanding(cid, ctx, missing)
    if _flag(data, "forwarded_unopened") is not True:
        return Evaluation(cid, Status.FAILED, ("the complaint to the Commissioner was not "
                                               "forwarded unopened",))
    return Evaluation(cid, Status.PASSED, satisfied_at=_occurred(ctx, "forwarded_at"))


# --------------------------------------------------------------------------------------------
# The catalogue, in the brief's order
# --------------------------------------------------------------------------------------------

_CHECKPOINTS = (
    Checkpoint(
        id="detention_judicial_review",
        right="prompt judicial review of detention",
        legal_basis=("ICCPR 9(3) and HRC General Comment 35 para 33; ECHR 5(3), Brogan v UK, "
                     "McKay v UK; CPC arts 14(2), 131(4)"),
        stages=frozenset({"custody"}),
        failure=FailureClass.BLOCK, override=OverridePolicy.NEVER,
        evidence=JUDICIAL_REVIEW_EVIDENCE, occurred_field="hearing_at",
        applies=_apprehended, judge=judge_detention_review, deadline=detention_review_deadline,
        on_failure=("Custody is blocked without a court order; at the deadline a "
                    "mandatory-release task and a breach record are created and statements "
                    "taken after it are flagged; no override."),
    ),
    Checkpoint(
        id="rights_information",
        right="to be told of the suspicion and rights, in writing, in a language understood",
        legal_basis="ICCPR 9(2), 14(3)(a); ECHR 5(2); Directive 2012/13 arts 3-4, 8; "
                    "CPC arts 64(2), 131(1)",
        stages=frozenset({"suspicion", "interrogation"}),
        failure=FailureClass.BLOCK, override=OverridePolicy.NEVER,
        evidence=RIGHTS_INFORMATION_EVIDENCE, occurred_field="informed_at",
        applies=_always, judge=judge_rights_information,
        on_failure="Suspicion and interrogation are blocked until the letter of rights is "
                   "signed or a refusal is witnessed.",
    ),
    Checkpoint(
        id="counsel_before_interrogation",
        right="a lawyer from the first questioning",
        legal_basis="Salduz v Turkey (2008), Ibrahim v UK (2016), Beuze v Belgium (2018); "
                    "Directive 2013/48 arts 3, 9; Directive 2016/1919; CPC arts 64, 67",
        stages=frozenset({"interrogation"}),
        failure=FailureClass.BLOCK, override=OverridePolicy.DEROGATION_OR_WAIVER,
        override_roles=DEROGATION_ROLES,
        evidence=COUNSEL_EVIDENCE, occurred_field="consulted_at",
        applies=_always, judge=judge_counsel,
        on_failure="Interrogation is blocked and protocols taken without counsel are flagged; "
                   "only the person's written waiver after advice from a lawyer who is not the "
                   "interrogator lifts it, never where defence is mandatory (CPC art 67), or "
                   "the supervising prosecutor's temporary derogation of Directive 2013/48 "
                   "art 3(6) for an adult on one of its two grounds, the statement always "
                   "flagged.",
    ),
    Checkpoint(
        id="silence_caution",
        right="to remain silent and not to incriminate oneself",
        legal_basis="ICCPR 14(3)(g); ECHR 6 (John Murray, Saunders, Jalloh); "
                    "Directive 2016/343 art 7; CPC art 131(1)",
        stages=frozenset({"interrogation"}),
        failure=FailureClass.FLAG, override=OverridePolicy.BY_ROLE,
        override_roles=SUPERVISOR_OVERRIDES,
        evidence=SILENCE_CAUTION_EVIDENCE, occurred_field="cautioned_at",
        applies=_always, judge=judge_silence_caution,
        on_failure="The interrogation's statement is flagged for an admissibility ruling.",
    ),
    Checkpoint(
        id="interpreter",
        right="free interpretation and translation of essential documents",
        legal_basis="ICCPR 14(3)(f); ECHR 6(3)(e) (Kamasinski v Austria); "
                    "Directive 2010/64 arts 2, 3, 7; CPC art 210",
        stages=frozenset({"suspicion", "interrogation", "custody", "indictment", "trial"}),
        failure=FailureClass.BLOCK, override=OverridePolicy.NEVER,
        evidence=INTERPRETER_EVIDENCE, occurred_field="assessed_at",
        applies=needs_interpreter, judge=judge_interpreter,
        on_failure="Interrogation and the service of detention orders, indictment and "
                   "judgment are blocked until an interpreter is recorded.",
    ),
    Checkpoint(
        id="family_consular_notice",
        right="family told of detention; a foreigner's consulate told",
        legal_basis="Directive 2013/48 arts 5, 7; Vienna Convention on Consular Relations "
                    "art 36(1)(b); CPC art 135",
        stages=frozenset({"detention", "suspicion", "interrogation", "custody"}),
        failure=FailureClass.ESCALATE, override=OverridePolicy.BY_ROLE,
        override_roles=SUPERVISOR_OVERRIDES,
        evidence=FAMILY_NOTICE_EVIDENCE, occurred_field="family_notified_at",
        applies=_apprehended, judge=judge_family_notice, deadline=_notice_deadline,
        on_failure="A task goes to the supervising prosecutor with a deadline and the case "
                   "counts as non-compliant until the notice is given.",
    ),
    Checkpoint(
        id="medical_examination",
        right="examination on admission to custody; investigation of ill-treatment allegations",
        legal_basis="ECHR 3 (Ribitsch, Selmouni, Assenov, Gäfgen); UNCAT arts 12, 13, 15",
        stages=frozenset({"custody", "interrogation"}),
        failure=FailureClass.BLOCK, override=OverridePolicy.NEVER,
        evidence=MEDICAL_EVIDENCE, occurred_field="examined_at",
        applies=medical_applies, judge=judge_medical, deadline=referral_deadline,
        on_failure="Questioning of a detainee is blocked until examined; an allegation creates "
                   "a mandatory referral task and linked statements are flagged.",
    ),
    Checkpoint(
        id="juvenile_safeguards",
        right="special protection of a child suspect",
        legal_basis="CRC arts 37, 40; Directive 2016/800 arts 5-10; Panovits v Cyprus, "
                    "Blokhin v Russia",
        stages=frozenset({"suspicion", "interrogation", "custody", "trial"}),
        failure=FailureClass.BLOCK, override=OverridePolicy.NEVER,
        evidence=JUVENILE_EVIDENCE, occurred_field="representative_notified_at",
        applies=is_child, judge=judge_juvenile,
        on_failure="Suspicion, questioning, custody and trial of the child are blocked until "
                   "the safeguards are recorded (the apprehension itself is always recorded, so "
                   "the 24 h clock runs); counsel cannot be waived and there is no override.",
    ),
    Checkpoint(
        id="suspect_status_approval",
        right="to know the accusation and its legal characterisation; prosecutor's approval",
        legal_basis="ICCPR 14(3)(a); ECHR 6(3)(a) (Pélissier and Sassi); Directive 2012/13 "
                    "art 6; CPC arts 64, 202, 207",
        stages=frozenset({"suspicion"}),
        failure=FailureClass.BLOCK, override=OverridePolicy.NEVER,
        evidence=APPROVAL_EVIDENCE, occurred_field="approved_at",
        applies=_always, judge=judge_suspect_approval,
        on_failure="Recognition as suspect is blocked: without the prosecutor's approval the "
                   "decision has no legal force.",
    ),
    Checkpoint(
        id="custody_term_review",
        right="detention only while necessary; periodic review; ceilings",
        legal_basis="ICCPR 9(3) (GC 35 para 38); ECHR 5(3) (Buzadji v Moldova), 5(4); "
                    "CPC arts 147-152",
        stages=frozenset({"completion", "indictment", "preliminary_hearing", "trial"}),
        failure=FailureClass.ESCALATE, override=OverridePolicy.BY_ROLE,
        override_roles=SUPERVISOR_OVERRIDES,
        evidence=CUSTODY_TERM_EVIDENCE, occurred_field="ordered_at",
        applies=_in_custody, judge=judge_custody_term, deadline=custody_term_deadline,
        on_failure="The term is computed (2 calendar months, extensions within tiers and "
                   "ceilings); without a petition 3 days before expiry it escalates (to the court "
                   "at court stages); at expiry a release task is created.",
    ),
    Checkpoint(
        id="reasonable_time",
        right="trial within a reasonable time",
        legal_basis="ICCPR 14(3)(c); ECHR 6(1), 13 (Kudła v Poland); CPC arts 45, 192",
        stages=frozenset({"completion", "indictment"}),
        failure=FailureClass.ESCALATE, override=OverridePolicy.BY_ROLE,
        override_roles=SUPERVISOR_OVERRIDES,
        evidence=REASONABLE_TIME_EVIDENCE, occurred_field="extended_at",
        applies=term_running, judge=judge_reasonable_time, deadline=investigation_term_deadline,
        on_failure="Escalates to the supervising prosecutor; acts after the term expired are "
                   "flagged.",
    ),
    Checkpoint(
        id="complaint_review",
        right="to complain of an investigator's or prosecutor's act to the investigating judge",
        legal_basis="ECHR 13; CPC arts 105, 106",
        stages=frozenset({"complaint"}),
        failure=FailureClass.ESCALATE, override=OverridePolicy.BY_ROLE,
        override_roles=SUPERVISOR_OVERRIDES,
        evidence=COMPLAINT_EVIDENCE, occurred_field="complaint_registered_at",
        applies=complaint_lodged, judge=judge_complaint, deadline=complaint_deadline,
        on_failure="Escalates to the supervising prosecutor when not ruled on within its term; "
                   "blocks where the lawfulness of detention is challenged: the next custody "
                   "decision on that detention waits for the ruling.",
    ),
    Checkpoint(
        id="file_access_disclosure",
        right="time and facilities for the defence; access to the file",
        legal_basis="ICCPR 14(3)(b); ECHR 6(3)(b) (Edwards v UK, Rowe and Davis v UK); "
                    "Directive 2012/13 art 7; CPC art 320",
        stages=frozenset({"indictment"}),
        failure=FailureClass.BLOCK, override=OverridePolicy.NEVER,
        evidence=FILE_ACCESS_EVIDENCE, occurred_field="defence_access_from",
        applies=_always, judge=judge_file_access,
        on_failure="The indictment is blocked until the defence has had access to the file; "
                   "items may be withheld only by a court ruling shown in the evidence; no "
                   "override.",
    ),
    Checkpoint(
        id="jury_right",
        right="trial by jury for eligible offences, on request",
        legal_basis="ECHR 6 (Taxquet v Belgium); CPC arts 52, 321",
        stages=frozenset({"trial"}),
        failure=FailureClass.BLOCK, override=OverridePolicy.BY_ROLE,
        override_roles=SUPERVISOR_OVERRIDES,
        evidence=JURY_EVIDENCE, occurred_field="explained_at",
        applies=jury_eligible, judge=judge_jury,
        on_failure="Trial scheduling is blocked until the accused has been told of the right "
                   "to a jury and has chosen.",
    ),
    Checkpoint(
        id="appeal_notice",
        right="to know of the right and deadline to appeal",
        legal_basis="ICCPR 14(5); ECHR Protocol 7 art 2; CPC arts 414-417",
        stages=frozenset({"appeal"}),
        failure=FailureClass.ESCALATE, override=OverridePolicy.BY_ROLE,
        override_roles=SUPERVISOR_OVERRIDES,
        evidence=APPEAL_EVIDENCE, occurred_field="copy_served_at",
        applies=verdict_pronounced, judge=judge_appeal_notice, deadline=appeal_deadline,
        on_failure="Escalates to the supervising prosecutor; late service restores the time "
                   "limit to appeal.",
    ),
    Checkpoint(
        id="ombudsperson_access",
        right="to complain to the Commissioner for Human Rights; preventive-mechanism visits",
        legal_basis="OPCAT; Constitutional Law on the Commissioner No. 154-VII (2022)",
        stages=frozenset(STAGE_IDS - {"closed"}),
        failure=FailureClass.ESCALATE, override=OverridePolicy.BY_ROLE,
        override_roles=SUPERVISOR_OVERRIDES,
        evidence=OMBUDSPERSON_EVIDENCE, occurred_field="forwarded_at",
        applies=ombudsperson_complaint, judge=judge_ombudsperson,
        on_failure="Escalates to the supervising prosecutor until the complaint is shown "
                   "forwarded unopened.",
    ),
)

CATALOGUE: dict[str, Checkpoint] = {checkpoint.id: checkpoint for checkpoint in _CHECKPOINTS}
CHECKPOINT_IDS: frozenset[str] = frozenset(CATALOGUE)


def get(checkpoint_id: str) -> Checkpoint:
    """The checkpoint with that id; ``KeyError`` for an unknown id."""
    try:
        return CATALOGUE[checkpoint_id]
    except KeyError:
        raise KeyError(f"unknown checkpoint '{checkpoint_id}'") from None


def guarding(stage_id: str) -> tuple[Checkpoint, ...]:
    """The checkpoints that guard entry into a stage, in the brief's order.

    ``KeyError`` for an unknown stage id, so that a misspelt stage never passes unguarded.
    """
    if stage_id not in STAGE_IDS:
        raise KeyError(f"unknown stage '{stage_id}'")
    return tuple(cp for cp in CATALOGUE.values() if stage_id in cp.stages)


def failure_class(checkpoint: Checkpoint, facts: CaseFacts) -> FailureClass:
    """The failure class that applies to this case: a complaint challenging the lawfulness of
    detention blocks, although complaints otherwise only escalate."""
    if checkpoint.id == "complaint_review" and facts.complaint_challenges_detention:
        return FailureClass.BLOCK
    return checkpoint.failure


def evaluate(checkpoint: Checkpoint | str, facts: CaseFacts, evidence: EvidenceRecord | None,
             now: datetime, params: Params = DEFAULT_PARAMS,
             stage: str | None = None, actor: str | None = None,
             act: str | None = None) -> Evaluation:
    """Evaluate one checkpoint (or its id) for a case at ``now``."""
    if isinstance(checkpoint, str):
        checkpoint = get(checkpoint)
    ctx = CheckContext(facts=facts, evidence=evidence, now=as_utc(now), params=params,
                       stage=stage, actor=actor, act=act)
    return checkpoint.evaluate(ctx)


def override_roles(checkpoint: Checkpoint | str, stage: str | None) -> frozenset[str]:
    """Who may override (or, for counsel, grant the derogation) at ``stage``: nobody for a
    NEVER right, nor for counsel at the court stages (Directive 2013/48 art 3(6): pre-trial
    only); the court (``judge``) at the court stages; elsewhere the checkpoint's roles (the
    supervising prosecutor).  Brief, precisions: "overrides and escalations at court
    stages belong to the court"."""
    if isinstance(checkpoint, str):
        checkpoint = get(checkpoint)
    if checkpoint.override is OverridePolicy.NEVER:
        return frozenset()
    if checkpoint.override is OverridePolicy.DEROGATION_OR_WAIVER and stage in COURT_STAGES:
        return frozenset()  # the counsel derogation exists only at the pre-trial stage
    if stage in COURT_STAGES:
        return COURT_OVERRIDE_ROLES
    return checkpoint.override_roles


def escalation_role(checkpoint_id: str, stage: str | None) -> str:
    """Who receives an escalation at ``stage``: the court at the court stages, else the
    supervising prosecutor."""
    get(checkpoint_id)  # unknown ids are refused
    return JUDGE if stage in COURT_STAGES else SUPERVISING_PROSECUTOR


# What each right applies to and its deadline, in words (for the API and the table test).
_APPLIES = {
    "detention_judicial_review": "each detention episode, before custody",
    "rights_information": "before suspicion and each interrogation; again on re-qualification",
    "counsel_before_interrogation": "each interrogation",
    "silence_caution": "the start of each interrogation",
    "interpreter": "a person who does not speak the language of proceedings, at: "
                   + ", ".join(sorted(INTERPRETER_ACTS)),
    "family_consular_notice": "each detention episode; the consulate for a foreigner",
    "medical_examination": "a detainee on admission and before questioning; any allegation",
    "juvenile_safeguards": "a person under 18 or of doubtful age: suspicion, interrogation, "
                           "custody, trial (never the apprehension record)",
    "suspect_status_approval": "before suspicion takes effect and before a re-qualification",
    "custody_term_review": "each custody term, until release or the verdict",
    "reasonable_time": "the investigation term, from registration",
    "complaint_review": "a complaint filed",
    "file_access_disclosure": "before indictment",
    "jury_right": "an eligible charge, before trial",
    "appeal_notice": "a pronounced verdict",
    "ombudsperson_access": "a complaint to the Commissioner, at any stage",
}


def _deadline_text(cid: str, p: Params) -> str:
    tiers = "/".join(str(m) for m in custody.extension_tiers(p))
    return {
        "detention_judicial_review": f"apprehension + {p.judicial_review_hours} h "
                                     f"({p.judicial_review_hours_listed_crimes} h listed crimes, "
                                     f"{p.judicial_review_hours_minor} h minors)",
        "family_consular_notice": f"family within {p.family_notice_hours} h (lawful delay at "
                                  f"most {p.notice_delay_max_hours} h, never for a child); "
                                  f"consulate within {p.consulate_notice_hours} h, never delayed",
        "custody_term_review": f"first term {p.custody_first_term_months} calendar months from "
                               f"the order; extensions to {tiers} months, ceilings "
                               f"{p.custody_ceiling_grave_months}/"
                               f"{p.custody_ceiling_especially_grave_months} months; escalation "
                               f"{p.custody_warning_days} days before expiry without a petition",
        "reasonable_time": f"registration + {p.investigation_term_days} days (by form)",
        "complaint_review": f"ruling within {p.complaint_ruling_days} days of filing (the "
                            f"complainant files within {p.complaint_days} days)",
        "appeal_notice": f"{p.appeal_days} days from pronouncement; for a convict in custody from "
                         f"service of the copy, owed within {p.verdict_copy_days} days",
        "medical_examination": f"on admission and before questioning; an ill-treatment "
                               f"allegation referred within {p.ill_treatment_referral_hours} h",
    }.get(cid, "before the act")


def policy_table(params: Params = DEFAULT_PARAMS) -> dict[str, dict]:
    """Each right's override policy, override roles (outside / at court stages), what it
    applies to and its deadline, in the brief's order: a stable shape for the API and tests."""
    table = {}
    for cid, cp in CATALOGUE.items():
        table[cid] = {
            "override": cp.override.value,
            "roles": sorted(override_roles(cp, None)),
            "court_roles": sorted(override_roles(cp, "trial")),
            "failure": cp.failure.value,
            "stages": sorted(cp.stages),
            "applies": _APPLIES[cid],
            "deadline": _deadline_text(cid, params),
        }
    return table


# Rights whose "passed" holds only until their due time: a custody term is lawful until it
# expires, so while it runs what is pending is its extension or the release (CPC arts 151-152),
# never a deadline already met.
STANDING_TERMS = frozenset({"custody_term_review"})

# Reasons that say the form's own entries disagree (a typing slip), by the field to correct in the
# same form.  Only these send a person back to a field: a deadline truly missed is never "fixed"
# by changing the time recorded (the remedy is the release, CPC art 131(4)).
FORM_CORRECTIONS = {HEARING_BEFORE_APPREHENSION: "hearing_at"}
