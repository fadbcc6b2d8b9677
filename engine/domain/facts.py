"""The facts of a case that decide which rights apply and when their clocks run.

Facts come from the case's data: what was entered when the case was opened and in each task's
form.  Every clock starts from the fact as entered with its own time (``apprehended_at``), never
from the moment the form was filled in.
"""
from dataclasses import dataclass
from datetime import date, datetime

from .clock import parse_instant
from .params import Params

# Offence categories that extend the judicial-review limit to 72 h (CPC art 131(4)).
LISTED_CRIME_CATEGORIES = frozenset({"especially_grave", "terrorist", "extremist", "mass_riots"})


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
    ombudsperson_complaint: bool = False
    complaint_filed_at: datetime | None = None
    complaint_challenges_detention: bool = False

    @classmethod
    def from_data(cls, data: dict) -> "CaseFacts":
        """Build facts from case data; unknown keys are ignored, bad values read as absent."""
        return cls(
            birth_date=_date(data.get("suspect_birth_date")),
            age_in_doubt=bool(data.get("age_in_doubt")),
            citizenship=(data.get("suspect_citizenship") or None),
            needs_interpreter=data.get("speaks_language_of_proceedings") is False
            or bool(data.get("needs_interpreter")),
            detained=bool(data.get("detained")) or bool(data.get("apprehended_at")),
            apprehended_at=_instant(data.get("apprehended_at")),
            offence_category=data.get("offence_category"),
            state_of_emergency=bool(data.get("state_of_emergency")),
            jury_eligible=bool(data.get("jury_eligible")),
            defence_mandatory=bool(data.get("defence_mandatory")),
            registered_at=_instant(data.get("registered_at")),
            investigation_form=data.get("investigation_form"),
            verdict_pronounced_at=_instant(data.get("verdict_pronounced_at")),
            ill_treatment_alleged=bool(data.get("ill_treatment_alleged")),
            ombudsperson_complaint=bool(data.get("ombudsperson_complaint")),
            complaint_filed_at=_instant(data.get("complaint_filed_at")),
            complaint_challenges_detention=bool(data.get("complaint_challenges_detention")),
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

    def defence_is_mandatory(self, at: datetime, params: Params) -> bool:
        """Counsel cannot be waived: minors, and the others the CPC lists (art 67)."""
        return self.defence_mandatory or self.needs_interpreter or self.is_minor(at, params)


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
