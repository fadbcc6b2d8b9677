"""In Chromium, in Kazakh and in Russian: the defence lawyer files a complaint and records an
ill-treatment allegation from the case page (the forms, their choices, the confirmations and the
case page's complaints section read in the language), and the administrator reads the incidents
page.  Screenshots go to test-artifacts/lang-*-complaint*.png and lang-*-incidents.png."""
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from engine.fixtures import demo
from engine.services import incidents
from tests.conftest import all_actors
from tests.webapp.conftest import PASSWORD, screenshot
from tests.webapp.test_browser_languages import _reads_entirely_in
from tests.webapp.test_pages_in_every_language import english_fragments

WORDS = {
    "ru": {"file": "Подать жалобу", "allege": "Зарегистрировать заявление о жестоком обращении",
           "apprehension": "задержание", "filed": "Жалоба подана", "recorded": "Заявление зарегистрировано",
           "section": "Жалобы и заявления о жестоком обращении", "incidents": "Инциденты", "retry": "Повторить",
           "log_out": "Выйти"},
    "kk": {"file": "Шағым беру", "allege": "Қатыгездік туралы арызды тіркеу", "apprehension": "ұстап алу",
           "filed": "Шағым берілді", "recorded": "Арыз тіркелді",
           "section": "Шағымдар мен қатыгездік туралы арыздар", "incidents": "Инциденттер", "retry": "Қайталау",
           "log_out": "Шығу"},
}


def log_in(page, base, username, language):
    page.goto(f"{base}/login?lang={language}")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.locator("form button[type=submit]").last.click()


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_defence_complains_and_alleges_in_the_chosen_language(page, live_server, language):
    base, words, fragments = live_server["url"], WORDS[language], english_fragments(language)
    habeas, now = live_server["habeas"], live_server["clock"].now()
    driver = demo.Driver(habeas, all_actors())
    case_id = driver.open(demo.registration(now), defence=["defence"])
    driver.complete(case_id, "register_report")
    learned = (now - timedelta(days=1)).astimezone(ZoneInfo("Asia/Almaty")).strftime("%d.%m.%Y %H:%M")

    log_in(page, base, "defence", language)
    page.goto(f"{base}/cases/{case_id}")
    page.get_by_role("link", name=words["file"]).click()
    expect(page.get_by_role("heading", level=1, name=words["file"])).to_be_visible()
    _reads_entirely_in(page, fragments, "complaint form")
    expect(page.locator("#f-learned_of_act_at-help")).to_contain_text("(Asia/Almaty)")  # the zone is named
    page.fill("#f-act_complained_of", "Задержание без протокола")
    page.select_option("#f-about_act", label=words["apprehension"])
    page.fill("#f-learned_of_act_at", learned)
    screenshot(page, f"lang-{language}-complaint-form")
    page.get_by_role("button", name=words["file"]).click()
    expect(page.locator("body")).to_contain_text(words["filed"])
    expect(page.get_by_role("heading", level=2, name=words["section"])).to_be_visible()

    page.get_by_role("link", name=words["allege"]).click()
    page.fill("#f-description", "Удары при задержании")
    page.get_by_role("button", name=words["allege"]).click()
    expect(page.locator("body")).to_contain_text(words["recorded"])
    _reads_entirely_in(page, fragments, "case page with a complaint and an allegation")
    screenshot(page, f"lang-{language}-complaints")
    page.get_by_role("button", name=words["log_out"]).click()

    incidents.record(habeas, case_id, incidents.STEP_FAILED, "ZeroDivisionError: division by zero")
    log_in(page, base, "admin", language)
    page.goto(f"{base}/incidents/")
    expect(page.get_by_role("heading", level=1, name=words["incidents"])).to_be_visible()
    expect(page.get_by_role("button", name=words["retry"])).to_be_visible()
    _reads_entirely_in(page, fragments, "incidents")
    screenshot(page, f"lang-{language}-incidents")
