"""Variants of the shipped criminal case, generated from it, for the deploy-time proof's tests:
what a designer might do on a good day (rename, move, add a note-taking task) and on a bad one
(re-tag the interrogation, let a detention end without a judge, weaken or remove a guarded task)."""
from pathlib import Path

CRIMINAL_CASE = (Path(__file__).resolve().parents[1] / "processes" / "criminal_case.bpmn").read_text()


def _replace(xml: str, old: str, new: str, count: int = 1) -> str:
    assert xml.count(old) == count, f"the shipped diagram changed: {old!r} found {xml.count(old)} time(s)"
    return xml.replace(old, new)


def retagged_interrogation(xml: str = CRIMINAL_CASE) -> str:
    """The interrogation's stage label changed to 'investigation' (its act kind kept)."""
    return _replace(xml, '<spiffworkflow:property name="stage" value="interrogation" />',
                    '<spiffworkflow:property name="stage" value="investigation" />')


def detention_dead_end(xml: str = CRIMINAL_CASE) -> str:
    """The 'Detained' flow skips the judge: a detained suspect's case can end with no custody decision."""
    return _replace(xml, 'sourceRef="gw_detained" targetRef="decide_custody"',
                    'sourceRef="gw_detained" targetRef="gw_after_custody"')


def weakened_interrogation(xml: str = CRIMINAL_CASE) -> str:
    """The interrogation re-tagged 'investigation' and typed as a mere investigative act."""
    xml = retagged_interrogation(xml)
    return _replace(xml, '<spiffworkflow:property name="act" value="interrogation" />',
                    '<spiffworkflow:property name="act" value="investigative_act" />')


def without_act(xml: str = CRIMINAL_CASE, act: str = "interrogation") -> str:
    return _replace(xml, f'<spiffworkflow:property name="act" value="{act}" />', "")


def verdict_service_removed(xml: str = CRIMINAL_CASE) -> str:
    """The task serving the verdict replaced by one of another id (the guarded one is gone)."""
    xml = _replace(xml, '"serve_verdict"', '"hand_over_verdict"', count=4)
    return _replace(xml, ">serve_verdict<", ">hand_over_verdict<")


NOTE_TASK = """
    <bpmn:userTask id="note_the_file" name="Note the file">
      <bpmn:extensionElements>
        <spiffworkflow:instructionsForEndUser>Note what the file holds.</spiffworkflow:instructionsForEndUser>
        <spiffworkflow:properties>
          <spiffworkflow:property name="stage" value="investigation" />
          <spiffworkflow:property name="act" value="investigative_act" />
          <spiffworkflow:property name="form" value='[{"name":"note","type":"text","required":false,"label":"Note"}]' />
        </spiffworkflow:properties>
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f_noted" sourceRef="note_the_file" targetRef="open_investigation" />
"""
NOTE_SHAPE = """
      <bpmndi:BPMNShape id="note_the_file_di" bpmnElement="note_the_file">
        <dc:Bounds x="433" y="440" width="130" height="90" />
      </bpmndi:BPMNShape>"""


def everyday_edits(xml: str = CRIMINAL_CASE) -> str:
    """A renamed task, a moved shape and a new unguarded task between registration and opening."""
    xml = _replace(xml, 'name="Register the report in the ERDR"', 'name="Register the crime report in the ERDR"')
    xml = _replace(xml, '<dc:Bounds x="433" y="325" width="130" height="90" />',
                   '<dc:Bounds x="441" y="331" width="130" height="90" />')
    xml = _replace(xml, 'sourceRef="register_report" targetRef="open_investigation"',
                   'sourceRef="register_report" targetRef="note_the_file"')
    xml = _replace(xml, '<bpmn:flowNodeRef>report_received</bpmn:flowNodeRef>',
                   '<bpmn:flowNodeRef>report_received</bpmn:flowNodeRef><bpmn:flowNodeRef>note_the_file</bpmn:flowNodeRef>')
    xml = _replace(xml, '    <bpmn:sequenceFlow id="f_registered"', NOTE_TASK + '    <bpmn:sequenceFlow id="f_registered"')
    return _replace(xml, '<bpmndi:BPMNShape id="register_report_di"',
                    NOTE_SHAPE.strip() + '\n      <bpmndi:BPMNShape id="register_report_di"')
