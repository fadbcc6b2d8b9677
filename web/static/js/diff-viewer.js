/* The diff page's diagrams: the newer version with its added and changed elements coloured,
   the older one with its removed and changed elements (the same markers as the modeler's diff). */
(function () {
  "use strict";
  var marks = JSON.parse(document.getElementById("diff-marks").textContent);
  var pending = 0;
  Array.prototype.forEach.call(document.querySelectorAll(".diff-diagram"), function (container) {
    var viewer = new window.BpmnJS({ container: container });
    var side = marks[container.getAttribute("data-side")] || {};
    pending += 1;
    fetch(container.getAttribute("data-xml-url"), { credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (xml) { return viewer.importXML(xml); })
      .then(function () {
        var canvas = viewer.get("canvas"), registry = viewer.get("elementRegistry");
        Object.keys(side).forEach(function (id) {
          if (registry.get(id)) { canvas.addMarker(id, "habeas-diff-" + side[id]); }
        });
        canvas.zoom("fit-viewport", "auto");
        pending -= 1;
        if (!pending) { document.body.setAttribute("data-viewer-ready", "true"); }
      })
      .catch(function (err) { container.textContent = window.HabeasI18n.t("The diagram could not be shown: %(reason)s", { reason: err.message }); });
  });
})();
