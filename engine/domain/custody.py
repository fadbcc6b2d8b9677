"""Custody terms computed from the law, not typed (CPC arts 151-152; brief, precisions).

- The first term is at most ``custody_first_term_months`` (2) calendar months from the order.
- Extensions are ordered by the investigating judge on the prosecutor's petition, filed before
  the current term expires, up to the tiers ``custody_extension_tiers_months`` ("3,9") counted
  from the first order, and to the ceilings of 12 / 18 months for grave / especially grave
  crimes (terrorist and extremist crimes count as especially grave).  Other categories stop at
  the last tier.
- Months are calendar months: 31 January + 1 month is the last day of February, 31 January +
  2 months is 31 March (the day clamps to the end of a shorter month).

Every function is pure; errors are sentences naming the right and the law.
"""
import calendar
from datetime import datetime, timedelta

from .clock import as_utc
from .params import Params

BASIS_FIRST = "CPC art 151; ICCPR 9(3); ECHR 5(3)"
BASIS_EXTENSION = "CPC arts 151-152; ICCPR 9(3) (GC 35 para 38); ECHR 5(3) (Buzadji v Moldova)"
RIGHT = "detention only while necessary, within the terms of the law"

GRAVE = frozenset({"grave"})
ESPECIALLY_GRAVE = frozenset({"especially_grave", "terrorist", "extremist"})


def add_months(moment: datetime, months: int) -> datetime:
    """``moment`` plus whole calendar months, the day clamped to the end of a shorter month."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def extension_tiers(params: Params) -> tuple[int, ...]:
    """The tiers of extension in months from the first order, ascending (``"3,9"``)."""
    tiers = sorted({int(p) for p in str(params.custody_extension_tiers_months).replace(";", ",")
                    .split(",") if p.strip()})
    return tuple(tiers)


def ceiling_months(offence_category: str | None, params: Params) -> int:
    """The most months of pre-trial custody the law allows for the category (CPC art 151):
    12 for grave, 18 for especially grave (terrorist, extremist included), otherwise the last
    tier; never less than the first term."""
    category = (offence_category or "").strip().lower()
    if category in ESPECIALLY_GRAVE:
        return params.custody_ceiling_especially_grave_months
    if category in GRAVE:
        return params.custody_ceiling_grave_months
    tiers = extension_tiers(params)
    return max(tiers[-1] if tiers else 0, params.custody_first_term_months)


def first_term_limit(ordered_at: datetime, params: Params) -> datetime:
    """The latest expiry of a first custody term: the order + 2 calendar months (CPC 151)."""
    return add_months(as_utc(ordered_at), params.custody_first_term_months)


def extension_limit(first_ordered_at: datetime, offence_category: str | None,
                    params: Params) -> datetime:
    """The latest expiry any extension may reach: the first order + the category's ceiling."""
    return add_months(as_utc(first_ordered_at), ceiling_months(offence_category, params))


def tier_limits(first_ordered_at: datetime, offence_category: str | None,
                params: Params) -> tuple[datetime, ...]:
    """The successive limits an extension may reach, each counted from the first order: the
    tiers below the ceiling, then the ceiling."""
    ceiling = ceiling_months(offence_category, params)
    steps = set(extension_tiers(params)) | {ceiling}
    if (offence_category or "").strip().lower() in GRAVE | ESPECIALLY_GRAVE:
        steps.add(params.custody_ceiling_grave_months)  # 12 months, then 18 (CPC 151)
    months = sorted(m for m in steps if params.custody_first_term_months < m <= ceiling)
    return tuple(add_months(as_utc(first_ordered_at), m) for m in months)


def next_extension_limit(first_ordered_at: datetime, current_expiry: datetime,
                         offence_category: str | None, params: Params) -> datetime | None:
    """How far the next extension may go: the first tier beyond the current expiry (one
    extension moves up one tier); ``None`` when the ceiling is reached."""
    current = as_utc(current_expiry)
    for limit in tier_limits(first_ordered_at, offence_category, params):
        if limit > current:
            return limit
    return None


def _when(moment: datetime) -> str:
    return as_utc(moment).strftime("%Y-%m-%d %H:%M UTC")


def check_first_term(ordered_at: datetime | None, expires_at: datetime | None, now: datetime,
                     params: Params) -> list[str]:
    """Errors in a first custody order (CPC art 151): the term must end after the order and no
    later than the order + the first term's months.  Empty when lawful."""
    errors = []
    if ordered_at is None:
        errors.append(f"the custody order's date is missing ({BASIS_FIRST})")
    if expires_at is None:
        errors.append(f"the custody term's expiry is missing ({BASIS_FIRST})")
    if errors:
        return errors
    ordered, expires = as_utc(ordered_at), as_utc(expires_at)
    if ordered > as_utc(now) + timedelta(minutes=params.clock_skew_minutes):
        errors.append(f"the custody order cannot be dated in the future ({_when(ordered)} is "
                      f"after now)")
    if expires <= ordered:
        errors.append(f"the custody term must end after its order ({_when(expires)} is not "
                      f"after {_when(ordered)}; {BASIS_FIRST})")
    limit = first_term_limit(ordered, params)
    if expires > limit:
        errors.append(f"a first custody term is at most {params.custody_first_term_months} "
                      f"months: it may run until {_when(limit)}, not {_when(expires)} "
                      f"({RIGHT}; {BASIS_FIRST})")
    return errors


def check_extension(first_ordered_at: datetime | None, current_expiry: datetime | None,
                    petition_at: datetime | None, extended_until: datetime | None,
                    offence_category: str | None, params: Params) -> list[str]:
    """Errors in an extension of custody (CPC arts 151-152): the prosecutor's petition filed
    before the current term expires; the new term after the current one and no further than
    the next tier (3, then 9 months from the first order) nor the category's ceiling (12 grave,
    18 especially grave).  Empty when lawful."""
    errors = []
    for value, what in ((first_ordered_at, "the first custody order's date"),
                        (current_expiry, "the current term's expiry"),
                        (petition_at, "the prosecutor's petition date"),
                        (extended_until, "the new expiry")):
        if value is None:
            errors.append(f"{what} is missing ({BASIS_EXTENSION})")
    if errors:
        return errors
    first, current = as_utc(first_ordered_at), as_utc(current_expiry)
    petition, until = as_utc(petition_at), as_utc(extended_until)
    if petition >= current:
        errors.append(f"the prosecutor's petition must be filed before the current term "
                      f"expires ({_when(petition)} is not before {_when(current)}): the person "
                      f"must be released ({BASIS_EXTENSION})")
    if until <= current:
        errors.append(f"an extension must end after the current term ({_when(until)} is not "
                      f"after {_when(current)}; {BASIS_EXTENSION})")
        return errors
    ceiling = extension_limit(first, offence_category, params)
    step = next_extension_limit(first, current, offence_category, params)
    category = offence_category or "unknown"
    if step is None:
        errors.append(f"custody has reached the ceiling for a {category} offence "
                      f"({ceiling_months(offence_category, params)} months, until "
                      f"{_when(ceiling)}): no further extension ({RIGHT}; {BASIS_EXTENSION})")
    elif until > step:
        errors.append(f"an extension may run at most until {_when(step)} (the next tier from the "
                      f"first order of {_when(first)}; ceiling for a {category} offence "
                      f"{ceiling_months(offence_category, params)} months), not {_when(until)} "
                      f"({RIGHT}; {BASIS_EXTENSION})")
    return errors
