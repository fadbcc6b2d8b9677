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
    /* diagram-js 15 binds the keyboard to the focused canvas itself (an explicit bindTo is an error) */
    moddleExtensions: { spiffworkflow: window.HabeasSpiffDescriptor }
  });
  var panel = new window.HabeasPanel(modeler, document.getElementById("panel-body"), setup.vocabulary);

  function say(text, kind) {
    status.textContent = text;
    status.className = "status" + (kind ? " " + kind : "");
  }

  function registry() { return modeler.get("elementRegistry"); }

  /* The canvas fills the window below the header (and follows its size). */
  var canvasNode = document.getElementById("canvas");
  var panelNode = document.querySelector(".modeler .panel");
  function fitToWindow() {
    var top = canvasNode.getBoundingClientRect().top + window.scrollY;
    var height = Math.max(420, window.innerHeight - top - 16);
    canvasNode.style.height = height + "px";
    if (panelNode) { panelNode.style.maxHeight = height + "px"; panelNode.style.height = height + "px"; }
    modeler.get("canvas").resized();
  }
  window.addEventListener("resize", fitToWindow);

  /* The whole diagram in view, clear of the palette on the left, never above 100 %. */
  function fitDiagram() {
    var canvas = modeler.get("canvas");
    canvas.zoom("fit-viewport", "auto");
    var box = canvas.viewbox(), inner = box.inner, outer = box.outer;
    if (!inner || !inner.width || !inner.height) { return; }
    var palette = canvasNode.querySelector(".djs-palette");
    var left = (palette ? palette.getBoundingClientRect().right - canvasNode.getBoundingClientRect().left : 0) + 16;
    var pad = 16;
    var scale = Math.min(1, (outer.width - left - pad) / inner.width, (outer.height - 2 * pad) / inner.height);
    canvas.viewbox({ x: inner.x - left / scale, y: inner.y - (outer.height / scale - inner.height) / 2,
                     width: outer.width / scale, height: outer.height / scale });
  }

  /* Zoom to an element: centre it at a readable scale (100 %, or smaller when it is too big to
     fit), opening the subprocess plane it sits in. */
  function zoomTo(element) {
    var canvas = modeler.get("canvas");
    var box = canvas.viewbox();
    var outer = box.outer || { width: canvasNode.clientWidth, height: canvasNode.clientHeight };
    var width = element.width || 1, height = element.height || 1;
    var scale = Math.min(1, outer.width / (width + 240), outer.height / (height + 240));
    var cx = element.x + width / 2, cy = element.y + height / 2;
    if (element.waypoints) {
      var xs = element.waypoints.map(function (p) { return p.x; }), ys = element.waypoints.map(function (p) { return p.y; });
      cx = (Math.min.apply(null, xs) + Math.max.apply(null, xs)) / 2;
      cy = (Math.min.apply(null, ys) + Math.max.apply(null, ys)) / 2;
    }
    canvas.viewbox({ x: cx - outer.width / scale / 2, y: cy - outer.height / scale / 2,
                     width: outer.width / scale, height: outer.height / scale });
  }

  /* Select an element and zoom to it, opening the subprocess plane it sits in. */
  function selectElement(id) {
    var element = registry().get(id);
    if (!element) { return false; }
    var canvas = modeler.get("canvas");
    var root = canvas.findRoot(element);
    if (root && root !== canvas.getRootElement()) { canvas.setRootElement(root); }
    zoomTo(element);
    modeler.get("selection").select(element);
    return true;
  }

  /* From a problem or a change: select and zoom, bring the canvas into view, focus the panel. */
  function showElement(id) {
    if (!selectElement(id)) { return; }
    canvasNode.scrollIntoView({ block: "nearest" });
    document.getElementById("panel-heading").focus({ preventScroll: true });
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
    lintDraft();
  });

  /* The live lint (modeler-lint.js): each finding a button that zooms to its element. */
  var draftList = document.getElementById("draft-problems");
  var draftSummary = document.getElementById("draft-summary");
  function lintDraft() {
    var found = window.HabeasLint.lint(registry());
    draftList.textContent = "";
    draftSummary.textContent = found.length
      ? T("%(count)s element(s) not connected or not typed: saving will refuse them.", { count: found.length })
      : T("Every element is connected and typed.");
    found.forEach(function (problem) {
      var item = dom.el("li", { className: "problem error", "data-element": problem.element, "data-rule": problem.rule });
      item.appendChild(dom.el("button", { type: "button", className: "link", onclick: function () { showElement(problem.element); } },
        [dom.el("span", { className: "badge", text: T("error") }), " ", dom.el("strong", { text: elementName(problem.element) }), " ",
         dom.el("code", { text: problem.element }), ": " + problem.message]));
      draftList.appendChild(item);
    });
  }
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
          showElement(problem.element);
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
        fitDiagram();
        fillPicker();
        lintDraft();
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
  document.getElementById("compare-button").addEventListener("click", compare);
  document.getElementById("compare-clear").addEventListener("click", clearDiff);

  /* The visual diff: the draft against the version it was opened from, each added element
     coloured green and each changed one blue on the diagram; removed ones are listed (they are
     no longer on it).  Each change is a button that zooms to its element. */
  var diffMarks = [];
  function clearDiff() {
    var canvas = modeler.get("canvas");
    diffMarks.forEach(function (mark) { if (registry().get(mark.id)) { canvas.removeMarker(mark.id, mark.cls); } });
    diffMarks = [];
  }

  function compare() {
    say(T("Comparing with version %(version)s…", setup), "busy");
    return exportXml().then(function (xml) { return post(setup.compareUrl, xml); }).then(function (answer) {
      if (answer.status !== 200) { say(answer.body.message || T("The comparison failed."), "bad"); return; }
      clearDiff();
      var card = document.getElementById("compare-card");
      var list = document.getElementById("compare-list");
      list.textContent = "";
      var canvas = modeler.get("canvas");
      var counts = { added: 0, changed: 0, removed: 0 };
      answer.body.changes.forEach(function (change) {
        var kind = change.action === "added" ? "added" : change.action === "removed" ? "removed" : "changed";
        counts[kind] += 1;
        var onDiagram = kind !== "removed" && registry().get(change.element);
        if (onDiagram && !diffMarks.some(function (m) { return m.id === change.element; })) {
          canvas.addMarker(change.element, "habeas-diff-" + kind);
          diffMarks.push({ id: change.element, cls: "habeas-diff-" + kind });
        }
        var badge = dom.el("span", { className: "badge", text: change.action_words || change.action });
        var words = [badge, " ", dom.el("span", { lang: "en", text: change.message }), " ", dom.el("code", { text: change.element })];
        var item = dom.el("li", { className: "change change-" + change.action, "data-element": change.element });
        if (onDiagram) {
          item.appendChild(dom.el("button", { type: "button", className: "link", onclick: function () { showElement(change.element); } }, words));
        } else {
          words.forEach(function (w) { item.appendChild(typeof w === "string" ? document.createTextNode(w) : w); });
        }
        list.appendChild(item);
      });
      document.getElementById("compare-summary").textContent = answer.body.changes.length
        ? T("%(added)s added, %(changed)s changed, %(removed)s removed.", counts)
        : T("No change from version %(version)s (only the layout may differ).", setup);
      card.hidden = false;
      say(T("Compared with version %(version)s: the changes are coloured on the diagram.", setup), "ok");
    }).catch(function (err) { say(T("Could not compare: %(reason)s", { reason: err.message }), "bad"); });
  }

  fetch(setup.xmlUrl, { credentials: "same-origin" }).then(function (response) {
    if (!response.ok) { throw new Error("the model could not be loaded (" + response.status + ")"); }
    return response.text();
  }).then(function (xml) {
    return modeler.importXML(xml);
  }).then(function (result) {
    fitToWindow();
    fitDiagram();
    fillPicker();
    lintDraft();
    panel.show(null);
    offerDraft();
    var warnings = (result && result.warnings) || [];
    say(warnings.length ? T("Loaded version %(version)s of %(process)s (%(warnings)s import warnings).",
                            { version: setup.version, process: setup.process, warnings: warnings.length })
      : T("Loaded version %(version)s of %(process)s.", setup));
    window.HabeasModeler = modeler;  /* for the browser tests and the console */
    document.body.setAttribute("data-modeler-ready", "true");
  }).catch(function (err) { say(T("Could not open the model: %(reason)s", { reason: err.message }), "bad"); });
})();
