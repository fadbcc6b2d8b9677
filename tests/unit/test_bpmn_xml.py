"""Hostile-input-safe parsing of BPMN uploads and the deploy-time lint."""
import json
import socket
from xml.sax.saxutils import quoteattr

import pytest
from lxml import etree

from engine.domain.errors import InvalidBpmn
from engine.domain.stages import STAGE_IDS
from engine.workflow.bpmn_xml import (
    DEFINITIONS,
    Problem,
    _parser,
    lint,
    parse_xml_safely,
    raise_on_errors,
)

CHECKPOINTS = frozenset({"lawyer_present", "rights_explained", "judicial_review"})
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
FORM = json.dumps([{"name": "protocol_number", "type": "string"},
                   {"name": "decision", "type": "choice", "choices": ["hold", "release"]}])


def props(**values) -> str:
    inner = "".join(f"<spiffworkflow:property name={quoteattr(k)} value={quoteattr(v)}/>"
                    for k, v in values.items())
    return ("<bpmn:extensionElements><spiffworkflow:properties>" + inner
            + "</spiffworkflow:properties></bpmn:extensionElements>")


VALID = f"""<?xml version="1.0" encoding="UTF-8"?>
<!-- a comment the parser drops -->
<bpmn:definitions xmlns:bpmn="{BPMN_NS}"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    id="defs" targetNamespace="https://habeas.test">
  <bpmn:process id="case" isExecutable="true">
    <bpmn:laneSet id="lanes">
      <bpmn:lane id="lane_investigator" name="investigator">
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>register</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>compute</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>detain</bpmn:flowNodeRef>
      </bpmn:lane>
      <bpmn:lane id="lane_judge" name="judge">
        <bpmn:flowNodeRef>review_sub</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>gw</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>deadline</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>end</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="register"/>
    <bpmn:userTask id="register" name="Register the case">
      {props(stage="registration", form=FORM, checkpoints="rights_explained")}
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="register" targetRef="compute"/>
    <bpmn:scriptTask id="compute">
      <bpmn:extensionElements>
        <spiffworkflow:preScript>before = 1</spiffworkflow:preScript>
        <spiffworkflow:postScript>after = before + 1</spiffworkflow:postScript>
      </bpmn:extensionElements>
      <bpmn:script>hours = 48
label = "case " + str(hours).upper()</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f3" sourceRef="compute" targetRef="detain"/>
    <bpmn:userTask id="detain">
      {props(stage="detention", form="[]", evidence="lawyer_present")}
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f4" sourceRef="detain" targetRef="review_sub"/>
    <bpmn:subProcess id="review_sub">
      <bpmn:startEvent id="sub_start"/>
      <bpmn:sequenceFlow id="sf1" sourceRef="sub_start" targetRef="review"/>
      <bpmn:userTask id="review">
        {props(stage="custody", form=FORM, checkpoints="judicial_review, lawyer_present")}
      </bpmn:userTask>
      <bpmn:sequenceFlow id="sf2" sourceRef="review" targetRef="sub_end"/>
      <bpmn:endEvent id="sub_end"/>
    </bpmn:subProcess>
    <bpmn:sequenceFlow id="f5" sourceRef="review_sub" targetRef="gw"/>
    <bpmn:exclusiveGateway id="gw" default="f_release"/>
    <bpmn:sequenceFlow id="f_hold" sourceRef="gw" targetRef="deadline">
      <bpmn:conditionExpression>decision == "hold" and hours &gt; 24</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_release" sourceRef="gw" targetRef="end"/>
    <bpmn:intermediateCatchEvent id="deadline">
      <bpmn:timerEventDefinition id="deadline_def">
        <bpmn:timeDuration>"PT48H"</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f6" sourceRef="deadline" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
"""


def problems_of(xml: str) -> list[Problem]:
    return lint(parse_xml_safely(xml), STAGE_IDS, CHECKPOINTS)


def errors_of(xml: str) -> list[Problem]:
    return [p for p in problems_of(xml) if p.severity == "error"]


def only_error(xml: str) -> Problem:
    errors = errors_of(xml)
    assert len(errors) == 1, errors
    return errors[0]


def refused(data, **kwargs) -> str:
    with pytest.raises(InvalidBpmn) as raised:
        parse_xml_safely(data, **kwargs)
    problems = raised.value.problems
    assert problems == [{"element": None, "message": raised.value.message}]
    return raised.value.message


# ---------------------------------------------------------------- parsing


def test_valid_document_parses_to_definitions_without_comments():
    root = parse_xml_safely(VALID)
    assert root.tag == DEFINITIONS
    assert not any(isinstance(node, etree._Comment) for node in root.getroottree().iter())
    assert parse_xml_safely(VALID.encode()).tag == DEFINITIONS


def test_not_xml():
    assert refused(b"this is not xml").startswith("not XML: ")
    assert refused(b"").startswith("not XML: ")
    assert refused(b"<bpmn:definitions").startswith("not XML: ")


def test_not_bpmn():
    assert refused(b"<definitions/>").startswith("not BPMN 2.0")
    assert refused(f'<process xmlns="{BPMN_NS}"/>').startswith("not BPMN 2.0")


def test_too_large_is_refused_before_parsing():
    message = refused(b"<" * 101, max_bytes=100)
    assert "too large" in message
    assert "too large" in refused(VALID, max_bytes=len(VALID.encode()) - 1)


@pytest.fixture
def secret(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text("TOP-SECRET-CONTENT")
    return path


def xxe(secret_path) -> str:
    return (f'<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY e SYSTEM "file://{secret_path}">]>\n'
            f'<bpmn:definitions xmlns:bpmn="{BPMN_NS}"><bpmn:documentation>&e;</bpmn:documentation>'
            '</bpmn:definitions>')


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
              for i in range(1, 10))
    + f']><bpmn:definitions xmlns:bpmn="{BPMN_NS}">&lol9;</bpmn:definitions>')


def test_external_entity_is_refused_and_the_file_not_read(secret):
    message = refused(xxe(secret))
    assert "DTD" in message and "TOP-SECRET" not in message


def test_doctype_hidden_from_a_byte_scan_is_still_refused_after_parsing(secret):
    """UTF-16 hides '<!DOCTYPE' from the byte pre-check: the parsed document's docinfo catches it."""
    data = xxe(secret).replace('version="1.0"?>', 'version="1.0" encoding="UTF-16"?>').encode("utf-16")
    assert b"<!DOCTYPE" not in data
    message = refused(data)
    assert "DTD" in message and "TOP-SECRET" not in message


def test_the_parser_itself_never_resolves_entities(secret):
    """Defence in depth: even without our refusal, the parser leaves entities unexpanded."""
    root = etree.fromstring(xxe(secret).encode(), parser=_parser())
    assert b"TOP-SECRET" not in etree.tostring(root)
    try:  # libxml2 may refuse the declarations outright ("entity amplification"); never expands them
        root = etree.fromstring(BILLION_LAUGHS.encode(), parser=_parser())
    except etree.XMLSyntaxError as err:
        assert "amplification" in str(err)
    else:
        assert len(etree.tostring(root)) < 200


def test_billion_laughs_is_refused():
    assert "DTD" in refused(BILLION_LAUGHS)


@pytest.fixture
def listener():
    """A local TCP server that records whether anybody connected."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.setblocking(False)
    yield server
    server.close()


def connected(server) -> bool:
    try:
        connection, _ = server.accept()
    except BlockingIOError:
        return False
    connection.close()
    return True


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_external_dtd_is_refused_without_network_access(listener, encoding):
    port = listener.getsockname()[1]
    for url in (f"http://127.0.0.1:{port}/x.dtd", "http://127.0.0.1:9/x.dtd"):
        doc = (f'<?xml version="1.0" encoding="{encoding}"?>\n<!DOCTYPE d SYSTEM "{url}">\n'
               f'<bpmn:definitions xmlns:bpmn="{BPMN_NS}"/>')
        assert "DTD" in refused(doc.encode(encoding))
        etree.fromstring(doc.encode(encoding), parser=_parser())  # the bare parser fetches nothing
    assert not connected(listener)


# ---------------------------------------------------------------- lint


def test_valid_document_has_no_problems():
    assert problems_of(VALID) == []


def test_no_executable_process():
    problem = only_error(VALID.replace('isExecutable="true"', 'isExecutable="false"'))
    assert problem == Problem(None, "no executable process", "error")


def test_unknown_stage_names_it_and_lists_the_known_ones():
    problem = only_error(VALID.replace('value="registration"', 'value="torture"'))
    assert problem.element == "register"
    assert "'torture'" in problem.message and "registration" in problem.message
    assert "investigation" in problem.message


def test_user_task_without_stage():
    problem = only_error(VALID.replace(
        '<spiffworkflow:property name="stage" value="detention"/>', ""))
    assert problem.element == "detain" and "stage" in problem.message


def test_unknown_checkpoint():
    problem = only_error(VALID.replace('"judicial_review, lawyer_present"', '"judicial_review, magic"'))
    assert problem.element == "review" and "magic" in problem.message
    assert "judicial_review" in problem.message  # lists the known ones


def test_unknown_evidence_checkpoint():
    problem = only_error(VALID.replace('value="lawyer_present"/>', 'value="confession"/>'))
    assert problem.element == "detain" and "confession" in problem.message


def test_condition_that_does_not_compile_names_the_flow():
    problem = only_error(VALID.replace('decision == "hold"', "__import__('os') and decision"))
    assert problem.element == "f_hold"
    assert problem.message.startswith("expression does not compile: ") and "__import__" in problem.message


def test_condition_with_a_syntax_error():
    problem = only_error(VALID.replace('decision == "hold"', "decision =="))
    assert problem.element == "f_hold" and "does not compile" in problem.message


def test_script_that_does_not_compile_names_the_task():
    problem = only_error(VALID.replace("hours = 48", "import os\nhours = 48"))
    assert problem.element == "compute" and "does not compile" in problem.message
    assert "import" in problem.message


@pytest.mark.parametrize("which", ["preScript", "postScript"])
def test_pre_and_post_scripts_are_compiled(which):
    original = {"preScript": "before = 1", "postScript": "after = before + 1"}[which]
    problem = only_error(VALID.replace(original, "x = ().__class__"))
    assert problem.element == "compute" and "__class__" in problem.message


def test_script_task_without_script():
    doc = VALID.replace(VALID[VALID.index("<bpmn:script>"):VALID.index("</bpmn:script>") + 14], "")
    assert only_error(doc).element == "compute"


def test_timer_that_does_not_compile_names_the_event():
    problem = only_error(VALID.replace('"PT48H"', "(x for x in ()).gi_frame"))
    assert problem.element == "deadline"
    assert problem.message.startswith("expression does not compile: ")


def test_unquoted_timer_literal_is_an_error_with_the_fix():
    problem = only_error(VALID.replace('"PT48H"', "PT48H"))
    assert problem.element == "deadline" and '"PT48H"' in problem.message


def test_timer_from_task_data_is_fine():
    assert problems_of(VALID.replace('"PT48H"', 'f"PT{hours}H"')) == []


def test_missing_form():
    problem = only_error(VALID.replace(
        '<spiffworkflow:property name="form" value="[]"/>', ""))
    assert problem.element == "detain" and "missing form" in problem.message


def test_form_that_is_not_json():
    problem = only_error(VALID.replace('value="[]"', 'value="[{name: x}]"'))
    assert problem.element == "detain" and problem.message.startswith("form is not valid JSON: ")


def test_form_that_is_not_a_list():
    problem = only_error(VALID.replace('value="[]"', f"value={quoteattr(json.dumps({'name': 'x'}))}"))
    assert problem.element == "detain" and "list" in problem.message


@pytest.mark.parametrize("field,expected", [
    ({"name": "x", "type": "colour"}, "unknown type 'colour'"),
    ({"name": "_secret"}, "_secret"),
    ({"name": "pick", "type": "choice"}, "lists no choices"),
    ({"type": "string"}, "needs a 'name'"),
])
def test_form_field_errors_come_from_form_field(field, expected):
    problem = only_error(VALID.replace('value="[]"', f"value={quoteattr(json.dumps([field]))}"))
    assert problem.element == "detain" and expected in problem.message


def test_form_with_a_duplicate_field():
    form = json.dumps([{"name": "x"}, {"name": "x"}])
    problem = only_error(VALID.replace('value="[]"', f"value={quoteattr(form)}"))
    assert "twice" in problem.message


def test_user_task_outside_any_lane():
    problem = only_error(VALID.replace("<bpmn:flowNodeRef>detain</bpmn:flowNodeRef>", ""))
    assert problem.element == "detain" and "lane" in problem.message


def test_user_task_in_a_lane_without_a_name():
    errors = errors_of(VALID.replace('name="investigator"', ""))
    assert [e.element for e in errors] == ["register", "detain"]
    assert all("named lane" in e.message for e in errors)


def test_user_task_in_a_subprocess_inherits_its_lane_or_needs_its_own():
    without_sub_lane = VALID.replace("<bpmn:flowNodeRef>review_sub</bpmn:flowNodeRef>", "")
    assert only_error(without_sub_lane).element == "review"
    own_lane = without_sub_lane.replace("<bpmn:flowNodeRef>gw</bpmn:flowNodeRef>",
                                        "<bpmn:flowNodeRef>gw</bpmn:flowNodeRef>"
                                        "<bpmn:flowNodeRef>review</bpmn:flowNodeRef>")
    assert errors_of(own_lane) == []


def test_gateway_without_default_is_only_a_warning():
    problems = problems_of(VALID.replace(' default="f_release"', ""))
    assert [p.severity for p in problems] == ["warning"]
    assert problems[0].element == "gw" and "default" in problems[0].message


def test_gateway_with_one_way_out_needs_no_default():
    doc = VALID.replace(' default="f_release"', "").replace(
        '<bpmn:sequenceFlow id="f_release" sourceRef="gw" targetRef="end"/>', "")
    assert problems_of(doc) == []


def test_problem_to_dict_and_raise_on_errors():
    problems = problems_of(VALID.replace('value="registration"', 'value="torture"')
                           .replace(' default="f_release"', ""))
    assert {p.severity for p in problems} == {"error", "warning"}
    with pytest.raises(InvalidBpmn) as raised:
        raise_on_errors(problems)
    assert raised.value.problems == [
        {"element": "register", "message": problems[0].message, "severity": "error"}]
    warnings = raise_on_errors([p for p in problems if p.severity == "warning"])
    assert [w.to_dict()["element"] for w in warnings] == ["gw"]


def test_the_safely_parsed_root_feeds_spiffworkflow_and_lanes_agree_with_the_lint():
    """The adapter hands this root to SpiffWorkflow instead of letting it re-parse the upload."""
    from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

    parser = SpiffBpmnParser()
    parser.add_bpmn_xml(parse_xml_safely(VALID))
    spec = parser.get_spec("case")
    subprocess_specs = parser.get_subprocess_specs("case")
    assert spec.task_specs["register"].lane == "investigator"
    assert spec.task_specs["detain"].lane == "investigator"
    assert subprocess_specs["review_sub"].task_specs["review"].lane == "judge"  # inherited
    assert spec.task_specs["register"].extensions["properties"]["stage"] == "registration"
