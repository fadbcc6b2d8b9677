/* The modeler page: bpmn-js with the spiffworkflow extension, the properties panel, and save
   (the server's validator: each problem listed and marked on its element, a click selects it)
   and deploy (a new version; a model with errors never deploys). */
(function () {
  "use strict";
  var T = window.HabeasI18n.t;

  var dom = window.HabeasDom;
  var setup = JSON.parse(document.getElementById("modeler-setup").textContent);
  var csrf = document.querySelector("meta[name=csrf-token]").getAttribute("content");
  var status = document.getElementById("modeler-status");
  var problemList = document.getElementById("problem-list");
  var problemSummary = document.getElementById("problem-summary");
  var picker = document.getElementById("element-picker");
  var marked = [];

  var modeler = new window.BpmnJS({
    container: "#canvas",
    keyboard: { bindTo: document },
    moddleExtensions: { spiffworkflow: window.HabeasSpiffDescriptor }
  });
  var panel = new window.HabeasPanel(modeler, document.getElementById("panel-body"), setup.vocabulary);

  function say(text, kind) {
    status.textContent = text;
    status.className = "status" + (kind ? " " + kind : "");
  }

  function registry() { return modeler.get("elementRegistry"); }

  /* Select an element, opening the subprocess plane it sits in and bringing it into view. */
  function selectElement(id) {
    var element = registry().get(id);
    if (!element) { return false; }
    var canvas = modeler.get("canvas");
    var root = canvas.findRoot(element);
    if (root && root !== canvas.getRootElement()) { canvas.setRootElement(root); }
    canvas.scrollToElement(element);
    modeler.get("selection").select(element);
    return true;
  }

  function fillPicker() {
    picker.textContent = "";
    picker.appendChild(dom.el("option", { value: "", text: T("Choose an element…") }));
    var nodes = registry().filter(function (e) {
      return e.businessObject && e.type !== "label" && /Task$|SubProcess$|Event$|Gateway$|CallActivity$/.test(e.type);
    });
    nodes.sort(function (a, b) {
      var ua = a.type === "bpmn:UserTask" ? 0 : 1, ub = b.type === "bpmn:UserTask" ? 0 : 1;
      return ua - ub || (a.businessObject.name || a.id).localeCompare(b.businessObject.name || b.id);
    });
    nodes.forEach(function (e) {
      picker.appendChild(dom.el("option", { value: e.id,
        text: (e.businessObject.name || e.id) + " (" + e.type.replace("bpmn:", "") + ")" }));
    });
  }

  picker.addEventListener("change", function () { if (picker.value) { selectElement(picker.value); } });
  modeler.on("commandStack.changed", function () {
    var chosen = picker.value;
    fillPicker();
    picker.value = chosen;
  });
  modeler.on("selection.changed", function (event) {
    var one = event.newSelection.length === 1 ? event.newSelection[0] : null;
    picker.value = one && picker.querySelector("option[value='" + CSS.escape(one.id) + "']") ? one.id : "";
  });

  function clearMarks() {
    var canvas = modeler.get("canvas");
    marked.forEach(function (mark) {
      if (registry().get(mark.id)) { canvas.removeMarker(mark.id, mark.cls); }
    });
    marked = [];
  }

  function elementName(id) {
    var element = id && registry().get(id);
    return element ? (element.businessObject.name || id) : id;
  }

  /* Each problem is a button that selects its element; erroneous elements are marked red. */
  function showProblems(problems) {
    clearMarks();
    problemList.textContent = "";
    var errors = problems.filter(function (p) { return p.severity === "error"; }).length;
    problemSummary.textContent = problems.length
      ? T("%(errors)s error(s), %(warnings)s warning(s).", { errors: errors, warnings: problems.length - errors })
      : T("No problems: the model can be deployed.");
    problems.forEach(function (problem) {
      var severity = problem.severity || "error";
      var text = problem.message;
      var item = dom.el("li", { className: "problem " + severity, "data-element": problem.element || "" });
      var tag = dom.el("span", { className: "badge", text: T(severity) });
      markPath((problem.path || []).concat(problem.flows || []));
      if (problem.element && registry().get(problem.element)) {
        var cls = "habeas-" + severity;
        mark(problem.element, cls);
        item.appendChild(dom.el("button", { type: "button", className: "link", onclick: function () {
          selectElement(problem.element);
          document.getElementById("panel-heading").focus();
        } }, [tag, " ", dom.el("strong", { text: elementName(problem.element) }), " ",
              dom.el("code", { text: problem.element }), ": " + text]));
      } else {
        item.appendChild(tag);
        item.appendChild(document.createTextNode(" " + (problem.element ? problem.element + ": " : "") + text));
      }
      if (problem.path && problem.path.length) {
        item.appendChild(dom.el("div", { className: "problem-path", text: "Path: " + problem.path.map(elementName).join(" → ") }));
      }
      problemList.appendChild(item);
    });
  }

  function mark(id, cls) {
    modeler.get("canvas").addMarker(id, cls);
    marked.push({ id: id, cls: cls });
  }

  /* A refused path (the proof's finding): every element on it is outlined on the diagram. */
  function markPath(path) {
    (path || []).forEach(function (id) {
      if (registry().get(id)) { mark(id, "habeas-path"); }
    });
  }

  function exportXml() {
    return modeler.saveXML({ format: true }).then(function (result) { return result.xml; });
  }

  function post(url, xml) {
    return fetch(url, { method: "POST", credentials: "same-origin", body: xml,
      headers: { "Content-Type": "application/xml", "X-CSRFToken": csrf, "Accept": "application/json" } })
      .then(function (response) {
        return response.json().catch(function () { return { message: "unexpected answer " + response.status }; })
          .then(function (body) { return { status: response.status, body: body }; });
      });
  }

  /* Save keeps a draft in this browser (nothing is stored on the server until deploy), so that
     a reload or a closed tab does not lose the work; deploying clears it. */
  var draftKey = "habeas-draft:" + setup.process;

  function keepDraft(xml) {
    try {
      window.localStorage.setItem(draftKey, JSON.stringify({ xml: xml, from: setup.version, at: new Date().toISOString() }));
    } catch (err) { /* storage full or disabled: the check still runs */ }
  }

  function offerDraft() {
    var draft = null;
    try { draft = JSON.parse(window.localStorage.getItem(draftKey) || "null"); } catch (err) { draft = null; }
    if (!draft || !draft.xml) { return; }
    var restore = document.getElementById("restore-button");
    restore.textContent = T("Restore the draft saved %(when)s (from v%(version)s)",
                            { when: new Date(draft.at).toLocaleString(document.documentElement.lang), version: draft.from });
    restore.hidden = false;
    restore.addEventListener("click", function () {
      modeler.importXML(draft.xml).then(function () {
        modeler.get("canvas").zoom("fit-viewport", "auto");
        fillPicker();
        panel.show(null);
        restore.hidden = true;
        say(T("Draft restored: save to check it."));
      }).catch(function (err) { say(T("The draft could not be opened: %(reason)s", { reason: err.message }), "bad"); });
    });
  }

  function check() {
    say(T("Checking the model…"), "busy");
    return exportXml().then(function (xml) { keepDraft(xml); return post(setup.validateUrl, xml); }).then(function (answer) {
      if (answer.status !== 200) { say(answer.body.message || T("The check failed."), "bad"); return; }
      showProblems(answer.body.problems);
      say(answer.body.ok ? T("Saved and checked: no errors.") : T("Saved and checked: the model has errors; it cannot be deployed."),
          answer.body.ok ? "ok" : "bad");
    }).catch(function (err) { say(T("Could not check the model: %(reason)s", { reason: err.message }), "bad"); });
  }

  function deploy() {
    say(T("Deploying…"), "busy");
    return exportXml().then(function (xml) { return post(setup.deployUrl, xml); }).then(function (answer) {
      var body = answer.body;
      if (answer.status === 201 || answer.status === 200) {
        showProblems(body.warnings || []);
        try { window.localStorage.removeItem(draftKey); } catch (err) { /* nothing kept */ }
        var text = answer.status === 201 ? T("Deployed as version %(version)s of %(process)s.", body)
          : T("Nothing new: this model is already version %(version)s.", body);
        say(text, "ok");
        var link = document.getElementById("deployed-link");
        link.href = body.url;
        link.textContent = T("Open version %(version)s", body);
        link.hidden = false;
        return;
      }
      if (body.problems) { showProblems(body.problems); }
      if (body.error === "confirmation_required" && body.changes) {
        showProblems(body.changes.filter(function (c) { return c.rights; }).map(function (c) {
          return { element: c.element, message: c.message, severity: "warning" };
        }));
      }
      say(body.message || T("The model was not deployed."), "bad");
    }).catch(function (err) { say(T("Could not deploy: %(reason)s", { reason: err.message }), "bad"); });
  }

  function download() {
    exportXml().then(function (xml) {
      var link = dom.el("a", { href: URL.createObjectURL(new Blob([xml], { type: "application/xml" })),
        download: setup.process + ".bpmn" });
      document.body.appendChild(link);
      link.click();
      link.remove();
    });
  }

  document.getElementById("save-button").addEventListener("click", check);
  document.getElementById("deploy-button").addEventListener("click", deploy);
  document.getElementById("download-button").addEventListener("click", download);

  fetch(setup.xmlUrl, { credentials: "same-origin" }).then(function (response) {
    if (!response.ok) { throw new Error("the model could not be loaded (" + response.status + ")"); }
    return response.text();
  }).then(function (xml) {
    return modeler.importXML(xml);
  }).then(function (result) {
    modeler.get("canvas").zoom("fit-viewport", "auto");
    fillPicker();
    panel.show(null);
    offerDraft();
    var warnings = (result && result.warnings) || [];
    say(warnings.length ? T("Loaded version %(version)s of %(process)s (%(warnings)s import warnings).",
                            { version: setup.version, process: setup.process, warnings: warnings.length })
      : T("Loaded version %(version)s of %(process)s.", setup));
    document.body.setAttribute("data-modeler-ready", "true");
  }).catch(function (err) { say(T("Could not open the model: %(reason)s", { reason: err.message }), "bad"); });
})();
