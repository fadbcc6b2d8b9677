"""The exports cover every table of the report, the reviewer indicators of issue 9 included:
CSV (BOM, comma or semicolon, stable English keys) and XLSX (headed in the reader's language)."""
import csv
import io

from openpyxl import load_workbook

from engine.services import indicators
from tests.conftest import all_actors

IDS = ["custody", "allegations", "lawyer", "family_notice", "interpreter", "children", "overrides", "complaints",
       "cepej"]


def test_the_reviewer_indicators_export_as_csv_with_every_figure(login_as, seeded):
    raw = login_as("reviewer").get("/compliance/report.csv?table=reviewer_indicators&sep=semicolon").get_data()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert list(rows[0]) == ["indicator", "figure", "value", "cases"]
    assert [i for i in dict.fromkeys(r["indicator"] for r in rows)] == IDS
    expected = indicators.indicators(seeded, all_actors()["reviewer"])["indicators"]
    figures = sum(len(v) if isinstance(v, dict) else 1 for i in expected for v in i["figures"].values())
    assert len(rows) == figures
    assert {"cepej:appeal:incoming", "allegations:referred_late", "complaints:beyond_term"} <= {
        f"{r['indicator']}:{r['figure']}" for r in rows}


def test_the_workbook_has_the_reviewer_indicators_in_russian(login_as):
    book = load_workbook(io.BytesIO(login_as("reviewer").get("/compliance/report.xlsx?lang=ru").get_data()))
    sheet = list(book["Показатели для проверяющих"].values)
    assert sheet[0] == ("Показатель", "Параметр", "Значение", "Учтённые дела")
    titles = {row[0] for row in sheet[1:]}
    assert "Заявления о жестоком обращении и срок их направления" in titles and len(titles) == len(IDS)
    assert ("апелляция: поступило" in {row[1] for row in sheet[1:]})
