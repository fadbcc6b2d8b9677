"""The facts of a case that decide which rights apply and when their clocks run.

Facts come from the case's data: what was entered when the case was opened and in each task's
form.  Every clock starts from the fact as entered with its own time (``apprehended_at``), never
from the moment the form was filled in.
"""
from dataclasses import dataclass
from datetime import date, datetime

from .clock import parse_instant
from .params import DEFAULT_PARAMS, Params
from .wording import N_, say

# Offence categories that extend the judicial-review limit to 72 h (CPC art 131(4)).
LISTED_CRIME_CATEGORIES = frozenset({"especially_grave", "terrorist", "extremist", "mass_riots"})
# Charges for which defence is mandatory (CPC art 67: the gravest charges).
MANDATORY_DEFENCE_CATEGORIES = frozenset({"especially_grave", "terrorist", "extremist"})
# a ground of mandatory defence naming the offence category (its underscores written as spaces)
CHARGE_IS = N_("the charge is %(category)s")
# Preventive measures that hold the person (CPC art 147).  House arrest counts: the appeal period
# then runs from service of the copy, the reading that protects the person.
CUSTODIAL_OUTCOMES = frozenset({"custody", "house_arrest"})


def proceedings_languages(params: Params) -> frozenset[str]:
    """The languages of proceedings (ISO 639-1), from ``params.proceedings_languages``."""
    return frozenset(p.strip().lower() for p in params.proceedings_languages.split(",")
                     if p.strip())


def yes_no(value) -> bool | None:
    """A tri-state answer: ``True``/``False`` or the words yes/no (true/false); anything else,
    and a missing value, is ``None`` (not answered)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in {"yes", "y", "true", "1"}:
            return True
        if text in {"no", "n", "false", "0"}:
            return False
    return None


@dataclass(frozen=True)
class CaseFacts:
    birth_date: date | None = None
    age_in_doubt: bool = False
    citizenship: str | None = None
    needs_interpreter: bool = False
    detained: bool = False
    apprehended_at: datetime | None = None
    offence_category: str | None = None
    state_of_emergency: bool = False
    jury_eligible: bool = False
    defence_mandatory: bool = False
    registered_at: datetime | None = None
    investigation_form: str | None = None
    verdict_pronounced_at: datetime | None = None
    ill_treatment_alleged: bool = False
    ill_treatment_alleged_at: datetime | None = None
    ombudsperson_complaint: bool = False
    complaint_filed_at: datetime | None = None
    complaint_challenges_detention: bool = False
    complaint_ruled_at: datetime | None = None       # the ruling on a complaint (its own case)
    complaint_to_prosecutor: bool = False             # addressed to the prosecutor (CPC 105)
    # ill-treatment allegations (engine.services.allegations): the earliest allegation not yet
    # referred (its referral clock runs), and the latest referral made
    ill_treatment_referral_from: datetime | None = None
    ill_treatment_referred_at: datetime | None = None
    # added with the first legal review (CPC art 67, Directive 2010/64, CPC arts 414-417)
    cannot_defend_self: bool = False
    suspect_language: str | None = None              # ISO 639-1, lower case
    speaks_language_of_proceedings: bool | None = None  # None: not answered
    jury_trial: bool = False
    in_custody_at_verdict: bool = False
    custody_ordered_at: datetime | None = None
    released_at: datetime | None = None

    @classmethod
    def from_data(cls, data: dict, params: Params = DEFAULT_PARAMS) -> "CaseFacts":
        """Build facts from case data; unknown keys are ignored, bad values read as absent.

        The interpreter right (Directive 2010/64 art 2; CPC art 210) follows from an explicit
        "no" to ``speaks_language_of_proceedings`` or from a ``suspect_language`` outside the
        languages of proceedings, never from a missing answer.
        """
        speaks = yes_no(data.get("speaks_language_of_proceedings"))
        language = _code(data.get("suspect_language"))
        foreign_language = language is not None and language not in proceedings_languages(params)
        verdict_at = _instant(data.get("verdict_pronounced_at"))
        custody_at = _instant(data.get("custody_ordered_at"))
        if custody_at is None and data.get("outcome") in CUSTODIAL_OUTCOMES:
            custody_at = _instant(data.get("ordered_at")) or _instant(data.get("hearing_at"))
        custody_ordered = custody_at is not None or data.get("outcome") in CUSTODIAL_OUTCOMES
        released_at = _instant(data.get("released_at"))
        explicit = yes_no(data.get("in_custody_at_verdict"))
        if explicit is not None:
            in_custody_at_verdict = explicit
        else:
            # custody ordered and no release after the order and before the pronouncement
            released_before = released_at is not None and (
                custody_at is None or released_at >= custody_at) and (
                verdict_at is None or released_at <= verdict_at)
            in_custody_at_verdict = custody_ordered and not released_before
        return cls(
            birth_date=_date(data.get("suspect_birth_date")),
            age_in_doubt=bool(data.get("age_in_doubt")),
            citizenship=(str(data.get("suspect_citizenship")).strip().upper()
                         if data.get("suspect_citizenship") else None),
            needs_interpreter=speaks is False or foreign_language
            or yes_no(data.get("needs_interpreter")) is True,
            detained=_held(data),
            apprehended_at=_instant(data.get("apprehended_at")),
            offence_category=data.get("offence_category"),
            state_of_emergency=bool(data.get("state_of_emergency")),
            jury_eligible=bool(data.get("jury_eligible")),
            defence_mandatory=bool(data.get("defence_mandatory")),
            registered_at=_instant(data.get("registered_at")),
            investigation_form=data.get("investigation_form"),
            verdict_pronounced_at=_instant(data.get("verdict_pronounced_at")),
            ill_treatment_alleged=bool(data.get("ill_treatment_alleged"))
            or _instant(data.get("ill_treatment_alleged_at")) is not None,
            ill_treatment_alleged_at=_instant(data.get("ill_treatment_alleged_at")),
            ombudsperson_complaint=bool(data.get("ombudsperson_complaint")),
            complaint_filed_at=_instant(data.get("complaint_filed_at")),
            complaint_challenges_detention=bool(data.get("complaint_challenges_detention")),
            complaint_ruled_at=_instant(data.get("complaint_ruled_at") or data.get("ruled_at"))
            if data.get("complaint_filed_at") else None,
            complaint_to_prosecutor=data.get("addressed_to") == "prosecutor" and bool(data.get("complaint_filed_at")),
            ill_treatment_referral_from=_instant(data.get("ill_treatment_referral_from")),
            ill_treatment_referred_at=_instant(data.get("ill_treatment_referred_at")),
            cannot_defend_self=yes_no(data.get("cannot_defend_self")) is True,
            suspect_language=language,
            speaks_language_of_proceedings=speaks,
            jury_trial=yes_no(data.get("jury_trial")) is True,
            in_custody_at_verdict=in_custody_at_verdict,
            custody_ordered_at=custody_at,
            released_at=released_at,
        )

    def age_on(self, day: date) -> int | None:
        if self.birth_date is None:
            return None
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years

    def is_minor(self, at: datetime, params: Params) -> bool:
        """Under 18 at ``at``, or age in doubt (then a child is presumed: CRC art 40, GC 24)."""
        if self.age_in_doubt:
            return True
        age = self.age_on(at.date())
        return age is not None and age < params.age_of_majority

    def is_foreigner(self, params: Params) -> bool:
        return bool(self.citizenship) and self.citizenship.upper() != params.home_country

    def is_listed_crime(self) -> bool:
        return self.offence_category in LISTED_CRIME_CATEGORIES or self.state_of_emergency

    def mandatory_defence_grounds(self, at: datetime, params: Params) -> tuple[str, ...]:
        """Why defence is mandatory (CPC art 67), in words; empty when it is not."""
        grounds = []
        # a child when the proceedings began keeps the protection (Directive 2016/800 art 2(3))
        if self.is_minor(at, params) or (self.apprehended_at is not None
                                         and self.is_minor(self.apprehended_at, params)):
            grounds.append(N_("the person is a minor (or the age is in doubt)"))
        if self.cannot_defend_self:
            grounds.append(N_("the person cannot defend themselves"))
        if self.needs_interpreter:
            grounds.append(N_("the person does not speak the language of proceedings"))
        if self.offence_category in MANDATORY_DEFENCE_CATEGORIES:
            grounds.append(say(CHARGE_IS, category=self.offence_category.replace("_", " ")))
        if self.jury_trial:
            grounds.append(N_("the case is tried by a jury"))
        if self.defence_mandatory:
            grounds.append(N_("defence was declared mandatory"))
        return tuple(grounds)

    def defence_is_mandatory(self, at: datetime, params: Params) -> bool:
        """Counsel cannot be waived (CPC art 67): minors or age in doubt, persons who cannot
        defend themselves, those who do not speak the language of proceedings, especially
        grave, terrorist or extremist charges, a jury trial, and the manual flag."""
        return bool(self.mandatory_defence_grounds(at, params))

    def understood_languages(self, params: Params) -> frozenset[str]:
        """Languages the person understands (Directive 2010/64 art 3; 2012/13 art 4(5)): their
        own language when they need an interpreter; otherwise the languages of proceedings and
        their own language."""
        own = frozenset({self.suspect_language}) if self.suspect_language else frozenset()
        if self.needs_interpreter:
            return own
        return proceedings_languages(params) | own


def _held(data: dict) -> bool:
    """Held now: apprehended (or marked detained) and not released since.  A release after the
    latest apprehension or custody order ends it (engine.domain.acts: a detention episode)."""
    if not (data.get("detained") or data.get("apprehended_at")):
        return False
    released = _instant(data.get("released_at"))
    if released is None:
        return True
    since = [t for t in (_instant(data.get("apprehended_at")), _instant(data.get("custody_ordered_at"))) if t]
    return bool(since) and max(since) > released


def _code(value) -> str | None:
    text = str(value).strip().lower() if value not in (None, "") else ""
    return text or None


def _date(value) -> date | None:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _instant(value) -> datetime | None:
    try:
        return parse_instant(value)
    except (TypeError, ValueError):
        return None
