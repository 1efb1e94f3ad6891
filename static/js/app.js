// Chartside page behaviour. Everything here is an enhancement: every page works without JavaScript.
// Loaded as an external file because the Content-Security-Policy forbids inline scripts.
(function () {
  "use strict";

  // Mark regions busy while htmx loads them, so screen readers announce the change once, when done.
  document.addEventListener("htmx:beforeRequest", function (e) {
    var t = e.detail && e.detail.target;
    if (t && t.setAttribute) t.setAttribute("aria-busy", "true");
  });
  document.addEventListener("htmx:afterSettle", function (e) {
    var t = e.detail && e.detail.target;
    if (t && t.removeAttribute) t.removeAttribute("aria-busy");
  });
  document.addEventListener("htmx:responseError", function (e) {
    var t = e.detail && e.detail.target;
    if (t && t.removeAttribute) t.removeAttribute("aria-busy");
  });

  // When Chartside itself is unreachable (network down, server restarting), say so instead of
  // leaving a spinner: htmx fires sendError and nothing is swapped.
  document.addEventListener("htmx:sendError", function () {
    var alerts = document.getElementById("alerts");
    if (!alerts) return;
    alerts.replaceChildren();
    var box = document.createElement("div");
    box.className = "alert alert-error";
    box.setAttribute("role", "alert");
    var p = document.createElement("p");
    p.textContent = "Chartside could not be reached. Check the network connection and try again.";
    box.appendChild(p);
    alerts.appendChild(box);
  });
})();
