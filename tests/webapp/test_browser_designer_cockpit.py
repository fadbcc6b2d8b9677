"""The designer's modeler and migration cockpit in Chromium: a full-size canvas that opens fitted,
zoom to an element from the element list and from each problem, the live lint of disconnected
elements and plain Tasks (and the server's check saying the same), the draft coloured against
the deployed version; then a migration previewed, a few cases chosen by keyboard, confirmed, and
only those moved, with a stale preview caught on the way."""
import re

from engine.services import processes
from engine.services.demo import Driver
from tests.conftest import PROCESSES, all_actors
from tests.integration.test_clocks import detained
from tests.integration.test_migration import unmet_foreigner, version_of
from tests.webapp.conftest import screenshot
from tests.webapp.test_browser_designer import log_in

ZOOM = "() => window.HabeasModeler.get('canvas').zoom()"


def viewbox(page) -> dict:
    return page.evaluate("() => { const b = window.HabeasModeler.get('canvas').viewbox();"
                         " return {x: b.x, y: b.y, width: b.width, height: b.height, scale: b.scale,"
                         " inner: b.inner, outer: b.outer}; }")


def centred_on(page, element_id: str) -> bool:
    return page.evaluate("""(id) => { const m = window.HabeasModeler, c = m.get('canvas');
        const e = m.get('elementRegistry').get(id), b = c.viewbox();
        const cx = e.x + e.width / 2, cy = e.y + e.height / 2;
        return Math.abs(b.x + b.width / 2 - cx) < 2 && Math.abs(b.y + b.height / 2 - cy) < 2; }""", element_id)


def selected(page) -> list[str]:
    return page.evaluate("() => window.HabeasModeler.get('selection').get().map(e => e.id)")


def test_the_modeler_fills_the_window_zooms_to_elements_lints_and_colours_the_draft(live_server, page):
    from playwright.sync_api import expect
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    base = live_server["url"]
    log_in(page, base, "designer")
    page.goto(f"{base}/processes/complaint/edit")
    expect(page.locator("body[data-modeler-ready=true]")).to_have_count(1)

    # full size: the canvas runs to the bottom of the window, and the diagram opens fitted
    box = page.locator("#canvas").bounding_box()
    assert box["y"] + box["height"] >= 900 - 30 and box["width"] > 800, box
    view = viewbox(page)
    inner, shown = view["inner"], view
    assert inner["x"] >= shown["x"] - 1 and inner["y"] >= shown["y"] - 1
    assert inner["x"] + inner["width"] <= shown["x"] + shown["width"] + 1
    assert inner["y"] + inner["height"] <= shown["y"] + shown["height"] + 1
    fitted = page.evaluate(ZOOM)
    palette = page.locator("#canvas .djs-palette").bounding_box()
    leftmost = min(b["x"] for b in (page.locator(".djs-element.djs-shape").nth(i).bounding_box()
                                    for i in range(page.locator(".djs-element.djs-shape").count())) if b)
    assert leftmost >= palette["x"] + palette["width"], "the fitted diagram starts under the palette"
    screenshot(page, "designer-modeler-fitted")

    # the element list zooms to what is chosen
    page.select_option("#element-picker", "rule_on_complaint")
    assert selected(page) == ["rule_on_complaint"] and centred_on(page, "rule_on_complaint")
    assert abs(page.evaluate(ZOOM) - 1) < 0.01 and page.evaluate(ZOOM) >= fitted

    # a plain Task dropped on the canvas with no flows: the live lint names the three problems
    page.evaluate("""() => { const m = window.HabeasModeler;
        const bo = m.get('bpmnFactory').create('bpmn:Task', { id: 'forgotten_task', name: 'Judge decides' });
        const shape = m.get('elementFactory').createShape({ type: 'bpmn:Task', businessObject: bo });
        const host = m.get('elementRegistry').filter(e => e.type === 'bpmn:Participant')[0]
          || m.get('canvas').getRootElement();
        m.get('modeling').createShape(shape, { x: (host.x || 0) + 300, y: (host.y || 0) + 80 }, host); }""")
    drafted = page.locator('#draft-problems li[data-element="forgotten_task"]')
    expect(drafted).to_have_count(3)
    expect(page.locator('#draft-problems li[data-rule="untyped_task"]')).to_contain_text("plain Task")
    expect(page.locator('#draft-problems li[data-rule="unreachable"]')).to_contain_text("Nothing leads to this element")
    expect(page.locator('#draft-problems li[data-rule="dead_end"]')).to_contain_text("Nothing leaves this element")

    # the toolbar, the element list and each problem are reachable by keyboard; Enter on a problem zooms
    page.evaluate("() => window.HabeasModeler.get('selection').select([])")
    page.locator("#save-button").focus()
    assert "compare-button" in tab_until(page, "compare-button")
    page.locator("#element-picker").focus()
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("() => !!document.activeElement.closest('#draft-problems')"):
            break
    else:
        raise AssertionError("no problem of the live lint is reachable by Tab")
    page.evaluate("() => window.HabeasModeler.get('canvas').zoom('fit-viewport')")
    page.keyboard.press("Enter")
    assert selected(page) == ["forgotten_task"] and centred_on(page, "forgotten_task")

    # each problem zooms to its element (from a fitted view)
    page.evaluate("() => window.HabeasModeler.get('canvas').zoom('fit-viewport')")
    page.evaluate("() => window.HabeasModeler.get('selection').select([])")
    page.locator('#draft-problems li[data-rule="untyped_task"] button').click()
    assert selected(page) == ["forgotten_task"] and centred_on(page, "forgotten_task")
    expect(page.locator("#panel-heading")).to_be_focused()

    # the server's check says the same, and refuses the deploy
    page.get_by_role("button", name="Save and check").click()
    expect(page.locator("#modeler-status")).to_contain_text("cannot be deployed")
    server = page.locator('#problem-list li.error[data-element="forgotten_task"]')
    expect(server).to_have_count(3)
    expect(server.first).not_to_contain_text("No problems")
    page.evaluate("() => window.HabeasModeler.get('canvas').zoom('fit-viewport')")
    server.nth(1).get_by_role("button").click()
    assert selected(page) == ["forgotten_task"] and centred_on(page, "forgotten_task")
    screenshot(page, "designer-modeler-lint")

    # the visual diff: the new task green, a renamed one blue, with the legend
    page.select_option("#element-picker", "file_complaint")
    page.locator("#panel-name").fill("File the complaint with the judge")
    page.locator("#panel-name").press("Tab")
    page.get_by_role("button", name="Compare with v1").click()
    expect(page.locator("#compare-card")).to_be_visible()
    expect(page.locator('.djs-element.habeas-diff-added[data-element-id="forgotten_task"]')).to_have_count(1)
    expect(page.locator('.djs-element.habeas-diff-changed[data-element-id="file_complaint"]')).to_have_count(1)
    expect(page.locator(".diff-legend")).to_contain_text("added in the draft")
    expect(page.locator("#compare-summary")).to_contain_text("1 added, 1 changed, 0 removed")
    page.evaluate("() => window.HabeasModeler.get('canvas').zoom('fit-viewport')")
    page.locator('#compare-list li[data-element="file_complaint"] button').click()
    assert selected(page) == ["file_complaint"] and centred_on(page, "file_complaint")
    screenshot(page, "designer-modeler-visual-diff")
    page.get_by_role("button", name="Clear the colours").click()
    expect(page.locator(".djs-element.habeas-diff-added")).to_have_count(0)
    # a clean console: no configuration error from bpmn-js, no script error
    assert not [e for e in errors if "unsupported configuration" in e or "TypeError" in e], errors


def tab_until(page, target_id: str, limit: int = 40) -> list[str]:
    """Press Tab until ``target_id`` has the focus; the ids met on the way."""
    met = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        current = page.evaluate("() => document.activeElement && document.activeElement.id")
        met.append(current)
        if current == target_id:
            return met
    raise AssertionError(f"{target_id} never reached by Tab; met {met}")


def test_a_designer_previews_a_migration_and_moves_only_the_chosen_cases(live_server, page):
    from playwright.sync_api import expect
    habeas, clock, base = live_server["habeas"], live_server["clock"], live_server["url"]
    actors = all_actors()
    driver = Driver(habeas, actors)
    first, second = detained(driver), detained(driver)
    refused = unmet_foreigner(driver, clock)
    xml = (PROCESSES / "criminal_case.bpmn").read_text()
    processes.deploy(habeas, actors["designer"], xml.replace('name="Hold the preliminary hearing"',
                                                              'name="Hold the preliminary hearing (v2)"'))
    clock.advance(hours=25)
    numbers = {c: driver.view(c)["number"] for c in (first, second, refused)}

    log_in(page, base, "designer")
    page.goto(f"{base}/processes/criminal_case/migrate")
    page.select_option("#to", "2")
    page.get_by_role("button", name="Preview the migration").click()
    expect(page.get_by_role("heading", name="Preview: migration to v2")).to_be_visible()
    expect(page.locator(f'input[name=case][value="{first}"]')).to_have_count(1)
    expect(page.locator(f'input[name=case][value="{second}"]')).to_have_count(1)
    expect(page.locator(f'input[name=case][value="{refused}"]')).to_have_count(0)
    why = page.locator("table.refused tr", has=page.get_by_role("link", name=numbers[refused]))
    expect(why).to_contain_text(re.compile("consul", re.I))   # the right by its name, not a field key
    expect(why).to_contain_text("Vienna Convention")           # and its legal basis
    expect(why).not_to_contain_text("family_consular_notice")
    screenshot(page, "designer-migration-preview")

    # every control reachable by keyboard; the first case chosen with the space bar
    page.locator("#preview-button").focus()
    met = tab_until(page, "review-button")
    assert {"select-all", f"case-{first}", f"case-{second}"} <= set(met), met
    page.locator("#select-all").focus()
    page.keyboard.press("Space")
    expect(page.locator("input[name=case]:checked")).to_have_count(2)
    page.keyboard.press("Space")
    expect(page.locator("input[name=case]:checked")).to_have_count(0)
    page.locator(f"#case-{first}").focus()
    page.keyboard.press("Space")
    expect(page.locator("input[name=case]:checked")).to_have_count(1)

    # a version deployed meanwhile: the preview is stale, the error summary takes the focus
    processes.deploy(habeas, actors["designer"], xml.replace('name="Hold the preliminary hearing"',
                                                              'name="Hold the preliminary hearing (v3)"'))
    page.locator("#review-button").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.locator("#error-summary")).to_contain_text("Nothing was moved")
    screenshot(page, "designer-migration-stale")
    assert version_of(habeas, first) == 1

    # choose again against the fresh preview, review, confirm by keyboard
    expect(page.locator(f"#case-{first}")).to_be_checked()  # the choice is kept
    page.get_by_role("button", name="Review the chosen cases…").click()
    expect(page.get_by_role("heading", name="1 case will move to v2")).to_be_visible()
    expect(page.locator("ul.picked")).to_contain_text(numbers[first])
    expect(page.locator("ul.picked")).not_to_contain_text(numbers[second])
    screenshot(page, "designer-migration-confirm")
    assert version_of(habeas, first) == 1  # confirming is a separate step
    page.locator("#confirm-button").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#outcome")).to_contain_text("1 case migrated, 0 refused")
    link = page.locator("#outcome").get_by_role("link", name=numbers[first])
    expect(link).to_have_attribute("href", f"/cases/{first}")
    screenshot(page, "designer-migration-result")
    assert (version_of(habeas, first), version_of(habeas, second), version_of(habeas, refused)) == (2, 1, 1)
    link.click()
    expect(page).to_have_url(re.compile(f"/cases/{first}$"))
