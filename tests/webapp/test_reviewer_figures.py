"""The reviewers' figures (issue 9): a refused attempt is not a failed evaluation, so the headline
and its table row agree; every headline figure equals the sum of its drill-down; each indicator
names its definition and legal basis.  Cases are walked through the JSON API."""
from datetime import timedelta

import pytest

from engine.services import reports, scheduler
from tests.conftest import START
from tests.webapp.api_support import api, fast_password_hashing, registration, script_user, tokens  # noqa: F401
from tests.webapp.test_complaints_allegations import custody_complaint, in_custody
from tests.webapp.test_rights_per_act import counsel, iso, medical, ok, to_interrogation

NOW = START
pytestmark = pytest.mark.usefixtures("fast_password_hashing")


def refused_then_ordered(api) -> int:
    """A detainee whose custody decision is first refused (a complaint against the apprehension
    awaits its ruling), then made within the 48 hours once the complaint is ruled on."""
    case_id = api.open_case(registration(NOW), defence=[script_user("defence")])["id"]
    to_interrogation(api, case_id, detained=True, apprehended_hours_ago=20)
    counsel(api, case_id)
    medical(api, case_id)
    ok(api.complete(case_id, "interrogate_suspect", now=NOW, another_interrogation=False))
    complaint = ok(api.post(f"/cases/{case_id}/complaints", "defence",
                            json=custody_complaint(about_act="apprehension", act_complained_of="no grounds")), 201)
    order = dict(outcome="custody", hearing_at=iso(NOW), ordered_at=iso(NOW), expires_at=iso(NOW + timedelta(days=59)))
    refused = api.complete(case_id, "decide_custody", now=NOW, **order)
    assert refused.status_code == 409 and refused.get_json()["checkpoints"][-1]["complaint"] == complaint["number"]
    ok(api.complete(complaint["id"], "register_complaint", now=NOW, routed_to="Judge B.",
                    complaint_registered_at=iso(NOW)))
    ok(api.post(f"/cases/{case_id}/complaints/{complaint['id']}/ruling", "judge",
                json={"ruling": "dismissed", "ruling_reasons": "lawful grounds", "ruled_at": iso(NOW)}))
    ok(api.complete(case_id, "decide_custody", now=NOW, **order))
    return case_id


def test_a_refused_attempt_is_not_a_failed_evaluation_so_headline_and_row_agree(api, habeas, actors):
    refused_then_ordered(api)
    board = reports.dashboard(habeas, actors["reviewer"], end=NOW + timedelta(hours=1))
    row = {line["checkpoint"]: line for line in board["checkpoints"]}["detention_judicial_review"]
    review = board["indicators"]["detention_review"]
    assert review["share_within_limit"] == 1.0
    assert row["refused_attempts"] >= 1
    assert row["failed"] == 0 and row["compliance_rate"] == 1.0


def test_every_headline_figure_equals_the_sum_of_its_drill_down(api, habeas, clock, actors):
    first = in_custody(api)
    refused_then_ordered(api)
    ok(api.post(f"/cases/{first}/complaints", "defence", json=custody_complaint()), 201)
    ok(api.post(f"/cases/{first}/allegations", "defence", json={"description": "struck at arrest"}), 201)
    other = api.open_case(registration(NOW, suspect_name="Someone Else"))["id"]
    to_interrogation(api, other, detained=True, apprehended_hours_ago=3)
    clock.advance(days=7)
    scheduler.tick(habeas)
    end = clock.now() + timedelta(hours=1)
    reviewer = actors["reviewer"]
    board = reports.dashboard(habeas, reviewer, start=NOW - timedelta(days=30), end=end)
    checked = 0
    for line in board["checkpoints"]:
        for status in reports.DRILLABLE:
            drill = reports.cases_for(habeas, reviewer, status=status, checkpoint=line["checkpoint"],
                                      start=NOW - timedelta(days=30), end=end)
            assert line[status] == sum(r["evaluations"] for r in drill), (line["checkpoint"], status)
            checked += line[status]
    assert checked > 0
    headline = board["indicators"]
    for name, figures in (("detention_review", ("within_limit", "late_or_unreviewed", "pending")),
                          ("counsel_at_first_interrogation", ("counsel_present", "lawful_waiver", "without_counsel")),
                          ("consular_notice", ("told_within_limit", "late_or_not_told", "pending"))):
        for figure in figures:
            assert headline[name][figure] == len(headline[name]["cases"][figure]), (name, figure)
    assert headline["detention_review"]["detentions"] >= 3
    report = ok(api.get("/reports/indicators", query_string={"from": iso(NOW - timedelta(days=30)), "to": iso(end)}))
    indicators = {i["id"]: i for i in report["indicators"]}
    assert set(indicators) == {"custody", "allegations", "lawyer", "family_notice", "interpreter", "children",
                               "overrides", "complaints", "cepej"}
    compared = 0
    for indicator in indicators.values():
        assert indicator["definition"] and indicator["legal_basis"], indicator["id"]
        figures = indicator["figures"]
        for key, ids in indicator["cases"].items():
            if indicator["id"] == "cepej":
                instance, bucket = key.split(":")
                assert figures[instance][bucket] == len(ids), key
            elif key.startswith("officer:"):
                assert figures["per_officer"][key.split(":", 1)[1]] == len(ids)
            else:
                assert figures[key] == len(ids), (indicator["id"], key)
            compared += len(ids)
    assert compared > 0
    custody = indicators["custody"]["figures"]
    assert custody["custody_orders"] >= 1 and custody["in_custody"] + custody["released"] == custody["custody_orders"]
    complaints = indicators["complaints"]["figures"]
    assert (complaints["complaints"], complaints["dismissed"], complaints["awaiting_ruling"]) == (2, 1, 1)
    assert complaints["beyond_term"] == 1 and complaints["median_days_to_ruling"] == 0.0
    lawyer = indicators["lawyer"]
    assert lawyer["figures"]["with_lawyer"] >= 2 and other in lawyer["cases"]["without_lawyer"]
    assert indicators["allegations"]["cases"]["overdue"] == [first]
