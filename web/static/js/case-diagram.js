/* The case page's process diagram: the deployed BPMN drawn by the bpmn-js navigated viewer,
   with the path taken and the tasks waiting now marked (CSS classes hb-done / hb-ready).
   Data comes from the page: the XML URL in data-diagram-url, the marks in a JSON block. */
(function () {
  "use strict";
  var host = document.getElementById("case-diagram");
  var marksNode = document.getElementById("case-diagram-marks");
  if (!host || !marksNode) { return; }

  function fail(message) {
    host.setAttribute("data-state", "failed");
    host.textContent = window.HabeasI18n.t("The diagram could not be drawn: %(reason)s. The tasks waiting now are listed above.",
                                           { reason: message });
  }

  if (typeof window.BpmnJS !== "function") { fail("the viewer did not load"); return; }
  var marks = JSON.parse(marksNode.textContent);
  var done = new Set(marks.path || []);
  var ready = new Set(marks.ready || []);
  var viewer = new window.BpmnJS({ container: host });
  var READABLE = 0.8;

  function mark(canvas, registry) {
    done.forEach(function (id) { if (registry.get(id)) { canvas.addMarker(id, "hb-done"); } });
    ready.forEach(function (id) { if (registry.get(id)) { canvas.addMarker(id, "hb-ready"); } });
    /* a flow was taken if it leads from a done element to a done one, or into where the case is
       now: a waiting task or the subprocess that holds it */
    var current = new Set(ready);
    ready.forEach(function (id) {
      for (var el = registry.get(id); el && el.parent; el = el.parent) { current.add(el.parent.id); }
    });
    registry.filter(function (el) { return el.type === "bpmn:SequenceFlow"; }).forEach(function (flow) {
      var bo = flow.businessObject;
      var from = bo.sourceRef && bo.sourceRef.id, to = bo.targetRef && bo.targetRef.id;
      if (done.has(from) && (done.has(to) || current.has(to))) { canvas.addMarker(flow.id, "hb-done"); }
    });
  }

  /* A whole criminal case is wide: fitted, its boxes are too small to read.  Show the waiting
     task at a readable scale; the buttons switch between that and the whole process. */
  function showWaiting(canvas, registry) {
    var first = Array.from(ready).map(function (id) { return registry.get(id); }).filter(Boolean)[0];
    canvas.zoom("fit-viewport");
    if (!first || canvas.zoom() >= READABLE) { return; }
    var outer = canvas.viewbox().outer;
    var width = outer.width / READABLE, height = outer.height / READABLE;
    canvas.viewbox({ x: first.x + first.width / 2 - width / 2, y: first.y + first.height / 2 - height / 2,
                     width: width, height: height });
  }

  /* On load the whole process, fitted to the width of the page: the container takes the
     diagram's proportions (within bounds), so fitting it wastes no space; the stage strip above
     says in words where the case stands, "Show what is waiting" zooms to a readable scale. */
  function showWhole(canvas) {
    var box = canvas.viewbox().inner;  /* the drawing's own bounds, in diagram units */
    if (box && box.width > 0) {
      var width = host.clientWidth || 1000;
      var height = Math.round(width * (box.height + 40) / (box.width + 40));
      var most = Math.round(window.innerHeight * 0.8);
      host.style.height = Math.max(320, Math.min(height, most)) + "px";
      canvas.resized();
    }
    canvas.zoom("fit-viewport", "auto");
  }

  function wireButtons(canvas, registry) {
    var whole = document.getElementById("diagram-whole");
    var waiting = document.getElementById("diagram-waiting");
    if (whole) { whole.addEventListener("click", function () { showWhole(canvas); }); }
    if (waiting) { waiting.addEventListener("click", function () { showWaiting(canvas, registry); }); }
  }

  fetch(host.getAttribute("data-diagram-url"), { credentials: "same-origin" })
    .then(function (response) {
      if (!response.ok) { throw new Error("the server answered " + response.status); }
      return response.text();
    })
    .then(function (xml) { return viewer.importXML(xml); })
    .then(function () {
      var canvas = viewer.get("canvas"), registry = viewer.get("elementRegistry");
      mark(canvas, registry);
      showWhole(canvas);
      wireButtons(canvas, registry);
      host.setAttribute("data-state", "drawn");
    })
    .catch(function (err) { fail(err && err.message ? err.message : String(err)); });
}());
