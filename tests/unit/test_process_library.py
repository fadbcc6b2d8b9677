"""The process library (processes/*.bpmn): the diagrams parse and validate with SpiffWorkflow,
declare what the engine needs on every user task (stage, lane = role, form), are drawn, and run
in memory along the paths a criminal case takes."""
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.timer import DurationTimerEventDefinition
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

from engine.domain.forms import FormField
from engine.domain.roles import ROLES
from engine.domain.stages import STAGE_IDS

try:
    from engine.domain.catalogue import CHECKPOINT_IDS
except ImportError:  # the catalogue is the source of truth; these are the domain brief's ids
    CHECKPOINT_IDS = frozenset({
        "detention_judicial_review", "rights_information", "counsel_before_interrogation",
        "silence_caution", "interpreter", "family_consular_notice", "medical_examination",
        "juvenile_safeguards", "suspect_status_approval", "custody_term_review", "reasonable_time",
        "complaint_review", "file_access_disclosure", "jury_right", "appeal_notice",
        "ombudsperson_access"})

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = ROOT / "processes"

if (ROOT / "engine" / "workflow" / "sandbox.py").exists():  # scripts and conditions run restricted
    from engine.workflow.sandbox import attach as attach_sandbox
else:
    def attach_sandbox(workflow):
        return workflow

CRIMINAL_CASE = PROCESSES / "criminal_case.bpmn"
COMPLAINT = PROCESSES / "complaint.bpmn"
DIAGRAMS = [(CRIMINAL_CASE, "criminal_case"), (COMPLAINT, "complaint")]

NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
      "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI"}

# Every user task of the library: (stage, lane).
EXPECTED_TASKS = {
    "criminal_case": {
        "register_report": ("registration", "investigator"),
        "open_investigation": ("investigation", "investigator"),
        "apprehend_suspect": ("detention", "investigator"),
        "notify_family_consulate": ("detention", "investigator"),
        "terminate_investigation": ("closed", "prosecutor"),
        "draft_suspicion_decision": ("investigation", "investigator"),
        "approve_suspicion": ("investigation", "prosecutor"),
        "serve_suspicion_notice": ("suspicion", "investigator"),
        "interrogate_suspect": ("interrogation", "investigator"),
        "decide_custody": ("custody", "judge"),
        "notify_end_of_investigation": ("completion", "investigator"),
        "open_file_to_defence": ("completion", "investigator"),
        "further_investigation": ("investigation", "investigator"),
        "review_file": ("indictment", "prosecutor"),
        "terminate_case": ("closed", "prosecutor"),
        "prelim_hearing": ("preliminary_hearing", "judge"),
        "chase_overdue_hearing": ("preliminary_hearing", "supervising_prosecutor"),
        "conduct_trial": ("trial", "judge"),
        "pronounce_verdict": ("trial", "judge"),
        "serve_verdict": ("trial", "judge"),
        "lodge_appeal": ("appeal", "defence"),
        "decide_appeal": ("appeal", "judge"),
        "decide_cassation": ("cassation", "judge"),
        "close_case": ("closed", "judge"),
    },
    "complaint": {
        "file_complaint": ("complaint", "defence"),
        "register_complaint": ("complaint", "judge"),
        "rule_on_complaint": ("complaint", "judge"),
        "register_complaint_prosecutor": ("complaint", "prosecutor"),
        "rule_by_prosecutor": ("complaint", "prosecutor"),
    },
}


# ------------------------------------------------------------------------------------ helpers

def parse(path: Path, process_id: str, validate: bool = False):
    parser = SpiffBpmnParser(validator=VALIDATOR) if validate else SpiffBpmnParser()
    parser.add_bpmn_file(str(path))
    return parser.get_spec(process_id), parser.get_subprocess_specs(process_id)


def user_task_specs(path: Path, process_id: str) -> dict:
    spec, subprocess_specs = parse(path, process_id)
    return {ts.bpmn_id: ts
            for s in (spec, *subprocess_specs.values())
            for ts in s.task_specs.values() if getattr(ts, "manual", False)}


def properties(task_spec) -> dict:
    return (task_spec.extensions or {}).get("properties", {})


def xml(path: Path):
    return etree.parse(str(path)).getroot()


def start(path: Path, process_id: str) -> BpmnWorkflow:
    spec, subprocess_specs = parse(path, process_id)
    workflow = attach_sandbox(BpmnWorkflow(spec, subprocess_specs))
    workflow.do_engine_steps()
    return workflow


def ready_user_tasks(workflow):
    return workflow.get_tasks(state=TaskState.READY, manual=True)


def run(workflow, answers: dict, until: str | None = None,
        limit: int = 80) -> list[tuple[str, str]]:
    """Complete ready user tasks one at a time with ``answers[task id]`` (a dict, or a list of
    dicts used in turn) until the workflow completes, or until task ``until`` is ready.
    Returns the (task id, stage) of every task completed, in order."""
    visited = []
    for _ in range(limit):
        workflow.do_engine_steps()
        assert not workflow.get_tasks(state=TaskState.ERROR)
        if workflow.is_completed():
            return visited
        ready = ready_user_tasks(workflow)
        names = [t.task_spec.bpmn_id for t in ready]
        if until in names:
            return visited
        assert len(ready) == 1, f"expected one ready task, got {names}"
        task = ready[0]
        answer = answers[task.task_spec.bpmn_id]
        task.set_data(**(answer.pop(0) if isinstance(answer, list) else answer))
        task.run()
        visited.append((task.task_spec.bpmn_id, properties(task.task_spec)["stage"]))
    raise AssertionError(f"the workflow did not finish in {limit} steps: {visited}")


def stages(visited):
    return [stage for _, stage in visited]


def tasks(visited):
    return [name for name, _ in visited]


def at(month: int, day: int, hour: int = 8) -> str:
    return datetime(2024, month, day, hour, tzinfo=timezone.utc).isoformat()


T = at(3, 1)


def case_answers(**changes) -> dict:
    """Plausible answers for every task of the criminal case (a detained adult, bench trial, no
    appeal); ``changes`` replaces a task's answer or merges into it when given a dict."""
    answers = {
        "register_report": dict(
            erdr_number="241000000001", report_summary="Theft of a phone reported by the owner",
            offence_article="188 part 2", offence_category="medium", jury_eligible=False,
            suspect_name="A. Example", suspect_birth_date="1990-05-17", age_in_doubt=False,
            suspect_citizenship="KZ", speaks_language_of_proceedings=True, registered_at=T),
        "open_investigation": dict(investigation_form="full", next_step="detain"),
        "apprehend_suspect": dict(apprehended_at=T, place="Abay avenue 10, Almaty",
                                  protocol_number="DP-1"),
        "notify_family_consulate": dict(family_member="Spouse", method="phone",
                                        family_notified_at=at(3, 1, 9)),
        "terminate_investigation": dict(termination_ground="No corpus delicti", terminated_at=T),
        "draft_suspicion_decision": dict(qualification="188 part 2", decision_number="S-1"),
        "approve_suspicion": dict(decision_number="S-1", approved=True,
                                  approved_by="Procedural prosecutor", approved_at=at(3, 1, 10)),
        "serve_suspicion_notice": dict(letter_version="2024-1", language="kk",
                                       informed_at=at(3, 1, 11), signed=True),
        "interrogate_suspect": dict(protocol_number="IP-1", started_at=at(3, 1, 12),
                                    ended_at=at(3, 1, 13), another_interrogation=False),
        "decide_custody": dict(protocol_at=T, petition_at=at(3, 2), hearing_at=at(3, 2, 15),
                               judge="Investigating judge", order_number="C-1", outcome="custody",
                               measure_reasons="Risk of absconding; bail considered and refused"),
        "notify_end_of_investigation": dict(completion_notice_at=at(4, 1), jury_explained=False),
        "open_file_to_defence": dict(completion_notice_at=at(4, 1), file_index="1-120",
                                     defence_access_from=at(4, 2), defence_access_until=at(4, 9)),
        "further_investigation": dict(further_acts="Second expert examination of the phone"),
        "review_file": dict(indictment_decision="send_to_court", indictment_served_at=at(4, 15)),
        "terminate_case": dict(termination_ground="Reconciliation with the victim",
                               terminated_at=at(4, 15)),
        "prelim_hearing": dict(explained_at=at(4, 20), accused_choice="bench",
                               hearing_decision="set_trial", jury_trial=False),
        "chase_overdue_hearing": dict(note="Asked the court chair for a hearing date"),
        "conduct_trial": dict(trial_form="bench"),
        "pronounce_verdict": dict(verdict="convicted", verdict_pronounced_at=at(5, 20)),
        "serve_verdict": dict(pronounced_at=at(5, 20), copy_served_at=at(5, 21), language="kk",
                              rights_explained=True, appeal_lodged=False),
        "lodge_appeal": dict(grounds="Sentence too severe", lodged_at=at(5, 30)),
        "decide_appeal": dict(appeal_ruling="upheld", cassation_lodged=False),
        "decide_cassation": dict(cassation_ruling="upheld"),
        "close_case": dict(closed_at=at(6, 30), final_outcome="Convicted; judgment final"),
    }
    for name, change in changes.items():
        answers[name] = {**answers[name], **change} if isinstance(change, dict) else change
    return answers


def answer_list(base: dict, *variants: dict) -> list[dict]:
    return [{**base, **variant} for variant in variants]


# --------------------------------------------------------------------------- the documents

@pytest.mark.parametrize("path,process_id", DIAGRAMS)
def test_validates_against_the_spiffworkflow_schema(path, process_id):
    spec, _ = parse(path, process_id, validate=True)
    assert spec.name == process_id


def test_process_names():
    assert parse(CRIMINAL_CASE, "criminal_case")[0].description == "Criminal case"
    assert parse(COMPLAINT, "complaint")[0].description == "Complaint to the investigating judge"
    for path, process_id in DIAGRAMS:
        process = xml(path).find("bpmn:process", NS)
        assert process.get("id") == process_id and process.get("isExecutable") == "true"


@pytest.mark.parametrize("path,process_id", DIAGRAMS)
def test_user_tasks_declare_stage_lane_form(path, process_id):
    specs = user_task_specs(path, process_id)
    assert {name: (properties(ts).get("stage"), ts.lane) for name, ts in specs.items()} \
        == EXPECTED_TASKS[process_id]
    for name, task_spec in specs.items():
        props = properties(task_spec)
        assert props["stage"] in STAGE_IDS, name
        assert task_spec.lane and task_spec.lane in ROLES, name
        assert task_spec.extensions.get("instructionsForEndUser", "").strip(), name
        fields = [FormField.from_dict(raw) for raw in json.loads(props["form"])]
        assert len({f.name for f in fields}) == len(fields), name
        assert fields or props.get("evidence"), f"{name} records nothing"
        if "evidence" in props:
            recorded = [c.strip() for c in props["evidence"].split(",")]
            assert recorded and set(recorded) <= CHECKPOINT_IDS, name
        for checkpoint in filter(None, props.get("checkpoints", "").split(",")):
            assert checkpoint.strip() in CHECKPOINT_IDS, name


@pytest.mark.parametrize("path,process_id", DIAGRAMS)
def test_every_user_task_is_in_exactly_one_lane_named_by_a_role(path, process_id):
    root = xml(path)
    refs = [ref.text for ref in root.iterfind(".//bpmn:flowNodeRef", NS)]
    for task in root.iterfind(".//bpmn:userTask", NS):
        assert refs.count(task.get("id")) == 1, task.get("id")
    for lane in root.iterfind(".//bpmn:lane", NS):
        assert lane.get("name") in ROLES, lane.get("name")


def test_criminal_case_lanes():
    process = xml(CRIMINAL_CASE).find("bpmn:process", NS)
    names = [lane.get("name") for lane in process.iterfind("bpmn:laneSet/bpmn:lane", NS)]
    assert names == ["investigator", "prosecutor", "supervising_prosecutor", "judge", "defence"]


@pytest.mark.parametrize("path,process_id", DIAGRAMS)
def test_exclusive_gateways_have_a_default_and_conditions(path, process_id):
    root = xml(path)
    flows = {f.get("id"): f for f in root.iterfind(".//bpmn:sequenceFlow", NS)}
    for gateway in root.iterfind(".//bpmn:exclusiveGateway", NS):
        outgoing = [f for f in flows.values() if f.get("sourceRef") == gateway.get("id")]
        if len(outgoing) < 2:
            continue
        default = gateway.get("default")
        assert default in {f.get("id") for f in outgoing}, gateway.get("id")
        for flow in outgoing:
            has_condition = flow.find("bpmn:conditionExpression", NS) is not None
            assert has_condition == (flow.get("id") != default), flow.get("id")


@pytest.mark.parametrize("path,process_id", DIAGRAMS)
def test_every_element_is_drawn(path, process_id):
    root = xml(path)
    drawn = {e.get("bpmnElement") for e in root.iterfind(".//bpmndi:BPMNShape", NS)}
    edges = {e.get("bpmnElement") for e in root.iterfind(".//bpmndi:BPMNEdge", NS)}
    kinds = ("userTask", "scriptTask", "startEvent", "endEvent", "exclusiveGateway", "subProcess",
             "boundaryEvent", "lane", "participant")
    for kind in kinds:
        for element in root.iterfind(f".//bpmn:{kind}", NS):
            assert element.get("id") in drawn, element.get("id")
    for flow in root.iterfind(".//bpmn:sequenceFlow", NS):
        assert flow.get("id") in edges, flow.get("id")


def test_preliminary_hearing_has_a_non_interrupting_ten_day_timer():
    spec, _ = parse(CRIMINAL_CASE, "criminal_case")
    timer = spec.task_specs["hearing_overdue"]
    assert timer.cancel_activity is False
    assert isinstance(timer.event_definition, DurationTimerEventDefinition)
    assert timer.event_definition.expression == '"P10D"'  # timer expressions are Python
    assert [s.name for s in timer.inputs] == ["prelim_hearing.BoundaryEventSplit"]


# ------------------------------------------------------------------------------- the paths

HAPPY_PATH = [
    ("register_report", "registration"),
    ("open_investigation", "investigation"),
    ("apprehend_suspect", "detention"),
    ("notify_family_consulate", "detention"),
    ("draft_suspicion_decision", "investigation"),
    ("approve_suspicion", "investigation"),
    ("serve_suspicion_notice", "suspicion"),
    ("interrogate_suspect", "interrogation"),
    ("decide_custody", "custody"),
    ("notify_end_of_investigation", "completion"),
    ("open_file_to_defence", "completion"),
    ("review_file", "indictment"),
    ("prelim_hearing", "preliminary_hearing"),
    ("conduct_trial", "trial"),
    ("pronounce_verdict", "trial"),
    ("serve_verdict", "trial"),
    ("close_case", "closed"),
]


def test_happy_path_detained_suspect_bench_trial_no_appeal():
    workflow = start(CRIMINAL_CASE, "criminal_case")
    visited = run(workflow, case_answers())
    assert visited == HAPPY_PATH
    assert workflow.is_completed()
    assert workflow.data["detained"] is True
    assert workflow.data["verdict"] == "convicted"


def test_termination_at_investigation():
    workflow = start(CRIMINAL_CASE, "criminal_case")
    visited = run(workflow, case_answers(open_investigation={"next_step": "terminate"}))
    assert visited == [("register_report", "registration"), ("open_investigation", "investigation"),
                       ("terminate_investigation", "closed")]
    assert workflow.is_completed()
    assert workflow.data["detained"] is False


def test_jury_trial_with_appeal_and_cassation():
    answers = case_answers(
        register_report={"offence_category": "especially_grave", "jury_eligible": True},
        open_investigation={"next_step": "summon"},
        notify_end_of_investigation={"jury_explained": True},
        prelim_hearing={"accused_choice": "jury", "jury_trial": True},
        conduct_trial={"trial_form": "jury"},
        serve_verdict={"appeal_lodged": True},
        decide_appeal={"appeal_ruling": "changed", "cassation_lodged": True},
        decide_cassation={"cassation_ruling": "upheld"},
    )
    workflow = start(CRIMINAL_CASE, "criminal_case")
    visited = run(workflow, answers)
    assert stages(visited) == [
        "registration", "investigation", "investigation", "investigation", "suspicion",
        "interrogation", "completion", "completion", "indictment", "preliminary_hearing",
        "trial", "trial", "trial", "appeal", "appeal", "cassation", "closed"]
    assert "decide_custody" not in tasks(visited)  # summoned, not detained: no custody hearing
    assert workflow.is_completed()
    assert workflow.data["trial_form"] == "jury" and workflow.data["cassation_ruling"] == "upheld"


def test_appeal_without_cassation():
    answers = case_answers(serve_verdict={"appeal_lodged": True})
    workflow = start(CRIMINAL_CASE, "criminal_case")
    visited = run(workflow, answers)
    assert tasks(visited)[-4:] == ["serve_verdict", "lodge_appeal", "decide_appeal", "close_case"]
    assert workflow.is_completed()


def test_prosecutor_refuses_then_approves_and_interrogation_repeats():
    approval = case_answers()["approve_suspicion"]
    interrogation = case_answers()["interrogate_suspect"]
    answers = case_answers(
        approve_suspicion=answer_list(
            approval, {"approved": False, "refusal_reasons": "Qualify under 188 part 1"},
            {"approved": True}),
        interrogate_suspect=answer_list(
            interrogation, {"another_interrogation": True},
            {"protocol_number": "IP-2", "another_interrogation": False}),
    )
    workflow = start(CRIMINAL_CASE, "criminal_case")
    visited = run(workflow, answers)
    assert tasks(visited)[4:11] == [
        "draft_suspicion_decision", "approve_suspicion",   # refused
        "draft_suspicion_decision", "approve_suspicion",   # approved
        "serve_suspicion_notice", "interrogate_suspect", "interrogate_suspect"]
    assert stages(visited)[4:11] == (["investigation"] * 4
                                     + ["suspicion", "interrogation", "interrogation"])
    assert workflow.is_completed()


def test_indictment_returned_for_further_investigation():
    review = case_answers()["review_file"]
    answers = case_answers(review_file=answer_list(review, {"indictment_decision": "return"},
                                                   {"indictment_decision": "send_to_court"}))
    workflow = start(CRIMINAL_CASE, "criminal_case")
    visited = run(workflow, answers)
    assert visited[9:17] == [
        ("notify_end_of_investigation", "completion"), ("open_file_to_defence", "completion"),
        ("review_file", "indictment"),
        ("further_investigation", "investigation"),
        ("notify_end_of_investigation", "completion"), ("open_file_to_defence", "completion"),
        ("review_file", "indictment"),
        ("prelim_hearing", "preliminary_hearing")]
    assert workflow.is_completed()


def test_preliminary_hearing_returns_the_case_to_the_prosecutor():
    hearing = case_answers()["prelim_hearing"]
    answers = case_answers(prelim_hearing=answer_list(
        hearing, {"hearing_decision": "return_to_prosecutor"}, {"hearing_decision": "set_trial"}))
    workflow = start(CRIMINAL_CASE, "criminal_case")
    visited = run(workflow, answers)
    assert stages(visited)[11:15] == ["indictment", "preliminary_hearing",
                                      "indictment", "preliminary_hearing"]
    assert workflow.is_completed()


def test_prosecutor_terminates_the_case_at_indictment():
    workflow = start(CRIMINAL_CASE, "criminal_case")
    visited = run(workflow, case_answers(review_file={"indictment_decision": "terminate"}))
    assert visited[-2:] == [("review_file", "indictment"), ("terminate_case", "closed")]
    assert workflow.is_completed()


def test_overdue_preliminary_hearing_goes_to_the_supervising_prosecutor():
    workflow = start(CRIMINAL_CASE, "criminal_case")
    answers = case_answers()
    run(workflow, answers, until="prelim_hearing")
    timers = [t for t in workflow.get_tasks(state=TaskState.WAITING)
              if t.task_spec.bpmn_id == "hearing_overdue"]
    assert len(timers) == 1
    workflow.refresh_waiting_tasks()
    workflow.do_engine_steps()
    ready = [t.task_spec.bpmn_id for t in ready_user_tasks(workflow)]
    assert ready == ["prelim_hearing"]  # not yet due

    # Ten days pass: move the timer's due moment into the past rather than waiting.
    past = datetime.now(timezone.utc) - timedelta(minutes=1)
    timers[0].internal_data["event_value"] = past.isoformat()
    workflow.refresh_waiting_tasks()
    workflow.do_engine_steps()
    ready = {t.task_spec.bpmn_id: t for t in ready_user_tasks(workflow)}
    assert set(ready) == {"prelim_hearing", "chase_overdue_hearing"}  # non-interrupting
    chase = ready["chase_overdue_hearing"]
    assert chase.task_spec.lane == "supervising_prosecutor"
    chase.set_data(**answers["chase_overdue_hearing"])
    chase.run()
    visited = run(workflow, answers)
    assert tasks(visited)[0] == "prelim_hearing" and tasks(visited)[-1] == "close_case"
    assert workflow.is_completed()


def test_hearing_held_in_time_cancels_the_timer():
    workflow = start(CRIMINAL_CASE, "criminal_case")
    run(workflow, case_answers())
    assert workflow.is_completed()
    timers = [t for t in workflow.get_tasks() if t.task_spec.bpmn_id == "hearing_overdue"]
    assert [t.state for t in timers] == [TaskState.CANCELLED]
    completed = workflow.get_tasks(state=TaskState.COMPLETED)
    assert "chase_overdue_hearing" not in {t.task_spec.bpmn_id for t in completed}


def test_complaint_path():
    workflow = start(COMPLAINT, "complaint")
    answers = {
        "file_complaint": dict(act_complained_of="Refusal to admit the lawyer to the interrogation",
                               learned_of_act_at=T, complaint_filed_at=at(3, 5),
                               complaint_challenges_detention=False, addressed_to="judge"),
        "register_complaint": dict(complaint_registered_at=at(3, 5, 10),
                                   routed_to="Investigating judge"),
        "rule_on_complaint": dict(ruling="upheld", ruled_at=at(3, 8),
                                  ruling_reasons="The lawyer was refused unlawfully"),
    }
    visited = run(workflow, answers)
    assert visited == [("file_complaint", "complaint"), ("register_complaint", "complaint"),
                       ("rule_on_complaint", "complaint")]
    assert workflow.is_completed()
    assert workflow.data["ruling"] == "upheld"
