"""The reviewers' pages through the test client, on both databases: the dashboard with the 16
rights, filters, CSV and JSON exports, the drill-down, a case's audit trail, and who may see them."""
import csv
import io
import json
import re
from datetime import timedelta

import pytest

from engine.domain import catalogue
from engine.persistence.models import AuditEntry, CheckpointEvaluation
from engine.services import cases
from engine.fixtures.demo import Driver, registration


@pytest.fixture
def reviewer(login_as):
    return login_as("reviewer")


def open_case(habeas, actors, unit, prosecutor="prosecutor"):
    return cases.open_case(habeas, actors["investigator"], "criminal_case", registration(habeas.now()),
                           unit=unit, prosecutor=prosecutor)


def failed_evaluation(habeas, case_id, checkpoint, unit, prosecutor="prosecutor", days_ago=0):
    with habeas.unit_of_work() as s:
        s.add(CheckpointEvaluation(case_id=case_id, checkpoint=checkpoint, status="failed", unit=unit,
                                   prosecutor=prosecutor, evaluated_at=habeas.now() - timedelta(days=days_ago),
                                   actor="investigator", detail={}))


@pytest.fixture
def two_units(seeded, actors):
    """A failed interpreter check in Almaty (prosecutor), another in Astana (supervisor) 200 days ago."""
    almaty = open_case(seeded, actors, "Almaty")
    astana = open_case(seeded, actors, "Astana", prosecutor="supervisor")
    failed_evaluation(seeded, almaty, "interpreter", "Almaty")
    failed_evaluation(seeded, astana, "interpreter", "Astana", prosecutor="supervisor", days_ago=200)
    return almaty, astana


def cell(html, checkpoint, status):
    row = re.search(rf'<tr data-checkpoint="{checkpoint}">(.*?)</tr>', html, re.S).group(1)
    text = re.search(rf'data-status="{status}">(.*?)</td>', row, re.S).group(1)
    return int(re.sub(r"<[^>]+>", "", text).strip())


def test_dashboard_shows_the_16_rights_with_legal_basis_and_indicators(reviewer, two_units):
    page = reviewer.get("/compliance/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert len(re.findall(r'<tr data-checkpoint="', html)) == 16
    for cp in catalogue.CATALOGUE.values():
        assert f'data-checkpoint="{cp.id}"' in html
    assert "ICCPR 9(3)" in html and "Salduz" in html
    for indicator in ("ind-detention", "ind-counsel", "ind-consulate", "ind-refusals", "ind-clearance",
                      "ind-disposition"):
        assert f'id="{indicator}"' in html
    assert 'id="chart-checkpoints"' in html and 'id="chart-trend"' in html and 'id="dashboard-data"' in html
    for indicator in ("custody", "allegations", "lawyer", "family_notice", "interpreter", "children", "overrides",
                      "complaints", "cepej"):
        assert f'id="ind-{indicator}"' in html
    assert "UNCAT arts 12, 13" in html and "CEPEJ(2008)11" in html
    assert "<script>" not in html and "onclick" not in html  # the CSP allows no inline script
    assert 'data-chain="ok"' in html
    assert cell(html, "interpreter", "failed") == 1  # the Astana one is older than 90 days


def test_chart_data_block_holds_per_right_counts_and_trend(reviewer, two_units):
    html = reviewer.get("/compliance/").get_data(as_text=True)
    data = json.loads(re.search(r'<script type="application/json" id="dashboard-data">(.*?)</script>', html, re.S).group(1))
    assert len(data["checkpoints"]) == 16
    assert next(c for c in data["checkpoints"] if c["id"] == "interpreter")["failed"] == 1
    assert sum(w["failed"] for w in data["trend"]) == 1


def test_filters_apply_to_the_counts(reviewer, two_units, seeded):
    today = seeded.now().date()
    whole_year = {"from": (today - timedelta(days=365)).isoformat(), "to": today.isoformat()}
    html = reviewer.get("/compliance/", query_string=whole_year).get_data(as_text=True)
    assert cell(html, "interpreter", "failed") == 2
    html = reviewer.get("/compliance/", query_string={**whole_year, "unit": "Astana"}).get_data(as_text=True)
    assert cell(html, "interpreter", "failed") == 1 and '<option value="Astana" selected>' in html
    html = reviewer.get("/compliance/", query_string={**whole_year, "prosecutor": "prosecutor"}).get_data(as_text=True)
    assert cell(html, "interpreter", "failed") == 1
    html = reviewer.get("/compliance/", query_string={**whole_year, "unit": "Nowhere"}).get_data(as_text=True)
    assert cell(html, "interpreter", "failed") == 0 and '<option value="Nowhere" selected>' in html


def test_bad_filters_are_explained_and_the_defaults_used(reviewer, two_units):
    page = reviewer.get("/compliance/", query_string={"from": "2026-13-45"})
    html = page.get_data(as_text=True)
    assert page.status_code == 422 and "could not be used" in html and "Traceback" not in html
    assert cell(html, "interpreter", "failed") == 1
    page = reviewer.get("/compliance/", query_string={"from": "2026-03-01", "to": "2026-02-01"})
    assert page.status_code == 422 and "must not end before it starts" in page.get_data(as_text=True)


def test_csv_export(reviewer, two_units, seeded):
    response = reviewer.get("/compliance/report.csv", query_string={"unit": "Almaty"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert [r["checkpoint"] for r in rows] == list(catalogue.CATALOGUE)
    assert next(r for r in rows if r["checkpoint"] == "interpreter")["failed"] == "1"
    assert reviewer.get("/compliance/report.csv", query_string={"to": "yesterday"}).status_code == 422


def test_json_export_has_the_report_the_breakdowns_and_the_indicators(reviewer, two_units):
    response = reviewer.get("/compliance/report.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    report = json.loads(response.get_data(as_text=True))
    assert len(report["checkpoints"]) == 16 and report["period"]["from"]
    assert {r["unit"] for r in report["by_unit"]} == {"Almaty"}
    assert set(report["indicators"]) == {"detention_review", "counsel_at_first_interrogation", "consular_notice",
                                         "refusal_to_approve", "cepej"}
    refused = reviewer.get("/compliance/report.json", query_string={"from": "nope"})
    assert refused.status_code == 422 and refused.get_json()["error"] == "invalid_data"


def test_drill_down_lists_the_cases_of_a_cell_and_links_their_audit(reviewer, two_units, seeded):
    almaty, astana = two_units
    html = reviewer.get("/compliance/").get_data(as_text=True)
    link = re.search(r'<tr data-checkpoint="interpreter">.*?data-status="failed"><a href="([^"]+)"', html, re.S).group(1)
    page = reviewer.get(link.replace("&amp;", "&"))
    listing = page.get_data(as_text=True)
    assert page.status_code == 200
    assert re.findall(r'<tr data-case="(\d+)"', listing) == [str(almaty)]
    assert f"/compliance/cases/{almaty}/audit" in listing and f'href="/cases/{almaty}"' in listing
    year = {"from": (seeded.now().date() - timedelta(days=365)).isoformat()}
    listing = reviewer.get("/compliance/cases", query_string={**year, "checkpoint": "interpreter", "status": "failed",
                                                                 "unit": "Astana"}).get_data(as_text=True)
    assert re.findall(r'<tr data-case="(\d+)"', listing) == [str(astana)]
    assert reviewer.get("/compliance/cases", query_string={"checkpoint": "no_such", "status": "failed"}).status_code == 422
    assert reviewer.get("/compliance/cases", query_string={"checkpoint": "interpreter"}).status_code == 422


def test_audit_page_lists_the_case_trail(reviewer, seeded, actors):
    driver = Driver(seeded, actors)
    case_id = driver.open(registration(seeded.now()))
    driver.complete(case_id, "register_report")
    page = reviewer.get(f"/compliance/cases/{case_id}/audit")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    with seeded.unit_of_work() as s:
        expected = s.query(AuditEntry).filter(AuditEntry.case_id == case_id).count()
    assert len(re.findall(r'<tr data-action="', html)) == expected >= 2
    assert 'data-action="case.opened"' in html and 'data-action="task.completed"' in html
    assert "HB-2026-" in html and f'href="/cases/{case_id}"' in html
    assert reviewer.get("/compliance/cases/999999/audit").status_code == 404


def test_a_broken_audit_chain_is_shown(reviewer, seeded, actors):
    case_id = open_case(seeded, actors, "Almaty")
    with seeded.unit_of_work() as s:
        entry = s.query(AuditEntry).filter(AuditEntry.case_id == case_id).first()
        entry.actor = "someone else"
    html = reviewer.get("/compliance/").get_data(as_text=True)
    assert 'data-chain="broken"' in html and "role=\"alert\"" in html


@pytest.mark.parametrize("username", ["investigator", "judge", "defence", "designer"])
def test_roles_without_the_report_right_get_403(login_as, username, two_units):
    client = login_as(username)
    almaty, _ = two_units
    for path in ("/compliance/", "/compliance/report.csv", "/compliance/report.json",
                 "/compliance/cases?checkpoint=interpreter&status=failed", f"/compliance/cases/{almaty}/audit"):
        assert client.get(path).status_code == 403, path


def test_a_prosecutor_reads_the_report_but_may_not_verify_the_chain(login_as, two_units):
    html = login_as("prosecutor").get("/compliance/").get_data(as_text=True)
    assert 'data-checkpoint="interpreter"' in html and "data-chain" not in html
    assert "open to reviewers" in html


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get("/compliance/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
