/* The form editor of the properties panel: one fieldset per form field (name, type, required,
   label, help, choices), written back as the task's 'form' property, a JSON list. */
(function (global) {
  "use strict";
  var T = global.HabeasI18n.t;

  var dom = global.HabeasDom;

  function FormEditor(panel, fields) {
    this.panel = panel;
    this.fields = fields.map(function (f) { return Object.assign({}, f); });
    this.list = dom.el("ol", { className: "form-fields" });
    var self = this;
    var add = dom.el("button", { type: "button", className: "secondary", text: T("Add a field"), onclick: function () {
      self.fields.push({ name: "", type: "string", required: true, label: "", help: "" });
      self.render();
      self.save();
      var inputs = self.list.querySelectorAll("input[data-key=name]");
      if (inputs.length) { inputs[inputs.length - 1].focus(); }
    } });
    this.node = dom.el("fieldset", { className: "form-editor" }, [
      dom.el("legend", { text: T("Form") }),
      dom.el("p", { className: "help", text: T("What the person completing the task fills in. Names are identifiers (letters, digits, _).") }),
      this.list, add]);
    this.render();
  }

  FormEditor.prototype.save = function () {
    var json = JSON.stringify(this.fields.map(clean));
    this.panel.write(function (writer, element) { writer.setProperty(element, "form", json); });
  };

  /* Drop what a field does not need: no choices unless it is a choice field. */
  function clean(field) {
    var out = { name: field.name, type: field.type || "string", required: field.required !== false,
                label: field.label || "", help: field.help || "" };
    if (out.type === "choice" || (field.choices && field.choices.length)) { out.choices = field.choices || []; }
    return out;
  }

  FormEditor.prototype.render = function () {
    this.list.textContent = "";
    this.fields.forEach(function (field, index) { this.list.appendChild(this.row(field, index)); }, this);
    if (!this.fields.length) {
      this.list.appendChild(dom.el("li", { className: "help", text: T("No fields: the task is completed with one click.") }));
    }
  };

  FormEditor.prototype.input = function (field, key, label, type) {
    var self = this;
    var input = dom.el("input", { id: dom.nextId("form-" + key), type: type || "text", "data-key": key });
    if (type === "checkbox") { input.checked = field[key] !== false; } else { input.value = field[key] || ""; }
    input.addEventListener("change", function () {
      field[key] = type === "checkbox" ? input.checked : input.value.trim();
      self.save();
    });
    return type === "checkbox"
      ? dom.el("label", { "for": input.id, className: "check" }, [input, " " + label])
      : dom.labelled(label, input);
  };

  FormEditor.prototype.typeSelect = function (field, choicesRow) {
    var self = this;
    var select = dom.el("select", { id: dom.nextId("form-type"), "data-key": "type" },
      this.panel.vocabulary.field_types.map(function (t) {
        return dom.el("option", { value: t, text: t, selected: (field.type || "string") === t });
      }));
    select.addEventListener("change", function () {
      field.type = select.value;
      choicesRow.hidden = field.type !== "choice";
      self.save();
    });
    return dom.labelled(T("Type"), select);
  };

  FormEditor.prototype.choicesInput = function (field) {
    var self = this;
    var input = dom.el("input", { id: dom.nextId("form-choices"), type: "text", "data-key": "choices",
      value: (field.choices || []).join(", ") });
    input.addEventListener("change", function () {
      field.choices = input.value.split(",").map(function (s) { return s.trim(); }).filter(Boolean);
      self.save();
    });
    var row = dom.labelled(T("Choices (comma-separated)"), input);
    row.hidden = (field.type || "string") !== "choice";
    return row;
  };

  FormEditor.prototype.row = function (field, index) {
    var self = this;
    var choicesRow = this.choicesInput(field);
    var remove = dom.el("button", { type: "button", className: "secondary small",
      text: T("Remove"), "aria-label": T("Remove field %(field)s", { field: field.name || index + 1 }), onclick: function () {
        self.fields.splice(index, 1);
        self.render();
        self.save();
      } });
    var up = index === 0 ? null : dom.el("button", { type: "button", className: "secondary small", text: T("Move up"),
      "aria-label": T("Move field %(field)s up", { field: field.name || index + 1 }), onclick: function () {
        self.fields.splice(index - 1, 0, self.fields.splice(index, 1)[0]);
        self.render();
        self.save();
      } });
    return dom.el("li", { className: "form-field" }, [
      dom.el("fieldset", {}, [
        dom.el("legend", { text: field.name ? T("Field %(number)s: %(name)s", { number: index + 1, name: field.name })
                                            : T("Field %(number)s", { number: index + 1 }) }),
        this.input(field, "name", T("Name")), this.typeSelect(field, choicesRow),
        this.input(field, "required", T("Required"), "checkbox"), this.input(field, "label", T("Label")),
        this.input(field, "help", T("Help")), choicesRow,
        dom.el("div", { className: "row-actions" }, [up, remove])])]);
  };

  global.HabeasFormEditor = FormEditor;
})(window);
