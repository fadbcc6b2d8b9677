"""The lint rules for disconnected elements and plain Tasks, and that the deploy check reports them."""
from engine.services.processes import validate
from engine.workflow.bpmn_xml import parse_xml_safely
from engine.workflow.connections import check
from tests import variants

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"


def doc(body: str) -> str:
    return (f'<bpmn:definitions xmlns:bpmn="{BPMN_NS}" id="d" targetNamespace="t">'
            f'<bpmn:process id="p" isExecutable="true">{body}</bpmn:process></bpmn:definitions>')


def found(body: str) -> list[tuple[str, str]]:
    return [(f.rule, f.element) for f in check(parse_xml_safely(doc(body)))]


CONNECTED = ('<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t"/>'
             '<bpmn:scriptTask id="t"/><bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="e"/>'
             '<bpmn:endEvent id="e"/>')


def test_a_connected_process_has_no_finding():
    assert found(CONNECTED) == []


def test_an_element_nothing_leads_to_and_one_nothing_leaves_are_named():
    body = CONNECTED + '<bpmn:scriptTask id="orphan"/><bpmn:sequenceFlow id="f3" sourceRef="orphan" targetRef="e"/>'
    body += '<bpmn:scriptTask id="stuck"/><bpmn:sequenceFlow id="f4" sourceRef="t" targetRef="stuck"/>'
    assert found(body) == [("unreachable", "orphan"), ("dead_end", "stuck")]


def test_a_plain_task_is_reported_even_when_connected():
    body = CONNECTED.replace("scriptTask", "task")
    assert found(body) == [("untyped_task", "t")]


def test_starts_ends_boundaries_and_event_subprocesses_are_exempt_where_bpmn_intends():
    body = CONNECTED + ('<bpmn:boundaryEvent id="b" attachedToRef="t"><bpmn:timerEventDefinition/></bpmn:boundaryEvent>'
                        '<bpmn:sequenceFlow id="f5" sourceRef="b" targetRef="e"/>'
                        '<bpmn:subProcess id="ev" triggeredByEvent="true"><bpmn:startEvent id="es"/>'
                        '<bpmn:sequenceFlow id="f6" sourceRef="es" targetRef="ee"/><bpmn:endEvent id="ee"/></bpmn:subProcess>')
    assert found(body) == []


def test_elements_inside_a_subprocess_are_checked_too():
    body = ('<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="sub"/>'
            '<bpmn:subProcess id="sub"><bpmn:startEvent id="is"/><bpmn:scriptTask id="lost"/></bpmn:subProcess>'
            '<bpmn:sequenceFlow id="f2" sourceRef="sub" targetRef="e"/><bpmn:endEvent id="e"/>')
    assert found(body) == [("dead_end", "is"), ("unreachable", "lost"), ("dead_end", "lost")]


def test_a_non_executable_process_is_not_read():
    xml = doc("").replace('isExecutable="true"', 'isExecutable="false"').replace("</bpmn:process>", '<bpmn:task id="x"/></bpmn:process>')
    assert check(parse_xml_safely(xml)) == []


def _with_disconnected_plain_task(xml: str) -> str:
    return xml.replace('<bpmn:endEvent id="case_terminated_early"', '<bpmn:task id="forgotten" name="Judge decides" />'
                       '\n    <bpmn:endEvent id="case_terminated_early"', 1)


def test_the_deploy_check_refuses_a_disconnected_plain_task_with_every_rule_named():
    xml = _with_disconnected_plain_task(variants.CRIMINAL_CASE)
    assert xml != variants.CRIMINAL_CASE
    result = validate(xml)
    assert not result.ok and result.model is None
    assert sorted(p["rule"] for p in result.errors if p["element"] == "forgotten") == \
        ["dead_end", "unreachable", "untyped_task"]
    assert result.proof == "holds"  # the proof still ran: every finding is shown at once
