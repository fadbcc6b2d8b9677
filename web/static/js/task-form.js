/* A task page: focus the error summary after a refused or invalid submit, and keep the rights
   checklist current as the form changes.  The checklist comes from the server (the engine's own
   check, engine.services.previews), rendered there in the reader's language; this only asks for
   it again, debounced, and shows the evidence panels of the rights still missing.  The same call
   keeps what was typed on the server, so leaving for an evidence form loses nothing. */
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }

  var form = document.getElementById("task-form");
  var list = document.getElementById("checklist-items");
  var box = document.getElementById("checklist");
  if (!form || !list || !box || !window.fetch || !window.FormData) { return; }
  var url = form.getAttribute("data-check-url");
  var timer = null, asked = 0;

  function own(target) {  /* the task's fields, not those of an evidence panel */
    return target && target.name && target.name.indexOf("ev-") !== 0;
  }

  function showPanels(open) {
    var wanted = new Set(open || []);
    Array.prototype.forEach.call(form.querySelectorAll("details.evidence-panel"), function (panel) {
      panel.hidden = !wanted.has(panel.getAttribute("data-right"));
    });
  }

  function check() {
    var data = new FormData(form), mine = new FormData();
    data.forEach(function (value, name) { if (own({ name: name }) || name === "csrf_token") { mine.append(name, value); } });
    var ticket = ++asked;
    box.setAttribute("data-state", "checking");
    fetch(url, { method: "POST", body: mine, credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (answer) {
        if (ticket !== asked) { return; }  /* a later change asked again meanwhile */
        if (answer && typeof answer.html === "string") {
          list.innerHTML = answer.html;
          showPanels(answer.open);
          box.setAttribute("data-state", "checked");
        } else {  /* the list shown stays; the step still checks everything on submit */
          box.setAttribute("data-state", "failed");
        }
      })
      .catch(function () { if (ticket === asked) { box.setAttribute("data-state", "failed"); } });
  }

  function later(event) {
    if (!own(event.target)) { return; }
    window.clearTimeout(timer);
    timer = window.setTimeout(check, 350);
  }

  form.addEventListener("input", later);
  form.addEventListener("change", later);
  document.addEventListener("click", function (event) {  /* "record it on this page": open its panel */
    var link = event.target.closest ? event.target.closest("[data-open-panel]") : null;
    if (!link) { return; }
    var panel = document.getElementById(link.getAttribute("data-open-panel"));
    if (panel) { panel.open = true; panel.hidden = false; }
  });
}());
