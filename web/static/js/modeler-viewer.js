/* A deployed version, read-only: the navigated viewer (pan and zoom) over the stored BPMN. */
(function () {
  "use strict";
  var container = document.getElementById("diagram");
  var viewer = new window.BpmnJS({ container: container });
  fetch(container.getAttribute("data-xml-url"), { credentials: "same-origin" })
    .then(function (response) { return response.text(); })
    .then(function (xml) { return viewer.importXML(xml); })
    .then(function () {
      viewer.get("canvas").zoom("fit-viewport", "auto");
      document.body.setAttribute("data-viewer-ready", "true");
    })
    .catch(function (err) { container.textContent = window.HabeasI18n.t("The diagram could not be shown: %(reason)s", { reason: err.message }); });
})();
