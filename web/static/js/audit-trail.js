/* A case's audit trail under a drill-down filter: a filter that could not be used takes the
   focus (its error summary); the first failing entry (else the first
   matching one) is scrolled into view and given focus, unless the address already names an
   entry (#entry-12, #failing), which the browser scrolls to itself. No inline script (CSP). */
(function () {
  "use strict";

  function start() {
    var errors = document.getElementById("trail-filter-errors");
    if (errors) { errors.focus(); return; }  /* a filter that could not be used is said first */
    var target = null;
    if (window.location.hash) {
      var named = document.getElementById(window.location.hash.slice(1));
      target = named ? (named.closest("tr") || named) : null;
    }
    if (!target) {
      target = document.querySelector("#audit-trail tr[data-failing]") ||
               document.querySelector("#audit-trail tr[data-match]");
    }
    if (!target) { return; }
    target.setAttribute("tabindex", "-1");
    target.classList.add("in-view");
    var calm = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    target.scrollIntoView({ block: "center", behavior: calm ? "auto" : "smooth" });
    target.focus({ preventScroll: true });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
