"""The indicators the brief's reviewers ask for beyond the per-right table (issue 9): custody
durations and extensions, ill-treatment allegations and the time to referral, hours from
apprehension to a lawyer, time to family notice, interpreter provision, children in detention,
overrides per officer, complaints by outcome and time to ruling, and the CEPEJ clearance rate and
disposition time per court instance.

Every indicator says what it counts (``definition``) and under which law (``legal_basis``), and
drills down to its cases: ``cases`` maps each counted bucket to the ids of the cases counted in
it, one entry per item counted, so each headline figure is the length of its drill-down (a test
holds them to it).  Items are selected by SQL (the period, the unit, the prosecutor); the few
figures computed per item read the item's JSON facts in Python.
"""
from datetime import datetime, timedelta
from statistics import median

from sqlalchemy import select

from ..domain.clock import parse_instant
from ..domain.facts import CaseFacts
from ..persistence.models import Allegation, AuditEntry, Case, Evidence, Override, StageEntry
from .context import Actor, Habeas

INSTANCES = {"first_instance": ("preliminary_hearing", "trial"), "appeal": ("appeal",),
             "cassation": ("cassation",)}


def indicators(ctx: Habeas, actor: Actor, *, start: datetime | None = None, end: datetime | None = None,
               unit: str | None = None, prosecutor: str | None = None) -> dict:
    """Every indicator for a period (default: the last 90 days), unit and prosecutor."""
    from . import reports
    reports._require_reader(actor)
    now = ctx.now()
    end = end or now + reports.UP_TO_NOW
    start = start or end - reports.DEFAULT_PERIOD
    window = _Window(start, end, unit, prosecutor, now, ctx.params)
    with ctx.unit_of_work() as session:
        cases = _cases(session, window)
        out = [
            _custody(session, window, cases),
            _allegations(session, window),
            _lawyer(session, window, cases),
            _family_notice(session, window, cases),
            _interpreter(session, window, cases),
            _children(window, cases),
            _overrides(session, window),
            _complaints(session, window),
            _cepej(session, window),
        ]
    return {"period": {"from": start.isoformat(), "to": end.isoformat()}, "unit": unit, "prosecutor": prosecutor,
            "generated_at": now.isoformat(), "indicators": out}


class _Window:
    def __init__(self, start, end, unit, prosecutor, now, params):
        self.start, self.end, self.unit, self.prosecutor, self.now, self.params = start, end, unit, prosecutor, now, params

    def holds(self, moment) -> bool:
        return moment is not None and self.start <= moment < self.end

    def on_cases(self):
        yield Case.training.is_(False)  # practice cases never reach a report
        if self.unit:
            yield Case.unit == self.unit
        if self.prosecutor:
            yield Case.prosecutor == self.prosecutor


def _indicator(id_, title, definition, legal_basis, figures, cases) -> dict:
    return {"id": id_, "title": title, "definition": definition, "legal_basis": legal_basis,
            "figures": figures, "cases": {k: sorted(v) for k, v in cases.items()}}


def _cases(session, w: _Window) -> list[tuple[Case, CaseFacts]]:
    """Criminal cases (not complaints) of the unit and prosecutor with an apprehension on file."""
    rows = session.execute(select(Case).where(Case.about_case_id.is_(None),
                                              Case.facts["apprehended_at"].as_string().is_not(None),
                                              *w.on_cases())).scalars().all()
    return [(c, CaseFacts.from_data(c.facts or {}, w.params)) for c in rows]


def _instant(value):
    try:
        return parse_instant(value)
    except (TypeError, ValueError):
        return None


def _hours(a, b) -> float:
    return (b - a).total_seconds() / 3600


def _median(values) -> float | None:
    return round(median(values), 1) if values else None


def _custody(session, w: _Window, cases) -> dict:
    ordered = [(c, f) for c, f in cases if w.holds(f.custody_ordered_at)]
    held, ended, days = [], [], []
    for case, facts in ordered:
        released = facts.released_at if facts.released_at and facts.released_at >= facts.custody_ordered_at else None
        end = released or w.now
        days.append((end - facts.custody_ordered_at).total_seconds() / 86400)
        (ended if released else held).append(case.id)
    ids = [c.id for c, _ in ordered]
    extensions = session.execute(select(Evidence.case_id).join(Case, Case.id == Evidence.case_id).where(
        Evidence.checkpoint == "custody_term_review", Evidence.task == "custody extension",
        Evidence.recorded_at >= w.start, Evidence.recorded_at < w.end, *w.on_cases())).scalars().all()
    refused = session.execute(select(AuditEntry.case_id).join(Case, Case.id == AuditEntry.case_id).where(
        AuditEntry.action == "custody.extension_refused", AuditEntry.at >= w.start, AuditEntry.at < w.end,
        *w.on_cases())).scalars().all()
    decided = len(extensions) + len(refused)
    return _indicator(
        "custody", "Custody durations and extensions",
        "Custody orders made in the period; days in custody from the order to the release (or to now while "
        "held); custody extensions granted by the investigating judge in the period, and refused attempts "
        "(a complaint against the detention awaiting its ruling).",
        "ICCPR 9(3) (GC 35 para 38); ECHR 5(3), 5(4); CPC arts 147-152",
        {"custody_orders": len(ordered), "in_custody": len(held), "released": len(ended),
         "median_days_in_custody": _median(days), "extensions_granted": len(extensions),
         "extensions_refused": len(refused),
         "share_extensions_granted": round(len(extensions) / decided, 4) if decided else None},
        {"custody_orders": ids, "in_custody": held, "released": ended, "extensions_granted": extensions,
         "extensions_refused": refused})


def _allegations(session, w: _Window) -> dict:
    rows = session.execute(select(Allegation).join(Case, Case.id == Allegation.case_id).where(
        Allegation.alleged_at >= w.start, Allegation.alleged_at < w.end, *w.on_cases())).scalars().all()
    buckets = {"referred_in_time": [], "referred_late": [], "awaiting_referral": [], "overdue": []}
    hours = []
    for row in rows:
        if row.referred_at is not None:
            hours.append(_hours(row.alleged_at, row.referred_at))
            buckets["referred_in_time" if row.referred_at <= row.referral_due_at else "referred_late"].append(row.case_id)
        else:
            buckets["overdue" if w.now > row.referral_due_at else "awaiting_referral"].append(row.case_id)
    return _indicator(
        "allegations", "Ill-treatment allegations and time to referral",
        f"Allegations made in the period (one entry per allegation); referred to the prosecutor for an "
        f"independent check within {w.params.ill_treatment_referral_hours} h, late, awaiting referral or "
        "overdue; median hours from the allegation to its referral.",
        "ECHR 3; UNCAT arts 12, 13",
        {"allegations": len(rows), **{k: len(v) for k, v in buckets.items()}, "median_hours_to_referral": _median(hours)},
        {"allegations": [r.case_id for r in rows], **buckets})


CHUNK = 10_000  # ids per IN list: PostgreSQL takes at most 65,535 parameters in one statement


def _chunks(ids) -> list[list[int]]:
    """The ids in lists short enough for one statement (an office with 100,000 apprehensions
    in the period would otherwise be refused by PostgreSQL)."""
    ids = list(ids)
    return [ids[i:i + CHUNK] for i in range(0, len(ids), CHUNK)]


def _first_times(session, checkpoint: str, field: str, case_ids) -> dict[int, datetime]:
    """The earliest time a field of a checkpoint's evidence records, per case."""
    out: dict[int, datetime] = {}
    if not case_ids:
        return out
    rows = (row for chunk in _chunks(case_ids) for row in session.execute(
        select(Evidence.case_id, Evidence.data).where(Evidence.checkpoint == checkpoint,
                                                      Evidence.case_id.in_(chunk))).all())
    for case_id, data in rows:
        moment = _instant((data or {}).get(field))
        if moment is not None and (case_id not in out or moment < out[case_id]):
            out[case_id] = moment
    return out


def _apprehended_in(w: _Window, cases):
    return [(c, f) for c, f in cases if w.holds(f.apprehended_at)]


def _lawyer(session, w: _Window, cases) -> dict:
    held = _apprehended_in(w, cases)
    consulted = _first_times(session, "counsel_before_interrogation", "consulted_at", [c.id for c, _ in held])
    with_lawyer, without, hours = [], [], []
    for case, facts in held:
        at = consulted.get(case.id)
        if at is not None and at >= facts.apprehended_at - timedelta(hours=1):
            with_lawyer.append(case.id)
            hours.append(max(0.0, _hours(facts.apprehended_at, at)))
        else:
            without.append(case.id)
    return _indicator(
        "lawyer", "Hours from apprehension to a lawyer",
        "Persons apprehended in the period; those who consulted a lawyer (the first private consultation "
        "recorded) and the median hours from apprehension to it; those without a lawyer on file.",
        "Salduz v Turkey; Directive 2013/48 art 3; CPC arts 64, 67",
        {"apprehended": len(held), "with_lawyer": len(with_lawyer), "without_lawyer": len(without),
         "median_hours_to_lawyer": _median(hours)},
        {"apprehended": [c.id for c, _ in held], "with_lawyer": with_lawyer, "without_lawyer": without})


def _family_notice(session, w: _Window, cases) -> dict:
    held = _apprehended_in(w, cases)
    told = _first_times(session, "family_consular_notice", "family_notified_at", [c.id for c, _ in held])
    limit = w.params.family_notice_hours
    buckets = {"told_within_limit": [], "told_late": [], "not_told": []}
    hours = []
    for case, facts in held:
        at = told.get(case.id)
        if at is None:
            buckets["not_told"].append(case.id)
            continue
        hours.append(max(0.0, _hours(facts.apprehended_at, at)))
        buckets["told_within_limit" if _hours(facts.apprehended_at, at) <= limit else "told_late"].append(case.id)
    return _indicator(
        "family_notice", "Time to family notice",
        f"Persons apprehended in the period; the family told within {limit} h (param), late, or not told; "
        "median hours from apprehension to the notice.",
        "Directive 2013/48 art 5; CPC art 135",
        {"apprehended": len(held), **{k: len(v) for k, v in buckets.items()}, "median_hours_to_notice": _median(hours)},
        {"apprehended": [c.id for c, _ in held], **buckets})


def _interpreter(session, w: _Window, cases) -> dict:
    needing = [(c, f) for c, f in _apprehended_in(w, cases) if f.needs_interpreter]
    ids = [c.id for c, _ in needing]
    provided_ids = {case_id for chunk in _chunks(ids) for case_id in session.execute(select(Evidence.case_id).where(
        Evidence.checkpoint == "interpreter", Evidence.case_id.in_(chunk))).scalars()}
    provided = [i for i in ids if i in provided_ids]
    missing = [i for i in ids if i not in provided_ids]
    return _indicator(
        "interpreter", "Interpreter provision",
        "Persons apprehended in the period who do not speak the language of the proceedings; those with an "
        "interpreter on file and those without.",
        "ICCPR 14(3)(f); ECHR 6(3)(e); Directive 2010/64 arts 2, 3; CPC art 210",
        {"needing_interpreter": len(ids), "interpreter_provided": len(provided), "not_provided": len(missing),
         "share_provided": round(len(provided) / len(ids), 4) if ids else None},
        {"needing_interpreter": ids, "interpreter_provided": provided, "not_provided": missing})


def _children(w: _Window, cases) -> dict:
    children = [(c, f) for c, f in _apprehended_in(w, cases) if f.is_minor(f.apprehended_at, w.params)]
    held = [c.id for c, f in children if f.detained]
    freed = [c.id for c, f in children if not f.detained]
    return _indicator(
        "children", "Children in detention",
        "Children (under 18 at apprehension, or age in doubt) apprehended in the period; those still held "
        "(detention or custody) and those released.",
        "CRC arts 37(b), 40; Directive 2016/800 art 10",
        {"children_apprehended": len(children), "still_held": len(held), "released": len(freed)},
        {"children_apprehended": [c.id for c, _ in children], "still_held": held, "released": freed})


def _overrides(session, w: _Window) -> dict:
    rows = session.execute(select(Override.actor, Override.case_id, Override.checkpoint, Override.legal_ground)
                           .join(Case, Case.id == Override.case_id)
                           .where(Override.created_at >= w.start, Override.created_at < w.end, *w.on_cases())
                           .order_by(Override.actor)).all()
    per_officer: dict[str, list[int]] = {}
    for actor, case_id, _checkpoint, _ground in rows:
        per_officer.setdefault(actor, []).append(case_id)
    return _indicator(
        "overrides", "Overrides per officer",
        "Overrides of a blocked right (and derogations from counsel) made in the period, per officer who "
        "made them; each counts against compliance.",
        "the catalogue's override policies; Directive 2013/48 art 3(6) for derogations",
        {"overrides": len(rows), "per_officer": {k: len(v) for k, v in per_officer.items()}},
        {"overrides": [r[1] for r in rows], **{f"officer:{k}": v for k, v in per_officer.items()}})


def _complaints(session, w: _Window) -> dict:
    rows = session.execute(select(Case).where(Case.about_case_id.is_not(None), *w.on_cases())).scalars().all()
    buckets = {"upheld": [], "dismissed": [], "awaiting_ruling": []}
    late, days = [], []
    counted = []
    for row in rows:
        facts = CaseFacts.from_data(row.facts or {}, w.params)
        if not w.holds(facts.complaint_filed_at):
            continue
        counted.append(row.id)
        ruled = facts.complaint_ruled_at
        due = facts.complaint_filed_at + timedelta(days=w.params.complaint_ruling_days)
        if ruled is None:
            buckets["awaiting_ruling"].append(row.id)
            if w.now > due:
                late.append(row.id)
            continue
        days.append((ruled - facts.complaint_filed_at).total_seconds() / 86400)
        buckets["upheld" if (row.facts or {}).get("ruling") == "upheld" else "dismissed"].append(row.id)
        if ruled > due:
            late.append(row.id)
    return _indicator(
        "complaints", "Complaints by outcome and time to ruling",
        f"Complaints filed in the period (the complaint cases), by outcome; median days from filing to the "
        f"ruling; those ruled on, or still awaiting, beyond the {w.params.complaint_ruling_days}-day term (param).",
        "ECHR 13; CPC arts 105, 106",
        {"complaints": len(counted), **{k: len(v) for k, v in buckets.items()}, "beyond_term": len(late),
         "median_days_to_ruling": _median(days)},
        {"complaints": counted, **buckets, "beyond_term": late})


def _cepej(session, w: _Window) -> dict:
    """CEPEJ per court instance: incoming = cases entering the instance in the period; resolved =
    cases leaving it in the period (entering a later instance or stage, or closed); pending = in it
    at the period's end.  Clearance rate = resolved / incoming x 100; disposition time =
    365 / (resolved per year / pending) days."""
    rows = session.execute(select(StageEntry.case_id, StageEntry.stage, StageEntry.entered_at)
                           .join(Case, Case.id == StageEntry.case_id)
                           .where(Case.about_case_id.is_(None), *w.on_cases())
                           .order_by(StageEntry.case_id, StageEntry.entered_at, StageEntry.id)).all()
    journeys: dict[int, list[tuple[str, datetime]]] = {}
    for case_id, stage, at in rows:
        journeys.setdefault(case_id, []).append((stage, at))
    days = (w.end - w.start).total_seconds() / 86400
    figures, cases = {}, {}
    for instance, stages in INSTANCES.items():
        incoming, resolved, pending = [], [], []
        for case_id, steps in journeys.items():
            entered = next((at for s, at in steps if s in stages), None)
            if entered is None:
                continue
            left = next((at for s, at in steps if at >= entered and s not in stages), None)
            if w.holds(entered):
                incoming.append(case_id)
            if w.holds(left):
                resolved.append(case_id)
            if entered < w.end and (left is None or left >= w.end):
                pending.append(case_id)
        figures[instance] = {"incoming": len(incoming), "resolved": len(resolved), "pending": len(pending),
                             "clearance_rate": round(len(resolved) / len(incoming) * 100, 1) if incoming else None,
                             "disposition_time_days": round(len(pending) * days / len(resolved), 1)
                             if resolved else None}
        cases.update({f"{instance}:incoming": incoming, f"{instance}:resolved": resolved,
                      f"{instance}:pending": pending})
    return _indicator(
        "cepej", "CEPEJ clearance rate and disposition time per court instance",
        "Per instance (first instance: preliminary hearing and trial; appeal; cassation): incoming = cases "
        "entering it in the period, resolved = cases leaving it in the period, pending = cases in it at the "
        "period's end.  Clearance rate = resolved / incoming x 100; disposition time = 365 / (resolved per "
        "year / pending) days, the period's resolved count annualised.",
        "CEPEJ(2008)11 (clearance rate, disposition time); ECHR 6(1) reasonable time; CPC art 192",
        figures, cases)
