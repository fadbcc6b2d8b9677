"""Migrating running cases to a new process version: allowed only when the rights of every stage
the case entered are met, and never resetting a legal clock or a BPMN timer."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.domain.errors import Forbidden
from engine.persistence.models import AuditEntry, Case, Deadline, ProcessVersion
from engine.services import migration, processes, scheduler
from engine.services.demo import Driver, registration
from tests.conftest import PROCESSES
from tests.integration.test_clocks import deadline, detained, tasks, to_prelim_hearing

V2_TITLE = "Hold the preliminary hearing (version 2)"


@pytest.fixture
def driver(seeded, actors):
    return Driver(seeded, actors)


@pytest.fixture
def version2(seeded, actors):
    """Deploys version 2 of the criminal case when called (cases opened before stay on 1)."""
    def deploy():
        xml = (PROCESSES / "criminal_case.bpmn").read_text()
        xml = xml.replace('name="Hold the preliminary hearing"', f'name="{V2_TITLE}"')
        deployed = processes.deploy(seeded, actors["designer"], xml)
        assert deployed.version == 2
        return deployed
    return deploy


def clock_rows(habeas, case_id):
    with habeas.unit_of_work() as s:
        return [(d.id, d.checkpoint, d.kind, d.due_at, d.status) for d in s.execute(
            select(Deadline).where(Deadline.case_id == case_id).order_by(Deadline.id)).scalars()]


def version_of(habeas, case_id):
    with habeas.unit_of_work() as s:
        return s.execute(select(ProcessVersion.version).join(Case, Case.process_version_id == ProcessVersion.id)
                         .where(Case.id == case_id)).scalar_one()


def test_a_migrated_detention_keeps_its_judicial_review_clock(driver, seeded, clock, version2, actors):
    start = seeded.now()
    case_id = detained(driver)
    version2()
    before = clock_rows(seeded, case_id)
    clock.advance(hours=20)
    result = migration.migrate_case(seeded, actors["supervising_prosecutor"], case_id, 2)
    assert result["migrated"] is True and (result["from_version"], result["to_version"]) == (1, 2)
    assert version_of(seeded, case_id) == 2
    assert clock_rows(seeded, case_id) == before  # the same rows, the same due times
    assert deadline(seeded, case_id, "detention_judicial_review").due_at == start + timedelta(hours=48)
    clock.advance(hours=28)
    scheduler.tick(seeded)
    assert len(tasks(seeded, case_id, "release")) == 1  # the clock ran on from apprehension
    with seeded.unit_of_work() as s:
        audited = s.execute(select(AuditEntry).where(AuditEntry.case_id == case_id,
                                                     AuditEntry.action == "case.migrated")).scalar_one()
    assert audited.actor == "supervisor" and audited.payload["deadlines_after"] == result["deadlines"]


def test_a_migrated_case_keeps_its_bpmn_timer(driver, seeded, clock, version2, actors):
    start = seeded.now()
    case_id = to_prelim_hearing(driver)
    version2()
    clock.advance(days=3)
    result = migration.migrate_case(seeded, actors["designer"], case_id, 2)
    assert result["migrated"] is True
    timer = deadline(seeded, case_id, "hearing_overdue", "timer")
    assert (timer.due_at, timer.status) == (start + timedelta(days=10), "open")  # not restarted at day 3
    assert [t["title"] for t in driver.view(case_id)["tasks"]] == [V2_TITLE]
    clock.advance(days=7)
    assert scheduler.tick(seeded).count("timer_fired") == 1
    assert {t["name"] for t in driver.view(case_id)["tasks"]} == {"prelim_hearing", "chase_overdue_hearing"}


def unmet_foreigner(d, clock):
    """A detained foreigner whose consulate was never told: past 24 h the detention stage's
    family_consular_notice right is unmet."""
    start = d.ctx.now()
    case_id = d.open(registration(start, suspect_citizenship="CN"))
    d.complete(case_id, "register_report")
    d.complete(case_id, "open_investigation", next_step="detain")
    d.complete(case_id, "apprehend_suspect", apprehended_at=(start - timedelta(hours=1)).isoformat())
    d.evidence(case_id, "family_consular_notice", family_member="wife", method="telephone",
               family_notified_at=start.isoformat())
    return case_id


def test_a_case_with_unmet_rights_in_a_stage_it_entered_is_refused_with_the_list(driver, seeded, clock, version2, actors):
    case_id = unmet_foreigner(driver, clock)
    version2()
    clock.advance(hours=25)
    result = migration.migrate_case(seeded, actors["admin"], case_id, 2)
    assert result["migrated"] is False and version_of(seeded, case_id) == 1
    assert [(r["stage"], r["checkpoint"], r["status"]) for r in result["reasons"]] == [
        ("detention", "family_consular_notice", "failed")]
    with seeded.unit_of_work() as s:
        refused = s.execute(select(AuditEntry).where(AuditEntry.case_id == case_id,
                                                     AuditEntry.action == "case.migration_refused")).scalar_one()
    assert refused.payload["reasons"][0]["checkpoint"] == "family_consular_notice"


def test_migrating_a_process_reports_the_migrated_and_the_refused(driver, seeded, clock, version2, actors):
    good = detained(driver)
    bad = unmet_foreigner(driver, clock)
    version2()
    clock.advance(hours=25)
    out = migration.migrate_cases(seeded, actors["supervising_prosecutor"], "criminal_case", 2)
    numbers = {c: driver.view(c)["number"] for c in (good, bad)}
    assert out["migrated"] == [numbers[good]]
    assert [r["case"] for r in out["refused"]] == [numbers[bad]]
    assert out["refused"][0]["reasons"][0]["checkpoint"] == "family_consular_notice"


def test_only_designers_admins_and_supervisors_migrate(driver, seeded, version2, actors):
    case_id = detained(driver)
    version2()
    with pytest.raises(Forbidden):
        migration.migrate_case(seeded, actors["investigator"], case_id, 2)


def test_the_migrate_commands(driver, seeded, version2, db_engine, capsys):
    import json
    from engine.cli import main
    from engine.services import bootstrap
    if db_engine.dialect.name != "sqlite":
        pytest.skip("the command line reaches the test schema by URL on SQLite only")
    url = db_engine.url.render_as_string(hide_password=False)
    case_id = detained(driver)
    version2()
    try:
        assert main(["--database", url, "--as", "supervisor", "case", "migrate", str(case_id), "--to-version", "2"]) == 0
        assert json.loads(capsys.readouterr().out)["migrated"] is True
        assert main(["--database", url, "process", "migrate", "criminal_case", "--to-version", "1"]) == 0
        out = json.loads(capsys.readouterr().out)
        assert out["migrated"] == [driver.view(case_id)["number"]] and out["refused"] == []
    finally:
        bootstrap._engine(url).dispose()
    assert version_of(seeded, case_id) == 1


# ---------------------------------------------------------------- the cockpit: preview, choose, confirm

def audit_actions(habeas) -> list[tuple]:
    with habeas.unit_of_work() as s:
        return [(a.action, a.case_id) for a in s.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars()]


def test_the_preview_lists_who_moves_and_who_is_refused_and_changes_nothing(driver, seeded, clock, version2, actors):
    good = detained(driver)
    bad = unmet_foreigner(driver, clock)
    version2()
    clock.advance(hours=25)
    before, states = audit_actions(seeded), {c: version_of(seeded, c) for c in (good, bad)}
    preview = migration.preview(seeded, actors["designer"], "criminal_case", 2)
    assert (preview["to_version"], preview["latest_version"]) == (2, 2)
    by_case = {c["case"]: c for c in preview["cases"]}
    assert by_case[good]["movable"] is True and by_case[good]["reasons"] == []
    assert by_case[bad]["movable"] is False
    [reason] = by_case[bad]["reasons"]
    assert (reason["checkpoint"], reason["stage"]) == ("family_consular_notice", "detention")
    assert reason["legal_basis"]  # a refusal names the right's legal basis
    assert audit_actions(seeded) == before and {c: version_of(seeded, c) for c in (good, bad)} == states


def test_only_the_chosen_cases_move_and_each_is_audited_with_the_operation(driver, seeded, clock, version2, actors):
    first, second = detained(driver), detained(driver)
    version2()
    out = migration.migrate_chosen(seeded, actors["designer"], "criminal_case", 2, [second], latest_version=2)
    assert [c["case"] for c in out["migrated"]] == [second] and out["refused"] == []
    assert (version_of(seeded, first), version_of(seeded, second)) == (1, 2)
    with seeded.unit_of_work() as s:
        moved = s.execute(select(AuditEntry).where(AuditEntry.action == "case.migrated")).scalars().all()
        [operation] = s.execute(select(AuditEntry).where(AuditEntry.action == "process.migration")).scalars().all()
    assert [m.case_id for m in moved] == [second] and moved[0].payload["operation"] == out["operation"]
    assert operation.payload["operation"] == out["operation"] and operation.payload["chosen"] == [second]
    assert operation.payload["migrated"] == [second] and operation.actor == "designer"


def test_a_refused_chosen_case_is_audited_as_refused(driver, seeded, clock, version2, actors):
    bad = unmet_foreigner(driver, clock)
    version2()
    clock.advance(hours=25)
    out = migration.migrate_chosen(seeded, actors["designer"], "criminal_case", 2, [bad], latest_version=2)
    assert [c["case"] for c in out["refused"]] == [bad] and version_of(seeded, bad) == 1
    with seeded.unit_of_work() as s:
        refused = s.execute(select(AuditEntry).where(AuditEntry.action == "case.migration_refused")).scalar_one()
    assert refused.payload["operation"] == out["operation"]


def test_a_stale_preview_or_a_stranger_case_moves_nothing(driver, seeded, clock, version2, actors):
    from engine.domain.errors import Conflict, InvalidData
    case_id = detained(driver)
    version2()
    before = audit_actions(seeded)
    with pytest.raises(Conflict, match="stale"):
        migration.migrate_chosen(seeded, actors["designer"], "criminal_case", 2, [case_id], latest_version=1)
    with pytest.raises(InvalidData):
        migration.migrate_chosen(seeded, actors["designer"], "criminal_case", 2, [case_id, 999999], latest_version=2)
    with pytest.raises(InvalidData):
        migration.migrate_chosen(seeded, actors["designer"], "criminal_case", 2, [], latest_version=2)
    assert audit_actions(seeded) == before and version_of(seeded, case_id) == 1
    migration.migrate_chosen(seeded, actors["designer"], "criminal_case", 2, [case_id], latest_version=2)
    with pytest.raises(Conflict, match="already on v2"):
        migration.migrate_chosen(seeded, actors["designer"], "criminal_case", 2, [case_id], latest_version=2)
