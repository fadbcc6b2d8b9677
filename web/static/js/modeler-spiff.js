/* The spiffworkflow BPMN extension as a moddle descriptor, so that bpmn-js reads, keeps and
   writes back the elements Habeas relies on: <spiffworkflow:properties> with its
   <spiffworkflow:property name value>, <spiffworkflow:instructionsForEndUser>, and the
   <spiffworkflow:preScript>/<spiffworkflow:postScript> of a task.  Without it bpmn-js would keep
   them only as opaque generic elements the properties panel could not edit. */
(function (global) {
  "use strict";

  function bodyType(name) {
    return {
      name: name,
      superClass: ["Element"],
      properties: [{ name: "value", type: "String", isBody: true }]
    };
  }

  global.HabeasSpiffDescriptor = {
    name: "SpiffWorkflow",
    uri: "http://spiffworkflow.org/bpmn/schema/1.0/core",
    prefix: "spiffworkflow",
    xml: { tagAlias: "lowerCase" },
    associations: [],
    types: [
      {
        name: "Properties",
        superClass: ["Element"],
        properties: [{ name: "properties", type: "Property", isMany: true }]
      },
      {
        name: "Property",
        superClass: ["Element"],
        properties: [
          { name: "name", type: "String", isAttr: true },
          { name: "value", type: "String", isAttr: true }
        ]
      },
      bodyType("InstructionsForEndUser"),
      bodyType("PreScript"),
      bodyType("PostScript")
    ]
  };
})(typeof window !== "undefined" ? window : globalThis);
