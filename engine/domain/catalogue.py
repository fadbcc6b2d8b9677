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

from .clock import as_utc, parse_instant
from .facts import CaseFacts
from .forms import FormField
from .params import DEFAULT_PARAMS, Params
from .rights import (CheckContext, Checkpoint, Evaluation, EvidenceRecord, FailureClass,
                     OverridePolicy, Status)
from .roles import SUPERVISING_PROSECUTOR
from .stages import STAGE_IDS

__all__ = ["CATALOGUE", "CHECKPOINT_IDS", "get", "guarding", "evaluate", "failure_class",
           "judicial_review_limit_hours", "investigation_term_days"]

SUPERVISOR_OVERRIDES = frozenset({SUPERVISING_PROSECUTOR})


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


def _when(moment: datetime) -> str:
    return as_utc(moment).strftime("%Y-%m-%d %H:%M UTC")


def _duration(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def _outstanding(checkpoint_id: str, ctx: CheckContext, missing: tuple[str, ...],
                 due_at: datetime | None = None, clock_started_at: datetime | None = None,
                 overdue: str = "") -> Evaluation:
    """Evidence absent or incomplete: pending until the deadline, failed once it has passed."""
    if due_at is not None and _now(ctx) > due_at:
        reason = overdue or f"evidence not recorded by the deadline ({_when(due_at)})"
        return Evaluation(checkpoint_id, Status.FAILED, (reason,), missing, due_at,
                          clock_started_at)
    if ctx.evidence is None:
        reason = "no evidence recorded yet"
    else:
        reason = "evidence incomplete: " + ", ".join(missing) if missing else "evidence incomplete"
    if due_at is not None:
        reason += f"; due by {_when(due_at)}"
    return Evaluation(checkpoint_id, Status.PENDING, (reason,), missing, due_at, clock_started_at)


def _always(ctx: CheckContext) -> bool:
    return True


def _no_deadline(ctx: CheckContext) -> datetime | None:
    return None


def _detained(ctx: CheckContext) -> bool:
    return ctx.facts.detained


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
    if missing:
        overdue = (f"no judicial order within {limit_hours} h of apprehension "
                   f"({_when(apprehended)}): release is mandatory") if apprehended else ""
        return _outstanding(cid, ctx, missing, due, apprehended, overdue)
    hearing = _instant(data, "hearing_at")
    elapsed = hearing - apprehended
    if elapsed < timedelta(0):
        return Evaluation(cid, Status.FAILED, ("the hearing time precedes the apprehension: "
                                               "check the recorded times",),
                          due_at=due, clock_started_at=apprehended)
    if elapsed > timedelta(hours=limit_hours):
        reason = (f"hearing held {_duration(elapsed)} after apprehension, beyond the "
                  f"{limit_hours} h limit")
        return Evaluation(cid, Status.FAILED, (reason,), due_at=due, clock_started_at=apprehended)
    return Evaluation(cid, Status.PASSED,
                      (f"hearing held {_duration(elapsed)} after apprehension, within the "
                       f"{limit_hours} h limit",),
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
    return Evaluation(cid, Status.PASSED, satisfied_at=_occurred(ctx, "informed_at"))


# --------------------------------------------------------------------------------------------
# 3. counsel_before_interrogation
# --------------------------------------------------------------------------------------------

COUNSEL_EVIDENCE = (
    _field("lawyer_name", required=False, label="Lawyer"),
    _field("bar_number", required=False, label="Bar number"),
    _field("requested_at", "datetime", required=False, label="Lawyer requested at"),
    _field("consulted_at", "datetime", required=False, label="Private consultation at"),
    _field("present_at_interrogation", "boolean", required=False,
           label="Lawyer present at the interrogation"),
    _field("waived", "boolean", required=False, label="Counsel waived in writing"),
    _field("waiver_advised_by", required=False, label="Waiver made after advice from"),
)
MANDATORY_DEFENCE_REASON = ("waiver not allowed: defence is mandatory "
                            "(minor or other CPC art 67 case)")


def judge_counsel(ctx: CheckContext) -> Evaluation:
    """A lawyer from the first questioning: Salduz, Ibrahim, Beuze; Directive 2013/48; CPC 64, 67.

    Either a named lawyer with a bar number consulted in private and present at the
    interrogation, or the suspect's written waiver after advice, which is void where defence
    is mandatory (minors, and the others CPC art 67 lists).
    """
    cid = "counsel_before_interrogation"
    data = _data(ctx)
    if _flag(data, "waived") is True:
        if ctx.facts.defence_is_mandatory(_now(ctx), ctx.params):
            return Evaluation(cid, Status.FAILED, (MANDATORY_DEFENCE_REASON,))
        if _absent(data.get("waiver_advised_by")):
            return _outstanding(cid, ctx, ("waiver_advised_by",))
        return Evaluation(cid, Status.WAIVED,
                          (f"counsel waived in writing after advice from "
                           f"{data['waiver_advised_by']}",),
                          satisfied_at=_occurred(ctx, "consulted_at"))
    missing = _missing(data, ("lawyer_name", "bar_number", "consulted_at",
                              "present_at_interrogation"))
    if missing:
        return _outstanding(cid, ctx, missing)
    if _flag(data, "present_at_interrogation") is not True:
        return Evaluation(cid, Status.FAILED, ("the lawyer was not present at the interrogation",))
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


def needs_interpreter(ctx: CheckContext) -> bool:
    return ctx.facts.needs_interpreter


def judge_interpreter(ctx: CheckContext) -> Evaluation:
    """Free interpretation and translation of essential documents: ICCPR 14(3)(f);
    ECHR 6(3)(e) (Kamasinski); Directive 2010/64 arts 2, 3, 7; CPC art 210."""
    cid = "interpreter"
    missing = _missing(_data(ctx), ("language", "interpreter_name", "qualification",
                                    "translated_documents", "assessed_at"))
    if missing:
        return _outstanding(cid, ctx, missing)
    return Evaluation(cid, Status.PASSED, satisfied_at=_occurred(ctx, "assessed_at"))


# --------------------------------------------------------------------------------------------
# 6. family_consular_notice
# --------------------------------------------------------------------------------------------

FAMILY_NOTICE_EVIDENCE = (
    _field("family_member", required=False, label="Family member told"),
    _field("method", required=False, label="How they were told"),
    _field("family_notified_at", "datetime", required=False, label="Family told at"),
    _field("consulate_notified_at", "datetime", required=False,
           label="Consulate told at", help="Required for a foreign national"),
    _field("delay_reason", "text", required=False, label="Reason for delaying notice"),
    _field("delay_authorised_by", required=False, label="Delay authorised by"),
)


def family_notice_deadline(ctx: CheckContext) -> datetime | None:
    """The family must be told within the set hours of apprehension (CPC art 135)."""
    return _plus(ctx.facts.apprehended_at, hours=ctx.params.family_notice_hours)


def consulate_notice_deadline(ctx: CheckContext) -> datetime | None:
    """A foreigner's consulate within the set hours of apprehension (VCCR art 36(1)(b))."""
    if not ctx.facts.is_foreigner(ctx.params):
        return None
    return _plus(ctx.facts.apprehended_at, hours=ctx.params.consulate_notice_hours)


def _notice_deadline(ctx: CheckContext) -> datetime | None:
    """The earliest notice still owed (the family's first, then the consulate's)."""
    data = _data(ctx)
    owed = [due for due, done in ((family_notice_deadline(ctx), "family_notified_at"),
                                  (consulate_notice_deadline(ctx), "consulate_notified_at"))
            if due is not None and _absent(data.get(done))]
    return min(owed) if owed else family_notice_deadline(ctx)


def judge_family_notice(ctx: CheckContext) -> Evaluation:
    """Family told of detention, a foreigner's consulate too: Directive 2013/48 arts 5, 7;
    VCCR art 36(1)(b); CPC art 135.  A delay with its reason and authoriser is lawful."""
    cid = "family_consular_notice"
    data, now = _data(ctx), _now(ctx)
    apprehended = ctx.facts.apprehended_at
    if not _absent(data.get("delay_reason")) and not _absent(data.get("delay_authorised_by")):
        return Evaluation(cid, Status.PASSED,
                          (f"notice delayed: {data['delay_reason']} (authorised by "
                           f"{data['delay_authorised_by']})",),
                          due_at=_notice_deadline(ctx), clock_started_at=apprehended,
                          satisfied_at=_occurred(ctx, "family_notified_at"))
    parts = [("family", "family_notified_at", ctx.params.family_notice_hours,
              family_notice_deadline(ctx), ("family_member", "method", "family_notified_at"))]
    if ctx.facts.is_foreigner(ctx.params):
        parts.append(("consulate", "consulate_notified_at", ctx.params.consulate_notice_hours,
                      consulate_notice_deadline(ctx), ("consulate_notified_at",)))
    failures, pending, missing, done_times = [], [], [], []
    for who, done_field, hours, due, required in parts:
        missing += _missing(data, required)
        done = _instant(data, done_field)
        if done is not None:
            done_times.append(done)
            if due is not None and done > due:
                failures.append(f"{who} told {_duration(done - apprehended)} after apprehension, "
                                f"beyond the {hours} h limit")
        elif due is not None and now > due:
            failures.append(f"{who} not told within {hours} h of apprehension")
        else:
            pending.append(f"{who} not yet told" + (f"; due by {_when(due)}" if due else ""))
    due_at = _notice_deadline(ctx)
    if failures:
        return Evaluation(cid, Status.FAILED, tuple(failures), tuple(missing), due_at, apprehended)
    if pending or missing:
        reasons = tuple(pending) or ("evidence incomplete: " + ", ".join(missing),)
        return Evaluation(cid, Status.PENDING, reasons, tuple(missing), due_at, apprehended)
    return Evaluation(cid, Status.PASSED, due_at=due_at, clock_started_at=apprehended,
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


def judge_medical(ctx: CheckContext) -> Evaluation:
    """Examination on admission and investigation of ill-treatment: ECHR 3 (Ribitsch,
    Selmouni, Assenov, Gäfgen); UNCAT arts 12, 13, 15.  An allegation must be referred."""
    cid = "medical_examination"
    required = ["doctor", "examined_at", "findings"]
    if ctx.facts.ill_treatment_alleged:
        required.append("referral_at")
    missing = _missing(_data(ctx), required)
    if missing:
        return _outstanding(cid, ctx, missing)
    return Evaluation(cid, Status.PASSED, satisfied_at=_occurred(ctx, "examined_at"))


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

CUSTODY_TERM_EVIDENCE = (
    _field("order_number", label="Custody order number"),
    _field("ordered_at", "datetime", label="Ordered at"),
    _field("expires_at", "datetime", label="Term expires at"),
    _field("petition_at", "datetime", required=False, label="Extension petition filed at"),
    _field("reasons", "text", label="Reasons custody is necessary"),
    _field("alternatives_considered", "text", label="Alternatives considered"),
)


def custody_term_deadline(ctx: CheckContext) -> datetime | None:
    """The current custody term's expiry, as ordered."""
    return _instant(_data(ctx), "expires_at")


def judge_custody_term(ctx: CheckContext) -> Evaluation:
    """Detention only while necessary, with periodic review: ICCPR 9(3) (GC 35 para 38);
    ECHR 5(3) (Buzadji v Moldova), 5(4); CPC arts 147-152.  At expiry release is mandatory."""
    cid = "custody_term_review"
    data, now = _data(ctx), _now(ctx)
    expires = custody_term_deadline(ctx)
    ordered = _instant(data, "ordered_at")
    if expires is not None and now >= expires:
        return Evaluation(cid, Status.FAILED,
                          (f"custody term expired at {_when(expires)}: release is mandatory "
                           "unless the term was extended",),
                          _missing(data, ("order_number", "ordered_at", "reasons",
                                          "alternatives_considered")),
                          expires, ordered)
    missing = _missing(data, ("order_number", "ordered_at", "expires_at", "reasons",
                              "alternatives_considered"))
    if missing:
        return _outstanding(cid, ctx, missing, expires, ordered)
    reasons = ()
    warning_from = expires - timedelta(days=ctx.params.custody_warning_days)
    if now >= warning_from and _absent(data.get("petition_at")):
        reasons = (f"the custody term expires at {_when(expires)}: an extension petition or a "
                   "release is due",)
    return Evaluation(cid, Status.PASSED, reasons, due_at=expires, clock_started_at=ordered,
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
        reasons.append("the recorded extension lacks " + ", ".join(missing) + ": not counted")
    if _now(ctx) > end:
        reasons.insert(0, f"the investigation term ended at {_when(end)}: acts after expiry "
                          "are flagged")
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
    """The complaint must be registered and routed within the complaint period of filing."""
    return _plus(ctx.facts.complaint_filed_at, days=ctx.params.complaint_days)


def judge_complaint(ctx: CheckContext) -> Evaluation:
    """Complaint to the investigating judge against an investigator or prosecutor: ECHR 13;
    CPC arts 105, 106.  Registered and routed within the complaint period."""
    cid = "complaint_review"
    data = _data(ctx)
    filed, due = ctx.facts.complaint_filed_at, complaint_deadline(ctx)
    note = (DETENTION_CHALLENGE_NOTE,) if ctx.facts.complaint_challenges_detention else ()
    missing = _missing(data, ("complaint_registered_at", "routed_to"))
    if missing:
        outcome = _outstanding(cid, ctx, missing, due, filed,
                               f"complaint not registered and routed within "
                               f"{ctx.params.complaint_days} days of filing")
        return Evaluation(cid, outcome.status, outcome.reasons + note, missing, due, filed)
    registered = _instant(data, "complaint_registered_at")
    if due is not None and registered > due:
        return Evaluation(cid, Status.FAILED,
                          (f"complaint registered after the {ctx.params.complaint_days}-day "
                           "period",) + note, due_at=due, clock_started_at=filed)
    return Evaluation(cid, Status.PASSED, due_at=due, clock_started_at=filed,
                      satisfied_at=registered)


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


def verdict_pronounced(ctx: CheckContext) -> bool:
    return ctx.facts.verdict_pronounced_at is not None


def appeal_deadline(ctx: CheckContext) -> datetime | None:
    """The appeal period from pronouncement, or for a detainee from service of the copy."""
    data = _data(ctx)
    start = _instant(data, "pronounced_at") or ctx.facts.verdict_pronounced_at
    if ctx.facts.detained and _instant(data, "copy_served_at") is not None:
        start = _instant(data, "copy_served_at")
    return _plus(start, days=ctx.params.appeal_days)


def judge_appeal_notice(ctx: CheckContext) -> Evaluation:
    """The right and deadline to appeal made known: ICCPR 14(5); ECHR Protocol 7 art 2;
    CPC arts 414-417.  Late service of the copy restores the time limit."""
    cid = "appeal_notice"
    data = _data(ctx)
    due = appeal_deadline(ctx)
    pronounced = _instant(data, "pronounced_at") or ctx.facts.verdict_pronounced_at
    served = _instant(data, "copy_served_at")
    started = served if (ctx.facts.detained and served) else pronounced
    missing = _missing(data, ("pronounced_at", "copy_served_at", "language", "rights_explained"))
    if missing:
        return _outstanding(cid, ctx, missing, due, started,
                            f"verdict not served with the appeal rights within "
                            f"{ctx.params.appeal_days} days of pronouncement")
    if _flag(data, "rights_explained") is not True:
        return Evaluation(cid, Status.FAILED,
                          ("the right to appeal and its deadline were not explained",),
                          due_at=due, clock_started_at=started)
    if served > due:
        return Evaluation(cid, Status.FAILED,
                          ("copy served after the appeal period ended: the time limit must be "
                           "restored",), due_at=due, clock_started_at=started)
    return Evaluation(cid, Status.PASSED, due_at=due, clock_started_at=started,
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
        applies=_detained, judge=judge_detention_review, deadline=detention_review_deadline,
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
        failure=FailureClass.BLOCK, override=OverridePolicy.BY_ROLE,
        override_roles=SUPERVISOR_OVERRIDES,
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
        failure=FailureClass.BLOCK, override=OverridePolicy.WAIVER_ONLY,
        evidence=COUNSEL_EVIDENCE, occurred_field="consulted_at",
        applies=_always, judge=judge_counsel,
        on_failure="Interrogation is blocked and protocols taken without counsel are flagged; "
                   "only the suspect's written waiver after advice lifts it, never where "
                   "defence is mandatory.",
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
        stages=frozenset({"interrogation", "custody", "indictment", "trial"}),
        failure=FailureClass.BLOCK, override=OverridePolicy.BY_ROLE,
        override_roles=SUPERVISOR_OVERRIDES,
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
        applies=_detained, judge=judge_family_notice, deadline=_notice_deadline,
        on_failure="A task goes to the supervising prosecutor with a deadline and the case "
                   "counts as non-compliant until the notice is given.",
    ),
    Checkpoint(
        id="medical_examination",
        right="examination on admission to custody; investigation of ill-treatment allegations",
        legal_basis="ECHR 3 (Ribitsch, Selmouni, Assenov, Gäfgen); UNCAT arts 12, 13, 15",
        stages=frozenset({"custody", "interrogation"}),
        failure=FailureClass.BLOCK, override=OverridePolicy.BY_ROLE,
        override_roles=SUPERVISOR_OVERRIDES,
        evidence=MEDICAL_EVIDENCE, occurred_field="examined_at",
        applies=medical_applies, judge=judge_medical,
        on_failure="Questioning of a detainee is blocked until examined; an allegation creates "
                   "a mandatory referral task and linked statements are flagged.",
    ),
    Checkpoint(
        id="juvenile_safeguards",
        right="special protection of a child suspect",
        legal_basis="CRC arts 37, 40; Directive 2016/800 arts 5-10; Panovits v Cyprus, "
                    "Blokhin v Russia",
        stages=frozenset({"detention", "suspicion", "interrogation", "custody", "trial"}),
        failure=FailureClass.BLOCK, override=OverridePolicy.NEVER,
        evidence=JUVENILE_EVIDENCE, occurred_field="representative_notified_at",
        applies=is_child, judge=judge_juvenile,
        on_failure="Every step with the child is blocked until the safeguards are recorded; "
                   "counsel cannot be waived and there is no override.",
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
        stages=frozenset({"completion", "indictment"}),
        failure=FailureClass.ESCALATE, override=OverridePolicy.BY_ROLE,
        override_roles=SUPERVISOR_OVERRIDES,
        evidence=CUSTODY_TERM_EVIDENCE, occurred_field="ordered_at",
        applies=_detained, judge=judge_custody_term, deadline=custody_term_deadline,
        on_failure="Escalates to the supervising prosecutor before the term expires; at expiry "
                   "a release task is created.",
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
        on_failure="Escalates to the supervising prosecutor with a deadline; blocks where the "
                   "lawfulness of detention is challenged.",
    ),
    Checkpoint(
        id="file_access_disclosure",
        right="time and facilities for the defence; access to the file",
        legal_basis="ICCPR 14(3)(b); ECHR 6(3)(b) (Edwards v UK, Rowe and Davis v UK); "
                    "Directive 2012/13 art 7; CPC art 320",
        stages=frozenset({"indictment"}),
        failure=FailureClass.BLOCK, override=OverridePolicy.BY_ROLE,
        override_roles=SUPERVISOR_OVERRIDES,
        evidence=FILE_ACCESS_EVIDENCE, occurred_field="defence_access_from",
        applies=_always, judge=judge_file_access,
        on_failure="The indictment is blocked until the defence has had access to the file "
                   "and any withholding rests on a court ruling.",
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
             stage: str | None = None) -> Evaluation:
    """Evaluate one checkpoint (or its id) for a case at ``now``."""
    if isinstance(checkpoint, str):
        checkpoint = get(checkpoint)
    ctx = CheckContext(facts=facts, evidence=evidence, now=as_utc(now), params=params,
                       stage=stage)
    return checkpoint.evaluate(ctx)
