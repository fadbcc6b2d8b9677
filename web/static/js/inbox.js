// The inbox: when the filters could not be read, focus moves to the message that says why.
(function () {
  "use strict";
  var summary = document.getElementById("filter-errors");
  if (summary) { summary.focus(); }
})();
