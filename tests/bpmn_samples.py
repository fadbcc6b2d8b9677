"""Small deployable diagrams for the hardening tests: two investigator tasks, with a script or a
timer (after the start event, or between the tasks) where a test needs one."""
from xml.sax.saxutils import escape, quoteattr

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"


def _props(**values) -> str:
    inner = "".join(f"<spiffworkflow:property name={quoteattr(k)} value={quoteattr(v)}/>" for k, v in values.items())
    return f"<bpmn:extensionElements><spiffworkflow:properties>{inner}</spiffworkflow:properties></bpmn:extensionElements>"


def tiny_process(process_id: str = "tiny", *, script: str | None = None, timer: str | None = None,
                 timer_at_start: bool = False) -> str:
    """start -> [timer] -> first -> [timer] -> [script] -> second -> end, in the investigator's lane.

    ``timer`` is a duration expression (Python: ``'"PT1H"'``); with ``timer_at_start`` the case
    waits on it from the moment it opens."""
    nodes = ["start"]
    body = ['<bpmn:startEvent id="start"/>']
    if timer and timer_at_start:
        nodes.append("wait")
    nodes.append("first")
    if timer and not timer_at_start:
        nodes.append("wait")
    if script is not None:
        nodes.append("act")
    nodes += ["second", "end"]
    for node in nodes[1:]:
        if node in ("first", "second"):
            body.append(f'<bpmn:userTask id="{node}" name="{node.capitalize()} task">'
                        f'{_props(stage="registration", act="registration", form="[]")}</bpmn:userTask>')
        elif node == "wait":
            body.append('<bpmn:intermediateCatchEvent id="wait" name="Wait"><bpmn:timerEventDefinition id="wait_def">'
                        f'<bpmn:timeDuration>{escape(timer)}</bpmn:timeDuration>'
                        '</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>')
        elif node == "act":
            body.append(f'<bpmn:scriptTask id="act" name="Compute"><bpmn:script>{escape(script)}</bpmn:script>'
                        '</bpmn:scriptTask>')
        else:
            body.append('<bpmn:endEvent id="end"/>')
    flows = [f'<bpmn:sequenceFlow id="f{i}" sourceRef="{a}" targetRef="{b}"/>'
             for i, (a, b) in enumerate(zip(nodes, nodes[1:]))]
    refs = "".join(f"<bpmn:flowNodeRef>{n}</bpmn:flowNodeRef>" for n in nodes)
    return (f'<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions xmlns:bpmn="{BPMN}" '
            f'xmlns:spiffworkflow="{SPIFF}" id="defs_{process_id}" targetNamespace="https://habeas.test">'
            f'<bpmn:process id="{process_id}" isExecutable="true">'
            f'<bpmn:laneSet id="lanes"><bpmn:lane id="lane_inv" name="investigator">{refs}</bpmn:lane></bpmn:laneSet>'
            + "".join(body) + "".join(flows) + "</bpmn:process></bpmn:definitions>")


def looping_process(process_id: str = "looping") -> str:
    """first -> a script and a gateway whose default flow leads back to the script: a loop in the
    diagram that never reaches a wait state (each script is quick; the step is not)."""
    nodes = ["start", "first", "act", "gw", "second", "end"]
    refs = "".join(f"<bpmn:flowNodeRef>{n}</bpmn:flowNodeRef>" for n in nodes)
    return (f'<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions xmlns:bpmn="{BPMN}" '
            f'xmlns:spiffworkflow="{SPIFF}" id="defs_{process_id}" targetNamespace="https://habeas.test">'
            f'<bpmn:process id="{process_id}" isExecutable="true">'
            f'<bpmn:laneSet id="lanes"><bpmn:lane id="lane_inv" name="investigator">{refs}</bpmn:lane></bpmn:laneSet>'
            '<bpmn:startEvent id="start"/>'
            f'<bpmn:userTask id="first" name="First task">{_props(stage="registration", act="registration", form="[]")}</bpmn:userTask>'
            '<bpmn:scriptTask id="act" name="Count"><bpmn:script>laps = 1</bpmn:script></bpmn:scriptTask>'
            '<bpmn:exclusiveGateway id="gw" default="f_back"/>'
            f'<bpmn:userTask id="second" name="Second task">{_props(stage="registration", act="registration", form="[]")}</bpmn:userTask>'
            '<bpmn:endEvent id="end"/>'
            '<bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="first"/>'
            '<bpmn:sequenceFlow id="f1" sourceRef="first" targetRef="act"/>'
            '<bpmn:sequenceFlow id="f2" sourceRef="act" targetRef="gw"/>'
            '<bpmn:sequenceFlow id="f_out" sourceRef="gw" targetRef="second">'
            '<bpmn:conditionExpression>laps &lt; 0</bpmn:conditionExpression></bpmn:sequenceFlow>'
            '<bpmn:sequenceFlow id="f_back" sourceRef="gw" targetRef="act"/>'
            '<bpmn:sequenceFlow id="f3" sourceRef="second" targetRef="end"/>'
            "</bpmn:process></bpmn:definitions>")
