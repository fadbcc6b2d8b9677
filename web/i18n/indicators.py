"""The reviewer indicators of issue 9 (``engine.services.indicators``) in the reader's language:
their titles, definitions and figures.  The engine words them in English for the API and the
JSON export; the page words them here, by the indicator's id and the figure's key, with the
limits (hours, days) taken from the configured parameters as the engine takes them."""
from flask_babel import gettext, lazy_gettext as _l

TITLES = {
    "custody": _l("Custody durations and extensions"),
    "allegations": _l("Ill-treatment allegations and time to referral"),
    "lawyer": _l("Hours from apprehension to a lawyer"),
    "family_notice": _l("Time to family notice"),
    "interpreter": _l("Interpreter provision"),
    "children": _l("Children in detention"),
    "overrides": _l("Overrides per officer"),
    "complaints": _l("Complaints by outcome and time to ruling"),
    "cepej": _l("CEPEJ clearance rate and disposition time per court instance"),
}

FIGURES = {
    "custody_orders": _l("custody orders"), "in_custody": _l("still in custody"), "released": _l("released"),
    "median_days_in_custody": _l("median days in custody"), "extensions_granted": _l("extensions granted"),
    "extensions_refused": _l("extensions refused"), "share_extensions_granted": _l("share of extensions granted"),
    "allegations": _l("allegations"), "referred_in_time": _l("referred in time"),
    "referred_late": _l("referred late"), "awaiting_referral": _l("awaiting referral"),
    "overdue": _l("referral overdue"), "median_hours_to_referral": _l("median hours to referral"),
    "apprehended": _l("persons apprehended"), "with_lawyer": _l("with a lawyer"),
    "without_lawyer": _l("without a lawyer on file"), "median_hours_to_lawyer": _l("median hours to a lawyer"),
    "told_within_limit": _l("family told within the limit"), "told_late": _l("family told late"),
    "not_told": _l("family not told"), "median_hours_to_notice": _l("median hours to the notice"),
    "needing_interpreter": _l("needing an interpreter"), "interpreter_provided": _l("interpreter provided"),
    "not_provided": _l("interpreter not provided"), "share_provided": _l("share provided"),
    "children_apprehended": _l("children apprehended"), "still_held": _l("still held"),
    "overrides": _l("overrides"), "per_officer": _l("by officer"),
    "complaints": _l("complaints"), "upheld": _l("upheld"), "dismissed": _l("dismissed"),
    "awaiting_ruling": _l("awaiting a ruling"), "beyond_term": _l("beyond the ruling term"),
    "median_days_to_ruling": _l("median days to the ruling"),
    "first_instance": _l("first instance"), "appeal": _l("appeal"), "cassation": _l("cassation"),
    "incoming": _l("incoming"), "resolved": _l("resolved"), "pending": _l("pending at the end"),
    "clearance_rate": _l("clearance rate, %"), "disposition_time_days": _l("disposition time, days"),
}
# the trail filter a counted case opens with: the right the indicator is about (or the outcome)
TRAILS = {"custody": {"checkpoint": "custody_term_review"}, "lawyer": {"checkpoint": "counsel_before_interrogation"},
          "family_notice": {"checkpoint": "family_consular_notice"}, "interpreter": {"checkpoint": "interpreter"},
          "children": {"checkpoint": "juvenile_safeguards"}, "overrides": {"status": "overridden"},
          "complaints": {"checkpoint": "complaint_review"}}
SHARES = frozenset({"share_extensions_granted", "share_provided"})


def trail(indicator: dict) -> dict:
    """The audit-trail filter a case counted by this indicator opens with."""
    return dict(TRAILS.get(indicator["id"], {}))


def title(indicator: dict) -> str:
    return str(TITLES[indicator["id"]]) if indicator["id"] in TITLES else indicator["title"]


def is_translated(indicator: dict) -> bool:
    return indicator["id"] in TITLES


def definition(indicator: dict, params) -> str:
    """What the indicator counts, with the configured limits, as the engine defines it."""
    key = indicator["id"]
    if key == "custody":
        return gettext("Custody orders made in the period; days in custody from the order to the release (or to now "
                       "while held); custody extensions granted by the investigating judge in the period, and "
                       "refused attempts (a complaint against the detention awaiting its ruling).")
    if key == "allegations":
        return gettext("Allegations made in the period (one entry per allegation); referred to the prosecutor for an "
                       "independent check within %(hours)s h, late, awaiting referral or overdue; median hours "
                       "from the allegation to its referral.", hours=params.ill_treatment_referral_hours)
    if key == "lawyer":
        return gettext("Persons apprehended in the period; those who consulted a lawyer (the first private "
                       "consultation recorded) and the median hours from apprehension to it; those without a "
                       "lawyer on file.")
    if key == "family_notice":
        return gettext("Persons apprehended in the period; the family told within %(hours)s h, late, or not told; "
                       "median hours from apprehension to the notice.", hours=params.family_notice_hours)
    if key == "interpreter":
        return gettext("Persons apprehended in the period who do not speak the language of the proceedings; those "
                       "with an interpreter on file and those without.")
    if key == "children":
        return gettext("Children (under 18 at apprehension, or age in doubt) apprehended in the period; those still "
                       "held (detention or custody) and those released.")
    if key == "overrides":
        return gettext("Overrides of a blocked right (and derogations from counsel) made in the period, per officer "
                       "who made them; each counts against compliance.")
    if key == "complaints":
        return gettext("Complaints filed in the period (the complaint cases), by outcome; median days from filing "
                       "to the ruling; those ruled on, or still awaiting, beyond the %(days)s-day term.",
                       days=params.complaint_ruling_days)
    if key == "cepej":
        return gettext("Per instance (first instance: preliminary hearing and trial; appeal; cassation): incoming = "
                       "cases entering it in the period, resolved = cases leaving it in the period, pending = cases "
                       "in it at the period's end. Clearance rate = resolved ÷ incoming × 100; disposition time = "
                       "365 ÷ (resolved per year ÷ pending) days, the period's resolved count annualised.")
    return indicator["definition"]


def legal_basis(indicator: dict) -> str:
    """Citations stay as written; the one basis the engine words in prose is said here."""
    if indicator["id"] == "overrides":
        return gettext("the catalogue's override policies; %(basis)s for derogations",
                       basis="Directive 2013/48 art 3(6)")
    return indicator["legal_basis"]


def figure_name(key: str) -> str:
    return str(FIGURES[key]) if key in FIGURES else key


def rows(indicator: dict) -> list[dict]:
    """The indicator's figures as table rows: a label (``typed`` for an officer's name), the
    value, and the case ids counted in it (its drill-down)."""
    out = []
    cases = indicator.get("cases") or {}
    for key, value in indicator["figures"].items():
        if isinstance(value, dict):
            for sub, v in value.items():
                named = key == "per_officer"
                ids = cases.get(f"{key}:{sub}") or cases.get(f"officer:{sub}") or []
                out.append({"group": figure_name(key), "label": sub if named else figure_name(sub), "typed": named,
                            "key": f"{key}:{sub}", "value": v, "share": sub in SHARES, "cases": ids})
        else:
            out.append({"group": None, "label": figure_name(key), "typed": False, "key": key, "value": value,
                        "share": key in SHARES, "cases": cases.get(key) or []})
    return out
