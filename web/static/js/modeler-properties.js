/* Reading and writing a task's spiffworkflow extension elements through bpmn-js commands, so
   that every edit in the properties panel can be undone and ends up in the exported XML:
   <bpmn:extensionElements>
     <spiffworkflow:instructionsForEndUser>...</spiffworkflow:instructionsForEndUser>
     <spiffworkflow:properties><spiffworkflow:property name="stage" value="..."/>...</spiffworkflow:properties>
   </bpmn:extensionElements> */
(function (global) {
  "use strict";

  var PROPERTIES = "spiffworkflow:Properties";
  var INSTRUCTIONS = "spiffworkflow:InstructionsForEndUser";

  function extensionValues(bo) {
    var ext = bo.get("extensionElements");
    return ext ? ext.get("values") : [];
  }

  function findExtension(bo, type) {
    return extensionValues(bo).filter(function (v) { return v.$type === type; })[0] || null;
  }

  /* All spiffworkflow properties of an element as a plain {name: value} object. */
  function readProperties(bo) {
    var holder = findExtension(bo, PROPERTIES), out = {};
    (holder ? holder.get("properties") : []).forEach(function (p) {
      if (p.name) { out[p.name] = p.value || ""; }
    });
    return out;
  }

  function readInstructions(bo) {
    var node = findExtension(bo, INSTRUCTIONS);
    return node ? (node.value || "") : "";
  }

  function Writer(modeler) {
    this.moddle = modeler.get("moddle");
    this.modeling = modeler.get("modeling");
  }

  Writer.prototype.extensionElements = function (element) {
    var bo = element.businessObject, ext = bo.get("extensionElements");
    if (!ext) {
      ext = this.moddle.create("bpmn:ExtensionElements", { values: [] });
      ext.$parent = bo;
      this.modeling.updateProperties(element, { extensionElements: ext });
    }
    return ext;
  };

  Writer.prototype.extension = function (element, type, attrs) {
    var ext = this.extensionElements(element);
    var found = findExtension(element.businessObject, type);
    if (!found) {
      found = this.moddle.create(type, attrs);
      found.$parent = ext;
      this.modeling.updateModdleProperties(element, ext, { values: ext.get("values").concat([found]) });
    }
    return found;
  };

  /* Set one <spiffworkflow:property>; an empty value (or null) removes it. */
  Writer.prototype.setProperty = function (element, name, value) {
    var holder = findExtension(element.businessObject, PROPERTIES);
    var empty = value === null || value === undefined || value === "";
    if (!holder && empty) { return; }
    holder = holder || this.extension(element, PROPERTIES, { properties: [] });
    var list = holder.get("properties");
    var existing = list.filter(function (p) { return p.name === name; })[0];
    if (empty) {
      if (existing) {
        this.modeling.updateModdleProperties(element, holder,
          { properties: list.filter(function (p) { return p !== existing; }) });
      }
    } else if (existing) {
      if (existing.value !== value) { this.modeling.updateModdleProperties(element, existing, { value: value }); }
    } else {
      var created = this.moddle.create("spiffworkflow:Property", { name: name, value: value });
      created.$parent = holder;
      this.modeling.updateModdleProperties(element, holder, { properties: list.concat([created]) });
    }
  };

  Writer.prototype.setInstructions = function (element, text) {
    var node = findExtension(element.businessObject, INSTRUCTIONS);
    if (!node && !text) { return; }
    node = node || this.extension(element, INSTRUCTIONS, { value: "" });
    this.modeling.updateModdleProperties(element, node, { value: text });
  };

  Writer.prototype.setName = function (element, name) {
    this.modeling.updateLabel(element, name);
  };

  /* A comma-separated list of ids, as the diagrams write checkpoints and evidence. */
  function splitIds(text) {
    return (text || "").split(",").map(function (s) { return s.trim(); }).filter(Boolean);
  }

  global.HabeasSpiff = {
    readProperties: readProperties,
    readInstructions: readInstructions,
    splitIds: splitIds,
    Writer: Writer
  };
})(window);
