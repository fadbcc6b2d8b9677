"""The interface in Kazakh, Russian and English: how the language is chosen and remembered, what
the JSON API answers in, and the exports Excel reads (CSV with a BOM, semicolons; XLSX)."""
import csv
import io
import re

import pytest
from openpyxl import load_workbook

from engine.services import users
from tests.conftest import _empty
from tests.webapp.conftest import csrf_token, login


@pytest.fixture
def db_engine(sqlite_engine):
    """Words do not depend on the database: these run on SQLite only (the suite stays fast)."""
    _empty(sqlite_engine)
    return sqlite_engine


def _lang(response) -> str:
    return re.search(r'<html lang="([a-z]+)">', response.get_data(as_text=True)).group(1)


def test_the_browser_language_is_used_until_a_language_is_chosen(client):
    assert _lang(client.get("/login")) == "en"
    page = client.get("/login", headers={"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"})
    assert _lang(page) == "ru" and "Имя пользователя" in page.get_data(as_text=True)
    assert _lang(client.get("/login", headers={"Accept-Language": "kk"})) == "kk"
    assert _lang(client.get("/login", headers={"Accept-Language": "de-DE"})) == "en"  # the configured default


def test_a_chosen_language_is_remembered_over_the_browser_and_survives_logging_out(client, seeded):
    page = client.get("/login?lang=kk", headers={"Accept-Language": "ru"})
    assert _lang(page) == "kk" and "Кіру" in page.get_data(as_text=True)
    assert _lang(client.get("/login", headers={"Accept-Language": "ru"})) == "kk"
    login(client, "judge")
    assert _lang(client.get("/cases/")) == "kk"
    logged_out = client.post("/logout", data={"csrf_token": csrf_token(client, "/cases/")}, follow_redirects=True)
    assert _lang(logged_out) == "kk" and "Сіз жүйеден шықтыңыз." in logged_out.get_data(as_text=True)


def test_a_logged_in_choice_is_saved_on_the_user_and_follows_them_to_a_new_browser(app, seeded):
    first = login(app.test_client(), "prosecutor")
    assert _lang(first.get("/cases/?lang=ru")) == "ru"
    assert users.language_of(seeded, "prosecutor") == "ru"
    elsewhere = login(app.test_client(), "prosecutor")
    page = elsewhere.get("/cases/", headers={"Accept-Language": "en"})
    assert _lang(page) == "ru" and "Мои дела" in page.get_data(as_text=True)


def test_an_unknown_language_changes_nothing(client, seeded):
    client.get("/login?lang=ru")
    page = client.get("/login?lang=xx")
    assert page.status_code == 200 and _lang(page) == "ru"
    with pytest.raises(Exception, match="unknown language"):
        users.save_language(seeded, "judge", "xx")
    assert users.language_of(seeded, "judge") is None


def test_every_page_has_a_one_click_switch_that_keeps_the_page_and_its_arguments(login_as):
    client = login_as("reviewer")
    page = client.get("/compliance/?unit=Almaty&lang=ru").get_data(as_text=True)
    links = dict(re.findall(r'href="([^"]+)" lang="[a-z]+" hreflang="[a-z]+" data-lang="([a-z]+)"', page))
    by_language = {code: href.replace("&amp;", "&") for href, code in links.items()}
    assert set(by_language) == {"kk", "en"} and 'aria-current="true">Русский' in page
    assert by_language["kk"].startswith("/compliance/?") and "unit=Almaty" in by_language["kk"]
    assert _lang(client.get(by_language["kk"])) == "kk"


def test_the_api_keeps_english_codes_and_answers_its_message_in_the_asked_language(client, seeded):
    answer = client.get("/api/v1/cases/999", headers={"Accept-Language": "ru"})
    body = answer.get_json()
    assert answer.status_code == 401 and body["error"] == "unauthenticated"
    assert body["message"].startswith("Войдите") and "Authorization" in body["message"]
    english = client.get("/api/v1/cases/999").get_json()
    assert english["error"] == "unauthenticated" and english["message"].startswith("Log in")


def test_a_role_refusal_names_the_role_in_words_not_its_id(login_as):
    page = login_as("designer").get("/cases/?lang=ru")
    text = page.get_data(as_text=True)
    assert page.status_code == 403 and "разработчик процессов" in text and "designer" not in text.split("<main")[1]


def test_csv_export_has_a_bom_and_a_semicolon_option_for_excel(login_as):
    client = login_as("reviewer")
    raw = client.get("/compliance/report.csv?sep=semicolon").get_data()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["checkpoint", "right", "legal_basis"] and len(rows) == 17
    assert client.get("/compliance/report.csv?sep=tab").status_code == 422


@pytest.mark.parametrize("table, first_column", [("units", "unit"), ("prosecutors", "prosecutor"), ("weeks", "week"),
                                                 ("stages", "stage"), ("indicators", "indicator"),
                                                 ("reviewer_indicators", "indicator")])
def test_csv_export_covers_every_table_of_the_report(login_as, table, first_column):
    raw = login_as("reviewer").get(f"/compliance/report.csv?table={table}").get_data()
    header = next(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert header[0] == first_column


def test_xlsx_export_has_one_sheet_per_table_headed_in_the_readers_language(login_as):
    response = login_as("reviewer").get("/compliance/report.xlsx?lang=kk")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(response.get_data()))
    assert book.sheetnames == ["Құқықтар бойынша", "Бөлімшелер бойынша", "Прокурорлар бойынша", "Апталар бойынша",
                               "CEPEJ сатылар бойынша", "Негізгі көрсеткіштер", "Тексеру көрсеткіштері"]
    rights = list(book["Құқықтар бойынша"].values)
    assert rights[0][:3] == ("Құқық (коды)", "Құқық", "Құқықтық негіз") and len(rights) == 17
    assert rights[1][1] == "ұстап алуды сотта кідіріссіз тексеру"


def test_the_report_period_is_typed_as_dd_mm_yyyy(login_as):
    client = login_as("reviewer")
    page = client.get("/compliance/", query_string={"from": "01.02.2026", "to": "28.02.2026"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'value="01.02.2026"' in html and 'value="28.02.2026"' in html
    assert "01.02.2026 – 28.02.2026" in html
    assert client.get("/compliance/", query_string={"from": "31.02.2026"}).status_code == 422
