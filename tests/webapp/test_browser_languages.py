"""In Chromium, once per language: one click on the language switch turns the login page to
Kazakh or Russian; the investigator's dashboard, case page and refusal page, the reviewer's
dashboard and the designer's process list read in that language, and so do the words the
modeler's scripts write (no English message left, as
tests/webapp/test_pages_in_every_language.py checks it); logging out keeps the language.
Screenshots go to test-artifacts/lang-*.png."""
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from engine.domain.errors import CheckpointBlocked
from engine.services import demo
from tests.conftest import all_actors
from tests.webapp.conftest import PASSWORD, screenshot
from tests.webapp.test_pages_in_every_language import english_fragments, readable

WORDS = {
    "ru": {"switch": "Русский", "log_in": "Войти", "log_out": "Выйти", "my_cases": "Мои дела",
           "task": "Допросить подозреваемого", "complete": "Выполнить задачу",
           "refused": "Пока нельзя: соблюдение прав не подтверждено",
           "compliance": "Соблюдение прав на контрольных точках", "processes": "Процессы",
           "loaded": "Загружена версия", "pick": "Выберите задачу на схеме"},
    "kk": {"switch": "Қазақша", "log_in": "Кіру", "log_out": "Шығу", "my_cases": "Менің істерім",
           "task": "Күдіктіден жауап алу", "complete": "Тапсырманы орындау",
           "refused": "Әзірге болмайды: құқықтардың сақталғаны расталмаған",
           "compliance": "Бақылау нүктелеріндегі құқықтардың сақталуы", "processes": "Процестер",
           "loaded": "процесінің 1-нұсқасы жүктелді", "pick": "сызбадан (немесе жоғарыдағы тізімнен) тапсырманы таңдаңыз"},
}


def _reads_entirely_in(page, fragments, where: str) -> None:
    text = readable(page.content())
    # whole words, as test_pages_in_every_language looks for them ("Arman S." of a scenario is no
    # English left in the demo's "Arman Seitkali")
    left = sorted(f for f in fragments if re.search(r"(?<![\w])" + re.escape(f) + r"(?![\w])", text))
    assert not left, f"{where}: English left: {left[:8]}"


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_roles_pages_read_in_the_chosen_language(page, live_server, language):
    base, words, fragments = live_server["url"], WORDS[language], english_fragments(language)
    driver = demo.Driver(live_server["habeas"], all_actors())
    now = live_server["clock"].now()
    case_id = driver.open(demo.registration(now, suspect_citizenship="CN"), defence=["defence"])
    driver.complete(case_id, "register_report")
    driver.complete(case_id, "open_investigation", next_step="summon")
    driver.complete(case_id, "draft_suspicion_decision")
    driver.complete(case_id, "approve_suspicion", approved=True)
    driver.complete(case_id, "serve_suspicion_notice", signed=True)
    with pytest.raises(CheckpointBlocked):
        driver.complete(case_id, "interrogate_suspect")

    page.goto(base + "/login")
    page.get_by_role("link", name=words["switch"]).click()
    expect(page.locator("html")).to_have_attribute("lang", language)
    page.fill("#username", "investigator")
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name=words["log_in"]).click()
    expect(page.get_by_role("heading", level=1, name=words["my_cases"])).to_be_visible()
    _reads_entirely_in(page, fragments, "dashboard")
    screenshot(page, f"lang-{language}-investigator-dashboard")

    page.get_by_role("link", name=words["task"]).first.click()
    expect(page.get_by_role("heading", level=1, name=words["task"])).to_be_visible()
    page.fill("#f-protocol_number", "P-1")
    page.fill("#f-started_at", (now - timedelta(hours=1)).astimezone().strftime("%Y-%m-%dT%H:%M"))
    page.fill("#f-ended_at", now.astimezone().strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name=words["complete"]).click()
    expect(page.get_by_role("heading", level=2, name=words["refused"])).to_be_visible()
    _reads_entirely_in(page, fragments, "refusal")
    screenshot(page, f"lang-{language}-refusal")

    page.goto(f"{base}/cases/{case_id}")
    _reads_entirely_in(page, fragments, "case page")
    screenshot(page, f"lang-{language}-case")
    page.get_by_role("button", name=words["log_out"]).click()
    expect(page.locator("html")).to_have_attribute("lang", language)

    page.fill("#username", "reviewer")
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name=words["log_in"]).click()
    expect(page.get_by_role("heading", level=1, name=words["compliance"])).to_be_visible()
    _reads_entirely_in(page, fragments, "compliance dashboard")
    # the charts' legends, axes and bars are in the language too (drawn by the script)
    page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('chart-trend'))")
    drawn = page.evaluate("""() => ['chart-checkpoints', 'chart-trend'].map((id) => {
        const chart = Chart.getChart(document.getElementById(id));
        const scales = Object.values(chart.options.scales).map((s) => s.title && s.title.text).filter(Boolean);
        return {legend: chart.data.datasets.map((d) => d.label), axes: scales, labels: chart.data.labels};
    })""")
    english = {"passed", "failed", "waived", "overridden", "pending", "evaluations", "week starting (Monday, UTC)"}
    for chart in drawn:
        assert chart["legend"] and not english & set(chart["legend"]), chart["legend"]
        assert len(chart["axes"]) >= 1 and not english & set(chart["axes"]), chart["axes"]
    assert not {"Interpreter", "Right to silence"} & set(drawn[0]["labels"])
    screenshot(page, f"lang-{language}-compliance")
    page.goto(f"{base}/compliance/cases/{case_id}/audit?status=refused&checkpoint=counsel_before_interrogation")
    expect(page.locator("#audit-trail tr[data-failing]")).to_have_count(2)  # the driver's and the page's refusal
    _reads_entirely_in(page, fragments, "audit trail")
    screenshot(page, f"lang-{language}-audit-trail")
    page.get_by_role("button", name=words["log_out"]).click()

    page.fill("#username", "designer")
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name=words["log_in"]).click()
    expect(page.get_by_role("heading", level=1, name=words["processes"])).to_be_visible()
    _reads_entirely_in(page, fragments, "processes")
    screenshot(page, f"lang-{language}-processes")

    page.goto(f"{base}/processes/complaint/edit")
    expect(page.locator("body[data-modeler-ready=true]")).to_be_attached()
    expect(page.locator("#modeler-status")).to_contain_text(words["loaded"])   # written by the script
    expect(page.locator("#panel-body")).to_contain_text(words["pick"])
    screenshot(page, f"lang-{language}-modeler")
