"""In Chromium: every role logs in and lands on its home page; an investigator and a prosecutor
walk a case from registration to indictment through the forms, the interrogation is refused for
want of counsel, the investigator follows the refusal's link to the evidence form, records the
lawyer and proceeds.  Screenshots of the key pages go to test-artifacts/."""
import re
from datetime import timedelta

from playwright.sync_api import expect

from engine.fixtures import demo
from tests.conftest import all_actors
from tests.webapp.conftest import PASSWORD, screenshot

HOMES = {"investigator": "/cases/", "prosecutor": "/cases/", "supervisor": "/cases/", "judge": "/cases/",
         "defence": "/cases/", "designer": "/processes/", "reviewer": "/compliance/", "admin": "/compliance/",
         "trainee": "/training/", "trainer": "/training/"}


def log_in(page, base: str, username: str) -> None:
    page.goto(base + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def log_out(page) -> None:
    page.get_by_role("button", name="Log out").click()
    expect(page.locator("#username")).to_be_visible()


def fill(page, values: dict) -> None:
    """Fill the fields named like the engine's form fields (ids ``f-NAME``), whatever the widget."""
    for name, value in values.items():
        field = page.locator(f"#f-{name}")
        kind = field.evaluate("e => e.tagName === 'SELECT' ? 'select' : e.tagName === 'FIELDSET' ? 'decision' : e.type")
        if kind == "decision":  # approve / refuse: an explicit choice
            page.locator(f"#f-{name}-{'yes' if value else 'no'}").check()
        elif kind == "select":
            field.select_option(value)
        elif kind == "checkbox":
            field.set_checked(bool(value))
        else:
            field.fill(value)


def do_task(page, title: str, values: dict, expect_done: bool = True) -> None:
    """From the case page: open the waiting task, fill it in, complete it."""
    page.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()
    fill(page, values)
    page.get_by_role("button", name="Complete the task").click()
    if expect_done:
        expect(page.get_by_role("status").filter(has_text=f"Done: {title}.")).to_be_visible()


def open_case_as(page, base: str, username: str, number: str) -> None:
    log_in(page, base, username)
    page.get_by_role("link", name=number).click()
    expect(page.get_by_role("heading", level=1, name=f"Case {number}")).to_be_visible()


def test_every_role_logs_in_and_lands_on_its_home_page(page, live_server):
    for username, home in HOMES.items():
        log_in(page, live_server["url"], username)
        expect(page).to_have_url(live_server["url"] + home)
        expect(page.locator(".who")).to_contain_text(username)
        log_out(page)


def detained_case(ctx) -> None:
    """A second case, its suspect apprehended 40 hours ago: 8 hours left to bring them before a judge."""
    driver, now = demo.Driver(ctx, all_actors()), ctx.now()
    case_id = driver.open(demo.registration(now, suspect_name="Daniyar Omarov"))
    driver.complete(case_id, "register_report")
    driver.complete(case_id, "open_investigation", next_step="detain")
    driver.complete(case_id, "apprehend_suspect", apprehended_at=(now - timedelta(hours=40)).isoformat())


def open_new_case(page, values: dict) -> str:
    """The investigator registers a theft (the prosecutor and the defence chosen); ``values``
    are the report's own; returns the case's number."""
    page.get_by_role("link", name="Open a new case").click()
    page.locator("#f-prosecutor").select_option("prosecutor")
    page.locator("#f-defence").select_option(["defence"])
    fill(page, {"offence_article": "CC art 188(2)", "offence_category": "medium", "suspect_citizenship": "KZ",
                "speaks_language_of_proceedings": "yes", "suspect_language": "ru",
                "registered_at": "2026-03-01T10:00", **values})
    page.get_by_role("button", name="Open the case").click()
    heading = page.get_by_role("heading", level=1, name=re.compile(r"Case HB-\d{4}-\d{6}"))
    expect(heading).to_be_visible()
    return heading.inner_text().removeprefix("Case ")


def test_investigator_and_prosecutor_take_a_case_from_registration_to_indictment(page, live_server):
    base = live_server["url"]
    detained_case(live_server["habeas"])
    log_in(page, base, "investigator")
    number = open_new_case(page, {"erdr_number": "241100031000777",
                                  "report_summary": "Theft of a phone at the central market",
                                  "suspect_name": "Arman Seitkali", "suspect_birth_date": "1994-02-11"})

    do_task(page, "Register the report in the ERDR", {})  # prefilled from the registration
    do_task(page, "Open the pre-trial investigation", {"investigation_form": "full", "next_step": "summon"})
    do_task(page, "Draft the decision recognising the suspect", {"qualification": "CC art 188(2)",
                                                                 "decision_number": "SD-15"})
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My cases").click()
    # the case now waits for the prosecutor, not for the investigator: among every open case only
    expect(page.locator("table.cases")).not_to_contain_text("Approve the suspicion decision")
    page.get_by_role("link", name="Show every open case").click()
    expect(page.locator("table.cases")).to_contain_text("Approve the suspicion decision")
    expect(page.locator(".countdown.urgent", has_text="8.0 h left")).to_be_visible()  # under 12 hours: highlighted
    screenshot(page, "cases-dashboard")
    log_out(page)

    open_case_as(page, base, "prosecutor", number)
    do_task(page, "Approve the suspicion decision", {"decision_number": "SD-15", "approved": True,
                                                     "approved_by": "prosecutor", "approved_at": "2026-03-02T11:00"})
    log_out(page)

    open_case_as(page, base, "investigator", number)
    do_task(page, "Serve the notice of suspicion and explain rights",
            {"letter_version": "2024-1", "language": "kk", "informed_at": "2026-03-02T12:00", "signed": True})
    interrogation = {"protocol_number": "IP-1", "started_at": "2026-03-02T13:00", "ended_at": "2026-03-02T13:40"}
    do_task(page, "Interrogate the suspect", interrogation, expect_done=False)

    refusal = page.locator("section.refusal").filter(has_text="Not allowed yet")
    expect(refusal).to_contain_text("a lawyer from the first questioning")
    expect(refusal).to_contain_text("Salduz v Turkey (2008)")
    expect(refusal).to_contain_text("Evidence missing: Lawyer, Bar number")
    expect(page.locator("#f-protocol_number")).to_have_value("IP-1")  # what was entered is kept
    screenshot(page, "cases-refusal")

    refusal.get_by_role("link", name=re.compile("Record the evidence")).click()
    expect(page.get_by_role("heading", level=1, name="Evidence: a lawyer from the first questioning")).to_be_visible()
    fill(page, {"lawyer_name": "Aigerim Bekova", "bar_number": "AL-1187", "requested_at": "2026-03-02T12:10",
                "consulted_at": "2026-03-02T12:30", "present_at_interrogation": True})
    page.get_by_role("button", name="Record the evidence").click()
    expect(page.get_by_role("heading", level=1, name="Interrogate the suspect")).to_be_visible()  # back to the task
    expect(page.get_by_role("status").filter(has_text="Evidence recorded")).to_be_visible()
    expect(page.locator("#f-protocol_number")).to_have_value("IP-1")  # kept across the evidence form
    screenshot(page, "cases-task-form")
    page.get_by_role("button", name="Complete the task").click()
    expect(page.get_by_role("status").filter(has_text="Done: Interrogate the suspect.")).to_be_visible()

    do_task(page, "Notify the end of the investigation", {"completion_notice_at": "2026-03-02T13:50"})
    do_task(page, "Open the file to the defence", {"file_index": "1. Report\n2. Protocols\n3. Expert opinion",
                                                   "defence_access_from": "2026-03-02T13:55",
                                                   "defence_access_until": "2026-03-02T14:00"})
    log_out(page)

    open_case_as(page, base, "prosecutor", number)
    do_task(page, "Review the file and decide", {"indictment_decision": "send_to_court",
                                                 "indictment_served_at": "2026-03-02T13:58"})
    expect(page.locator(".facts")).to_contain_text("Prosecutor's review and indictment")
    expect(page.locator("#timeline")).to_contain_text("Interrogation of the suspect")
    diagram = page.locator("#case-diagram")
    expect(diagram).to_have_attribute("data-state", "drawn")
    expect(diagram.locator("svg").first).to_be_visible()
    expect(diagram.locator(".djs-element.hb-done").first).to_be_attached()
    expect(diagram.locator(".djs-element.hb-ready")).to_have_count(1)  # the preliminary hearing waits
    screenshot(page, "cases-case-page")
