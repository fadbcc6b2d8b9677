"""In Chromium at 1366 px (issue 12): an investigator and a prosecutor take a new case from
registration to indictment and are never refused for a right the task page had not shown them
first.  Each task page shows its rights checklist before submitting and keeps it current as the
form changes; a refusal keeps the entries and moves the focus to the error summary; the evidence
of the missing right is recorded from the task page itself; the approval is an explicit choice
whose refusal, with reasons, reaches the investigator's redraft; every control of a task page is
reachable by keyboard.  Screenshots go to test-artifacts/."""
import re

from playwright.sync_api import expect

from tests.webapp.conftest import screenshot
from tests.webapp.test_browser_prosecutor import fill, log_in, log_out, open_case_as, open_new_case


def shown_blocking(page) -> set[str]:
    """The rights the checklist says block this act, as the page shows them now."""
    return set(page.locator("#checklist-items li.checklist-item.blocks").evaluate_all(
        "els => els.map(e => e.dataset.right)"))


def checked(page) -> None:
    """Wait until the checklist has been recomputed for what was just typed."""
    page.wait_for_timeout(450)  # the page waits for typing to pause before it asks
    expect(page.locator("#checklist")).to_have_attribute("data-state", "checked")


def open_task(page, title: str) -> None:
    page.get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()
    expect(page.locator("#checklist")).to_be_visible()  # shown before anything is submitted


def submit(page, title: str, values: dict, refused_ok: bool = False) -> set[str]:
    """Fill in, read the checklist, submit.  A right refused must be one the page showed as
    blocking just before; returns the rights refused (empty when the task is done)."""
    if values:
        fill(page, values)
        checked(page)
    shown = shown_blocking(page)
    page.get_by_role("button", name="Complete the task").click()
    refused = set(page.locator("li.missing-right").evaluate_all("els => els.map(e => e.id.replace('missing-', ''))"))
    assert refused <= shown, f"refused for {refused - shown}, not shown first (shown: {shown})"
    if not refused:
        expect(page.get_by_role("status").filter(has_text=f"Done: {title}.")).to_be_visible()
    else:
        assert refused_ok, f"refused: {refused}"
    return refused


def focused_id(page) -> str:
    return page.evaluate("() => document.activeElement && document.activeElement.id")


def every_control_reachable_by_keyboard(page) -> None:
    """Tab from the top of the page: every visible control of the page's main part is reached,
    those of the evidence panels included (opened for the check, closed after)."""
    page.evaluate("() => document.querySelectorAll('main details').forEach(d => { d.open = true; })")
    count = page.evaluate("""() => {
        const els = [...document.querySelectorAll('main a[href], main button, main input:not([type=hidden]), '
                                                  + 'main select, main textarea, main summary')]
          .filter(e => e.getClientRects().length && !e.disabled);
        els.forEach((e, i) => { e.dataset.kb = String(i); });
        return els.length; }""")
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
    reached = set()
    for _ in range(count + 25):
        page.keyboard.press("Tab")
        mark = page.evaluate("() => document.activeElement ? document.activeElement.dataset.kb : null")
        if mark is not None:
            reached.add(int(mark))
    missing = page.evaluate("(reached) => [...document.querySelectorAll('[data-kb]')]"
                            ".filter(e => !reached.includes(Number(e.dataset.kb))).map(e => e.outerHTML.slice(0, 120))",
                            sorted(reached))
    assert not missing, f"not reachable by keyboard: {missing}"
    page.evaluate("() => document.querySelectorAll('main details').forEach(d => { d.open = false; })")


def test_a_new_case_goes_from_registration_to_indictment_with_every_right_shown_first(page, live_server):
    base = live_server["url"]
    log_in(page, base, "investigator")
    number = open_new_case(page, {"erdr_number": "241100031000888",
                                  "report_summary": "Theft of a bicycle near the station",
                                  "suspect_name": "Timur Abenov", "suspect_birth_date": "1990-05-17"})

    open_task(page, "Register the report in the ERDR")
    screenshot(page, "task-checklist-registration")
    submit(page, "Register the report in the ERDR", {})
    open_task(page, "Open the pre-trial investigation")
    submit(page, "Open the pre-trial investigation", {"investigation_form": "full", "next_step": "summon"})
    open_task(page, "Draft the decision recognising the suspect")
    submit(page, "Draft the decision recognising the suspect", {"qualification": "CC art 188(2)",
                                                                "decision_number": "SD-21"})
    log_out(page)

    # the prosecutor decides: an explicit choice, prefilled with who decides and the decision number
    open_case_as(page, base, "prosecutor", number)
    open_task(page, "Approve the suspicion decision")
    expect(page.locator("#f-approved_by")).to_have_value("prosecutor")
    expect(page.locator("#f-decision_number")).to_have_value("SD-21")
    expect(page.locator("#f-approved_at")).to_have_value(re.compile(r"\d\d\.\d\d\.\d{4} \d\d:\d\d"))
    expect(page.locator("#f-approved-yes")).not_to_be_checked()
    expect(page.locator("#f-approved-no")).not_to_be_checked()
    page.locator("#f-approved-no").check()
    page.get_by_role("button", name="Complete the task").click()  # refused without reasons
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.locator("#error-summary")).to_contain_text("Reasons for refusal")
    expect(page.locator("#f-approved-no")).to_be_checked()  # the choice is kept
    screenshot(page, "task-approval-needs-reasons")
    submit(page, "Approve the suspicion decision", {"refusal_reasons": "Qualify as part 3: a group of persons"})
    log_out(page)

    open_case_as(page, base, "investigator", number)
    open_task(page, "Draft the decision recognising the suspect")
    earlier = page.locator("section.earlier-refusal")
    expect(earlier).to_contain_text("Qualify as part 3: a group of persons")
    expect(earlier).to_contain_text("prosecutor")
    screenshot(page, "task-redraft-with-reasons")
    submit(page, "Draft the decision recognising the suspect", {"qualification": "CC art 188(3)",
                                                                "decision_number": "SD-22"})
    log_out(page)

    open_case_as(page, base, "prosecutor", number)
    open_task(page, "Approve the suspicion decision")
    expect(page.locator("#f-decision_number")).to_have_value("SD-22")
    expect(page.locator("#f-approved-no")).not_to_be_checked()  # the earlier refusal is not this decision
    expect(page.locator("#f-refusal_reasons")).to_have_value("")
    submit(page, "Approve the suspicion decision", {"approved": True})
    log_out(page)

    open_case_as(page, base, "investigator", number)
    open_task(page, "Serve the notice of suspicion and explain rights")
    submit(page, "Serve the notice of suspicion and explain rights",
           {"letter_version": "2024-1", "language": "ru", "informed_at": "2026-03-02T12:00", "signed": True})

    # the interrogation: the checklist says counsel is missing before anything is submitted
    open_task(page, "Interrogate the suspect")
    expect(page.locator("#checklist li.checklist-item[data-right='counsel_before_interrogation']")).to_contain_text("blocks this act")
    every_control_reachable_by_keyboard(page)
    interrogation = {"protocol_number": "IP-7", "started_at": "02.03.2026 13:00", "ended_at": "02.03.2026 13:40"}
    refused = submit(page, "Interrogate the suspect", interrogation, refused_ok=True)
    assert refused == {"counsel_before_interrogation"}
    expect(page.locator("#error-summary")).to_be_focused()
    for name, value in interrogation.items():
        expect(page.locator(f"#f-{name}")).to_have_value(value)  # what was entered is kept
    screenshot(page, "task-refusal-keeps-entries")

    # the evidence, recorded from the task page itself
    page.locator("#checklist").get_by_role("link", name=re.compile("Record it on this page")).first.click()
    panel = page.locator("#ev-counsel_before_interrogation")
    expect(panel).to_have_attribute("open", "")
    prefix = "ev-counsel_before_interrogation-"
    page.locator(f"#f-{prefix}lawyer_name").fill("Aigerim Bekova")
    page.locator(f"#f-{prefix}bar_number").fill("AL-1187")
    page.locator(f"#f-{prefix}requested_at").fill("02.03.2026 12:10")
    page.locator(f"#f-{prefix}consulted_at").fill("02.03.2026 12:30")
    page.locator(f"#f-{prefix}present_at_interrogation").check()
    screenshot(page, "task-inline-evidence")
    panel.get_by_role("button", name=re.compile("Record this evidence")).click()
    expect(page.get_by_role("status").filter(has_text="Evidence recorded")).to_be_visible()
    for name, value in interrogation.items():
        expect(page.locator(f"#f-{name}")).to_have_value(value)  # still kept
    expect(page.locator("#checklist li.checklist-item[data-right='counsel_before_interrogation']")).not_to_have_class(re.compile("blocks"))
    submit(page, "Interrogate the suspect", {})

    open_task(page, "Notify the end of the investigation")
    submit(page, "Notify the end of the investigation", {"completion_notice_at": "2026-03-02T13:50"})
    open_task(page, "Open the file to the defence")
    submit(page, "Open the file to the defence", {"file_index": "1. Report\n2. Protocols",
                                                  "defence_access_from": "2026-03-02T13:55",
                                                  "defence_access_until": "2026-03-02T14:00"})
    log_out(page)

    open_case_as(page, base, "prosecutor", number)
    open_task(page, "Review the file and decide")
    submit(page, "Review the file and decide", {"indictment_decision": "send_to_court",
                                                "indictment_served_at": "2026-03-02T13:58"})
    expect(page.locator(".facts")).to_contain_text("Prosecutor's review and indictment")
    expect(page.locator(".stage-strip [aria-current='step']")).to_contain_text("Prosecutor's review and indictment")
    diagram = page.locator("#case-diagram")
    expect(diagram).to_have_attribute("data-state", "drawn")
    box = diagram.bounding_box()
    shapes = page.evaluate("""() => { const r = document.querySelector('#case-diagram .djs-container svg')
                                           .querySelector('.viewport').getBoundingClientRect(); return [r.left, r.right]; }""")
    assert box["x"] - 2 <= shapes[0] and shapes[1] <= box["x"] + box["width"] + 2  # fitted: nothing cut off
    stages = page.locator("#timeline li strong").all_inner_texts()
    assert stages.index("Recognition as suspect") < stages.index("Interrogation of the suspect")
    screenshot(page, "case-page-1366")
    every_control_reachable_by_keyboard(page)


def test_the_checklist_follows_the_form_as_the_judge_chooses_the_outcome(page, live_server):
    from engine.fixtures import demo
    from tests.conftest import all_actors
    from tests.webapp.test_task_pages import interrogated_detainee
    ctx = live_server["habeas"]
    driver, now = demo.Driver(ctx, all_actors()), ctx.now()
    case_id = interrogated_detainee(driver, now, suspect_name="Daniyar Omarov")
    number = driver.view(case_id)["number"]

    open_case_as(page, live_server["url"], "judge", number)
    open_task(page, "Decide on custody at the hearing")
    review = page.locator("#checklist li.checklist-item[data-right='detention_judicial_review']")
    expect(review).to_have_class(re.compile("blocks"))  # no hearing, no order: custody cannot be entered yet
    page.locator("#f-outcome").select_option("release")
    checked(page)
    expect(page.locator("#checklist .checklist-verdict")).to_have_attribute("data-blocked", "no")  # a release is never refused
    screenshot(page, "task-checklist-live-release")
    page.locator("#f-outcome").select_option("custody")
    checked(page)
    expect(review).to_have_class(re.compile("blocks"))


def test_a_mandatory_release_heads_the_case_page_in_the_browser(page, live_server):
    from datetime import timedelta

    from engine.fixtures import demo
    from tests.conftest import all_actors
    ctx = live_server["habeas"]
    driver, now = demo.Driver(ctx, all_actors()), ctx.now()
    case_id = driver.open(demo.registration(now, suspect_name="Erlan Sadykov"), defence=["defence"])
    driver.complete(case_id, "register_report")
    driver.complete(case_id, "open_investigation", next_step="detain")
    driver.complete(case_id, "apprehend_suspect", apprehended_at=(now - timedelta(hours=80)).isoformat())
    open_case_as(page, live_server["url"], "investigator", driver.view(case_id)["number"])
    first = page.locator("#alerts li.alert-item").first
    expect(first).to_contain_text("Mandatory release")
    expect(first).to_have_class(re.compile("severity-critical"))
    top = page.locator("#alerts").bounding_box()["y"]
    assert top < page.locator("#tasks-title").bounding_box()["y"]  # above everything else of the case
    screenshot(page, "case-alerts-release")
