// Draws every chart on the page from the data the server wrote into it: an element with
// data-chart holds its ECharts option as JSON in a <script type="application/json"> child. Charts are
// drawn as SVG, in the page's language (ECharts' own zh/en). Without script the table the page puts
// beside each chart carries the same figures.
(function () {
  // ECharts is loaded only by a page that has a chart.
  var library = document.currentScript && document.currentScript.getAttribute("data-echarts");
  var loading = null;
  function withEcharts(then) {
    if (window.echarts) return then();
    if (!loading) {
      loading = document.createElement("script");
      loading.src = library;
      document.head.appendChild(loading);
    }
    loading.addEventListener("load", then);
  }

  function locale() { return (document.documentElement.lang || "").toLowerCase().startsWith("zh") ? "ZH" : "EN"; }

  // The page is read first: its figures are in the tables beside the charts, so the library (660 KB)
  // is fetched and the charts drawn once the page has loaded, not while the page's load waits for them.
  function draw() {
    if (!document.querySelector("[data-chart]")) return;
    if (document.readyState === "complete") setTimeout(function () { withEcharts(drawAll); }, 0);
    else window.addEventListener("load", function () { setTimeout(function () { withEcharts(drawAll); }, 0); }, { once: true });
  }

  function drawAll() {
    document.querySelectorAll("[data-chart]").forEach(function (host) {
      var source = host.querySelector('script[type="application/json"]');
      if (!source) return;
      var option = JSON.parse(source.textContent);
      var canvas = host.querySelector(".chart-canvas");
      if (!canvas) {
        canvas = document.createElement("div");
        canvas.className = "chart-canvas";
        canvas.setAttribute("aria-hidden", "true");
        host.appendChild(canvas);
      }
      var existing = window.echarts.getInstanceByDom(canvas);
      if (existing) existing.dispose();
      var chart = window.echarts.init(canvas, null, { renderer: "svg", locale: locale() });
      option.animation = false;
      chart.setOption(option);
      host.setAttribute("data-chart-drawn", "true");
    });
  }

  window.addEventListener("resize", function () {
    document.querySelectorAll(".chart-canvas").forEach(function (c) {
      var chart = window.echarts && window.echarts.getInstanceByDom(c);
      if (chart) chart.resize();
    });
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw); else draw();
  // Enhanced navigation swaps the page's content without a new load: draw again after each swap.
  document.addEventListener("ledger:enhancedload", draw);
  if (window.Blazor && window.Blazor.addEventListener) window.Blazor.addEventListener("enhancedload", draw);
  else window.addEventListener("load", function () { if (window.Blazor && window.Blazor.addEventListener) window.Blazor.addEventListener("enhancedload", draw); });
})();
