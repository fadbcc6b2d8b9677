"""Compliance reports on both databases: counts per status (overdue included), the period, unit
and prosecutor filters, the brief's headline indicators, the drill-down and the CSV."""
import csv
import io
from datetime import timedelta

import pytest

from engine.domain.errors import Forbidden, InvalidData
from engine.persistence.models import CheckpointEvaluation, Evidence, StageEntry
from engine.services import cases, reports
from engine.fixtures.demo import Driver, registration


@pytest.fixture
def driver(seeded, actors):
    return Driver(seeded, actors)


def open_case(habeas, actors, unit="Almaty", prosecutor="prosecutor", **facts):
    return cases.open_case(habeas, actors["investigator"], "criminal_case", registration(habeas.now(), **facts),
                           unit=unit, prosecutor=prosecutor)


def add_rows(habeas, *rows):
    with habeas.unit_of_work() as session:
        session.add_all(rows)


def evaluation(case_id, checkpoint, status, at, unit="Almaty", prosecutor="prosecutor", **times):
    return CheckpointEvaluation(case_id=case_id, checkpoint=checkpoint, stage=times.pop("stage", None), status=status,
                                evaluated_at=at, actor="investigator", unit=unit, prosecutor=prosecutor, detail={},
                                **times)


def line(report, checkpoint):
    return next(l for l in report["checkpoints"] if l["checkpoint"] == checkpoint)


# ---- counts per status ---------------------------------------------------------------------------

def test_counts_every_status_and_overdue_only_while_still_owed(seeded, actors):
    now = seeded.now()
    a, b, c = (open_case(seeded, actors) for _ in range(3))
    cp = "family_consular_notice"
    add_rows(seeded,
             evaluation(a, cp, "passed", now), evaluation(b, cp, "failed", now), evaluation(c, cp, "waived", now),
             evaluation(a, cp, "overridden", now),
             evaluation(b, cp, "pending", now - timedelta(hours=1), due_at=now - timedelta(minutes=1)),  # overdue
             evaluation(c, cp, "pending", now - timedelta(hours=1), due_at=now + timedelta(hours=3)),    # not yet due
             evaluation(a, cp, "pending", now - timedelta(hours=2), due_at=now - timedelta(hours=1)))    # since satisfied
    got = line(reports.compliance(seeded, actors["reviewer"]), cp)
    assert {s: got[s] for s in reports.STATUSES} == {"passed": 1, "failed": 1, "waived": 1, "overridden": 1,
                                                      "pending": 3, "overdue": 1}
    assert got["total"] == 7
    assert got["compliance_rate"] == 0.5 and got["failure_rate"] == 0.25 and got["override_rate"] == 0.25
    assert got["right"] and got["legal_basis"].startswith("Directive 2013/48")
    untouched = line(reports.compliance(seeded, actors["reviewer"]), "jury_right")
    assert untouched["total"] == 0 and untouched["compliance_rate"] is None


def test_report_lists_all_sixteen_rights_in_catalogue_order(seeded, actors):
    from engine.domain import catalogue
    report = reports.compliance(seeded, actors["reviewer"])
    assert [l["checkpoint"] for l in report["checkpoints"]] == list(catalogue.CATALOGUE) and len(catalogue.CATALOGUE) == 16


def test_period_unit_and_prosecutor_filters(seeded, actors):
    now = seeded.now()
    almaty = open_case(seeded, actors, unit="Almaty", prosecutor="prosecutor")
    astana = open_case(seeded, actors, unit="Astana", prosecutor="supervisor")
    cp = "rights_information"
    add_rows(seeded, evaluation(almaty, cp, "passed", now - timedelta(days=40)),
             evaluation(almaty, cp, "failed", now - timedelta(days=5)),
             evaluation(astana, cp, "passed", now - timedelta(days=5), unit="Astana", prosecutor="supervisor"))
    reviewer = actors["reviewer"]

    def counts(**filters):
        got = line(reports.compliance(seeded, reviewer, **filters), cp)
        return got["passed"], got["failed"]
    assert counts() == (2, 1)
    assert counts(start=now - timedelta(days=10)) == (1, 1)
    assert counts(end=now - timedelta(days=10)) == (1, 0)
    assert counts(unit="Astana") == (1, 0)
    assert counts(prosecutor="prosecutor") == (1, 1)
    assert counts(unit="Almaty", start=now - timedelta(days=10)) == (0, 1)
    dash = reports.dashboard(seeded, reviewer, start=now - timedelta(days=10), end=now + timedelta(days=1))
    assert {r["unit"]: (r["passed"], r["failed"]) for r in dash["by_unit"]} == {"Almaty": (0, 1), "Astana": (1, 0)}
    assert {r["prosecutor"]: r["total"] for r in dash["by_prosecutor"]} == {"prosecutor": 1, "supervisor": 1}


def test_only_report_readers_may_read_reports(seeded, actors):
    for role in ("investigator", "judge", "defence", "designer"):
        with pytest.raises(Forbidden):
            reports.compliance(seeded, actors[role])
        with pytest.raises(Forbidden):
            reports.dashboard(seeded, actors[role])
    assert reports.dashboard(seeded, actors["prosecutor"])["checkpoints"]


def test_a_period_that_ends_before_it_starts_is_refused(seeded, actors):
    now = seeded.now()
    with pytest.raises(InvalidData):
        reports.dashboard(seeded, actors["reviewer"], start=now, end=now - timedelta(days=1))


# ---- the trend -----------------------------------------------------------------------------------

def test_trend_counts_evaluations_per_week_by_status(seeded, actors):
    now = seeded.now()  # Monday 2 March 2026
    case_id = open_case(seeded, actors)
    add_rows(seeded, evaluation(case_id, "interpreter", "passed", now - timedelta(days=7)),
             evaluation(case_id, "interpreter", "failed", now - timedelta(days=6)),
             evaluation(case_id, "interpreter", "passed", now + timedelta(days=6)))
    trend = reports.dashboard(seeded, actors["reviewer"], end=now + timedelta(days=7))["trend"]
    assert [(w["week"], w["passed"], w["failed"]) for w in trend] == [("2026-02-23", 1, 1), ("2026-03-02", 1, 0)]


# ---- headline indicators on walked cases ---------------------------------------------------------

def detained_case(d, apprehended_hours_ago, hearing_hours_ago=None, **facts):
    now = d.ctx.now()
    case_id = d.open(registration(now, **facts))
    d.complete(case_id, "register_report")
    d.complete(case_id, "open_investigation", next_step="detain")
    d.complete(case_id, "apprehend_suspect", apprehended_at=(now - timedelta(hours=apprehended_hours_ago)).isoformat())
    if hearing_hours_ago is not None:
        d.evidence(case_id, "detention_judicial_review", protocol_at=(now - timedelta(hours=apprehended_hours_ago)).isoformat(),
                   petition_at=(now - timedelta(hours=hearing_hours_ago + 1)).isoformat(),
                   hearing_at=(now - timedelta(hours=hearing_hours_ago)).isoformat(), judge="B. Nurlanov",
                   order_number="IJ-1", outcome="custody")
    return case_id


def test_detentions_reviewed_within_the_limit_and_median_hours(driver, seeded, actors):
    detained_case(driver, apprehended_hours_ago=100, hearing_hours_ago=80)  # 20 h: within 48 h
    detained_case(driver, apprehended_hours_ago=100, hearing_hours_ago=70)  # 30 h: within
    detained_case(driver, apprehended_hours_ago=100, hearing_hours_ago=40)  # 60 h: too late
    detained_case(driver, apprehended_hours_ago=10)                         # not yet reviewed, 38 h left
    got = reports.dashboard(seeded, actors["reviewer"], end=seeded.now() + timedelta(hours=1))["indicators"]
    review = got["detention_review"]
    drill = review.pop("cases")
    assert {k: len(v) for k, v in drill.items()} == {"within_limit": 2, "late_or_unreviewed": 1, "pending": 1}
    assert review == {"detentions": 4, "within_limit": 2, "late_or_unreviewed": 1, "pending": 1,
                      "share_within_limit": round(2 / 3, 4), "median_hours": 25.0}


def test_an_unreviewed_detention_past_its_deadline_counts_as_late(driver, seeded, actors):
    now = seeded.now()
    case_id = detained_case(driver, apprehended_hours_ago=10)
    add_rows(seeded, evaluation(case_id, "detention_judicial_review", "pending", now, due_at=now + timedelta(hours=38),
                                clock_started_at=now - timedelta(hours=10)))
    review = reports.dashboard(seeded, actors["reviewer"])["indicators"]["detention_review"]
    assert (review["late_or_unreviewed"], review["pending"], review["share_within_limit"]) == (0, 1, None)
    seeded.clock.advance(hours=39)
    review = reports.dashboard(seeded, actors["reviewer"])["indicators"]["detention_review"]
    assert (review["late_or_unreviewed"], review["pending"], review["share_within_limit"]) == (1, 0, 0.0)


def counsel_evidence(d, case_id, **data):
    now = d.ctx.now()
    d.evidence(case_id, "counsel_before_interrogation", requested_at=(now - timedelta(hours=2)).isoformat(), **data)
    d.evidence(case_id, "silence_caution", caution_given=True)


def to_first_interrogation(d, **facts):
    case_id = d.open(registration(d.ctx.now(), **facts))
    d.complete(case_id, "register_report")
    d.complete(case_id, "open_investigation", next_step="summon")
    d.complete(case_id, "draft_suspicion_decision")
    d.complete(case_id, "approve_suspicion", approved=True)
    d.complete(case_id, "serve_suspicion_notice", signed=True)
    return case_id


def test_counsel_present_or_lawfully_waived_at_first_interrogation(driver, seeded, actors):
    now = seeded.now()
    with_lawyer = to_first_interrogation(driver)
    counsel_evidence(driver, with_lawyer, lawyer_name="A. Bekova", bar_number="AL-1", present_at_interrogation=True,
                     consulted_at=(now - timedelta(hours=1)).isoformat())
    driver.complete(with_lawyer, "interrogate_suspect", another_interrogation=False)
    waived = to_first_interrogation(driver)
    counsel_evidence(driver, waived, waived=True, waiver_advised_by="duty lawyer K. Ospanov",
                     waiver_adviser_bar_number="AL-2207")
    driver.complete(waived, "interrogate_suspect", another_interrogation=False)
    not_yet = to_first_interrogation(driver)  # refused for want of counsel: no interrogation happened
    with pytest.raises(Exception):
        driver.complete(not_yet, "interrogate_suspect")
    got = reports.dashboard(seeded, actors["reviewer"], end=now + timedelta(hours=1))["indicators"]
    drill = got["counsel_at_first_interrogation"].pop("cases")
    assert {k: len(v) for k, v in drill.items()} == {"counsel_present": 1, "lawful_waiver": 1, "without_counsel": 0}
    assert got["counsel_at_first_interrogation"] == {"first_interrogations": 2, "counsel_present": 1,
                                                     "lawful_waiver": 1, "without_counsel": 0,
                                                     "share_with_counsel_or_waiver": 1.0}


def test_an_overridden_counsel_check_is_not_lawful(seeded, actors):
    now = seeded.now()
    case_id = open_case(seeded, actors)
    add_rows(seeded, StageEntry(case_id=case_id, stage="interrogation", entered_at=now, task="t", actor="investigator"),
             evaluation(case_id, "counsel_before_interrogation", "overridden", now, stage="interrogation"))
    got = reports.dashboard(seeded, actors["reviewer"], end=now + timedelta(hours=1))["indicators"]
    assert got["counsel_at_first_interrogation"]["share_with_counsel_or_waiver"] == 0.0


def test_consulate_told_within_24_hours_for_foreign_detainees(driver, seeded, actors):
    now = seeded.now()

    def foreign_detainee(told_hours_after):
        case_id = detained_case(driver, apprehended_hours_ago=30, suspect_citizenship="CN")
        told = None if told_hours_after is None else (now - timedelta(hours=30 - told_hours_after)).isoformat()
        driver.complete(case_id, "notify_family_consulate", family_member="brother", method="telephone",
                        family_notified_at=(now - timedelta(hours=29)).isoformat(),
                        **({"consulate_notified_at": told} if told else {}))
        return case_id
    foreign_detainee(told_hours_after=5)
    foreign_detainee(told_hours_after=26)
    foreign_detainee(told_hours_after=None)
    detained_case(driver, apprehended_hours_ago=30)  # a citizen: no consulate to tell
    got = reports.dashboard(seeded, actors["reviewer"], end=now + timedelta(hours=1))["indicators"]["consular_notice"]
    drill = got.pop("cases")
    assert {k: len(v) for k, v in drill.items()} == {"told_within_limit": 1, "late_or_not_told": 2, "pending": 0}
    assert got == {"foreign_detainees": 3, "limit_hours": 24, "told_within_limit": 1, "late_or_not_told": 2,
                   "pending": 0, "share_within_limit": round(1 / 3, 4)}


def test_refusal_to_approve_rate(driver, seeded, actors):
    case_id = driver.open(registration(seeded.now()))
    driver.complete(case_id, "register_report")
    driver.complete(case_id, "open_investigation", next_step="summon")
    driver.complete(case_id, "draft_suspicion_decision")
    driver.complete(case_id, "approve_suspicion", approved=False, refusal_reasons="Qualify under part 1")
    driver.complete(case_id, "draft_suspicion_decision")
    driver.complete(case_id, "approve_suspicion", approved=True)
    other = driver.open(registration(seeded.now()))
    driver.complete(other, "register_report")
    driver.complete(other, "open_investigation", next_step="summon")
    driver.complete(other, "draft_suspicion_decision")
    driver.complete(other, "approve_suspicion", approved=True)
    got = reports.dashboard(seeded, actors["reviewer"], end=seeded.now() + timedelta(hours=1))["indicators"]
    assert got["refusal_to_approve"] == {"decisions": 3, "refusals": 1, "approvals": 2, "refusal_rate": round(1 / 3, 4)}
    # a corrected record counts once, as corrected
    with seeded.unit_of_work() as s:
        refused = s.query(Evidence).filter(Evidence.case_id == case_id, Evidence.checkpoint == "suspect_status_approval") \
            .order_by(Evidence.id).first()
        s.add(Evidence(case_id=case_id, checkpoint="suspect_status_approval", data={**refused.data, "approved": True},
                       occurred_at=refused.occurred_at, recorded_at=seeded.now(), recorded_by="prosecutor",
                       corrects_id=refused.id))
    got = reports.dashboard(seeded, actors["reviewer"], end=seeded.now() + timedelta(hours=1))["indicators"]
    assert got["refusal_to_approve"]["refusals"] == 0 and got["refusal_to_approve"]["decisions"] == 3


def test_cepej_clearance_rate_and_disposition_time(driver, seeded, actors):
    now = seeded.now()
    for _ in range(3):
        driver.open(registration(now))
    closed = driver.open(registration(now))
    driver.complete(closed, "register_report")
    driver.complete(closed, "open_investigation", next_step="terminate")
    driver.complete(closed, "terminate_investigation")
    cepej = reports.dashboard(seeded, actors["reviewer"], start=now - timedelta(days=365),
                              end=now + timedelta(hours=1))["indicators"]["cepej"]
    overall = cepej["overall"]
    assert (overall["incoming"], overall["resolved"], overall["pending"]) == (4, 1, 3)
    assert overall["clearance_rate"] == 25.0
    # 365 / (resolved per year / pending) over a period of 365 days and an hour
    assert overall["disposition_time_days"] == pytest.approx(365 * 3 * (365 + 1 / 24) / 365, abs=0.1)
    stages = {s["stage"]: s for s in cepej["stages"]}
    assert (stages["investigation"]["incoming"], stages["investigation"]["resolved"]) == (1, 1)
    assert stages["registration"]["pending"] == 0
    later = reports.dashboard(seeded, actors["reviewer"], start=now + timedelta(days=1),
                              end=now + timedelta(days=2))["indicators"]["cepej"]["overall"]
    assert (later["incoming"], later["resolved"], later["pending"], later["clearance_rate"]) == (0, 0, 3, None)


# ---- drill-down and export -----------------------------------------------------------------------

def test_drill_down_lists_the_cases_of_a_cell(seeded, actors):
    now = seeded.now()
    a, b, c = (open_case(seeded, actors) for _ in range(3))
    add_rows(seeded, evaluation(a, "interpreter", "failed", now), evaluation(b, "interpreter", "failed", now),
             evaluation(b, "interpreter", "failed", now), evaluation(c, "interpreter", "passed", now),
             evaluation(c, "silence_caution", "pending", now - timedelta(hours=2), due_at=now - timedelta(hours=1)))
    reviewer = actors["reviewer"]
    failed = reports.cases_for(seeded, reviewer, checkpoint="interpreter", status="failed")
    assert sorted(r["id"] for r in failed) == [a, b]
    assert next(r for r in failed if r["id"] == b)["evaluations"] == 2
    assert [r["id"] for r in reports.cases_for(seeded, reviewer, status="overdue")] == [c]
    assert reports.cases_for(seeded, reviewer, checkpoint="interpreter", status="failed", unit="Elsewhere") == []
    with pytest.raises(InvalidData):
        reports.cases_for(seeded, reviewer, checkpoint="no_such_right", status="failed")
    with pytest.raises(InvalidData):
        reports.cases_for(seeded, reviewer, checkpoint="interpreter", status="lost")


def test_csv_round_trip(driver, seeded, actors):
    detained_case(driver, apprehended_hours_ago=30, hearing_hours_ago=10)
    report = reports.compliance(seeded, actors["reviewer"])
    rows = list(csv.DictReader(io.StringIO(reports.to_csv(report))))
    assert len(rows) == 16
    for row, line_ in zip(rows, report["checkpoints"]):
        assert row["checkpoint"] == line_["checkpoint"] and row["legal_basis"] == line_["legal_basis"]
        assert {s: int(row[s]) for s in reports.STATUSES} == {s: line_[s] for s in reports.STATUSES}
        assert row["compliance_rate"] == ("" if line_["compliance_rate"] is None else str(line_["compliance_rate"]))
    assert int(next(r for r in rows if r["checkpoint"] == "detention_judicial_review")["passed"]) == 1
