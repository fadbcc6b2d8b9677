"""Pages for reviewers: the compliance dashboard, the drill-down to cases and their audit
trails, CSV and JSON exports, the audit chain's verification.  The numbers come from
``engine.services.reports``; nothing here computes them."""
import json
from datetime import date
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for
from flask_babel import gettext as _

from engine.domain import catalogue
from engine.domain.errors import Forbidden, InvalidData
from engine.domain.stages import STAGES
from engine.services import indicators, queries, reports, trail as trail_reads

from ..auth import current_actor, require
from ..extensions import habeas
from ..i18n import indicators as indicator_words, labels, said
from . import exports, filters as report_filters

bp = Blueprint("reviewer", __name__, url_prefix="/compliance", template_folder="templates")

READERS = ("reviewer", "admin", "supervising_prosecutor", "prosecutor")
CHARTED = ("passed", "waived", "overridden", "failed", "pending")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.context_processor
def _indicator_words():
    """The issue-9 indicators in the reader's language (their definitions with the configured limits)."""
    params = habeas().params
    return {"indicator_title": indicator_words.title, "indicator_translated": indicator_words.is_translated,
            "indicator_definition": lambda i: indicator_words.definition(i, params),
            "indicator_rows": indicator_words.rows, "indicator_trail": indicator_words.trail,
            "indicator_basis": indicator_words.legal_basis}


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def _today() -> date:
    return habeas().now().astimezone(_zone()).date()


def _filters(drill_down: bool = False) -> report_filters.ReportFilters:
    return report_filters.parse(request.args, _today(), _zone(), drill_down)


def _refuse_bad_filters(chosen: report_filters.ReportFilters) -> None:
    """Exports and drill-downs answer bad input with a clear refusal, not a guess."""
    if chosen.errors:
        raise said(InvalidData(_("The report filters are not valid."), chosen.errors))


@bp.get("/")
@require(*READERS)
def dashboard():
    chosen = _filters()
    actor = current_actor()
    report = reports.dashboard(habeas(), actor, **chosen.service_args())
    more = indicators.indicators(habeas(), actor, **chosen.service_args())["indicators"]
    return render_template("reviewer/dashboard.html", report=report, filters=chosen, more=more,
                           choices=_choices(actor, chosen), chain=_chain_status(actor),
                           chart_data=_chart_data(report, chosen), statuses=reports.DRILLABLE,
                           csv_tables=exports.TABLES), 422 if chosen.errors else 200


def _choices(actor, chosen: report_filters.ReportFilters) -> dict:
    """The units and prosecutors to pick from, with the chosen ones even if no case has them yet."""
    choices = reports.filter_choices(habeas(), actor)
    for name, value in (("units", chosen.unit), ("prosecutors", chosen.prosecutor)):
        if value and value not in choices[name]:
            choices[name] = sorted([*choices[name], value])
    return choices


def _chain_status(actor) -> dict | None:
    """The audit chain's verification, or None for a role that may not verify it."""
    try:
        return queries.verify_audit(habeas(), actor, rows=False)  # rows too: habeas audit verify, the API
    except Forbidden:
        return None


def _chart_data(report: dict, chosen: report_filters.ReportFilters) -> dict:
    """What the charts draw, handed to dashboard-charts.js in a JSON block (no inline script);
    ``drill``: the drill-down's address under these filters, which a click on a bar completes
    with the bar's right and status (the table below offers the same links to the keyboard)."""
    return {"statuses": list(CHARTED), "drill": url_for("reviewer.cases", **chosen.query()),
            "labels": {s: labels.status_name(s) for s in CHARTED},
            "axis": {"week": _("week starting (Monday, UTC)"), "count": _("evaluations")},
            "checkpoints": [{"id": line["checkpoint"], "right": labels.right_name(line["checkpoint"]),
                             "short": labels.right_short(line["checkpoint"]),
                             **{s: line[s] for s in CHARTED}} for line in report["checkpoints"]],
            "trend": report["trend"]}


@bp.get("/report.csv")
@require(*READERS)
def export_csv():
    """One table of the report (``table``: rights by default), comma- or semicolon-separated
    (``sep=semicolon`` for Excel set to Russian or Kazakh), UTF-8 with a BOM."""
    chosen = _filters()
    _refuse_bad_filters(chosen)
    table, separator = request.args.get("table", "rights"), request.args.get("sep", "comma")
    problems = {}
    if table not in exports.TABLES:
        problems["table"] = [_("one of: %(choices)s", choices=", ".join(exports.TABLES))]
    if separator not in exports.SEPARATORS:
        problems["sep"] = [_("one of: %(choices)s", choices=", ".join(exports.SEPARATORS))]
    if problems:
        raise said(InvalidData(_("The export options are not valid."), problems))
    if table == "rights":
        report = reports.compliance(habeas(), current_actor(), **chosen.service_args())
    elif table in exports.NEEDS_INDICATORS:
        report = {"reviewer_indicators": _reviewer_indicators(chosen)}
    else:
        report = reports.dashboard(habeas(), current_actor(), **chosen.service_args())
    name = _export_name(chosen) + ("" if table == "rights" else f"-{table}")
    return Response(exports.to_csv(report, table, separator), mimetype="text/csv", content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f"attachment; filename={name}.csv"})


@bp.get("/report.xlsx")
@require(*READERS)
def export_xlsx():
    """Every table of the report, one sheet each, headed in the reader's language."""
    chosen = _filters()
    _refuse_bad_filters(chosen)
    report = reports.dashboard(habeas(), current_actor(), **chosen.service_args())
    report["reviewer_indicators"] = _reviewer_indicators(chosen)
    return Response(exports.to_xlsx(report), mimetype=XLSX,
                    headers={"Content-Disposition": f"attachment; filename={_export_name(chosen)}.xlsx"})


@bp.get("/report.json")
@require(*READERS)
def export_json():
    chosen = _filters()
    if chosen.errors:
        return jsonify({"error": "invalid_data", "message": _("The report filters are not valid."),
                        "fields": chosen.errors}), 422
    report = reports.dashboard(habeas(), current_actor(), **chosen.service_args())
    report["reviewer_indicators"] = indicators.indicators(habeas(), current_actor(),
                                                          **chosen.service_args())["indicators"]
    return Response(json.dumps(report, indent=1), mimetype="application/json",
                    headers={"Content-Disposition": f"attachment; filename={_export_name(chosen)}.json"})


def _reviewer_indicators(chosen: report_filters.ReportFilters) -> list[dict]:
    return indicators.indicators(habeas(), current_actor(), **chosen.service_args())["indicators"]


def _export_name(chosen: report_filters.ReportFilters) -> str:
    return f"habeas-compliance-{chosen.first_day.isoformat()}-{chosen.last_day.isoformat()}"


@bp.get("/cases")
@require(*READERS)
def cases():
    """The cases behind one cell of the report, under the same filters."""
    chosen = _filters(drill_down=True)
    _refuse_bad_filters(chosen)
    found = reports.cases_for(habeas(), current_actor(), status=chosen.status, checkpoint=chosen.checkpoint,
                              **chosen.service_args())
    if chosen.case:  # narrowing to a case number: of the listed cases (the most recent ones)
        found = [c for c in found if chosen.case.casefold() in (c["number"] or "").casefold()]
    checkpoint = catalogue.get(chosen.checkpoint) if chosen.checkpoint else None
    return render_template("reviewer/cases.html", cases=found, filters=chosen, checkpoint=checkpoint,
                           limit=reports.DRILL_DOWN_LIMIT, failing_statuses=trail_reads.FAILING_STATUSES)


@bp.get("/cases/<int:case_id>/audit")
@require(*READERS)
def case_audit(case_id: int):
    """A case's audit trail under the drill-down's filter (a right, a stage, an outcome, a
    period): only the matching entries unless ``all`` is asked for, the failing ones marked, the
    first of them the page's ``#failing`` anchor; each record as labelled fields."""
    chosen = report_filters.parse_audit(request.args, _zone())
    trail = trail_reads.case_trail(habeas(), current_actor(), case_id, chosen.trail_filter())
    entries = trail["entries"]
    opened = next((e for e in entries if e["action"] == "case.opened"), None)
    number = (opened or {}).get("payload", {}).get("number") or f"#{case_id}"
    show_all = request.args.get("all") == "1" or not trail["filtered"]
    shown = entries if show_all else [e for e in entries if e["matches"]]
    first_failing = next((e["seq"] for e in shown if e["failing"]), None)
    first_match = next((e["seq"] for e in shown if e["matches"]), None) if trail["filtered"] else None
    back = chosen.query() if chosen.status and not chosen.errors else None
    return render_template("reviewer/audit.html", entries=shown, total=len(entries), trail=trail, case_id=case_id,
                           number=number, back=back, filters=chosen, show_all=show_all,
                           first_failing=first_failing, first_match=first_match,
                           rights=[(cid, labels.right_name(cid)) for cid in catalogue.CATALOGUE],
                           stages=[(s.id, labels.stage_title(s.id)) for s in STAGES],
                           outcomes=[(s, labels.status_name(s)) for s in reports.DRILLABLE]), \
        422 if chosen.errors else 200
