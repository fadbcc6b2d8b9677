"""Pages for reviewers: the compliance dashboard, the drill-down to cases and their audit
trails, CSV and JSON exports, the audit chain's verification.  The numbers come from
``engine.services.reports``; nothing here computes them."""
import json
from datetime import date
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, current_app, jsonify, render_template, request
from flask_babel import gettext as _

from engine.domain import catalogue
from engine.domain.errors import Forbidden, InvalidData
from engine.services import indicators, queries, reports, snapshots

from ..auth import current_actor, require
from ..extensions import habeas
from ..i18n import labels, said
from . import exports, filters as report_filters

bp = Blueprint("reviewer", __name__, url_prefix="/compliance", template_folder="templates")

READERS = ("reviewer", "admin", "supervising_prosecutor", "prosecutor")
CHARTED = ("passed", "waived", "overridden", "failed", "pending")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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
    # the figures from the snapshot of these filters (refreshed by the tick worker), the chain live
    shown = snapshots.page(habeas(), actor, **chosen.service_args())
    report = shown["report"]
    return render_template("reviewer/dashboard.html", report=report, filters=chosen, more=shown["indicators"],
                           choices=_choices(chosen, shown["choices"]), chain=_chain_status(actor),
                           chart_data=_chart_data(report), statuses=reports.DRILLABLE), 422 if chosen.errors else 200


def _choices(chosen: report_filters.ReportFilters, choices: dict) -> dict:
    """The units and prosecutors to pick from, with the chosen ones even if no case has them yet."""
    choices = {name: list(values) for name, values in choices.items()}
    for name, value in (("units", chosen.unit), ("prosecutors", chosen.prosecutor)):
        if value and value not in choices[name]:
            choices[name] = sorted([*choices[name], value])
    return choices


def _chain_status(actor) -> dict | None:
    """The audit chain's status (the entries since the last verification verified now), or None
    for a role that may not verify it."""
    try:
        return queries.audit_status(habeas(), actor)  # the full walk: habeas audit verify, the API
    except Forbidden:
        return None


def _chart_data(report: dict) -> dict:
    """What the charts draw, handed to dashboard-charts.js in a JSON block (no inline script)."""
    return {"statuses": list(CHARTED),
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
    checkpoint = catalogue.get(chosen.checkpoint) if chosen.checkpoint else None
    return render_template("reviewer/cases.html", cases=found, filters=chosen, checkpoint=checkpoint,
                           limit=reports.DRILL_DOWN_LIMIT)


@bp.get("/cases/<int:case_id>/audit")
@require(*READERS)
def case_audit(case_id: int):
    entries = queries.case_audit(habeas(), current_actor(), case_id)
    opened = next((e for e in entries if e["action"] == "case.opened"), None)
    number = (opened or {}).get("payload", {}).get("number") or f"#{case_id}"
    came_from = _filters(drill_down=True)
    back = None if came_from.errors else came_from.query(checkpoint=came_from.checkpoint, status=came_from.status)
    return render_template("reviewer/audit.html", entries=entries, case_id=case_id, number=number, back=back)
