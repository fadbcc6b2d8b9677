/* The compliance dashboard's charts, drawn with Chart.js (global `Chart`) from the JSON block
   #dashboard-data the page renders: stacked bars per right and a weekly trend by status.
   No inline script: the content security policy allows scripts from 'self' only. */
(function () {
  "use strict";

  var COLOURS = {
    passed: "#1d6b35", waived: "#6fae7f", overridden: "#6b3fa0", failed: "#a31919", pending: "#c98a00"
  };
  var LABELS = {};  /* status names in the page's language, from the data block */

  function readData() {
    var block = document.getElementById("dashboard-data");
    return block ? JSON.parse(block.textContent) : null;
  }

  function calm() {
    return window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  }

  function dataset(status, values) {
    return { label: LABELS[status] || status, data: values, backgroundColor: COLOURS[status],
             borderColor: COLOURS[status], borderWidth: 1 };
  }

  /* A bar of a right opens the cases behind it, as the table's counts do. */
  function drill(data, elements) {
    if (!elements.length || !data.drill) { return; }
    var status = data.statuses[elements[0].datasetIndex];
    var right = data.checkpoints[elements[0].index];
    if (!status || !right || !right[status]) { return; }
    var joiner = data.drill.indexOf("?") === -1 ? "?" : "&";
    window.location.href = data.drill + joiner + "status=" + encodeURIComponent(status) +
      "&checkpoint=" + encodeURIComponent(right.id);
  }

  function drawCheckpoints(canvas, data) {
    var labels = data.checkpoints.map(function (c) { return c.short || c.right; });
    return new Chart(canvas, {
      type: "bar",
      data: {
        labels: labels,
        datasets: data.statuses.map(function (s) {
          return dataset(s, data.checkpoints.map(function (c) { return c[s]; }));
        })
      },
      options: {
        indexAxis: "y", locale: document.documentElement.lang, responsive: true, maintainAspectRatio: false, animation: calm() ? false : { duration: 300 },
        scales: { x: { stacked: true, beginAtZero: true, ticks: { precision: 0 },
                      title: { display: true, text: data.axis.count } }, y: { stacked: true } },
        onClick: function (event, elements) { drill(data, elements); },
        onHover: function (event, elements) {
          event.native.target.style.cursor = elements.length ? "pointer" : "default";
        },
        plugins: {
          legend: { position: "bottom" },
          tooltip: { callbacks: { title: function (items) { return data.checkpoints[items[0].dataIndex].right; } } }
        }
      }
    });
  }

  function drawTrend(canvas, data) {
    return new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.trend.map(function (w) { return w.week.split("-").reverse().join("."); }),
        datasets: data.statuses.map(function (s) {
          return dataset(s, data.trend.map(function (w) { return w[s]; }));
        })
      },
      options: {
        locale: document.documentElement.lang, responsive: true, maintainAspectRatio: false,
        animation: calm() ? false : { duration: 300 },
        scales: { y: { stacked: true, beginAtZero: true, ticks: { precision: 0 },
                      title: { display: true, text: data.axis.count } },
                  x: { stacked: true, title: { display: true, text: data.axis.week } } },
        plugins: { legend: { position: "bottom" } }
      }
    });
  }

  function start() {
    var data = readData();
    if (!data || typeof Chart === "undefined") { return; }
    LABELS = data.labels || {};
    var bars = document.getElementById("chart-checkpoints");
    var trend = document.getElementById("chart-trend");
    if (bars) { drawCheckpoints(bars, data); }
    if (trend) { drawTrend(trend, data); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
