"""Compliance reports: SQL aggregations over the fact tables (checkpoint_evaluations,
stage_history, cases, evidence), never workflow replays and never a Python loop over cases.

``compliance`` and ``to_csv`` are what the CLI, the API and the benchmarks call; ``dashboard``
adds what the reviewers' page shows (breakdowns by unit and prosecutor, a weekly trend, the
brief's headline indicators) and ``cases_for`` is its drill-down.  Every function takes the same
filters: a period ``[start, end)``, a unit and a prosecutor.
"""
import csv
import io
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import DateTime, and_, case as when, cast, exists, extract, false, func, literal, or_, select
from sqlalchemy.orm import aliased

from ..domain import catalogue, roles
from ..domain.errors import InvalidData
from ..domain.stages import STAGES
from ..persistence.models import Case, CheckpointEvaluation as E, Evidence, StageEntry
from . import access
from .context import Actor, Habeas

STATUSES = ("passed", "failed", "waived", "overridden", "pending", "overdue")
# refused attempts (the act was refused, nothing happened) are counted apart, never as evaluations
REFUSED = "refused"
DRILLABLE = STATUSES + (REFUSED,)  # the statuses a drill-down lists cases for
RECORDED = STATUSES[:-1]  # statuses stored on a row; "overdue" is a pending row past its deadline
SATISFIED = ("passed", "waived", "overridden")
REPORT_READERS = frozenset({roles.REVIEWER, roles.ADMIN, roles.SUPERVISING_PROSECUTOR, roles.PROSECUTOR})
DEFAULT_PERIOD = timedelta(days=90)
UP_TO_NOW = timedelta(seconds=1)  # a period without an end runs to now, this very second included
DRILL_DOWN_LIMIT = 500
CHECKPOINT, UNIT, PROSECUTOR = 0, 1, 2  # the key positions in a row of the status cube


@dataclass(frozen=True)
class Filters:
    """A period [start, end), a unit, a prosecutor; each optional."""

    start: datetime | None = None
    end: datetime | None = None
    unit: str | None = None
    prosecutor: str | None = None

    def on(self, period_column, unit_column, prosecutor_column, live: bool = True):
        """The WHERE conditions of these filters over the given columns (``live``: practice cases
        left out)."""
        if self.start is not None:
            yield period_column >= self.start
        if self.end is not None:
            yield period_column < self.end
        if self.unit:
            yield unit_column == self.unit
        if self.prosecutor:
            yield prosecutor_column == self.prosecutor
        if live:
            yield live_only(unit_column)

    def on_evaluations(self, live: bool = True):
        return self.on(E.evaluated_at, E.unit, E.prosecutor, live)

    def on_cases(self):
        """The unit and prosecutor conditions alone, over the cases table."""
        return Filters(unit=self.unit, prosecutor=self.prosecutor).on(None, Case.unit, Case.prosecutor)

    def during(self, column):
        """``column`` falls within the period (which must have both ends)."""
        return and_(column >= self.start, column < self.end)

    def to_dict(self) -> dict:
        return {"period": {"from": self.start.isoformat() if self.start else None,
                           "to": self.end.isoformat() if self.end else None},
                "unit": self.unit, "prosecutor": self.prosecutor}


def live_only(unit_column):
    """Reports count live cases only: practice cases (``Case.training``) never reach them."""
    if unit_column.class_ is Case:
        return Case.training.is_(False)
    return unit_column.class_.case_id.not_in(select(Case.id).where(Case.training.is_(True)))


def _require_reader(actor: Actor) -> None:
    access.require_role(actor, REPORT_READERS, "read compliance reports")


# ---- per checkpoint (the CLI's, the API's and the benchmarks' report) ----------------------------

def compliance(ctx: Habeas, actor: Actor, *, start: datetime | None = None, end: datetime | None = None,
               unit: str | None = None, prosecutor: str | None = None) -> dict:
    """Per checkpoint: counts and rates of passed, failed, waived, overridden, pending and overdue
    evaluations in a period, optionally for one unit or one prosecutor."""
    _require_reader(actor)
    filters, now = Filters(start, end, unit, prosecutor), ctx.now()
    with ctx.unit_of_work() as session:
        cube = _status_cube(session, filters, now, keys=(E.checkpoint,))
    return _compliance_report(filters, now, cube)


def _compliance_report(filters: Filters, now: datetime, cube: list) -> dict:
    counts = _roll_up(cube, CHECKPOINT)
    return {**filters.to_dict(), "generated_at": now.isoformat(),
            "checkpoints": [_line(cid, counts.get(cid, _zero())) for cid in catalogue.CATALOGUE]}


def overdue_condition(now: datetime):
    """A pending evaluation whose deadline has passed and that no later evaluation of the same
    right in the same case has satisfied: the right is still owed, late."""
    later = aliased(E)
    since_satisfied = exists().where(later.case_id == E.case_id, later.checkpoint == E.checkpoint,
                                     later.evaluated_at >= E.evaluated_at, later.status.in_(SATISFIED))
    # 'pending' written into the SQL, so that the partial index of pending rows
    # (ix_evaluations_pending_due) matches the condition on both databases
    return and_(E.status == literal("pending", literal_execute=True), E.due_at < now, ~since_satisfied)


def _status_cube(session, filters: Filters, now: datetime, keys=(E.checkpoint, E.unit, E.prosecutor)) -> list[tuple]:
    """Counts per (*keys, status), overdue included.  The recorded statuses are every evaluation
    in the period minus those of practice cases: the first GROUP BY reads only the period's (or
    the checkpoint-status) index when grouped by checkpoint alone, since it needs no case id, and
    the second reads the few practice cases' rows through the case index.  (Testing each row's
    case against the practice cases instead costs a table read per row: 20 times the bare GROUP
    BY on SQLite.)  Overdue is one GROUP BY over the pending rows past their deadline, so the
    is-it-still-owed test runs on those alone.  At most 16 x units x prosecutors x 7 rows, which
    the views roll up."""
    where = list(filters.on_evaluations(live=False))
    counted = select(*keys, E.status, func.count()).where(*where).group_by(*keys, E.status)
    practice = (select(*keys, E.status, func.count())
                .where(E.case_id.in_(select(Case.id).where(Case.training.is_(True))), *where)
                .group_by(*keys, E.status))
    late = select(*keys, func.count()).where(overdue_condition(now), *filters.on_evaluations()).group_by(*keys)
    totals: dict[tuple, int] = {}
    for row in session.execute(counted).all():
        totals[tuple(row[:-1])] = row[-1]
    for row in session.execute(practice).all():
        totals[tuple(row[:-1])] -= row[-1]
    return ([(*key, n) for key, n in totals.items() if n]
            + [(*row[:-1], "overdue", row[-1]) for row in session.execute(late).all()])


def _roll_up(cube: list[tuple], by: int) -> dict:
    """{checkpoint, unit or prosecutor: {status: n}} from the cube (rows end with status, n)."""
    counts: dict = {}
    for row in cube:
        bucket = counts.setdefault(row[by], _zero())
        if row[-2] in bucket:
            bucket[row[-2]] += row[-1]
    return counts


def _zero() -> dict:
    return dict.fromkeys(STATUSES + (REFUSED,), 0)


def _rates(counts: dict) -> dict:
    """Rates over decided evaluations (pending ones are not decided yet)."""
    decided = counts["passed"] + counts["failed"] + counts["waived"] + counts["overridden"]

    def rate(n):
        return round(n / decided, 4) if decided else None
    return {"total": sum(counts[s] for s in RECORDED), **counts, "refused_attempts": counts.get(REFUSED, 0),
            "compliance_rate": rate(counts["passed"] + counts["waived"]),
            "failure_rate": rate(counts["failed"]), "override_rate": rate(counts["overridden"])}


def _line(checkpoint_id: str, counts: dict) -> dict:
    cp = catalogue.get(checkpoint_id)
    return {"checkpoint": cp.id, "right": cp.right, "legal_basis": cp.legal_basis, "failure": cp.failure.value,
            **_rates(counts)}


def to_csv(report: dict) -> str:
    out = io.StringIO()
    columns = ["checkpoint", "right", "legal_basis", "failure", "total", *STATUSES,
               "compliance_rate", "failure_rate", "override_rate", "refused_attempts"]
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for line in report["checkpoints"]:
        writer.writerow(line)
    return out.getvalue()


# ---- the dashboard -------------------------------------------------------------------------------

def dashboard(ctx: Habeas, actor: Actor, *, start: datetime | None = None, end: datetime | None = None,
              unit: str | None = None, prosecutor: str | None = None) -> dict:
    """Everything the reviewers' dashboard shows, for one period (default: the last 90 days),
    unit and prosecutor: the per-checkpoint report, breakdowns, the weekly trend and the
    headline indicators.  A handful of aggregate queries, whatever the number of cases."""
    _require_reader(actor)
    now = ctx.now()
    end = end or now + UP_TO_NOW
    start = start or end - DEFAULT_PERIOD
    if start >= end:
        raise InvalidData("the period must end after it starts", {"to": ["must be after 'from'"]})
    filters = Filters(start, end, unit, prosecutor)
    with ctx.unit_of_work() as session:
        dialect = session.get_bind().dialect.name
        cube = _status_cube(session, filters, now)
        report = _compliance_report(filters, now, cube)
        report.update(
            by_unit=_breakdown(cube, UNIT, "unit"),
            by_prosecutor=_breakdown(cube, PROSECUTOR, "prosecutor"),
            trend=_trend(session, dialect, filters),
            indicators={
                "detention_review": _detention_review(session, dialect, filters, now),
                "counsel_at_first_interrogation": _counsel_at_first_interrogation(session, filters),
                "consular_notice": _consular_notice(session, dialect, filters, now, ctx.params),
                "refusal_to_approve": _refusal_to_approve(session, filters),
                "cepej": _cepej(session, filters),
            })
    return report


def _breakdown(cube: list[tuple], by: int, name: str) -> list[dict]:
    counts = _roll_up(cube, by)
    return [{name: value or "", **_rates(c)} for value, c in sorted(counts.items(), key=lambda kv: kv[0] or "")]


def week_of(dialect: str, column):
    """The Monday (UTC) that starts the week of a time, as YYYY-MM-DD text."""
    if dialect == "sqlite":
        return func.date(column, "weekday 0", "-6 days")
    return func.to_char(func.date_trunc("week", func.timezone("UTC", column)), "YYYY-MM-DD")


def _trend(session, dialect: str, filters: Filters) -> list[dict]:
    """Evaluations per week by status, oldest week first."""
    week = week_of(dialect, E.evaluated_at).label("week")
    query = (select(week, E.status, func.count()).where(*filters.on_evaluations())
             .group_by(week, E.status).order_by(week))
    weeks: dict[str, dict] = {}
    for label, status, n in session.execute(query).all():
        row = weeks.setdefault(label, {"week": label, **dict.fromkeys(RECORDED, 0)})
        if status in row:
            row[status] += n
    return list(weeks.values())


# ---- headline indicators -------------------------------------------------------------------------

def hours_between(dialect: str, start, end):
    """Hours from ``start`` to ``end`` computed by the database."""
    if dialect == "sqlite":
        return (func.julianday(end) - func.julianday(start)) * 24.0
    return extract("epoch", end - start) / 3600.0


def instant_from_text(dialect: str, text):
    """An ISO-8601 text (as forms store it in JSON) as a time the database can compute with."""
    text = func.nullif(text, "")
    return text if dialect == "sqlite" else cast(text, DateTime(timezone=True))


def median(session, values) -> float | None:
    """The median of a one-column subquery (``value``), with window functions both databases have."""
    ranked = select(values.c.value, func.row_number().over(order_by=values.c.value).label("rn"),
                    func.count().over().label("n")).where(values.c.value.is_not(None)).subquery()
    middle = or_(ranked.c.rn == (ranked.c.n + 1) // 2, ranked.c.rn == (ranked.c.n + 2) // 2)
    value = session.execute(select(func.avg(ranked.c.value)).where(middle)).scalar()
    return round(float(value), 1) if value is not None else None


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _flag(condition):
    return func.max(when((condition, 1), else_=0))


def _first_entries(stage: str):
    """Each case's first entry into a stage (its first detention, its first interrogation)."""
    return (select(StageEntry.case_id, func.min(StageEntry.entered_at).label("at"))
            .where(StageEntry.stage == stage).group_by(StageEntry.case_id).subquery())


def _detention_review(session, dialect: str, filters: Filters, now: datetime) -> dict:
    """Detentions (first entries into the stage in the period) brought before a judge within the
    legal limit (ICCPR 9(3); CPC 131(4)), from the detention_judicial_review evaluations:
    apprehension (clock_started_at) to the hearing (satisfied_at).  A detention whose review is
    neither held nor overdue yet is pending."""
    detained = _first_entries("detention")
    review = (select(E.case_id, func.min(E.clock_started_at).label("started"), func.min(E.due_at).label("due"),
                     func.min(E.satisfied_at).label("reviewed"), _flag(E.status == "failed").label("failed"))
              .where(E.checkpoint == "detention_judicial_review").group_by(E.case_id).subquery())
    per_case = (select(detained.c.case_id, review.c.started, review.c.due, review.c.reviewed, review.c.failed)
                .select_from(detained).join(Case, Case.id == detained.c.case_id)
                .outerjoin(review, review.c.case_id == detained.c.case_id)
                .where(*filters.on(detained.c.at, Case.unit, Case.prosecutor)).subquery())
    within = and_(per_case.c.reviewed.is_not(None),
                  or_(per_case.c.due.is_(None), per_case.c.reviewed <= per_case.c.due))
    late = and_(~within, or_(per_case.c.failed == 1, per_case.c.due < now))
    n, n_within, n_late = session.execute(select(
        func.count(), func.sum(when((within, 1), else_=0)), func.sum(when((late, 1), else_=0)))).one()
    n_within, n_late = int(n_within or 0), int(n_late or 0)
    hours = select(hours_between(dialect, per_case.c.started, per_case.c.reviewed).label("value")).where(
        within, per_case.c.started.is_not(None)).subquery()
    return {"detentions": n, "within_limit": n_within, "late_or_unreviewed": n_late,
            "pending": n - n_within - n_late, "share_within_limit": _share(n_within, n_within + n_late),
            "median_hours": median(session, hours),
            "cases": _drill(session, per_case, {"within_limit": _is(within), "late_or_unreviewed": _is(late),
                                                "pending": and_(~_is(within), ~_is(late))})}


def _is(condition):
    """A condition that is false, never unknown, where a value it reads is missing (as the
    counts' CASE WHEN reads it)."""
    return func.coalesce(condition, false())


def _drill(session, per_case, buckets: dict) -> dict:
    """The case ids behind each figure of a headline indicator (its drill-down)."""
    return {name: [r[0] for r in session.execute(select(per_case.c.case_id).where(condition)
                                                  .order_by(per_case.c.case_id).limit(DRILL_DOWN_LIMIT)).all()]
            for name, condition in buckets.items()}


def _counsel_at_first_interrogation(session, filters: Filters) -> dict:
    """First interrogations (the first entry into the stage) with counsel present or a lawful,
    documented waiver (Salduz; Directive 2013/48): the counsel evaluation written at that entry.
    An overridden one does not count as lawful."""
    first = _first_entries("interrogation")
    at_entry = and_(E.case_id == first.c.case_id, E.evaluated_at == first.c.at,
                    E.checkpoint == "counsel_before_interrogation", E.stage == "interrogation")
    per_case = (select(first.c.case_id, _flag(E.status == "passed").label("present"),
                       _flag(E.status == "waived").label("waived"))
                .select_from(first).join(Case, Case.id == first.c.case_id).outerjoin(E, at_entry)
                .where(*filters.on(first.c.at, Case.unit, Case.prosecutor))
                .group_by(first.c.case_id).subquery())
    n, present, waived, lawful = session.execute(select(
        func.count(), func.sum(per_case.c.present), func.sum(per_case.c.waived),
        func.sum(when((or_(per_case.c.present == 1, per_case.c.waived == 1), 1), else_=0)))).one()
    lawful = int(lawful or 0)
    return {"first_interrogations": n, "counsel_present": int(present or 0), "lawful_waiver": int(waived or 0),
            "without_counsel": n - lawful, "share_with_counsel_or_waiver": _share(lawful, n),
            "cases": _drill(session, per_case, {"counsel_present": per_case.c.present == 1,
                                                "lawful_waiver": per_case.c.waived == 1,
                                                "without_counsel": and_(per_case.c.present != 1,
                                                                        per_case.c.waived != 1)})}


def _latest_evidence(checkpoint: str):
    """The latest evidence record per case for a checkpoint (a later record supersedes)."""
    return (select(Evidence.case_id, func.max(Evidence.id).label("id"))
            .where(Evidence.checkpoint == checkpoint).group_by(Evidence.case_id).subquery())


def _consular_notice(session, dialect: str, filters: Filters, now: datetime, params) -> dict:
    """Foreign detainees whose consulate was told within the limit of apprehension (VCCR art
    36(1)(b)): apprehension from the family_consular_notice evaluations, the time the consulate
    was told from the latest evidence, the nationality from the case."""
    detained = (select(E.case_id, func.min(E.clock_started_at).label("apprehended"))
                .where(E.checkpoint == "family_consular_notice", *filters.on_evaluations())
                .group_by(E.case_id).subquery())
    latest = _latest_evidence("family_consular_notice")
    citizenship = func.upper(func.coalesce(Case.facts["suspect_citizenship"].as_string(), ""))
    told = instant_from_text(dialect, Evidence.data["consulate_notified_at"].as_string())
    per_case = (select(detained.c.case_id, detained.c.apprehended,
                       hours_between(dialect, detained.c.apprehended, told).label("hours"))
                .select_from(detained).join(Case, Case.id == detained.c.case_id)
                .outerjoin(latest, latest.c.case_id == detained.c.case_id)
                .outerjoin(Evidence, Evidence.id == latest.c.id)
                .where(citizenship != "", citizenship != params.home_country.upper()).subquery())
    limit = params.consulate_notice_hours
    within = and_(per_case.c.hours.is_not(None), per_case.c.hours <= limit)
    late = and_(~within, or_(per_case.c.hours.is_not(None),
                             per_case.c.apprehended < now - timedelta(hours=limit)))
    n, n_within, n_late = session.execute(select(
        func.count(), func.sum(when((within, 1), else_=0)), func.sum(when((late, 1), else_=0)))).one()
    n_within, n_late = int(n_within or 0), int(n_late or 0)
    return {"foreign_detainees": n, "limit_hours": limit, "told_within_limit": n_within,
            "late_or_not_told": n_late, "pending": n - n_within - n_late,
            "share_within_limit": _share(n_within, n_within + n_late),
            "cases": _drill(session, per_case, {"told_within_limit": _is(within), "late_or_not_told": _is(late),
                                                "pending": and_(~_is(within), ~_is(late))})}


def _refusal_to_approve(session, filters: Filters) -> dict:
    """The procedural prosecutor's refusals among all approval decisions on suspect status (CPC
    art 202): one decision per evidence record of suspect_status_approval (a corrected record
    counts only in its correction), dated by when the decision was taken."""
    correction = aliased(Evidence)
    approved = Evidence.data["approved"].as_boolean()
    query = (select(func.count(), func.sum(when((approved == false(), 1), else_=0)))
             .select_from(Evidence).join(Case, Case.id == Evidence.case_id)
             .where(Evidence.checkpoint == "suspect_status_approval", approved.is_not(None),
                    Evidence.id.not_in(select(correction.corrects_id).where(correction.corrects_id.is_not(None))),
                    *filters.on(Evidence.occurred_at, Case.unit, Case.prosecutor)))
    decisions, refusals = session.execute(query).one()
    refusals = int(refusals or 0)
    return {"decisions": decisions, "refusals": refusals, "approvals": decisions - refusals,
            "refusal_rate": _share(refusals, decisions)}


def _cepej(session, filters: Filters) -> dict:
    """CEPEJ court-efficiency indicators, overall and per stage: clearance rate = resolved /
    incoming x 100; disposition time = 365 / (resolved per year / pending at period end) days,
    the period's resolved count annualised, so a 90-day period compares with a year."""
    days = (filters.end - filters.start).total_seconds() / 86400
    overall = _cepej_overall(session, filters)
    stages = _cepej_stages(session, filters)
    return {"period_days": round(days, 1), "overall": _efficiency(overall, days),
            "stages": [_efficiency(row, days) for row in stages]}


def _efficiency(counts: dict, days: float) -> dict:
    """365 / ((resolved x 365 / days) / pending) simplifies to pending x days / resolved."""
    incoming, resolved, pending = counts["incoming"], counts["resolved"], counts["pending"]
    return {**counts, "clearance_rate": round(resolved / incoming * 100, 1) if incoming else None,
            "disposition_time_days": round(pending * days / resolved, 1) if resolved else None}


def _cepej_overall(session, filters: Filters) -> dict:
    """Incoming: cases opened in the period; resolved: cases closed in it; pending: open at its end."""
    closed_at = _first_entries("closed")
    query = (select(func.sum(when((filters.during(Case.opened_at), 1), else_=0)),
                    func.sum(when((filters.during(closed_at.c.at), 1), else_=0)),
                    func.sum(when((and_(Case.opened_at < filters.end,
                                        or_(closed_at.c.at.is_(None), closed_at.c.at >= filters.end)), 1), else_=0)))
             .select_from(Case).outerjoin(closed_at, closed_at.c.case_id == Case.id).where(*filters.on_cases()))
    incoming, resolved, pending = session.execute(query).one()
    return {"stage": "overall", "incoming": int(incoming or 0), "resolved": int(resolved or 0),
            "pending": int(pending or 0)}


def _cepej_stages(session, filters: Filters) -> list[dict]:
    """Per stage: entries in the period, departures (the next entry) in it, still there at its end."""
    main_line = [s.id for s in STAGES if not s.side_track]
    moves = (select(StageEntry.case_id, StageEntry.stage, StageEntry.entered_at,
                    func.lead(StageEntry.entered_at).over(partition_by=StageEntry.case_id,
                                                          order_by=(StageEntry.entered_at, StageEntry.id))
                    .label("left_at"))
             .where(StageEntry.stage.in_(main_line)).subquery())
    there_at_end = and_(moves.c.entered_at < filters.end,
                        or_(moves.c.left_at.is_(None), moves.c.left_at >= filters.end))
    query = (select(moves.c.stage, func.sum(when((filters.during(moves.c.entered_at), 1), else_=0)),
                    func.sum(when((filters.during(moves.c.left_at), 1), else_=0)),
                    func.sum(when((there_at_end, 1), else_=0)))
             .select_from(moves).join(Case, Case.id == moves.c.case_id)
             .where(moves.c.stage != "closed", *filters.on_cases()).group_by(moves.c.stage))
    found = {stage: (int(i or 0), int(r or 0), int(p or 0)) for stage, i, r, p in session.execute(query).all()}
    return [{"stage": s.id, "title": s.title, "incoming": found[s.id][0], "resolved": found[s.id][1],
             "pending": found[s.id][2]} for s in STAGES if s.id in found]


# ---- drill-down ----------------------------------------------------------------------------------

def cases_for(ctx: Habeas, actor: Actor, *, status: str, checkpoint: str | None = None,
              start: datetime | None = None, end: datetime | None = None, unit: str | None = None,
              prosecutor: str | None = None, limit: int = DRILL_DOWN_LIMIT) -> list[dict]:
    """The cases behind one cell of the report: those with evaluations of ``checkpoint`` (any
    right when None) in ``status`` under the same filters, most recent first."""
    _require_reader(actor)
    if checkpoint is not None and checkpoint not in catalogue.CATALOGUE:
        raise InvalidData(f"unknown checkpoint '{checkpoint}'", {"checkpoint": ["not in the catalogue"]})
    if status not in DRILLABLE:
        raise InvalidData(f"unknown status '{status}'", {"status": [f"one of: {', '.join(DRILLABLE)}"]})
    now = ctx.now()
    matching = overdue_condition(now) if status == "overdue" else E.status == status
    last = func.max(E.evaluated_at).label("last")
    query = (select(Case.id, Case.number, Case.stage, Case.status, Case.unit, Case.prosecutor,
                    func.count(E.id), last)
             .join(E, E.case_id == Case.id)
             .where(matching, *Filters(start, end, unit, prosecutor).on_evaluations(),
                    *((E.checkpoint == checkpoint,) if checkpoint else ()))
             .group_by(Case.id, Case.number, Case.stage, Case.status, Case.unit, Case.prosecutor)
             .order_by(last.desc(), Case.id.desc()).limit(min(limit, DRILL_DOWN_LIMIT)))
    with ctx.unit_of_work() as session:
        return [{"id": r[0], "number": r[1], "stage": r[2], "status": r[3], "unit": r[4], "prosecutor": r[5],
                 "evaluations": r[6], "last_evaluated_at": r[7].isoformat() if r[7] else None}
                for r in session.execute(query).all()]


def filter_choices(ctx: Habeas, actor: Actor) -> dict:
    """The units and prosecutors a report can be filtered by (those that have cases)."""
    _require_reader(actor)
    with ctx.unit_of_work() as session:
        units = session.execute(select(Case.unit).distinct().where(Case.unit != "", Case.training.is_(False))
                                .order_by(Case.unit)).scalars()
        units = list(units)
        prosecutors = list(session.execute(select(Case.prosecutor).distinct().where(Case.prosecutor.is_not(None),
                                                                                      Case.training.is_(False))
                                           .order_by(Case.prosecutor)).scalars())
    return {"units": units, "prosecutors": prosecutors}
