"""The designer's journey in a real browser: open the modeler, rename a task in the properties
panel, give it an unknown stage, save and be shown the error on that element, fix it, save
again, deploy, and find the new version in the list (and its changes in the diff)."""
import re


from tests.conftest import PASSWORD
from tests.webapp.conftest import screenshot


NEW_NAME = "File the complaint with the investigating judge"


def log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_designer_renames_a_task_fixes_an_unknown_stage_and_deploys(live_server, page):
    from playwright.sync_api import expect
    console_errors = []
    page.on("console", lambda msg: console_errors.append(msg.text) if msg.type == "error" else None)
    base = live_server["url"]
    log_in(page, base, "designer")
    expect(page.get_by_role("heading", name="Processes", exact=True)).to_be_visible()
    page.get_by_role("link", name="Edit version 1 of Complaint to the investigating judge").click()
    expect(page.locator("body[data-modeler-ready=true]")).to_have_count(1)

    page.locator('.djs-element[data-element-id="file_complaint"]').click()
    name = page.locator("#panel-name")
    expect(name).to_have_value("File the complaint")
    name.fill(NEW_NAME)
    name.press("Tab")
    expect(page.locator('.djs-element[data-element-id="file_complaint"]')).to_contain_text("investigating")
    stage = page.locator("#panel-stage")
    stage.fill("arraignment")
    stage.press("Tab")
    expect(page.locator("#panel-stage-note")).to_contain_text("not a stage the engine knows")

    page.get_by_role("button", name="Save and check").click()
    problem = page.locator('#problem-list li.error[data-element="file_complaint"]')
    expect(problem).to_contain_text("unknown stage 'arraignment'")
    expect(page.locator("#modeler-status")).to_contain_text("cannot be deployed")
    expect(page.locator('.djs-element.habeas-error[data-element-id="file_complaint"]')).to_have_count(1)
    page.locator('.djs-element[data-element-id="rule_on_complaint"]').click()
    expect(name).to_have_value("Rule on the complaint")
    screenshot(page, "designer-modeler-errors")

    problem.get_by_role("button").click()
    expect(name).to_have_value(NEW_NAME)
    expect(stage).to_have_value("arraignment")
    screenshot(page, "designer-modeler-panel")
    stage.fill("complaint")
    stage.press("Tab")
    expect(page.locator("#panel-stage-note")).to_contain_text("The catalogue enforces on entry")
    page.get_by_role("button", name="Save and check").click()
    expect(page.locator("#modeler-status")).to_have_text("Saved and checked: no errors.")
    expect(page.locator("#problem-list li.error")).to_have_count(0)

    page.get_by_role("button", name="Deploy as a new version").click()
    expect(page.locator("#modeler-status")).to_have_text("Deployed as version 2 of complaint.")
    page.get_by_role("link", name="Open version 2").click()
    expect(page.locator("body[data-viewer-ready=true]")).to_have_count(1)
    expect(page.locator('.djs-element[data-element-id="file_complaint"]')).to_contain_text("investigating")
    expect(page.get_by_role("row", name=re.compile(NEW_NAME))).to_contain_text("complaint")

    page.get_by_role("link", name="Processes", exact=True).first.click()
    row = page.locator("section", has=page.locator("#process-complaint")).locator("tr[data-version='2']")
    expect(row).to_contain_text("designer")
    screenshot(page, "designer-processes")
    row.get_by_role("link", name=re.compile("Changes from version 1 to 2")).click()
    expect(page.locator(".changes")).to_contain_text(f"renamed from 'File the complaint' to '{NEW_NAME}'")
    expect(page.locator("body[data-viewer-ready=true]")).to_have_count(1)  # both versions drawn, the change coloured
    for side in ("newer", "older"):
        expect(page.locator(f'.diff-diagram[data-side={side}] .djs-element.habeas-diff-changed'
                            '[data-element-id="file_complaint"]')).to_have_count(1)
    screenshot(page, "designer-diff")
    assert not [e for e in console_errors if "Content Security Policy" in e], console_errors


def test_the_panel_writes_checkpoints_evidence_and_form_into_the_saved_bpmn(live_server, page):
    from playwright.sync_api import expect
    base = live_server["url"]
    log_in(page, base, "designer")
    page.goto(f"{base}/processes/complaint/edit?version=1")
    expect(page.locator("body[data-modeler-ready=true]")).to_have_count(1)
    page.get_by_label("Element", exact=True).select_option("rule_on_complaint")
    expect(page.locator("#panel-name")).to_have_value("Rule on the complaint")
    enforced = page.locator("fieldset[data-property=checkpoints] input[value=complaint_review]")
    expect(enforced).to_be_checked()
    expect(enforced).to_be_disabled()
    page.locator("fieldset[data-property=checkpoints]").get_by_label("interpreter").check()
    form = page.locator(".form-editor")
    form.locator("input[data-key=label]").nth(1).fill("Grounds of the ruling")
    form.locator("input[data-key=label]").nth(1).press("Tab")
    form.get_by_role("button", name="Add a field").click()
    form.locator("input[data-key=name]").last.fill("hearing_held_at")
    form.locator("input[data-key=name]").last.press("Tab")
    form.locator("select[data-key=type]").last.select_option("datetime")
    with page.expect_request(lambda r: r.url.endswith("/processes/check")) as request:
        page.get_by_role("button", name="Save and check").click()
    xml = request.value.post_data
    expect(page.locator("#modeler-status")).to_have_text("Saved and checked: no errors.")
    assert '<spiffworkflow:property name="checkpoints" value="interpreter" />' in xml
    assert "Grounds of the ruling" in xml and "hearing_held_at" in xml and "&#34;type&#34;:&#34;datetime&#34;" in xml


def test_the_modeler_shows_a_refused_detention_path_on_the_diagram(live_server, page):
    """A draft whose 'Detained' flow skips the judge: the check lists the dead end, names its path
    and outlines every element of it on the canvas (inside the detention subprocess too)."""
    import json

    from playwright.sync_api import expect

    from tests import variants
    base = live_server["url"]
    log_in(page, base, "designer")
    page.goto(f"{base}/processes/criminal_case/edit?version=1")
    expect(page.locator("body[data-modeler-ready=true]")).to_have_count(1)
    draft = {"xml": variants.detention_dead_end(), "from": 1, "at": "2026-12-02T03:00:00Z"}
    page.evaluate("d => window.localStorage.setItem('habeas-draft:criminal_case', d)", json.dumps(draft))
    page.reload()
    expect(page.locator("body[data-modeler-ready=true]")).to_have_count(1)
    page.locator("#restore-button").click()
    expect(page.locator("#modeler-status")).to_contain_text("Draft restored")
    page.get_by_role("button", name="Save and check").click()
    expect(page.locator("#modeler-status")).to_contain_text("cannot be deployed")
    problem = page.locator('#problem-list li.error[data-element="judgment_final"]')
    expect(problem).to_contain_text("can end here while the person is held")
    expect(problem.locator(".problem-path")).to_contain_text("Apprehend the suspect → Mark the suspect detained")
    for element in ("gw_detained", "f_custody", "review_file", "judgment_final"):
        expect(page.locator(f'.djs-element.habeas-path[data-element-id="{element}"]')).to_have_count(1)
    expect(page.locator('.djs-element.habeas-path[data-element-id="decide_custody"]')).to_have_count(0)
    screenshot(page, "designer-refused-path")
