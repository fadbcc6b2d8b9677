"""The trainers' reports as files, to feed the curriculum: progress per trainee and the rights the
cohort most often gets wrong.  CSV is UTF-8 with a BOM (Excel reads Cyrillic) with a comma or,
for Excel set to Russian or Kazakh, a semicolon, and stable English column keys (scripts read
them); the XLSX workbook is for people: one sheet per table, headings and right names in the
reader's language."""
import io

from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.styles import Font

from engine.domain import scenarios

from ..i18n import labels
from ..reviewer.exports import SEPARATORS, csv_text  # noqa: F401 (the pages check a separator against it)
from . import words

TABLES = {"progress": _l("Progress per trainee"), "cohort": _l("Rights most often missed")}
COLUMNS = {
    "progress": ["trainee", "started", "finished", "score", "max_score", "rate"],
    "cohort": ["right", "name", "played", "wrong", "wrong_rate", *scenarios.OUTCOMES],
}
HEADINGS = {
    "trainee": _l("Trainee"), "started": _l("Started"), "finished": _l("Finished"), "score": _l("Points"),
    "max_score": _l("Points possible"), "rate": _l("Rate"), "right": _l("Right (id)"), "name": _l("Right"),
    "played": _l("Played"), "wrong": _l("Wrong"), "wrong_rate": _l("Wrong, share"),
}
RATES = ("rate", "wrong_rate")


def to_csv(rows: list[dict], table: str, separator: str = "comma") -> str:
    return csv_text(rows, COLUMNS[table], separator)


def _heading(column: str) -> str:
    if column in HEADINGS:
        return str(HEADINGS[column])
    return words.outcome(column).capitalize()


def _cell(column: str, row: dict):
    if column == "name":
        return labels.right_name(row.get("right", "")) or row.get("name")
    return row.get(column)


def to_xlsx(tables: dict[str, list[dict]]) -> bytes:
    """``tables``: the rows of ``progress`` and ``cohort``, each on its own sheet."""
    book = Workbook()
    book.remove(book.active)
    for table, title in TABLES.items():
        sheet = book.create_sheet(str(title)[:31])
        columns = COLUMNS[table]
        sheet.append([_heading(c) for c in columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in tables.get(table, ()):
            sheet.append([_cell(c, row) for c in columns])
        for index, column in enumerate(columns, start=1):
            if column in RATES:
                for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                    cell.number_format = "0.0%"
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
