"""Legal clocks on real cases: each clock's deadline as a row, recomputed when a fact changes
(audited), its warnings, and the failure action at expiry; the BPMN timer in the same list."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.persistence.models import (AdmissibilityFlag, AuditEntry, CheckpointEvaluation, Deadline,
                                       Escalation)
from engine.domain.errors import CheckpointBlocked, Forbidden, InvalidData
from engine.services import clocks, procedure, queries, reports, scheduler
from engine.fixtures.demo import Driver, registration
from tests.integration.test_case_paths import counsel, to_suspicion


@pytest.fixture
def driver(seeded, actors):
    return Driver(seeded, actors)


def deadline(habeas, case_id, clock, kind="checkpoint"):
    with habeas.unit_of_work() as s:
        return s.execute(select(Deadline).where(Deadline.case_id == case_id, Deadline.checkpoint == clock,
                                                Deadline.kind == kind)).scalar_one_or_none()


def tasks(habeas, case_id, kind=None, status=None):
    query = select(Escalation).where(Escalation.case_id == case_id).order_by(Escalation.id)
    if kind:
        query = query.where(Escalation.kind == kind)
    if status:
        query = query.where(Escalation.status == status)
    with habeas.unit_of_work() as s:
        return list(s.execute(query).scalars())


def actions(habeas, case_id):
    with habeas.unit_of_work() as s:
        return list(s.execute(select(AuditEntry).where(AuditEntry.case_id == case_id).order_by(AuditEntry.seq)).scalars())


def detained(d, hours_ago=0, juvenile=False, **facts):
    now = d.ctx.now()
    case_id = d.open(registration(now, **facts))
    d.complete(case_id, "register_report")
    d.complete(case_id, "open_investigation", next_step="detain")
    if juvenile:
        d.evidence(case_id, "juvenile_safeguards", age_checked=True, specialist_present=True)
    d.complete(case_id, "apprehend_suspect", apprehended_at=(now - timedelta(hours=hours_ago)).isoformat())
    d.complete(case_id, "notify_family_consulate", family_member="mother", method="telephone",
               family_notified_at=now.isoformat(), consulate_notified_at=now.isoformat())
    return case_id


def test_detention_review_warns_at_12_and_4_hours_then_releases_and_records_a_breach_at_48(driver, seeded, clock):
    start = seeded.now()
    case_id = detained(driver)
    row = deadline(seeded, case_id, "detention_judicial_review")
    assert (row.due_at, row.status, row.next_action_at) == (start + timedelta(hours=48), "open", start + timedelta(hours=36))
    clock.advance(hours=35, minutes=59)
    assert scheduler.tick(seeded).processed == 0
    clock.advance(minutes=1)  # due - 12 h
    assert scheduler.tick(seeded).count("warning") == 1
    assert scheduler.tick(seeded).processed == 0  # idempotent
    clock.advance(hours=8)    # due - 4 h
    assert scheduler.tick(seeded).count("warning") == 1
    warnings = tasks(seeded, case_id, "warning")
    assert len(warnings) == 2 and all(w.assigned_role == "supervising_prosecutor" for w in warnings)
    assert "judicial review of detention due" in warnings[0].reason
    clock.advance(hours=3, minutes=59, seconds=59)
    assert scheduler.tick(seeded).processed == 0  # one second before the deadline
    clock.advance(seconds=1)
    report = scheduler.tick(seeded)
    assert report.count("breach") == 1
    release = tasks(seeded, case_id, "release")
    assert len(release) == 1 and release[0].reason.startswith("MANDATORY RELEASE") and release[0].status == "open"
    # the release task goes to those who hold the person; the prosecutor is informed
    assert release[0].assigned_role == "investigator"
    notices = [w for w in tasks(seeded, case_id, "warning") if w.assigned_role == "prosecutor"]
    assert len(notices) == 1 and notices[0].status == "open" and "release the person" in notices[0].reason
    assert all(w.status == "resolved" for w in tasks(seeded, case_id, "warning")
               if w.assigned_role == "supervising_prosecutor")
    row = deadline(seeded, case_id, "detention_judicial_review")
    assert (row.status, row.action_taken, row.next_action_at) == ("breached", "release_task+breach", None)
    with seeded.unit_of_work() as s:
        breach = s.execute(select(CheckpointEvaluation).where(
            CheckpointEvaluation.case_id == case_id, CheckpointEvaluation.checkpoint == "detention_judicial_review",
            CheckpointEvaluation.actor == "scheduler")).scalar_one()
    assert breach.status == "failed" and breach.detail["breach"] is True
    line = {l["checkpoint"]: l for l in reports.compliance(seeded, driver.actors["reviewer"])["checkpoints"]}
    assert line["detention_judicial_review"]["failed"] == 1
    view = driver.view(case_id)
    assert view["non_compliant"] is True
    assert {"deadline.warning", "deadline.breached"} <= {e.action for e in actions(seeded, case_id)}
    assert scheduler.tick(seeded).processed == 0
    overdue = clocks.list_deadlines(seeded, driver.actors["reviewer"], overdue=True).deadlines
    assert [(d["case"], d["clock"], d["status"]) for d in overdue] == [(view["number"], "detention_judicial_review", "breached")]


def test_after_a_missed_review_release_is_the_only_lawful_act(driver, seeded, clock, actors):
    case_id = detained(driver)
    clock.advance(hours=49)
    scheduler.tick(seeded)
    with pytest.raises(CheckpointBlocked) as refused:
        driver.complete(case_id, "draft_suspicion_decision")
    [failure] = refused.value.failures
    assert failure["id"] == "detention_judicial_review" and any("only lawful act" in r for r in failure["reasons"])
    procedure.release(seeded, actors["investigator"], case_id, None, "no judicial order within 48 hours")
    view = driver.view(case_id)
    assert [e["status"] for e in view["episodes"]] == ["released"]
    assert all(e["status"] == "resolved" for e in view["escalations"] if e["kind"] == "release")
    assert deadline(seeded, case_id, "detention_judicial_review").status == "breached"  # the breach stands
    # the case goes on without custody; a statement taken after the missed deadline is still flagged
    driver.complete(case_id, "draft_suspicion_decision")
    driver.complete(case_id, "approve_suspicion", approved=True)
    driver.complete(case_id, "serve_suspicion_notice", signed=True)
    counsel(driver, case_id)
    driver.complete(case_id, "interrogate_suspect", another_interrogation=False)
    assert "decide_custody" not in {t["name"] for t in driver.view(case_id)["tasks"]}
    with seeded.unit_of_work() as s:
        flags = list(s.execute(select(AdmissibilityFlag).where(
            AdmissibilityFlag.case_id == case_id, AdmissibilityFlag.checkpoint == "detention_judicial_review")).scalars())
    assert len(flags) == 1 and "after the judicial review of detention deadline" in flags[0].reason


@pytest.mark.parametrize("facts,hours", [({"suspect_birth_date": "2009-01-01", "defence_mandatory": True}, 24),
                                         ({"offence_category": "especially_grave"}, 72)])
def test_detention_review_limit_for_a_minor_and_for_listed_crimes(driver, seeded, clock, facts, hours):
    start = seeded.now()
    case_id = detained(driver, juvenile=hours == 24, **facts)
    assert deadline(seeded, case_id, "detention_judicial_review").due_at == start + timedelta(hours=hours)
    clock.advance(hours=hours)
    scheduler.tick(seeded)
    assert len(tasks(seeded, case_id, "release")) == 1


def test_a_timely_hearing_meets_the_clock_and_closes_its_warnings(driver, seeded, clock):
    start = seeded.now()
    case_id = detained(driver)
    clock.advance(hours=40)
    scheduler.tick(seeded)
    assert len(tasks(seeded, case_id, "warning", "open")) == 1
    driver.evidence(case_id, "detention_judicial_review", protocol_at=start.isoformat(),
                    petition_at=(start + timedelta(hours=30)).isoformat(),
                    hearing_at=(start + timedelta(hours=39)).isoformat(), judge="B. Nurlanov", order_number="IJ-7",
                    outcome="custody")
    row = deadline(seeded, case_id, "detention_judicial_review")
    assert (row.status, row.next_action_at) == ("met", None)
    assert tasks(seeded, case_id, "warning", "open") == []
    clock.advance(hours=10)
    assert scheduler.tick(seeded).count("breach") == 0 and tasks(seeded, case_id, "release") == []


def test_a_late_entered_apprehension_time_moves_the_clock_in_the_audit_trail(driver, seeded, clock):
    start = seeded.now()
    case_id = detained(driver)
    # the hearing is recorded with the true apprehension time, entered late: 50 h, too late
    clock.advance(hours=41)
    driver.evidence(case_id, "detention_judicial_review", apprehended_at=(start - timedelta(hours=10)).isoformat(),
                    protocol_at=start.isoformat(), hearing_at=(start + timedelta(hours=40)).isoformat(),
                    petition_at=(start + timedelta(hours=30)).isoformat(), judge="B. Nurlanov", order_number="IJ-9",
                    outcome="custody")
    row = deadline(seeded, case_id, "detention_judicial_review")
    assert row.due_at == start + timedelta(hours=38) and row.starts_at == start - timedelta(hours=10)
    moved = [e for e in actions(seeded, case_id) if e.action == "deadlines.recomputed"]
    change = moved[-1].payload["changes"][0]
    assert change["clock"] == "detention_judicial_review" and change["change"] == "moved"
    assert change["from"] == (start + timedelta(hours=48)).isoformat()
    assert scheduler.tick(seeded).count("breach") == 1


def to_custody(d, expires_in_days=60):
    now = d.ctx.now()
    case_id = d.open(registration(now, registered_at=now.isoformat()))
    to_suspicion(d, case_id, detained=True, apprehended_hours_ago=5)
    counsel(d, case_id)
    d.evidence(case_id, "medical_examination")
    d.complete(case_id, "interrogate_suspect", another_interrogation=False)
    d.complete(case_id, "decide_custody", hearing_at=now.isoformat(), outcome="custody", ordered_at=now.isoformat(),
               expires_at=(now + timedelta(days=expires_in_days)).isoformat())
    return case_id


def test_custody_term_escalates_three_days_before_and_an_extension_moves_the_release(driver, seeded, clock,
                                                                                    actors):
    start = seeded.now()
    case_id = to_custody(driver)
    row = deadline(seeded, case_id, "custody_term_review")
    assert (row.due_at, row.next_action_at) == (start + timedelta(days=60), start + timedelta(days=57))
    clock.advance(days=57)
    scheduler.tick(seeded)
    # no petition three days before expiry: an escalation and a non-compliant case, not a mere warning
    escalated = [t for t in tasks(seeded, case_id, "escalation") if t.checkpoint == "custody_term_review"]
    assert len(escalated) == 1 and "no extension petition" in escalated[0].reason
    assert driver.view(case_id)["non_compliant"] is True
    new_expiry = start + timedelta(days=90)
    # a term beyond what the law allows is refused, and the evidence route cannot bypass it
    with pytest.raises(InvalidData):
        procedure.extend_custody(seeded, actors["judge"], case_id, extension(seeded, start + timedelta(days=400)))
    longer = dict(order_number="IJ-X", ordered_at=seeded.now().isoformat(), petition_at=seeded.now().isoformat(),
                  expires_at=(start + timedelta(days=400)).isoformat(), reasons="r", alternatives_considered="a")
    with pytest.raises(Forbidden):  # only the judge extends
        driver.evidence(case_id, "custody_term_review", **longer)
    with pytest.raises(InvalidData):  # and never beyond the tier
        driver.evidence(case_id, "custody_term_review", actor=actors["judge"], **longer)
    procedure.extend_custody(seeded, actors["judge"], case_id, extension(seeded, new_expiry))
    row = deadline(seeded, case_id, "custody_term_review")
    assert (row.due_at, row.warnings_sent) == (new_expiry, 0)
    assert all(t.status == "resolved" for t in tasks(seeded, case_id, "escalation")
               if t.checkpoint == "custody_term_review")
    assert any(e.action == "deadlines.recomputed" and e.payload["changes"][0]["clock"] == "custody_term_review"
               for e in actions(seeded, case_id))
    clock.set(start + timedelta(days=61))
    scheduler.tick(seeded)
    assert tasks(seeded, case_id, "release") == []
    clock.set(new_expiry)
    scheduler.tick(seeded)
    release = tasks(seeded, case_id, "release")
    assert len(release) == 1 and release[0].checkpoint == "custody_term_review"
    assert "custody term expired" in release[0].reason


def extension(habeas, until) -> dict:
    now = habeas.now()
    return {"petition_at": now.isoformat(), "ordered_at": now.isoformat(), "extended_until": until.isoformat(),
            "order_number": "IJ-EXT-1", "reasons": "witnesses still to be heard",
            "alternatives_considered": "house arrest refused: no fixed address"}


def test_a_foreigners_consulate_not_told_escalates_at_24_hours(driver, seeded, clock):
    start = seeded.now()
    case_id = driver.open(registration(start, suspect_citizenship="CN"))
    driver.complete(case_id, "register_report")
    driver.complete(case_id, "open_investigation", next_step="detain")
    driver.complete(case_id, "apprehend_suspect", apprehended_at=start.isoformat())
    clock.advance(hours=1)
    driver.evidence(case_id, "family_consular_notice", family_member="wife", method="telephone",
                    family_notified_at=(start + timedelta(hours=1)).isoformat())
    assert deadline(seeded, case_id, "family_consular_notice").due_at == start + timedelta(hours=24)
    clock.advance(hours=23)
    scheduler.tick(seeded)
    escalation = tasks(seeded, case_id, "escalation", "open")
    assert [e.checkpoint for e in escalation] == ["family_consular_notice"]
    assert deadline(seeded, case_id, "family_consular_notice").status == "breached"


def to_prelim_hearing(d):
    now = d.ctx.now()
    case_id = d.open(registration(now, registered_at=now.isoformat()))
    to_suspicion(d, case_id)
    counsel(d, case_id)
    d.complete(case_id, "interrogate_suspect", another_interrogation=False)
    d.complete(case_id, "notify_end_of_investigation")
    d.complete(case_id, "open_file_to_defence")
    d.complete(case_id, "review_file", indictment_decision="send_to_court", indictment_served_at=now.isoformat())
    return case_id


def test_the_bpmn_timer_is_a_deadline_row_and_fires_through_the_scheduler(driver, seeded, clock):
    start = seeded.now()
    case_id = to_prelim_hearing(driver)
    timer = deadline(seeded, case_id, "hearing_overdue", "timer")
    assert (timer.due_at, timer.status, timer.basis) == (start + timedelta(days=10), "open", "Not held in 10 days")
    legal = deadline(seeded, case_id, "preliminary_hearing", "procedure")
    assert legal.due_at == start + timedelta(days=10)
    listed = clocks.list_deadlines(seeded, driver.actors["reviewer"], due_within=timedelta(days=11)).deadlines
    assert {("hearing_overdue", "timer"), ("preliminary_hearing", "procedure")} <= {(d["clock"], d["kind"]) for d in listed}
    version = driver.view(case_id)["version"]
    clock.advance(days=10)
    report = scheduler.tick(seeded)
    assert report.count("timer_fired") == 1 and report.count("breach") == 1
    view = driver.view(case_id)
    assert {t["name"] for t in view["tasks"]} == {"prelim_hearing", "chase_overdue_hearing"}
    assert view["version"] > version  # saved with the case's optimistic lock
    assert deadline(seeded, case_id, "hearing_overdue", "timer").status == "fired"
    fired = [e for e in actions(seeded, case_id) if e.action == "timer.fired"]
    assert len(fired) == 1 and fired[0].actor == "scheduler" and fired[0].payload["ready"] == ["chase_overdue_hearing"]
    assert scheduler.tick(seeded).processed == 0


def test_a_hearing_held_in_time_cancels_the_timer(driver, seeded, clock):
    case_id = to_prelim_hearing(driver)
    clock.advance(days=2)
    driver.complete(case_id, "prelim_hearing", hearing_decision="set_trial", accused_choice="bench")
    assert deadline(seeded, case_id, "hearing_overdue", "timer").status == "cancelled"
    assert deadline(seeded, case_id, "preliminary_hearing", "procedure").status == "met"
    clock.advance(days=10)
    assert scheduler.tick(seeded).processed == 0


def test_case_show_lists_the_deadlines(driver, seeded):
    case_id = detained(driver)
    view = queries.show_case(seeded, driver.actors["reviewer"], case_id)
    assert {d["checkpoint"] for d in view["deadlines"]} >= {"detention_judicial_review", "reasonable_time"}


def test_done_when_the_demo_detention_warns_and_a_tick_after_48_hours_releases(tmp_path, capsys):
    """The issue's "Done when", through the command line: the demo case detained 47 hours ago
    shows a warning; a tick after the 48th hour produces the release task and the breach, seen
    in ``case show``, ``deadlines --overdue`` and the compliance report."""
    import json
    from datetime import datetime, timezone
    from engine.cli import main
    from tests.conftest import PROCESSES

    url = f"sqlite:///{tmp_path / 'done.sqlite3'}"

    def cli(*argv, expect=0):
        capsys.readouterr()
        assert main(["--database", url, *map(str, argv)]) == expect
        return capsys.readouterr().out

    cli("init")
    demo = json.loads(cli("demo", "--processes", PROCESSES))
    case_id = demo["cases"]["detained_awaiting_review"]
    view = json.loads(cli("--as", "reviewer", "case", "show", case_id))
    warning = [e for e in view["escalations"] if e["checkpoint"] == "detention_judicial_review"]
    assert len(warning) == 1 and warning[0]["reason"].startswith("WARNING")
    soon = json.loads(cli("deadlines", "--due-within", "2h", "--format", "json"))
    assert [(d["case"], d["clock"]) for d in soon["deadlines"]] == [(view["number"], "detention_judicial_review")]
    assert soon["zone"] == "Asia/Almaty" and "+05" in soon["deadlines"][0]["due_local"]
    later = (datetime.now(timezone.utc) + timedelta(hours=1, minutes=1)).isoformat()
    tick = json.loads(cli("tick", "--now", later))
    assert tick["outcomes"] == {"breach": 1}
    assert json.loads(cli("tick", "--now", later))["processed"] == 0
    view = json.loads(cli("--as", "reviewer", "case", "show", case_id))
    assert any(e["reason"].startswith("MANDATORY RELEASE") and e["status"] == "open" for e in view["escalations"])
    assert {d["checkpoint"]: d["status"] for d in view["deadlines"]}["detention_judicial_review"] == "breached"
    overdue = cli("deadlines", "--overdue", "--now", later)
    assert view["number"] in overdue and "breached (release task + breach)" in overdue
    report = {l["checkpoint"]: l for l in json.loads(cli("report", "compliance"))["checkpoints"]}
    assert report["detention_judicial_review"]["failed"] >= 1
    cli("audit", "verify")


def test_each_detention_episode_has_its_own_judicial_review_clock(driver, seeded, clock, actors):
    start = seeded.now()
    case_id = detained(driver)
    clock.advance(hours=49)
    scheduler.tick(seeded)
    assert deadline(seeded, case_id, "detention_judicial_review").status == "breached"
    procedure.release(seeded, actors["investigator"], case_id, None, "no order within 48 hours")
    # apprehended again a week later: a new episode, a new 48-hour clock (the first breach stands)
    clock.set(start + timedelta(days=7))
    again = seeded.now() - timedelta(hours=1)
    with seeded.unit_of_work() as s:
        from engine.persistence.models import Case
        case = s.get(Case, case_id)
        case.facts = {**case.facts, "apprehended_at": again.isoformat()}
        proc = dict(case.procedure)
        proc["episodes"] = proc["episodes"] + [{"no": 2, "apprehended_at": again.isoformat(), "status": "open"}]
        case.procedure = proc
        clocks.resync(seeded, s, case, seeded.now())
    row = deadline(seeded, case_id, "detention_judicial_review")
    assert (row.status, row.due_at) == ("open", again + timedelta(hours=48))
    with seeded.unit_of_work() as s:
        breaches = s.execute(select(CheckpointEvaluation).where(
            CheckpointEvaluation.case_id == case_id, CheckpointEvaluation.checkpoint == "detention_judicial_review",
            CheckpointEvaluation.status == "failed")).scalars().all()
    assert any((b.detail or {}).get("breach") for b in breaches)
