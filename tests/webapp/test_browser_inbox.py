"""In Chromium: a suspect's 48 hours run out, one scheduler tick later the supervising prosecutor
finds the mandatory release at the top of their inbox; a prosecutor filters the inbox, claims
and reassigns a task and comments on the case, all from the keyboard.  Screenshots of the key
pages go to test-artifacts/."""
from datetime import timedelta

from playwright.sync_api import expect

from engine.services import scheduler
from engine.services.demo import Driver, registration
from tests.conftest import all_actors
from tests.webapp.conftest import screenshot
from tests.webapp.test_browser_prosecutor import log_in, log_out

TABS = 80  # more than any page here needs to reach a control from the top


def tab_to(page, selector: str) -> None:
    """Press Tab from the top of the page until ``selector`` has the focus: it is reachable by keyboard."""
    page.locator("body").focus()
    page.evaluate("document.activeElement && document.activeElement.blur()")
    target = page.locator(selector).first
    for _ in range(TABS):
        page.keyboard.press("Tab")
        if target.evaluate("e => e === document.activeElement"):
            return
    raise AssertionError(f"{selector} is not reachable with the Tab key")


def cases(ctx) -> dict:
    driver, now = Driver(ctx, all_actors()), ctx.now()
    held = driver.open(registration(now, suspect_name="Daniyar Omarov"))
    driver.complete(held, "register_report")
    driver.complete(held, "open_investigation", next_step="detain")
    driver.complete(held, "apprehend_suspect", apprehended_at=(now - timedelta(hours=40)).isoformat())
    ordinary = driver.open(registration(now, suspect_name="Asel Nurlanova"))
    driver.complete(ordinary, "register_report")
    driver.complete(ordinary, "open_investigation", next_step="summon")
    driver.complete(ordinary, "draft_suspicion_decision")
    return {"held": driver.view(held)["number"], "ordinary": driver.view(ordinary)["number"]}


def test_a_supervising_prosecutor_finds_the_mandatory_release_on_top_after_one_tick(page, live_server):
    base, ctx = live_server["url"], live_server["habeas"]
    numbers = cases(ctx)
    live_server["clock"].advance(hours=9)  # the 48 hours for a judge's order have passed
    scheduler.tick(ctx)

    log_in(page, base, "supervisor")
    tab_to(page, "nav a[href='/cases/inbox']")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name="Inbox")).to_be_visible()
    top = page.locator(".inbox-item").first
    expect(top).to_have_attribute("data-kind", "release")
    expect(top).to_contain_text("Mandatory release")
    expect(top).to_contain_text("Severity: critical")
    expect(top).to_contain_text(f"Case {numbers['held']}")
    expect(top.locator(".countdown")).to_have_class("countdown urgent")  # due at once: highlighted
    screenshot(page, "inbox-supervisor-mandatory-release")
    log_out(page)


def test_a_prosecutor_filters_claims_reassigns_and_comments_by_keyboard(page, live_server):
    base, ctx = live_server["url"], live_server["habeas"]
    numbers = cases(ctx)
    log_in(page, base, "prosecutor")
    page.goto(base + "/cases/inbox")

    # every filter and the button that applies them are reached with Tab
    for control in ("#q", "#case", "#stage", "#due_within", "#blocked", "#whose", "#apply-filters"):
        tab_to(page, control)
    tab_to(page, "#q")
    page.keyboard.type("Nurlanova")
    tab_to(page, "#apply-filters")
    page.keyboard.press("Enter")
    expect(page).to_have_url(base + "/cases/inbox?q=Nurlanova&case=&stage=&due_within=&blocked=&whose=all")
    items = page.locator(".inbox-item")
    expect(items).to_have_count(1)
    expect(items.first).to_contain_text(f"Case {numbers['ordinary']}")
    expect(items.first).to_contain_text("Nobody holds this task yet.")

    tab_to(page, ".inbox-item button:has-text('Claim')")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="You hold the task now.")).to_be_visible()
    expect(page).to_have_url(base + "/cases/inbox?q=Nurlanova&case=&stage=&due_within=&blocked=&whose=all")
    expect(page.locator(".inbox-item .holder")).to_contain_text("Held by prosecutor")
    screenshot(page, "inbox-prosecutor-claimed")

    tab_to(page, ".inbox-item select[name=to]")
    page.locator(".inbox-item select[name=to]").select_option("supervisor")
    tab_to(page, ".inbox-item button:has-text('Reassign')")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="The task is reassigned to supervisor.")).to_be_visible()
    expect(page.locator(".inbox-item .holder")).to_contain_text("Held by supervisor")

    # a filter that cannot be read is said, and the focus moves to what says it
    page.goto(base + "/cases/inbox?stage=nowhere")
    expect(page.locator("#filter-errors")).to_be_focused()
    expect(page.locator("#filter-errors")).to_contain_text("Choose a stage from the list.")

    page.goto(base + "/cases/inbox?q=Nurlanova")
    page.get_by_role("link", name=f"Case {numbers['ordinary']}").click()
    tab_to(page, "#comment-body")
    page.keyboard.type("The decision needs the witness list; call me before approving.")
    tab_to(page, "#comments button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="Your comment is added.")).to_be_visible()
    expect(page.locator("#comments .comments")).to_contain_text("call me before approving")
    screenshot(page, "case-comments")
    page.goto(base + "/cases/inbox?q=Nurlanova")
    expect(page.locator(".inbox-item").first).to_contain_text("1 comment on the case")
    screenshot(page, "inbox-prosecutor-comment")
