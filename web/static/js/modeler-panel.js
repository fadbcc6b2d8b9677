/* The modeler's properties panel, in plain DOM: the selected element's name and, for a user
   task, the stage it enters, the checkpoints the catalogue enforces there (read-only), the
   checkpoints the diagram adds, the evidence its form records, its instructions and its form.
   Every edit goes through HabeasSpiff.Writer (bpmn-js commands: undoable, exported). */
(function (global) {
  "use strict";
  var T = global.HabeasI18n.t;

  var uid = 0;

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      var value = attrs[key];
      if (value === null || value === undefined || value === false) { return; }
      if (key === "text") { node.textContent = value; }
      else if (key === "className") { node.className = value; }
      else if (key.slice(0, 2) === "on") { node.addEventListener(key.slice(2), value); }
      else if (value === true) { node.setAttribute(key, ""); }
      else { node.setAttribute(key, value); }
    });
    (children || []).forEach(function (child) {
      if (child) { node.appendChild(typeof child === "string" ? document.createTextNode(child) : child); }
    });
    return node;
  }

  function nextId(name) { uid += 1; return "panel-" + name + "-" + uid; }

  function labelled(labelText, control, help) {
    var helpNode = help ? el("p", { className: "help", id: nextId("help"), text: help }) : null;
    if (helpNode) { control.setAttribute("aria-describedby", helpNode.id); }
    return el("div", { className: "field" }, [el("label", { "for": control.id, text: labelText }), control, helpNode]);
  }

  function Panel(modeler, container, vocabulary) {
    this.modeler = modeler;
    this.container = container;
    this.vocabulary = vocabulary;
    this.writer = new global.HabeasSpiff.Writer(modeler);
    this.element = null;
    this.writing = false;
    this.stages = {};
    this.checkpoints = {};
    vocabulary.stages.forEach(function (s) { this.stages[s.id] = s; }, this);
    vocabulary.checkpoints.forEach(function (c) { this.checkpoints[c.id] = c; }, this);
    var self = this;
    modeler.on("selection.changed", function (event) {
      self.show(event.newSelection.length === 1 ? event.newSelection[0] : null);
    });
    modeler.on("elements.changed", function (event) {
      if (self.writing || !self.element) { return; }
      var touched = event.elements.some(function (e) { return e.id === self.element.id; });
      if (touched) { self.show(self.modeler.get("elementRegistry").get(self.element.id) || null); }
    });
  }

  /* Run a change through the writer without re-rendering the panel under the user's cursor. */
  Panel.prototype.write = function (change) {
    this.writing = true;
    try { change(this.writer, this.element); } finally { this.writing = false; }
  };

  Panel.prototype.show = function (element) {
    this.element = element && element.type !== "label" ? element : (element && element.labelTarget) || element;
    var body = this.container;
    body.textContent = "";
    if (!this.element || !this.element.businessObject || this.element.type === "bpmn:Process"
        || this.element.type === "bpmn:Collaboration") {
      body.appendChild(el("p", { className: "help", text: T("Select a task in the diagram (or choose one above) to edit its name, stage, checkpoints and form.") }));
      return;
    }
    var bo = this.element.businessObject;
    body.appendChild(el("p", { className: "element-id" }, [
      el("span", { text: this.element.type.replace("bpmn:", "") + " " }), el("code", { text: bo.id })]));
    body.appendChild(this.nameField(bo));
    if (this.element.type === "bpmn:UserTask") {
      var props = global.HabeasSpiff.readProperties(bo);
      body.appendChild(this.stageField(props.stage || ""));
      body.appendChild(this.checkpointField("checkpoints", T("Checkpoints this task adds"),
        T("A diagram can only add rights: those the catalogue enforces for the stage always apply."), props));
      body.appendChild(this.checkpointField("evidence", T("Records the evidence of"),
        T("The task's form records these checkpoints' evidence (their fields are added to the form)."), props));
      body.appendChild(this.instructionsField(bo));
      body.appendChild(this.formEditor(props.form));
    }
  };

  Panel.prototype.nameField = function (bo) {
    var self = this;
    var input = el("input", { id: "panel-name", type: "text", value: bo.name || "", onchange: function () {
      self.write(function (writer, element) { writer.setName(element, input.value.trim()); });
    } });
    return labelled(T("Name"), input);
  };

  Panel.prototype.stageField = function (stage) {
    var self = this, listId = nextId("stages");
    var list = el("datalist", { id: listId }, this.vocabulary.stages.map(function (s) {
      return el("option", { value: s.id, text: s.title });
    }));
    var input = el("input", { id: "panel-stage", type: "text", list: listId, value: stage, autocomplete: "off",
      spellcheck: "false" });
    var note = el("div", { className: "stage-note", id: "panel-stage-note", "aria-live": "polite" });
    input.addEventListener("change", function () {
      var value = input.value.trim();
      self.write(function (writer, element) { writer.setProperty(element, "stage", value); });
      self.describeStage(note, value);
      self.refreshEnforced(value);
    });
    this.describeStage(note, stage);
    return el("div", { className: "field" }, [
      el("label", { "for": input.id, text: T("Stage this task enters") }), input, list, note]);
  };

  /* What the catalogue enforces on entry to the stage: shown, never editable from a diagram. */
  Panel.prototype.describeStage = function (note, stage) {
    note.textContent = "";
    if (!stage) {
      note.appendChild(el("p", { className: "warn", text: T("A user task must declare a stage.") }));
      return;
    }
    var known = this.stages[stage];
    if (!known) {
      note.appendChild(el("p", { className: "warn", text: T("'%(stage)s' is not a stage the engine knows: saving will report it.", { stage: stage }) }));
      return;
    }
    var guarded = known.guarded_by;
    var rights = guarded.map(function (id) { return (this.checkpoints[id] || {}).right || id; }, this);
    note.appendChild(el("p", { className: "help", text: T("%(stage)s. The catalogue enforces on entry: %(rights)s.",
      { stage: known.title, rights: rights.length ? rights.join("; ") : T("no checkpoint") }) }));
  };

  Panel.prototype.enforcedFor = function (stage) {
    var known = this.stages[stage];
    return known ? known.guarded_by : [];
  };

  Panel.prototype.refreshEnforced = function (stage) {
    var enforced = this.enforcedFor(stage);
    var boxes = this.container.querySelectorAll("fieldset[data-property=checkpoints] input[type=checkbox]");
    Array.prototype.forEach.call(boxes, function (box) {
      var isEnforced = enforced.indexOf(box.value) >= 0;
      box.disabled = isEnforced;
      if (isEnforced) { box.checked = true; }
      else if (box.dataset.declared !== "true") { box.checked = false; }
      box.parentNode.classList.toggle("enforced", isEnforced);
    });
  };

  Panel.prototype.checkpointField = function (property, legend, help, props) {
    var self = this, declared = global.HabeasSpiff.splitIds(props[property]);
    var enforced = property === "checkpoints" ? this.enforcedFor(props.stage) : [];
    var ids = this.vocabulary.checkpoints.map(function (c) { return c.id; });
    declared.forEach(function (id) { if (ids.indexOf(id) < 0) { ids.push(id); } });
    var fieldset = el("fieldset", { className: "checkpoints", "data-property": property }, [
      el("legend", { text: legend }), el("p", { className: "help", text: help })]);
    ids.forEach(function (id) {
      var known = self.checkpoints[id];
      var isEnforced = enforced.indexOf(id) >= 0;
      var box = el("input", { type: "checkbox", id: nextId(property), value: id,
        checked: declared.indexOf(id) >= 0 || isEnforced, disabled: isEnforced,
        "data-declared": declared.indexOf(id) >= 0 ? "true" : "false" });
      box.addEventListener("change", function () {
        box.dataset.declared = box.checked ? "true" : "false";
        self.writeCheckpoints(fieldset, property);
      });
      /* the right in words; its id, which the diagram's property holds, beside it for the designer */
      var words = known ? known.right : T("not in the catalogue");
      fieldset.appendChild(el("label", { "for": box.id, className: "check" + (isEnforced ? " enforced" : "") +
        (known ? "" : " unknown"), title: words }, [box, " " + words + " ", el("code", { text: id })]));
    });
    return fieldset;
  };

  Panel.prototype.writeCheckpoints = function (fieldset, property) {
    var chosen = [];
    Array.prototype.forEach.call(fieldset.querySelectorAll("input[type=checkbox]"), function (box) {
      if (box.dataset.declared === "true") { chosen.push(box.value); }
    });
    this.write(function (writer, element) { writer.setProperty(element, property, chosen.join(",")); });
  };

  Panel.prototype.instructionsField = function (bo) {
    var self = this;
    var area = el("textarea", { id: "panel-instructions", rows: "3" });
    area.value = global.HabeasSpiff.readInstructions(bo);
    area.addEventListener("change", function () {
      self.write(function (writer, element) { writer.setInstructions(element, area.value); });
    });
    return labelled(T("Instructions for the person doing the task"), area);
  };

  Panel.prototype.formEditor = function (raw) {
    var fields;
    try { fields = JSON.parse(raw || "[]"); } catch (err) { fields = null; }
    if (!Array.isArray(fields)) { return this.rawFormEditor(raw); }
    return new global.HabeasFormEditor(this, fields).node;
  };

  /* A form that is not a JSON list is edited as text; saving reports what is wrong with it. */
  Panel.prototype.rawFormEditor = function (raw) {
    var self = this;
    var area = el("textarea", { id: "panel-form-raw", rows: "6", spellcheck: "false" });
    area.value = raw || "";
    area.addEventListener("change", function () {
      self.write(function (writer, element) { writer.setProperty(element, "form", area.value || "[]"); });
    });
    return el("fieldset", { className: "form-editor" }, [el("legend", { text: T("Form") }),
      el("p", { className: "warn", text: T("The form is not a JSON list of fields; edit it as text.") }),
      labelled(T("Form (JSON)"), area)]);
  };

  global.HabeasPanel = Panel;
  global.HabeasDom = { el: el, nextId: nextId, labelled: labelled };
})(window);
