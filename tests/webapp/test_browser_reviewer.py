"""The reviewer's journey in Chromium: log in, see the dashboard with its charts drawn, filter by
unit, drill down from a cell to the cases and to a case's audit trail, export the CSV."""
import re
from pathlib import Path

import pytest

from engine.services import demo
from engine.services.demo import Driver, registration
from tests.conftest import PASSWORD, PROCESSES, all_actors
from tests.webapp.conftest import screenshot

expect = pytest.importorskip("playwright.sync_api").expect


@pytest.fixture
def seeded_server(live_server):
    """The demo's cases (one at trial, one refused for want of counsel, one overridden, one
    terminated) and a case in the Astana unit refused its interrogation."""
    ctx = live_server["habeas"]
    demo.run(ctx, Path(PROCESSES))
    driver = Driver(ctx, all_actors())
    astana = driver.open(registration(ctx.now(), suspect_name="Yerlan Abenov"), unit="Astana")
    for task, data in (("register_report", {}), ("open_investigation", {"next_step": "summon"}),
                       ("draft_suspicion_decision", {}), ("approve_suspicion", {"approved": True}),
                       ("serve_suspicion_notice", {"signed": True})):
        driver.complete(astana, task, **data)
    with pytest.raises(Exception):
        driver.complete(astana, "interrogate_suspect")
    return {**live_server, "astana": astana}


def log_in(page, url, username):
    page.goto(f"{url}/login")
    page.locator("#username").fill(username)
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def assert_no_json(page):
    """Records read as labelled fields: no JSON block, no braces of a serialised record."""
    main = page.locator("main").inner_text()
    assert page.locator("main pre").count() == 0
    assert '{"' not in main and '": ' not in main, main[:400]


def chart_drawn(page, canvas_id: str) -> dict:
    return page.evaluate("""(id) => {
        const canvas = document.getElementById(id);
        const chart = Chart.getChart(canvas);
        const box = canvas.getBoundingClientRect();
        return {exists: !!chart, width: box.width, height: box.height,
                datasets: chart ? chart.data.datasets.length : 0, labels: chart ? chart.data.labels.length : 0};
    }""", canvas_id)


def test_reviewer_dashboard_filter_drill_down_and_csv(page, seeded_server):
    url = seeded_server["url"]
    problems = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    log_in(page, url, "reviewer")
    expect(page).to_have_url(re.compile(r"/compliance/$"))  # a reviewer's home is the dashboard
    expect(page.get_by_role("heading", name="Compliance with the rights checkpoints")).to_be_visible()
    expect(page.locator("#per-right tbody tr")).to_have_count(16)
    expect(page.locator("#audit-chain [data-chain=ok]")).to_be_visible()

    page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('chart-trend'))")
    bars, trend = chart_drawn(page, "chart-checkpoints"), chart_drawn(page, "chart-trend")
    assert bars["exists"] and bars["width"] > 0 and bars["height"] > 0 and bars["labels"] == 16 and bars["datasets"] == 5
    assert trend["exists"] and trend["width"] > 0 and trend["height"] > 0 and trend["labels"] >= 1
    screenshot(page, "reviewer-dashboard")

    # a bar of the chart opens the cases behind it, as the table's count does
    bar = page.evaluate("""() => {
        const chart = Chart.getChart(document.getElementById('chart-checkpoints'));
        for (const [d, set] of chart.data.datasets.entries()) {
            for (const [i, value] of set.data.entries()) {
                if (value > 0) {
                    const el = chart.getDatasetMeta(d).data[i];
                    const left = (el.x + el.base) / 2;  // the middle of a horizontal bar
                    const data = JSON.parse(document.getElementById('dashboard-data').textContent);
                    return {x: left, y: el.y, checkpoint: data.checkpoints[i].id};
                }
            }
        }
        return null;
    }""")
    assert bar is not None
    page.locator("#chart-checkpoints").click(position={"x": bar["x"], "y": bar["y"]})
    expect(page).to_have_url(re.compile(rf"/compliance/cases\?.*checkpoint={bar['checkpoint']}"))
    expect(page.locator("#drill-down tbody tr").first).to_be_visible()
    page.go_back()
    page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('chart-trend'))")

    # refused attempts are counted apart from evaluations (issue 9), with their own drill-down
    counsel_pending = page.locator('#per-right tr[data-checkpoint="counsel_before_interrogation"] td[data-status="refused"]')
    expect(counsel_pending).to_have_text("2")  # the demo's refused case and the Astana one
    page.get_by_label("Unit", exact=True).select_option("Astana")
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"unit=Astana"))
    expect(counsel_pending).to_have_text("1")
    expect(page.locator("#by-unit tbody tr")).to_have_count(1)

    counsel_pending.get_by_role("link").click()
    expect(page.get_by_role("heading", name=re.compile("Cases with refused evaluations"))).to_be_visible()
    rows = page.locator("#drill-down tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-case", str(seeded_server["astana"]))
    expect(rows.first.get_by_role("link", name=re.compile("Case page"))).to_have_attribute(
        "href", f"/cases/{seeded_server['astana']}")
    screenshot(page, "reviewer-drill-down")

    rows.first.get_by_role("link", name=re.compile("Audit trail")).click()
    expect(page.get_by_role("heading", name=re.compile(r"Audit trail of case HB-"))).to_be_visible()
    # the trail honours the drill-down's filter: only the refused attempt, marked and in view
    expect(page).to_have_url(re.compile(r"status=refused.*#failing$"))
    trail = page.locator("#audit-trail tbody tr")
    expect(trail).to_have_count(1)
    failing = page.locator('#audit-trail tr[data-action="task.refused"]')
    expect(failing).to_have_class(re.compile(r"\bfailing\b"))
    expect(failing).to_contain_text("Failing entry")
    expect(failing).to_be_in_viewport()
    expect(page.locator("#t-checkpoint")).to_have_value("counsel_before_interrogation")
    expect(page.locator("#t-status")).to_have_value("refused")
    assert_no_json(page)
    screenshot(page, "reviewer-audit-trail-filtered")

    page.get_by_role("link", name="Show every entry, the matching ones marked").click()
    expect(trail.first).to_be_visible()
    assert trail.count() > 5
    expect(page.locator("#audit-trail tr[data-failing]")).to_have_count(1)
    expect(page.locator("#audit-trail tr[data-failing]")).to_be_in_viewport()
    assert_no_json(page)
    screenshot(page, "reviewer-audit-trail")

    # the filters by keyboard alone: tab to the outcome, choose "passed", submit with Enter
    page.locator("#t-stage").focus()
    page.keyboard.press("Tab")
    expect(page.locator("#t-status")).to_be_focused()
    page.locator("#t-status").select_option("passed")  # a select changes by arrow keys too
    page.locator("#t-checkpoint").focus()
    page.locator("#t-checkpoint").select_option("rights_information")
    for _ in range(4):
        page.keyboard.press("Tab")
    expect(page.locator("#t-to")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Apply")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"status=passed"))
    expect(page.locator("#audit-trail tr[data-failing]")).to_have_count(0)
    matched = page.locator("#audit-trail tbody tr[data-match]")
    expect(matched.first).to_be_visible()
    assert matched.count() == trail.count()  # only the matching entries are listed
    screenshot(page, "reviewer-audit-trail-passed")

    # a filter that cannot be used: the error summary takes the focus, the whole trail is shown
    page.locator("#t-from").fill("31.02.2026")
    page.locator("#t-from").press("Enter")
    expect(page.locator("#trail-filter-errors")).to_be_focused()
    expect(page.locator("#audit-trail tbody tr").first).to_be_visible()
    page.go_back()
    page.go_back()
    page.go_back()

    page.get_by_role("link", name="Back to the list of cases").click()
    page.get_by_role("link", name="Back to the compliance dashboard").click()
    expect(page.get_by_label("Unit", exact=True)).to_have_value("Astana")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV (comma)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    lines = Path(download.path()).read_text(encoding="utf-8-sig").splitlines()  # with a BOM, for Excel
    assert lines[0] == ("checkpoint,right,legal_basis,failure,total,passed,failed,waived,overridden,pending,overdue,"
                        "compliance_rate,failure_rate,override_rate,refused_attempts")
    assert len(lines) == 17
    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p], problems


def test_a_prosecutor_sees_the_dashboard_without_the_chain_verification(page, live_server):
    log_in(page, live_server["url"], "prosecutor")
    page.goto(f"{live_server['url']}/compliance/")
    expect(page.locator("#per-right tbody tr")).to_have_count(16)
    expect(page.locator("#audit-chain")).to_contain_text("open to reviewers")


def test_an_investigator_is_refused_the_dashboard(page, live_server):
    log_in(page, live_server["url"], "investigator")
    response = page.goto(f"{live_server['url']}/compliance/")
    assert response.status == 403
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()

