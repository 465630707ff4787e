// While the ledger's database cannot be reached, the console answers a page with its 503 page
// (DatabaseUnavailable.razor, marked data-outage). This asks for that page again in the background
// after each Retry-After, and loads it for real once the answer is no longer 503: the page comes back
// by itself, without reloading the 503 page every few seconds under the reader's eyes.
(function () {
  var timer = null;

  function seconds(text, fallback) {
    var n = parseInt(text, 10);
    return n > 0 ? n : fallback;
  }

  function watch() {
    if (timer) { clearTimeout(timer); timer = null; }
    var outage = document.querySelector("[data-outage]");
    if (!outage) return;
    var address = outage.getAttribute("data-retry-path") || (location.pathname + location.search);
    var wait = seconds(outage.getAttribute("data-retry-after"), 5);
    timer = setTimeout(function () { ask(address, wait); }, wait * 1000);
  }

  function ask(address, wait) {
    timer = null;
    // Navigated away meanwhile (another page, or the page itself is back).
    if (!document.querySelector("[data-outage]")) return;
    fetch(address, { credentials: "same-origin", cache: "no-store", redirect: "manual", headers: { Accept: "text/html" } }).then(function (response) {
      if (response.status === 503) {
        var next = seconds(response.headers.get("Retry-After"), wait);
        timer = setTimeout(function () { ask(address, next); }, next * 1000);
        return;
      }
      location.replace(address);
    }, function () {
      // The host itself did not answer: ask again after the same wait.
      timer = setTimeout(function () { ask(address, wait); }, wait * 1000);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", watch); else watch();
  // Enhanced navigation shows the 503 page in place of the page that was there: watch again after each swap.
  function listen() {
    if (window.Blazor && window.Blazor.addEventListener) { window.Blazor.addEventListener("enhancedload", watch); return true; }
    return false;
  }
  if (!listen()) window.addEventListener("load", listen);
})();
