"""In Chromium: a trainee logs in, starts the complaint-against-custody scenario, plays it on the
case's own clock through the training pages (every page marked TRAINING), finishes, and reads
the debrief with full marks, the reasoning and the reference walk beside their own."""
from playwright.sync_api import expect

from tests.webapp.conftest import screenshot
from tests.webapp.test_browser_prosecutor import log_in


def task_form(page, name: str):
    return page.locator(f"form[data-task='{name}']")


def fill_in(form, values: dict) -> None:
    for name, value in values.items():
        field = form.locator(f"[name='{name}']")
        kind = field.evaluate("e => e.tagName === 'SELECT' ? 'select' : e.type")
        if kind == "select":
            field.select_option(value)
        elif kind == "checkbox":
            field.set_checked(bool(value))
        else:
            field.fill(value)


def complete(page, name: str, values: dict) -> None:
    form = task_form(page, name)
    fill_in(form, values)
    form.get_by_role("button").click()
    expect(page.get_by_role("status").filter(has_text="Done.")).to_be_visible()


def advance(page, hours: int) -> None:
    page.fill("#hours", str(hours))
    page.get_by_role("button", name="Later…").click()
    expect(page.get_by_role("status").filter(has_text="Done.")).to_be_visible()


def test_a_trainee_plays_a_scenario_to_its_debrief(page, live_server):
    base = live_server["url"]
    log_in(page, base, "trainee")
    expect(page).to_have_url(base + "/training/")
    expect(page.locator("[data-training]")).to_be_visible()
    page.get_by_role("button", name="Start “A complaint against a custody order”").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("A complaint against a custody order")
    expect(page.locator("[data-training]")).to_contain_text("TRAINING")
    expect(page.locator("#virtual-clock")).to_contain_text("02.03.2026 14:00")
    # the case's clock and the times entered are in the app's zone (Asia/Almaty, UTC+5)
    complete(page, "file_complaint", {"act_complained_of": "Custody order IJ-2026-311",
                                      "learned_of_act_at": "2026-03-01T10:00", "complaint_filed_at": "2026-03-02T14:00",
                                      "complaint_challenges_detention": True, "addressed_to": "judge"})
    advance(page, 24)
    expect(page.locator("#virtual-clock")).to_contain_text("03.03.2026 14:00")
    expect(page.locator(".events")).to_contain_text("The court office asks where to route the complaint.")
    complete(page, "register_complaint", {"complaint_registered_at": "2026-03-03T14:00",
                                          "routed_to": "Investigating judge S. Omarova"})
    advance(page, 48)
    complete(page, "rule_on_complaint", {"ruling": "upheld", "ruled_at": "2026-03-05T14:00",
                                         "ruling_reasons": "No reasons specific to the person were given"})
    screenshot(page, "training-case")
    page.get_by_role("button", name="Finish and see the debrief").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Debrief")
    expect(page.locator("[data-training]")).to_be_visible()
    expect(page.locator("#score")).to_contain_text("1 / 1")
    row = page.locator("tr[data-right='complaint_review']")
    expect(row).to_contain_text("respected")
    expect(row).to_contain_text("Mooren")
    expect(page.locator(".walks")).to_contain_text("Register and route the complaint")
    screenshot(page, "training-debrief")
    # the same debrief in Russian, one click away (the language switch of every page)
    page.goto(page.url.split("?")[0] + "?lang=ru")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Разбор")
    expect(page.locator("tr[data-right='complaint_review']")).to_contain_text("соблюдено")
    screenshot(page, "training-debrief-ru")
