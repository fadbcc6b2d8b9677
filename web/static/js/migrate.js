/* The migration cockpit: "select all" ticks every case that can move; an error summary takes the
   focus so that a keyboard or screen-reader user hears at once that nothing was moved. */
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
  var all = document.getElementById("select-all");
  if (!all) { return; }
  var boxes = function () { return document.querySelectorAll("input[type=checkbox][name=" + all.getAttribute("data-select-all") + "]"); };
  function sync() {
    var list = Array.prototype.slice.call(boxes());
    var ticked = list.filter(function (b) { return b.checked; }).length;
    all.checked = ticked === list.length && list.length > 0;
    all.indeterminate = ticked > 0 && ticked < list.length;
  }
  all.addEventListener("change", function () {
    Array.prototype.forEach.call(boxes(), function (b) { b.checked = all.checked; });
    sync();
  });
  Array.prototype.forEach.call(boxes(), function (b) { b.addEventListener("change", sync); });
  sync();
})();
