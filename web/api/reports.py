"""Reports over the API: compliance per checkpoint, the open legal deadlines, the audit chain."""
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import Response, current_app

from engine.domain.clock import as_utc
from engine.domain.errors import InvalidData
from engine.services import deadline_views, queries, reports

from ..auth import current_actor, require
from ..extensions import habeas
from . import bp, schemas as s
from .docs import operation
from .http import answer, query_args


@bp.get("/reports/compliance")
@require()
@operation("Compliance per checkpoint", tag="reports", query=s.ComplianceQuery,
           responses={200: (s.ComplianceReport, "counts and rates per checkpoint (or CSV with format=csv)")},
           produces=("application/json", "text/csv"),
           description="Passed, failed, waived, overridden, pending and overdue evaluations per checkpoint in "
                       "the period [from, to), optionally for one unit or prosecutor.  A date means the whole "
                       "day in the configured time zone.  For reviewers, admins and prosecutors.")
def compliance_report():
    args = query_args(s.ComplianceQuery())
    start, end = _period(args["start"], args["end"])
    report = reports.compliance(habeas(), current_actor(), start=start, end=end, unit=args["unit"],
                                prosecutor=args["prosecutor"])
    if args["format"] == "csv":
        return Response(reports.to_csv(report), mimetype="text/csv",
                        headers={"Content-Disposition": "attachment; filename=compliance.csv"})
    return answer(s.ComplianceReport(), report)


def _period(start, end) -> tuple[datetime | None, datetime | None]:
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    start = _instant(start, zone)
    end = _instant(end + timedelta(days=1) if type(end) is date else end, zone)
    if start and end and end <= start:
        raise InvalidData("the period ends before it starts", {"to": ["must be after 'from'"]})
    return start, end


def _instant(value, zone) -> datetime | None:
    """A date is its midnight in the configured zone; a time without offset is taken as UTC."""
    if value is None:
        return None
    if type(value) is date:
        return datetime.combine(value, time.min, tzinfo=zone).astimezone(timezone.utc)
    return as_utc(value)


@bp.get("/deadlines")
@require()
@operation("Open legal deadlines", tag="reports", query=s.DeadlineQuery,
           responses={200: (s.DeadlineList, "open deadlines, the most urgent first")},
           description="Each running legal clock with its case, checkpoint, due time and the hours left "
                       "(negative once overdue).  A defence lawyer sees only their own cases' clocks.")
def list_deadlines():
    args = query_args(s.DeadlineQuery())
    items = deadline_views.open_deadlines(habeas(), current_actor(), case_id=args["case"], limit=args["limit"],
                                          offset=args["offset"])
    next_offset = args["offset"] + args["limit"] if len(items) == args["limit"] else None
    return answer(s.DeadlineList(), {"items": items, "limit": args["limit"], "offset": args["offset"],
                                     "next_offset": next_offset})


@bp.get("/audit/verify")
@require()
@operation("Verify the audit chain", tag="audit",
           responses={200: (s.ChainReport, "whether every entry links to the one before and matches its hash")},
           description="For reviewers, admins and supervising prosecutors.  `ok` is false, with the breaks "
                       "listed, when an entry was edited, removed or reordered.")
def verify_audit():
    return answer(s.ChainReport(), queries.verify_audit(habeas(), current_actor()))


@bp.get("/reports/indicators")
@require(*reports.REPORT_READERS)
@operation("The reviewers' indicators", tag="reports", query=s.IndicatorQuery,
           responses={200: (s.IndicatorReport, "each indicator with its definition, legal basis, figures and the cases "
                                  "behind each figure")},
           description="Custody durations and extensions, allegations and time to referral, hours to a lawyer, "
                       "time to family notice, interpreter provision, children in detention, overrides per "
                       "officer, complaints by outcome and time to ruling, CEPEJ per court instance.  Each "
                       "headline figure is the number of entries in its drill-down (`cases`).")
def indicators_report():
    from engine.services import indicators
    args = query_args(s.IndicatorQuery())
    start, end = _period(args["start"], args["end"])
    return answer(s.IndicatorReport(), indicators.indicators(habeas(), current_actor(), start=start, end=end, unit=args["unit"],
                                         prosecutor=args["prosecutor"]))
