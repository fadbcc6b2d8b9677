"""The compliance report as files: CSV (UTF-8 with a BOM so that Excel reads Cyrillic; comma or,
for Excel set to Russian or Kazakh, semicolon) and XLSX (openpyxl, one sheet per table).

Every table of the dashboard can be exported: per right, by unit, by prosecutor, per week, per
stage (CEPEJ), the headline indicators and the reviewer indicators of issue 9 (custody,
allegations, lawyer, notice, interpreters, children, overrides, complaints, CEPEJ per instance;
each figure with the ids of the cases it counts).  CSV columns keep stable English keys (scripts read
them, like the JSON API); the XLSX workbook is for people: its headings and the names of rights,
stages and statuses are in the reader's language."""
import csv
import io

from flask_babel import gettext as _, lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.styles import Font

from engine.services.reports import RECORDED, STATUSES

from ..i18n import indicators as indicator_words, labels

BOM = "\ufeff"
SEPARATORS = {"comma": ",", "semicolon": ";"}
RATES = ("compliance_rate", "failure_rate", "override_rate")

HEADINGS = {
    "checkpoint": _l("Right (id)"), "right": _l("Right"), "legal_basis": _l("Legal basis"),
    "failure": _l("If not respected"), "total": _l("Evaluations"), "compliance_rate": _l("Compliance"),
    "failure_rate": _l("Failures"), "override_rate": _l("Overrides"), "unit": _l("Unit"),
    "prosecutor": _l("Prosecutor"), "refused_attempts": _l("Refused attempts"),
    "week": _l("Week starting (Monday, UTC)"), "stage": _l("Stage"),
    "incoming": _l("Incoming"), "resolved": _l("Resolved"), "pending_at_end": _l("Pending at end"),
    "clearance_rate": _l("Clearance rate, %"), "disposition_time_days": _l("Disposition time, days"),
    "indicator": _l("Indicator"), "measure": _l("Measure"), "value": _l("Value"),
    "figure": _l("Figure"), "cases": _l("Cases counted"),
}

TABLES = {"rights": _l("Per right"), "units": _l("By unit"), "prosecutors": _l("By prosecutor"),
          "weeks": _l("Per week"), "stages": _l("CEPEJ per stage"), "indicators": _l("Headline indicators"),
          "reviewer_indicators": _l("Reviewer indicators")}
NEEDS_INDICATORS = frozenset({"reviewer_indicators"})  # tables read from engine.services.indicators


def _columns(table: str) -> list[str]:
    counts = [*STATUSES, *RATES]
    return {
        "rights": ["checkpoint", "right", "legal_basis", "failure", "total", *counts, "refused_attempts"],
        "units": ["unit", "total", *counts], "prosecutors": ["prosecutor", "total", *counts],
        "weeks": ["week", *RECORDED],
        "stages": ["stage", "incoming", "resolved", "pending_at_end", "clearance_rate", "disposition_time_days"],
        "indicators": ["indicator", "measure", "value"],
        "reviewer_indicators": ["indicator", "figure", "value", "cases"],
    }[table]


def _rows(report: dict, table: str) -> list[dict]:
    if table == "rights":
        return report["checkpoints"]
    if table == "units":
        return report.get("by_unit", [])
    if table == "prosecutors":
        return report.get("by_prosecutor", [])
    if table == "weeks":
        return report.get("trend", [])
    if table == "reviewer_indicators":
        return [{"indicator": i["id"], "title": indicator_words.title(i), "figure": row["key"],
                 "figure_name": f"{row['group']}: {row['label']}" if row["group"] else row["label"],
                 "value": row["value"], "share": row["share"], "cases": " ".join(str(c) for c in row["cases"])}
                for i in report.get("reviewer_indicators", []) for row in indicator_words.rows(i)]
    cepej = report.get("indicators", {}).get("cepej", {})
    if table == "stages":
        rows = [{"stage": "overall", **cepej["overall"]}] if cepej.get("overall") else []
        return [{**row, "pending_at_end": row.get("pending")} for row in rows + cepej.get("stages", [])]
    return [{"indicator": name, "measure": key, "value": value}
            for name, figures in report.get("indicators", {}).items() if name != "cepej"
            for key, value in figures.items() if value is None or isinstance(value, (int, float, str))]


def to_csv(report: dict, table: str = "rights", separator: str = "comma") -> str:
    return csv_text(_rows(report, table), _columns(table), separator)


def csv_text(rows, columns: list[str], separator: str = "comma") -> str:
    """Rows as CSV that Excel reads in any language: a BOM, CRLF, the separator asked for, the
    columns' stable English keys as the header."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\r\n",
                            delimiter=SEPARATORS[separator])
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _heading(column: str) -> str:
    if column in HEADINGS:
        return str(HEADINGS[column])
    return labels.status_name(column).capitalize()


def _human(column: str, value, row: dict):
    """A cell as people read it: rights, stages and failure classes by name; ids stay ids."""
    if column == "right":
        return labels.right_name(row.get("checkpoint", "")) or value
    if column == "failure":
        return labels.failure_name(value)
    if column == "indicator" and row.get("title"):
        return row["title"]
    if column == "figure" and row.get("figure_name"):
        return row["figure_name"]
    if column == "stage":
        return _("All cases (opened, closed)") if value == "overall" else labels.stage_title(value)
    if column in ("unit", "prosecutor") and not value:
        return _("(none recorded)")
    return value


def to_xlsx(report: dict) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for table, title in TABLES.items():
        sheet = book.create_sheet(str(title)[:31])
        columns = _columns(table)
        sheet.append([_heading(c) for c in columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in _rows(report, table):
            sheet.append([_human(c, row.get(c), row) for c in columns])
            if row.get("share"):  # a reviewer indicator's share reads as a percentage, like the rates
                sheet.cell(row=sheet.max_row, column=columns.index("value") + 1).number_format = "0.0%"
        for index, column in enumerate(columns, start=1):
            if column in RATES:
                for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                    cell.number_format = "0.0%"
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
