/* The modeler's own lint, live while the designer draws: elements a case cannot reach (no
   incoming sequence flow) or leave (no outgoing one) where BPMN needs one, and plain Tasks (no
   type) where a person's task was meant.  The server's check (engine.workflow.connections)
   applies the same rules on save and deploy and refuses them as errors; this only says it early.
   Exempt as BPMN intends: start and boundary events, event subprocesses, compensation handlers,
   link events, the children of an ad-hoc subprocess. */
(function (global) {
  "use strict";
  var T = global.HabeasI18n.t;

  var MESSAGES = {
    unreachable: "Nothing leads to this element: no sequence flow comes into it, so no case can ever reach it. Connect a flow into it, or remove it.",
    dead_end: "Nothing leaves this element: no sequence flow goes out of it, so a case that reaches it stops there without an end event. Connect it onwards, or end the path with an end event.",
    untyped_task: "This is a plain Task (no type): the engine completes it at once, nobody acts on it and no right is checked there. Make it a user task with a lane and a stage if a person acts, or a script task if the system does."
  };
  var FLOW_NODE = /^bpmn:(.*Task|Task|SubProcess|Transaction|AdHocSubProcess|CallActivity|.*Event|.*Gateway)$/;

  function flows(list) {
    return (list || []).filter(function (f) { return f.$type === "bpmn:SequenceFlow"; }).length;
  }

  function hasDefinition(bo, type) {
    return (bo.eventDefinitions || []).some(function (d) { return d.$type === type; });
  }

  function eventSub(bo) { return /SubProcess$|Transaction$/.test(bo.$type) && bo.triggeredByEvent; }

  function needsIncoming(bo) {
    if (bo.$type === "bpmn:StartEvent" || bo.$type === "bpmn:BoundaryEvent" || eventSub(bo) || bo.isForCompensation) { return false; }
    return !(bo.$type === "bpmn:IntermediateCatchEvent" && hasDefinition(bo, "bpmn:LinkEventDefinition"));
  }

  function needsOutgoing(bo) {
    if (bo.$type === "bpmn:EndEvent" || eventSub(bo) || bo.isForCompensation) { return false; }
    if (bo.$type === "bpmn:BoundaryEvent" && hasDefinition(bo, "bpmn:CompensateEventDefinition")) { return false; }
    return !(bo.$type === "bpmn:IntermediateThrowEvent" && hasDefinition(bo, "bpmn:LinkEventDefinition"));
  }

  /* Every finding on the diagram now: {element, rule, message, severity}. */
  function lint(registry) {
    var found = [];
    registry.filter(function (e) {
      return e.type !== "label" && e.businessObject && FLOW_NODE.test(e.businessObject.$type) && !e.waypoints;
    }).forEach(function (e) {
      var bo = e.businessObject;
      var parent = bo.$parent;
      var adhoc = parent && parent.$type === "bpmn:AdHocSubProcess";
      function add(rule) { found.push({ element: bo.id, rule: rule, message: T(MESSAGES[rule]), severity: "error" }); }
      if (bo.$type === "bpmn:Task") { add("untyped_task"); }
      if (adhoc) { return; }
      if (needsIncoming(bo) && !flows(bo.incoming)) { add("unreachable"); }
      if (needsOutgoing(bo) && !flows(bo.outgoing)) { add("dead_end"); }
    });
    return found;
  }

  global.HabeasLint = { lint: lint, MESSAGES: MESSAGES };
})(window);
