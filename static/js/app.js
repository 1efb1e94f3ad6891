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

  // "Show older" sits in the line under its table, and the answer rewrites that line (out of band),
  // which would drop keyboard focus to the top of the page. Put it back: on the line's new control,
  // or on the line itself (it says "Showing all …") once everything is shown.
  var refocusLine = null;
  document.addEventListener("htmx:beforeRequest", function (e) {
    var elt = e.detail && e.detail.elt;
    var line = elt && elt.closest ? elt.closest(".table-more") : null;
    refocusLine = line ? line.id : null;
  });
  document.addEventListener("htmx:afterRequest", function (e) {
    if (e.detail && !e.detail.successful) refocusLine = null;
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (!refocusLine) return;
    var line = document.getElementById(refocusLine);
    refocusLine = null;
    if (!line || (document.activeElement && document.activeElement !== document.body)) return;
    (line.querySelector("a") || line).focus();
  });

  // A disclosure control (aria-expanded, aria-controls: an encounter's Details) loads what it shows
  // with htmx on its first press. After that it shows and hides the loaded content in place,
  // without asking the server again, and aria-expanded says which (the stylesheet picks the label
  // from it). The control itself is never replaced, so keyboard focus stays on it.
  function controlledRegion(elt) {
    if (!elt || !elt.hasAttribute || !elt.hasAttribute("aria-expanded")) return null;
    return document.getElementById(elt.getAttribute("aria-controls") || "");
  }
  document.addEventListener("htmx:confirm", function (e) {
    var elt = e.detail && e.detail.elt;
    var region = controlledRegion(elt);
    if (!region || !region.firstElementChild) return; // nothing loaded yet: let htmx fetch it
    e.preventDefault();
    var open = elt.getAttribute("aria-expanded") !== "true";
    region.hidden = !open;
    elt.setAttribute("aria-expanded", open ? "true" : "false");
  });
  document.addEventListener("htmx:afterSwap", function (e) {
    var region = e.detail && e.detail.target;
    if (!region || !region.id) return;
    var control = document.querySelector('[aria-expanded][aria-controls="' + CSS.escape(region.id) + '"]');
    if (!control) return;
    region.hidden = false;
    control.setAttribute("aria-expanded", "true");
  });

  // An analyte's history opens in the region at the top of a patient page (views.AnalyteID), its
  // heading taking the focus (autofocus in the answer). Its Close button, or Escape inside it,
  // empties the region again and puts the focus back on the link that opened it, scrolled into
  // view; when that link is gone (its section reloaded, or hidden), on its section's heading.
  var analyteID = "section-analyte";
  var analyteOpener = null;
  var analyteOpenerSection = "";
  document.addEventListener("htmx:beforeRequest", function (e) {
    var elt = e.detail && e.detail.elt;
    var t = e.detail && e.detail.target;
    // The panel's own controls (Refresh, time ranges) keep the link that opened it.
    if (!elt || !t || t.id !== analyteID || t.contains(elt)) return;
    analyteOpener = elt;
    var section = elt.closest ? elt.closest("section[id]") : null;
    analyteOpenerSection = section ? section.id : "";
  });
  function closeAnalyte(panel) {
    var slot = document.createElement("div");
    slot.id = panel.id;
    slot.className = "analyte-slot";
    panel.replaceWith(slot);
    var back = analyteOpener;
    if (!back || !back.isConnected || back.getClientRects().length === 0) {
      back = document.getElementById(analyteOpenerSection + "-title") ||
        document.querySelector(".chart-sections h2, main h1, main h2");
      if (back && !back.hasAttribute("tabindex")) back.setAttribute("tabindex", "-1");
    }
    if (!back) return;
    back.focus({ preventScroll: true });
    back.scrollIntoView({ block: "center" });
  }
  document.addEventListener("click", function (e) {
    var button = e.target && e.target.closest ? e.target.closest("[data-close-panel]") : null;
    var panel = button && document.getElementById(button.getAttribute("aria-controls") || "");
    if (!panel) return;
    e.preventDefault();
    closeAnalyte(panel);
  });
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape" || e.defaultPrevented) return;
    var panel = document.getElementById(analyteID);
    if (!panel || !panel.contains(document.activeElement) || !panel.querySelector("[data-close-panel]")) return;
    e.preventDefault();
    closeAnalyte(panel);
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
