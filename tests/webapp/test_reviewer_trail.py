"""The drill-down's audit trail (issue 12): it honours its filter (right, stage, outcome,
period), marks the failing entry with an anchor the drill-down links to, and shows each record
as labelled fields, never JSON; on both databases."""
import re

import pytest

from engine.domain.errors import CheckpointBlocked
from engine.services.demo import Driver, registration


@pytest.fixture
def reviewer(login_as):
    return login_as("reviewer")


@pytest.fixture
def refused_case(seeded, actors):
    """A case refused its interrogation for want of counsel (a task.refused entry)."""
    driver = Driver(seeded, actors)
    case_id = driver.open(registration(seeded.now()), unit="Astana")
    for task, data in (("register_report", {}), ("open_investigation", {"next_step": "summon"}),
                       ("draft_suspicion_decision", {}), ("approve_suspicion", {"approved": True}),
                       ("serve_suspicion_notice", {"signed": True})):
        driver.complete(case_id, task, **data)
    with pytest.raises(CheckpointBlocked):
        driver.complete(case_id, "interrogate_suspect")
    return case_id


def rows(html):
    return re.findall(r'<tr data-action="([^"]+)" data-seq="(\d+)"[^>]*?class="([^"]*)"', html, re.S)


def test_the_trail_shows_only_the_entries_the_filter_matches_and_marks_the_failure(reviewer, refused_case):
    everything = reviewer.get(f"/compliance/cases/{refused_case}/audit").get_data(as_text=True)
    total = len(rows(everything))
    page = reviewer.get(f"/compliance/cases/{refused_case}/audit?status=refused"
                        "&checkpoint=counsel_before_interrogation")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    shown = rows(html)
    assert [action for action, _seq, _cls in shown] == ["task.refused"] and total > 5
    assert "failing" in shown[0][2].split()
    assert 'id="failing"' in html and "data-failing" in html
    assert f"of {total} match" in html  # the summary says how many of the whole trail match
    # the whole trail on request, the matching entry still marked
    html = reviewer.get(f"/compliance/cases/{refused_case}/audit?status=refused&all=1").get_data(as_text=True)
    assert len(rows(html)) == total
    assert [a for a, _s, cls in rows(html) if "failing" in cls.split()] == ["task.refused"]


def test_a_filter_on_a_right_that_passed_marks_no_failure(reviewer, refused_case):
    html = reviewer.get(f"/compliance/cases/{refused_case}/audit?status=passed"
                        "&checkpoint=rights_information").get_data(as_text=True)
    shown = rows(html)
    assert shown and all("failing" not in cls.split() for _a, _s, cls in shown)
    assert {a for a, _s, _c in shown} <= {"task.completed", "evidence.recorded"}
    assert 'id="first-match"' in html and 'id="failing"' not in html


def test_stage_and_period_filters(reviewer, refused_case, seeded):
    html = reviewer.get(f"/compliance/cases/{refused_case}/audit?stage=interrogation").get_data(as_text=True)
    assert [a for a, _s, _c in rows(html)] == ["task.refused"]
    today = seeded.now().strftime("%d.%m.%Y")
    html = reviewer.get(f"/compliance/cases/{refused_case}/audit?from=01.01.2001&to=31.12.2001").get_data(as_text=True)
    assert rows(html) == [] and "No entry matches the filter." in html
    html = reviewer.get(f"/compliance/cases/{refused_case}/audit?from={today}&to={today}").get_data(as_text=True)
    assert len(rows(html)) > 5


def test_bad_filters_are_refused_clearly_and_the_whole_trail_shown(reviewer, refused_case):
    page = reviewer.get(f"/compliance/cases/{refused_case}/audit?status=lost&stage=nowhere")
    html = page.get_data(as_text=True)
    assert page.status_code == 422 and 'role="alert"' in html
    assert len(rows(html)) > 5 and "Traceback" not in html


def test_records_are_labelled_fields_not_json(reviewer, refused_case):
    html = reviewer.get(f"/compliance/cases/{refused_case}/audit").get_data(as_text=True)
    assert "<pre" not in html and '"checkpoints":' not in html and "{&#34;" not in html
    assert '<dl class="audit-record">' in html
    # the refused right by name with its legal basis, the task by its title, the person by role
    refused = re.search(r'<tr data-action="task.refused".*?</tr>', html, re.S).group(0)
    assert "Access to a lawyer" in refused or "lawyer" in refused.lower()
    assert 'class="basis"' in refused and "Interrogate" in refused
    assert "investigator (investigator)" in html
    assert re.search(r"\d\d\.\d\d\.\d{4} \d\d:\d\d", refused)


def test_the_drill_down_links_to_the_failing_entry(reviewer, refused_case):
    html = reviewer.get("/compliance/cases?status=refused"
                        "&checkpoint=counsel_before_interrogation").get_data(as_text=True)
    assert re.search(rf'/compliance/cases/{refused_case}/audit\?[^"]*#failing"', html)
    html = reviewer.get("/compliance/cases?status=passed").get_data(as_text=True)
    assert "#first-match" in html


def test_the_case_page_trail_shows_fields_not_json(login_as, refused_case):
    html = login_as("supervisor").get(f"/cases/{refused_case}").get_data(as_text=True)
    audit = html[html.index('id="audit"'):]
    assert "<pre" not in audit and '<dl class="audit-record">' in audit


def test_the_drill_down_narrows_to_a_case_number(reviewer, refused_case, seeded, actors):
    other = Driver(seeded, actors)
    second = other.open(registration(seeded.now()), unit="Astana")
    for task, data in (("register_report", {}), ("open_investigation", {"next_step": "summon"}),
                       ("draft_suspicion_decision", {}), ("approve_suspicion", {"approved": True}),
                       ("serve_suspicion_notice", {"signed": True})):
        other.complete(second, task, **data)
    html = reviewer.get("/compliance/cases?status=passed").get_data(as_text=True)
    numbers = re.findall(r'<tr data-case="(\d+)"', html)
    assert {str(refused_case), str(second)} <= set(numbers)
    number = re.search(rf'<tr data-case="{refused_case}">.*?>(HB-[\d-]+)<', html, re.S).group(1)
    html = reviewer.get(f"/compliance/cases?status=passed&case={number[-4:]}").get_data(as_text=True)
    assert re.findall(r'<tr data-case="(\d+)"', html) == [str(refused_case)]
    assert f'value="{number[-4:]}"' in html



def test_an_overdue_right_marks_the_act_whose_pending_evaluation_is_past_due():
    """The matching rules alone: an act that left a right pending, its evaluation now overdue,
    matches an ``overdue`` drill-down and is marked failing; a missed deadline entry too; an
    act that passed the right does not match."""
    from datetime import datetime, timezone
    from engine.services import trail
    at = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    chosen = trail.TrailFilter(checkpoint="family_consular_notice", status="overdue")
    act = {"action": "task.completed", "payload": {"stage": "detention",
                                                   "checkpoints": {"family_consular_notice": "pending"}}}
    late = [{"checkpoint": "family_consular_notice", "stage": "detention", "status": "pending", "overdue": True}]
    recorded = trail.outcomes(act)
    assert trail._matches(act, at, set(recorded), recorded, late, chosen)
    assert trail._fails(act, recorded, late, chosen)
    breach = {"action": "deadline.breached", "payload": {"clock": "family_consular_notice"}}
    recorded = trail.outcomes(breach)
    assert trail._matches(breach, at, trail.mentioned_rights(breach["payload"]), recorded, [], chosen)
    kept = {"action": "task.completed", "payload": {"checkpoints": {"family_consular_notice": "passed"}}}
    recorded = trail.outcomes(kept)
    assert not trail._matches(kept, at, set(recorded), recorded, [], chosen)
