"""Persistence and enforcement rules: optimistic locking, the audit chain, specs by reference,
version pinning, bad input changing nothing."""
import json
import threading

import pytest
from sqlalchemy import select, text

from engine.domain.errors import Conflict, Forbidden, InvalidBpmn, InvalidData
from engine.persistence import audit
from engine.persistence.models import AuditEntry, Case, ProcessVersion
from engine.services import cases, processes, queries
from engine.fixtures.demo import Driver, registration
from tests.conftest import PROCESSES


@pytest.fixture
def driver(seeded, actors):
    return Driver(seeded, actors)


def case_row(habeas, case_id):
    with habeas.unit_of_work() as s:
        row = s.get(Case, case_id)
        return row.workflow_state, row.lock_version, row.stage, dict(row.facts)


def test_two_concurrent_completions_exactly_one_wins(driver, seeded, actors):
    case_id = driver.open(registration(seeded.now()))
    view = driver.view(case_id)
    task = view["tasks"][0]
    data = {k: v for k, v in registration(seeded.now()).items()}
    barrier, outcomes = threading.Barrier(2), []

    def attempt():
        barrier.wait()
        try:
            cases.complete_task(seeded, actors["investigator"], case_id, task["id"], data,
                                expected_version=view["version"])
            outcomes.append("won")
        except Conflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "won"]
    with seeded.unit_of_work() as s:
        completions = s.execute(select(AuditEntry).where(AuditEntry.case_id == case_id,
                                                         AuditEntry.action == "task.completed")).scalars().all()
        assert len(completions) == 1
        assert audit.verify(s).ok


def test_completing_an_already_completed_task_is_a_conflict(driver, seeded, actors):
    case_id = driver.open(registration(seeded.now()))
    task = driver.view(case_id)["tasks"][0]
    driver.complete(case_id, "register_report")
    with pytest.raises(Conflict):
        cases.complete_task(seeded, actors["investigator"], case_id, task["id"], registration(seeded.now()))


def test_stale_version_is_refused_and_changes_nothing(driver, seeded, actors):
    case_id = driver.open(registration(seeded.now()))
    before = case_row(seeded, case_id)
    task = driver.view(case_id)["tasks"][0]
    with pytest.raises(Conflict):
        cases.complete_task(seeded, actors["investigator"], case_id, task["id"], registration(seeded.now()),
                            expected_version=before[1] - 1)
    assert case_row(seeded, case_id) == before


def test_invalid_form_data_names_the_fields_and_changes_nothing(driver, seeded, actors):
    case_id = driver.open(registration(seeded.now()))
    before = case_row(seeded, case_id)
    task = driver.view(case_id)["tasks"][0]
    bad = {**registration(seeded.now()), "registered_at": "yesterday-ish", "offence_category": "heinous"}
    with pytest.raises(InvalidData) as err:
        cases.complete_task(seeded, actors["investigator"], case_id, task["id"], bad)
    assert set(err.value.fields) == {"registered_at", "offence_category"}
    assert case_row(seeded, case_id) == before


@pytest.mark.parametrize("role", ["judge", "defence", "reviewer", "designer"])
def test_a_task_is_completed_only_by_its_lane(driver, seeded, actors, role):
    case_id = driver.open(registration(seeded.now()), defence=["defence"])
    before = case_row(seeded, case_id)
    task = driver.view(case_id)["tasks"][0]
    with pytest.raises(Forbidden):
        cases.complete_task(seeded, actors[role], case_id, task["id"], registration(seeded.now()))
    assert case_row(seeded, case_id) == before


def test_defence_reads_only_their_cases_and_every_read_is_logged(driver, seeded, actors):
    mine = driver.open(registration(seeded.now()), defence=["defence"])
    other = driver.open(registration(seeded.now()))
    queries.show_case(seeded, actors["defence"], mine)
    with pytest.raises(Forbidden):
        queries.show_case(seeded, actors["defence"], other)
    assert [c["id"] for c in queries.list_cases(seeded, actors["defence"])] == [mine]
    with seeded.unit_of_work() as s:
        reads = s.execute(select(AuditEntry.case_id).where(AuditEntry.action == "case.read")).scalars().all()
    assert reads == [mine]


@pytest.mark.parametrize("tamper", [
    "UPDATE audit_log SET payload = '{\"forged\": true}' WHERE seq = 3",
    "UPDATE audit_log SET actor = 'someone_else' WHERE seq = 2",
    "DELETE FROM audit_log WHERE seq = 4",
    "DELETE FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log)",
])
def test_any_edit_or_deletion_of_the_audit_trail_is_detected(driver, seeded, tamper):
    case_id = driver.open(registration(seeded.now()))
    driver.complete(case_id, "register_report")
    with seeded.unit_of_work() as s:
        assert audit.verify(s).ok
        s.execute(text(tamper))
    with seeded.unit_of_work() as s:
        report = audit.verify(s)
    assert not report.ok and report.problems


def test_case_state_stores_the_spec_by_reference(driver, seeded):
    case_id = driver.open(registration(seeded.now()))
    driver.complete(case_id, "register_report")
    with seeded.unit_of_work() as s:
        state = json.loads(s.get(Case, case_id).workflow_state)
        spec_size = len(s.execute(select(ProcessVersion.spec_json).where(
            ProcessVersion.process_id == "criminal_case")).scalar_one())
    assert "spec" not in state and "subprocess_specs" not in state
    assert len(json.dumps(state)) < spec_size


def test_a_running_case_stays_on_the_version_it_started_on(driver, seeded, actors):
    case_id = driver.open(registration(seeded.now()))
    xml = (PROCESSES / "criminal_case.bpmn").read_text().replace(
        "Register the report in the ERDR", "Register the crime report in the ERDR")
    deployed = processes.deploy(seeded, actors["designer"], xml)
    assert deployed.version == 2 and deployed.created
    assert processes.deploy(seeded, actors["designer"], xml).version == 2  # stored once by content hash
    assert driver.view(case_id)["process_version"] == 1
    assert driver.view(case_id)["tasks"][0]["title"] == "Register the report in the ERDR"
    newer = driver.open(registration(seeded.now()))
    assert driver.view(newer)["tasks"][0]["title"] == "Register the crime report in the ERDR"


def test_deploy_refuses_a_model_that_would_drop_the_stage_and_names_the_element(seeded, actors):
    xml = (PROCESSES / "criminal_case.bpmn").read_text().replace(
        'name="stage" value="interrogation"', 'name="stage" value="questioning"')
    with pytest.raises(InvalidBpmn) as err:
        processes.deploy(seeded, actors["designer"], xml)
    assert any(p["element"] == "interrogate_suspect" and "questioning" in p["message"] for p in err.value.problems)


def test_only_designers_and_admins_deploy(seeded, actors):
    with pytest.raises(Forbidden):
        processes.deploy(seeded, actors["prosecutor"], (PROCESSES / "complaint.bpmn").read_bytes())
