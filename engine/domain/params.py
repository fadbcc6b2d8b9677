"""Figures the brief marks *(param)*: configuration with these defaults, never literals in rules.

Override any of them with an environment variable ``HABEAS_PARAM_<NAME>`` (upper case), or by
passing ``Params(**changes)``.
"""
import os
from dataclasses import dataclass, fields, replace


@dataclass(frozen=True)
class Params:
    # detention (CPC art 131): hours from apprehension to a court order or release
    judicial_review_hours: int = 48
    judicial_review_hours_listed_crimes: int = 72
    judicial_review_hours_minor: int = 24
    family_notice_hours: int = 12     # "without delay" (CPC 135): the engine's outer bound
    consulate_notice_hours: int = 24  # "at once, at the latest within 24 h" (VCCR 36(1)(b))
    # a lawful delay of the family notice (Directive 2013/48 art 5(3)) ends at the latest this
    # many hours after apprehension; never for a child, never for the consulate
    notice_delay_max_hours: int = 48
    urgent_act_registration_hours: int = 24
    lawyer_of_choice_hours: int = 24
    # investigation terms (days) per form of investigation
    investigation_term_days: int = 60
    expedited_term_days: int = 15
    protocol_form_term_days: int = 10
    order_procedure_term_days: int = 5
    # custody (CPC arts 151-152): terms in calendar months from the first order.
    # ``custody_term_days`` is kept for old callers only; the rules use months.
    custody_term_days: int = 60
    custody_first_term_months: int = 2
    custody_extension_tiers_months: str = "3,9"  # tiers of extension, from the first order
    custody_warning_days: int = 3                # no petition this close to expiry: escalate
    custody_ceiling_grave_months: int = 12
    custody_ceiling_especially_grave_months: int = 18
    # an ill-treatment allegation: referral to the prosecutor for an independent check
    # (UNCAT arts 12-13) within these hours
    ill_treatment_referral_hours: int = 24
    # complaints, appeals, hearings
    complaint_days: int = 15          # the complainant's window to file (CPC 105-106)
    # the state's term to rule on a complaint, counted from its filing (CPC 106: the
    # investigating judge; escalated when missed)
    complaint_ruling_days: int = 5
    complaint_ruling_days_prosecutor: int = 3  # a complaint to the prosecutor (CPC 105)
    appeal_days: int = 15
    verdict_copy_days: int = 5  # a detainee is served the copy of the verdict within these days
    cassation_days: int = 180
    preliminary_hearing_days: int = 10
    escalation_days: int = 3
    # the person: adulthood and the language and country of proceedings
    age_of_majority: int = 18
    home_country: str = "KZ"
    proceedings_languages: str = "kk,ru"  # ISO 639-1 codes of the languages of proceedings
    min_age_plausible: int = 10           # a birth date making the person younger is an error
    max_age_plausible: int = 120
    clock_skew_minutes: int = 5           # how far in the future a fact time may be (clocks)
    # legal clocks: warnings to the supervising prosecutor before a deadline, as comma-separated
    # hours (or days) before it; empty for none.  Custody warns ``custody_warning_days`` before.
    detention_review_warning_hours: str = "12,4"
    notice_warning_hours: str = ""
    investigation_term_warning_days: str = "10"
    complaint_warning_days: str = "1"   # before the ruling's term
    ill_treatment_referral_warning_hours: str = "6"
    appeal_warning_days: str = "3"
    preliminary_hearing_warning_days: str = "2"
    # the scheduler and display
    scheduler_interval_seconds: int = 60
    display_timezone: str = "Asia/Almaty"  # HABEAS_TIMEZONE overrides it

    @classmethod
    def from_env(cls, environ=os.environ) -> "Params":
        changes = {}
        for f in fields(cls):
            raw = environ.get(f"HABEAS_PARAM_{f.name.upper()}")
            if raw is not None:
                changes[f.name] = f.type(raw) if callable(f.type) else type(f.default)(raw)
        return replace(cls(), **changes)


DEFAULT_PARAMS = Params()
