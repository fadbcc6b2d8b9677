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
    family_notice_hours: int = 12
    consulate_notice_hours: int = 24
    urgent_act_registration_hours: int = 24
    lawyer_of_choice_hours: int = 24
    # investigation terms (days) per form of investigation
    investigation_term_days: int = 60
    expedited_term_days: int = 15
    protocol_form_term_days: int = 10
    order_procedure_term_days: int = 5
    # custody
    custody_term_days: int = 60
    custody_warning_days: int = 3
    custody_ceiling_grave_months: int = 12
    custody_ceiling_especially_grave_months: int = 18
    # complaints, appeals, hearings
    complaint_days: int = 15
    appeal_days: int = 15
    cassation_days: int = 180
    preliminary_hearing_days: int = 10
    escalation_days: int = 3
    # the person: adulthood and the language and country of proceedings
    age_of_majority: int = 18
    home_country: str = "KZ"
    # legal clocks: warnings to the supervising prosecutor before a deadline, as comma-separated
    # hours (or days) before it; empty for none.  Custody warns ``custody_warning_days`` before.
    detention_review_warning_hours: str = "12,4"
    notice_warning_hours: str = ""
    investigation_term_warning_days: str = "10"
    complaint_warning_days: str = "3"
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
