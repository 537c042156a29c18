/* Rapport dashboards: draw each chart with plotly.js when it comes near the screen.

   A chart is a `.plot` element whose `data-spec` names a `<script type="application/json">`
   block holding its figure (data + layout). plotly.js is loaded once, from this script's own
   folder, and only when the first chart is about to be seen, so a page shows its numbers at
   once and never waits for the chart library. Without JavaScript, each chart's numbers are in
   the table below it. Printing draws every chart at the paper's width; a chart that cannot be
   drawn prints its table instead. */
(function () {
  "use strict";

  var PLOTLY_URL = new URL("plotly.min.js", document.currentScript.src).href;
  var PRINT_WIDTH = 660; // px: A4 and Letter, portrait, with 15 mm margins
  var PRINT_HEIGHT = 0.72; // of the screen height: the client review's charts share pages with text
  var CONFIG = { displayModeBar: false, responsive: true, displaylogo: false, scrollZoom: false };
  var loading = null;
  var opened = [];

  function loadPlotly() {
    if (window.Plotly) { return Promise.resolve(window.Plotly); }
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var tag = document.createElement("script");
        tag.src = PLOTLY_URL;
        tag.onload = function () { resolve(window.Plotly); };
        tag.onerror = function () { reject(new Error("plotly.js did not load from " + PLOTLY_URL)); };
        document.head.appendChild(tag);
      });
    }
    return loading;
  }

  /* Text and grid colours from the stylesheet, so charts follow the light or dark scheme. */
  function themed(layout) {
    var style = getComputedStyle(document.documentElement);
    var fg = style.getPropertyValue("--fg").trim() || "#1b1f24";
    var line = style.getPropertyValue("--line").trim() || "#d0d7de";
    layout.font = Object.assign({}, layout.font, { color: fg });
    ["xaxis", "yaxis"].forEach(function (name) {
      layout[name] = Object.assign({ gridcolor: line, linecolor: line, zerolinecolor: line }, layout[name]);
    });
    return layout;
  }

  /* On a narrow screen the legend goes below the plot and the text is smaller, so legends and
     axis labels stay inside the chart (plotly widens the margins for them: automargin). */
  var NARROW = 560; // px of chart width
  function fitted(layout, width) {
    if (width >= NARROW) { return layout; }
    layout.font = Object.assign({}, layout.font, { size: 11 });
    layout.legend = Object.assign({}, layout.legend, { orientation: "h", x: 0, xanchor: "left", y: -0.2, yanchor: "top" });
    layout.margin = Object.assign({}, layout.margin, { l: 8, r: 8 });
    ["xaxis", "yaxis"].forEach(function (name) {
      layout[name] = Object.assign({}, layout[name], { automargin: true });
    });
    return layout;
  }

  /* A legend entry never wraps: on a phone a long series name is cut to fit (its hover text keeps it whole). */
  var LEGEND_CHARS = 34;
  function shortName(trace) {
    if (typeof trace.name === "string" && trace.name.length > LEGEND_CHARS) {
      trace.name = trace.name.slice(0, LEGEND_CHARS - 1) + "\u2026";
    }
  }

  function figureOf(plot) {
    var holder = document.getElementById(plot.getAttribute("data-spec"));
    return JSON.parse(holder.textContent);
  }

  /* Draw one chart now (plotly must be loaded); plotly draws SVG charts synchronously. */
  function draw(plot) {
    if (plot.getAttribute("data-drawn")) { return; }
    var figure = figureOf(plot);
    plot.textContent = "";
    plot.setAttribute("data-drawn", "drawing");
    var width = plot.clientWidth;
    if (width < NARROW) { figure.data.forEach(shortName); }
    window.Plotly.newPlot(plot, figure.data, fitted(themed(figure.layout), width), CONFIG);
    plot.setAttribute("data-drawn", "true");
    plot.classList.add("drawn");
  }

  function failed(plot, error) {
    var note = plot.querySelector(".plot-fallback");
    if (note) { note.textContent = "The chart could not be drawn (" + error.message + "); its numbers are in the table below."; }
  }

  /* Charts that came into view are drawn one per task, so the page stays responsive between them. */
  var queue = [];
  function pump() {
    var plot = queue.shift();
    if (!plot) { return; }
    try { draw(plot); } catch (error) { failed(plot, error); }
    if (queue.length) { window.setTimeout(pump, 0); }
  }

  function drawLater(plot) {
    loadPlotly().then(function () {
      queue.push(plot);
      if (queue.length === 1) { window.setTimeout(pump, 0); }
    }).catch(function (error) { failed(plot, error); });
  }

  function plots() {
    return Array.prototype.slice.call(document.querySelectorAll(".plot[data-spec]"));
  }

  function watch() {
    var all = plots();
    if (!all.length) { return; }
    if (!("IntersectionObserver" in window)) { all.forEach(drawLater); return; }
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) { observer.unobserve(entry.target); drawLater(entry.target); }
      });
    }, { rootMargin: "100px 0px" });
    all.forEach(function (plot) { observer.observe(plot); });
  }

  function beforePrint() {
    plots().forEach(function (plot) {
      if (window.Plotly && !plot.getAttribute("data-drawn")) {
        try { draw(plot); } catch (error) { failed(plot, error); }
      }
      if (plot.getAttribute("data-drawn") === "true") {
        var height = figureOf(plot).layout.height;
        plot.classList.add("printing");
        window.Plotly.relayout(plot, { width: PRINT_WIDTH, height: Math.round(height * PRINT_HEIGHT) });
      } else {
        var details = plot.parentNode.querySelector("details.chart-data");
        if (details && !details.open) { details.open = true; opened.push(details); }
      }
    });
  }

  function afterPrint() {
    plots().forEach(function (plot) {
      if (plot.getAttribute("data-drawn") === "true") {
        plot.classList.remove("printing");
        window.Plotly.relayout(plot, { width: null, height: figureOf(plot).layout.height, autosize: true });
      }
    });
    opened.forEach(function (details) { details.open = false; });
    opened = [];
    document.documentElement.classList.remove("print-internal");
  }

  /* The client page's buttons: draw every chart first, then open the print dialog. A plain print
     (Ctrl+P) gives the client review; the internal view adds what the stylesheet marks internal. */
  function printButtons() {
    Array.prototype.forEach.call(document.querySelectorAll("button.print-review, button.print-internal"), function (button) {
      var internal = button.classList.contains("print-internal");
      button.hidden = false;
      button.addEventListener("click", function () {
        document.documentElement.classList.toggle("print-internal", internal);
        loadPlotly().then(function () { plots().forEach(draw); }).catch(function () { /* tables print instead */ })
          .then(function () { window.print(); });
      });
    });
  }

  window.addEventListener("beforeprint", beforePrint);
  window.addEventListener("afterprint", afterPrint);
  window.RapportCharts = { load: loadPlotly, draw: draw, drawAll: function () { return loadPlotly().then(function () { plots().forEach(draw); }); } };
  printButtons();
  watch();
})();
