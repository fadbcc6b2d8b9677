"""Whole cases walked through every path of processes/ with real SpiffWorkflow and a real database."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from engine.domain.errors import CheckpointBlocked, Forbidden, OverrideRefused
from engine.persistence.models import AuditEntry, Case, CheckpointEvaluation, StageEntry
from engine.services import rights
from engine.fixtures import demo
from engine.fixtures.demo import Driver, registration


@pytest.fixture
def driver(seeded, actors):
    return Driver(seeded, actors)


def stages(habeas, case_id):
    with habeas.unit_of_work() as s:
        return list(s.execute(select(StageEntry.stage).where(StageEntry.case_id == case_id)
                              .order_by(StageEntry.id)).scalars())


def counsel(d, case_id, **extra):
    now = d.ctx.now()
    d.evidence(case_id, "counsel_before_interrogation", lawyer_name="A. Bekova", bar_number="AL-1187",
               requested_at=(now - timedelta(hours=2)).isoformat(), consulted_at=(now - timedelta(hours=1)).isoformat(),
               present_at_interrogation=True, **extra)
    d.evidence(case_id, "silence_caution", caution_given=True)


def to_suspicion(d, case_id, detained=False, apprehended_hours_ago=5):
    now = d.ctx.now()
    d.complete(case_id, "register_report")
    d.complete(case_id, "open_investigation", next_step="detain" if detained else "summon")
    if detained:
        d.complete(case_id, "apprehend_suspect", apprehended_at=(now - timedelta(hours=apprehended_hours_ago)).isoformat())
        d.complete(case_id, "notify_family_consulate", family_member="mother", method="telephone",
                   family_notified_at=(now - timedelta(hours=apprehended_hours_ago - 1)).isoformat(),
                   consulate_notified_at=(now - timedelta(hours=apprehended_hours_ago - 1)).isoformat())
    d.complete(case_id, "draft_suspicion_decision")
    d.complete(case_id, "approve_suspicion", approved=True)
    d.complete(case_id, "serve_suspicion_notice", signed=True)


def to_indictment(d, case_id):
    d.complete(case_id, "notify_end_of_investigation")
    d.complete(case_id, "open_file_to_defence")


def test_happy_path_detained_suspect_to_final_judgment(driver, seeded):
    case_id = driver.open(registration(seeded.now()))
    to_suspicion(driver, case_id, detained=True)
    counsel(driver, case_id)
    driver.evidence(case_id, "medical_examination")
    driver.complete(case_id, "interrogate_suspect", another_interrogation=False)
    now = seeded.now()
    driver.complete(case_id, "decide_custody", hearing_at=now.isoformat(), outcome="custody",
                    ordered_at=now.isoformat(), expires_at=(now + timedelta(days=60)).isoformat())
    to_indictment(driver, case_id)
    driver.complete(case_id, "review_file", indictment_decision="send_to_court")
    driver.complete(case_id, "prelim_hearing", hearing_decision="set_trial")
    driver.complete(case_id, "conduct_trial", trial_form="bench")
    driver.complete(case_id, "pronounce_verdict", verdict="convicted", verdict_pronounced_at=seeded.now().isoformat())
    driver.complete(case_id, "serve_verdict", appeal_lodged=False, rights_explained=True)
    driver.complete(case_id, "close_case")
    view = driver.view(case_id)
    assert view["status"] == "closed" and view["tasks"] == [] and view["non_compliant"] is False
    assert stages(seeded, case_id) == ["registration", "investigation", "detention", "investigation", "suspicion",
                                       "interrogation", "custody", "completion", "indictment",
                                       "preliminary_hearing", "trial", "closed"]


def test_termination_at_investigation_closes_the_case(driver, seeded):
    case_id = driver.open(registration(seeded.now()))
    driver.complete(case_id, "register_report")
    driver.complete(case_id, "open_investigation", next_step="terminate")
    driver.complete(case_id, "terminate_investigation")
    assert driver.view(case_id)["status"] == "closed"
    assert stages(seeded, case_id) == ["registration", "investigation", "closed"]


def test_jury_trial_with_appeal_and_cassation(driver, seeded):
    case_id = driver.open(registration(seeded.now(), offence_category="especially_grave", jury_eligible=True),
                          defence=["defence"])
    to_suspicion(driver, case_id)
    counsel(driver, case_id)
    driver.complete(case_id, "interrogate_suspect", another_interrogation=False)
    to_indictment(driver, case_id)
    driver.complete(case_id, "review_file", indictment_decision="send_to_court")
    driver.complete(case_id, "prelim_hearing", accused_choice="jury", jury_trial=True)
    driver.complete(case_id, "conduct_trial", trial_form="jury")
    driver.complete(case_id, "pronounce_verdict", verdict="convicted", verdict_pronounced_at=seeded.now().isoformat())
    driver.complete(case_id, "serve_verdict", appeal_lodged=True, rights_explained=True,
                    copy_served_at=seeded.now().isoformat())
    driver.complete(case_id, "lodge_appeal", actor=driver.actors["defence"])
    driver.complete(case_id, "decide_appeal", appeal_ruling="upheld", cassation_lodged=True)
    driver.complete(case_id, "decide_cassation", cassation_ruling="upheld")
    driver.complete(case_id, "close_case")
    assert driver.view(case_id)["status"] == "closed"
    assert stages(seeded, case_id)[-4:] == ["trial", "appeal", "cassation", "closed"]


@pytest.mark.parametrize("eligible", [True, False])
def test_jury_right_is_checked_on_entering_the_trial_only_for_eligible_charges(driver, seeded, eligible):
    case_id = driver.open(registration(seeded.now(), jury_eligible=eligible))
    to_suspicion(driver, case_id)
    counsel(driver, case_id)
    driver.complete(case_id, "interrogate_suspect", another_interrogation=False)
    to_indictment(driver, case_id)
    driver.complete(case_id, "review_file", indictment_decision="send_to_court")
    driver.complete(case_id, "prelim_hearing", accused_choice="jury")
    driver.complete(case_id, "conduct_trial", trial_form="jury")
    with seeded.unit_of_work() as s:
        rows = list(s.execute(select(CheckpointEvaluation.status).where(
            CheckpointEvaluation.case_id == case_id, CheckpointEvaluation.checkpoint == "jury_right",
            CheckpointEvaluation.stage == "trial")).scalars())
    assert rows == (["passed"] if eligible else [])


def test_prosecutor_refusal_then_approval_counts_in_the_report(driver, seeded, actors):
    from engine.services import reports
    case_id = driver.open(registration(seeded.now()))
    driver.complete(case_id, "register_report")
    driver.complete(case_id, "open_investigation", next_step="summon")
    driver.complete(case_id, "draft_suspicion_decision")
    driver.complete(case_id, "approve_suspicion", approved=False, refusal_reasons="Qualify under part 1")
    driver.complete(case_id, "draft_suspicion_decision")
    driver.complete(case_id, "approve_suspicion", approved=True)
    driver.complete(case_id, "serve_suspicion_notice", signed=True)
    line = next(l for l in reports.compliance(seeded, actors["reviewer"])["checkpoints"]
                if l["checkpoint"] == "suspect_status_approval")
    assert line["failed"] == 1 and line["passed"] >= 2


def test_indictment_returned_for_further_investigation(driver, seeded):
    case_id = driver.open(registration(seeded.now()))
    to_suspicion(driver, case_id)
    counsel(driver, case_id)
    driver.complete(case_id, "interrogate_suspect", another_interrogation=False)
    to_indictment(driver, case_id)
    driver.complete(case_id, "review_file", indictment_decision="return")
    names = [t["name"] for t in driver.view(case_id)["tasks"]]
    assert names == ["further_investigation"]


def test_interrogation_refused_for_want_of_counsel_then_proceeds(driver, seeded):
    case_id = driver.open(registration(seeded.now()))
    to_suspicion(driver, case_id)
    with seeded.unit_of_work() as s:
        before = s.get(Case, case_id)
        state, version, stage = before.workflow_state, before.lock_version, before.stage
    with pytest.raises(CheckpointBlocked) as refused:
        driver.complete(case_id, "interrogate_suspect", another_interrogation=False)
    failure = {f["id"]: f for f in refused.value.failures}["counsel_before_interrogation"]
    assert "Salduz" in failure["legal_basis"] and failure["right"]
    assert "consulted_at" in failure["missing"] or failure["status"] == "pending"
    with seeded.unit_of_work() as s:
        after = s.get(Case, case_id)
        assert (after.workflow_state, after.lock_version, after.stage) == (state, version, stage)
        refusal = s.execute(select(AuditEntry).where(AuditEntry.case_id == case_id,
                                                     AuditEntry.action == "task.refused")).scalar_one()
        assert refusal.payload["checkpoints"][0]["id"] == "counsel_before_interrogation"
    counsel(driver, case_id)
    step = driver.complete(case_id, "interrogate_suspect", another_interrogation=False)
    assert step.stage == "interrogation" and step.entered


def test_detained_foreigner_needs_interpreter_and_consul(driver, seeded, actors):
    case_id = driver.open(registration(seeded.now(), suspect_citizenship="UZ", speaks_language_of_proceedings=False))
    now = seeded.now()
    driver.complete(case_id, "register_report")
    driver.complete(case_id, "open_investigation", next_step="detain")
    driver.complete(case_id, "apprehend_suspect", apprehended_at=(now - timedelta(hours=30)).isoformat())
    # family told in time, the consulate only 27 h after apprehension: escalated, case non-compliant
    driver.complete(case_id, "notify_family_consulate", family_member="brother", method="telephone",
                    family_notified_at=(now - timedelta(hours=29)).isoformat(),
                    consulate_notified_at=(now - timedelta(hours=3)).isoformat())
    view = driver.view(case_id)
    assert view["non_compliant"] is True
    assert [e["checkpoint"] for e in view["escalations"] if e["status"] == "open"] == ["family_consular_notice"]
    driver.complete(case_id, "draft_suspicion_decision")
    driver.complete(case_id, "approve_suspicion", approved=True)
    # the letter of rights in Russian and no interpreter: refused (rights per act, language compared)
    with pytest.raises(CheckpointBlocked) as refused:
        driver.complete(case_id, "serve_suspicion_notice", signed=True, language="ru")
    assert {"interpreter", "rights_information"} <= {f["id"] for f in refused.value.failures}
    driver.evidence(case_id, "interpreter", language="uz")  # binds to the waiting notice
    driver.complete(case_id, "serve_suspicion_notice", signed=True, language="uz")
    counsel(driver, case_id)
    driver.evidence(case_id, "medical_examination")
    # the interpreter at the notice says nothing about the interrogation
    with pytest.raises(CheckpointBlocked) as refused:
        driver.complete(case_id, "interrogate_suspect", another_interrogation=False)
    assert [f["id"] for f in refused.value.failures] == ["interpreter"]
    with pytest.raises(OverrideRefused):
        rights.override(seeded, actors["supervising_prosecutor"], case_id, "interpreter", "none available",
                        "CPC art 192")
    driver.evidence(case_id, "interpreter", language="uz")
    driver.complete(case_id, "interrogate_suspect", another_interrogation=False)
    rights.resolve_escalation(seeded, actors["supervising_prosecutor"], view["escalations"][0]["id"],
                              "Consulate informed late; officer instructed; delay reported to the ombudsperson")
    assert driver.view(case_id)["non_compliant"] is False


def test_juvenile_safeguards_admit_no_override_and_no_waiver(driver, seeded, actors):
    case_id = driver.open(registration(seeded.now(), suspect_birth_date="2010-06-01"))
    driver.complete(case_id, "register_report")
    driver.complete(case_id, "open_investigation", next_step="summon")
    driver.complete(case_id, "draft_suspicion_decision")
    driver.complete(case_id, "approve_suspicion", approved=True)
    with pytest.raises(CheckpointBlocked) as refused:
        driver.complete(case_id, "serve_suspicion_notice", signed=True)
    assert "juvenile_safeguards" in [f["id"] for f in refused.value.failures]
    with pytest.raises(OverrideRefused):
        rights.override(seeded, actors["supervising_prosecutor"], case_id, "juvenile_safeguards",
                        "urgent", "CPC art 131")
    driver.evidence(case_id, "juvenile_safeguards", age_checked=True, specialist_present=True)
    driver.complete(case_id, "serve_suspicion_notice", signed=True)
    driver.evidence(case_id, "counsel_before_interrogation", waived=True, waiver_advised_by="duty lawyer")
    driver.evidence(case_id, "silence_caution", caution_given=True)
    with pytest.raises(CheckpointBlocked) as refused:
        driver.complete(case_id, "interrogate_suspect")
    counsel_failure = {f["id"]: f for f in refused.value.failures}["counsel_before_interrogation"]
    assert any("mandatory" in r for r in counsel_failure["reasons"])
    with pytest.raises(OverrideRefused):
        rights.override(seeded, actors["supervising_prosecutor"], case_id, "counsel_before_interrogation",
                        "the child waived", "CPC art 67")


def test_override_needs_power_reason_and_ground_and_counts_as_overridden(driver, seeded, actors):
    from engine.domain.errors import InvalidData
    case_id = driver.open(registration(seeded.now(), speaks_language_of_proceedings=False))
    # an absolute right admits no override, whoever asks
    for role in ("supervising_prosecutor", "judge"):
        with pytest.raises(OverrideRefused):
            rights.override(seeded, actors[role], case_id, "interpreter", "none available", "CPC art 192")
    with pytest.raises(Forbidden):
        rights.override(seeded, actors["investigator"], case_id, "family_consular_notice", "delay", "CPC art 135")
    with pytest.raises(InvalidData):
        rights.override(seeded, actors["supervising_prosecutor"], case_id, "family_consular_notice", "  ", "CPC 135")
    rights.override(seeded, actors["supervising_prosecutor"], case_id, "family_consular_notice",
                    "family abroad, unreachable", "CPC art 135")
    with seeded.unit_of_work() as s:
        statuses = list(s.execute(select(CheckpointEvaluation.status).where(
            CheckpointEvaluation.case_id == case_id,
            CheckpointEvaluation.checkpoint == "family_consular_notice")).scalars())
    assert statuses == ["overridden"]


def test_missing_caution_flags_the_protocol_for_an_admissibility_ruling(driver, seeded):
    case_id = driver.open(registration(seeded.now()))
    to_suspicion(driver, case_id)
    now = seeded.now()
    driver.evidence(case_id, "counsel_before_interrogation", lawyer_name="A", bar_number="B",
                    requested_at=now.isoformat(), consulted_at=now.isoformat(), present_at_interrogation=True)
    step = driver.complete(case_id, "interrogate_suspect", another_interrogation=False, protocol_number="P-9")
    assert step.flagged == ("silence_caution",)
    flag = driver.view(case_id)["flags"][0]
    assert flag["checkpoint"] == "silence_caution" and "14(3)(g)" in flag["reason"]


def test_evidence_correction_appends_and_supersedes(driver, seeded, actors):
    case_id = driver.open(registration(seeded.now()))
    first = driver.evidence(case_id, "silence_caution", caution_given=False)
    second = rights.record_evidence(seeded, actors["investigator"], case_id, "silence_caution",
                                    {"caution_given": True, "cautioned_at": seeded.now().isoformat(),
                                     "recording_reference": "REC-1"},
                                    occurred_at=seeded.now().isoformat(), corrects=first)
    evidence = driver.view(case_id)["evidence"]
    assert [(e["id"], e["corrects_id"]) for e in evidence] == [(first, None), (second, first)]
    assert evidence[0]["data"]["caution_given"] is False  # never overwritten
    status = {c["id"]: c["status"] for c in driver.view(case_id)["checkpoints"]}
    assert status["silence_caution"] == "passed"


def test_demo_leaves_cases_in_several_stages(seeded, tmp_path):
    from tests.conftest import PROCESSES
    result = demo.run(seeded, PROCESSES)
    with seeded.unit_of_work() as s:
        stages_now = set(s.execute(select(Case.stage)).scalars())
        refused = s.execute(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "task.refused")).scalar()
        overridden = s.execute(select(func.count()).select_from(CheckpointEvaluation)
                               .where(CheckpointEvaluation.status == "overridden")).scalar()
    assert len(stages_now) >= 3 and refused >= 1 and overridden >= 1
    assert set(result["cases"]) >= {"refused_for_want_of_counsel", "interpreter_provided",
                                    "child_detained_and_released", "statement_under_derogation_flagged"}
