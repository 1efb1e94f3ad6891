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

  // A wide table scrolls sideways inside its box (.table-scroll), and the only signs were a cut-off
  // column and a scrollbar at the foot of its box (as tall as the table), often below the fold:
  // the lab matrix's older dates were easy to miss. Each box says which sides hide more
  // (data-scroll-more="left right", absent when the table fits); the stylesheet shades those edges.
  // CSS alone (background-attachment: local shadows) did not draw over the matrix in Chromium.
  // Checked on load, on scroll, when the box or its table changes size, and when htmx brings new
  // sections. A trend chart on a phone scrolls in a box of its own (.chart-scroll), marked alike.
  var scrollCueSelector = ".table-scroll, .chart-scroll";
  function markScrollCue(box) {
    if (box.hasAttribute("data-fits")) {
      box.removeAttribute("data-scroll-more");
      return;
    }
    var x = box.scrollLeft;
    var max = box.scrollWidth - box.clientWidth;
    // 1 px of slack: at some zoom levels scrollLeft stops a fraction short of its end.
    var more = ((x > 1 ? "left " : "") + (x < max - 1 ? "right" : "")).trim();
    if (!more) box.removeAttribute("data-scroll-more");
    else if (box.getAttribute("data-scroll-more") !== more) box.setAttribute("data-scroll-more", more);
    if (box.matches(".matrix-scroll")) markRowsCue(box);
  }
  // The lab matrix is also a spreadsheet (app.css caps its box at the window once data-rows-cue is
  // set here, so without JavaScript it stays as tall as its table): the line under the box says how
  // many tests are above its visible rows (under the sticky date row) and below them, and the box's
  // data-rows-cue ("above", "below", both or empty) draws the shades. A row partly shown counts as
  // hidden. The line is hidden only when every row is in view.
  function markRowsCue(box) {
    var cue = box.nextElementSibling;
    if (!cue || !cue.matches(".matrix-rows-cue")) return;
    if (!box.hasAttribute("data-rows-cue")) box.setAttribute("data-rows-cue", ""); // capped from now on
    var head = box.querySelector("thead");
    var b = box.getBoundingClientRect();
    var top = b.top + box.clientTop;
    var first = top + (head ? head.offsetHeight : 0);
    var last = top + box.clientHeight;
    var above = 0, below = 0;
    box.querySelectorAll("tbody tr").forEach(function (tr) {
      var r = tr.getBoundingClientRect();
      if (r.height === 0) return;
      if (r.top < first - 1) above++;
      else if (r.bottom > last + 1) below++;
    });
    var tests = function (n) { return n + (n === 1 ? " test" : " tests"); };
    var parts = [];
    if (above) parts.push("\u25B2 " + tests(above) + " above");
    if (below) parts.push("\u25BC " + tests(below) + " below");
    var marks = ((above ? "above " : "") + (below ? "below" : "")).trim();
    if (box.getAttribute("data-rows-cue") !== marks) box.setAttribute("data-rows-cue", marks);
    var text = parts.length ? parts.join(" \u00B7 ") + " \u2014 scroll the matrix" : "";
    if (cue.textContent !== text) cue.textContent = text;
    cue.hidden = !text;
    pinMatrixHead(box);
  }
  // The page scrolled the matrix's top under the sticky banner: its date row is moved down to the
  // banner's edge (the sticky offset of the thead's cells, through --matrix-head-top), so that every
  // value on screen has its date on screen; it goes no lower than the box's last visible row.
  function pinMatrixHead(box) {
    var head = box.querySelector("thead");
    if (!head) return;
    var edge = watchedBanner && watchedBanner.isConnected ? Math.max(0, watchedBanner.getBoundingClientRect().bottom) : 0;
    var top = box.getBoundingClientRect().top + box.clientTop;
    var room = Math.max(0, box.clientHeight - head.offsetHeight);
    var px = Math.round(Math.min(Math.max(0, edge - top), room)) + "px";
    if (head.style.getPropertyValue("--matrix-head-top") !== px) head.style.setProperty("--matrix-head-top", px);
  }
  window.addEventListener("scroll", function () {
    document.querySelectorAll(".matrix-scroll").forEach(pinMatrixHead);
  }, { passive: true });
  // A table box that scrolls sideways is its header row's scroll container, and as it never
  // scrolls down, the sticky header stuck to nothing: halfway down a long labs table nobody could
  // tell the range column from the flag column. Where the table fits its box (a desktop, as a
  // rule), the box is marked data-fits and the stylesheet stops it scrolling (overflow-x: clip,
  // which is no scroll container), so the header sticks to the page under the banner. Measured by
  // the table's own width, which overflow does not change (a width: 100% table is the box's width
  // when it fits, wider when it does not), so marking the box cannot undo the reason it was marked.
  // Checked with the scroll cue: on load, on resize of the box or its table ("Show older" rows, a
  // wider window), and when htmx brings new sections. The lab matrix keeps its own box.
  function markFits(box) {
    var table = box.matches(".table-scroll:not(.matrix-scroll)") && box.querySelector(":scope > table");
    var fits = !!table && table.getBoundingClientRect().width <= box.getBoundingClientRect().width - box.clientLeft * 2 + 0.5;
    if (fits && !box.hasAttribute("data-fits")) box.setAttribute("data-fits", "");
    else if (!fits && box.hasAttribute("data-fits")) box.removeAttribute("data-fits");
    // A row's link reached with Shift+Tab stopped under the stuck header (the page's scroll padding
    // makes room for the banner only): the stylesheet gives the rows' controls a scroll margin of
    // the header's height, which grows when its headings wrap.
    var head = fits && table.tHead;
    var px = head ? Math.ceil(head.getBoundingClientRect().height) + "px" : "";
    if (box.style.getPropertyValue("--table-head-height") !== px) {
      if (px) box.style.setProperty("--table-head-height", px);
      else box.style.removeProperty("--table-head-height");
    }
  }
  // The layer needs the box's visible height, and where a sticky first column (the matrix's tests)
  // ends, so the left shade falls on the dates scrolled under that column, not over the column;
  // likewise a trend chart's value axis, kept at its box's left (.chart-axis): the shade is on the
  // drawing scrolled under it, never over the unit and the values.
  // Set through the CSSOM, which the Content-Security-Policy allows (a style attribute it would not).
  function measureScrollCue(box) {
    markFits(box);
    var first = box.querySelector("tbody tr > :first-child, .chart-axis");
    var style = first && getComputedStyle(first);
    var inset = 0;
    if (style && style.position === "sticky" && style.left !== "auto") {
      inset = first.getBoundingClientRect().right - box.getBoundingClientRect().left - box.clientLeft;
    }
    box.style.setProperty("--scroll-cue-height", box.clientHeight + "px");
    box.style.setProperty("--scroll-cue-inset", Math.max(0, Math.round(inset)) + "px");
    markScrollCue(box);
  }
  var scrollCueSizes = typeof ResizeObserver === "function" ? new ResizeObserver(function (entries) {
    entries.forEach(function (entry) {
      var t = entry.target;
      // A swapped-out box is reported once more as it leaves; let it go.
      if (!t.isConnected) { scrollCueSizes.unobserve(t); return; }
      var box = t.closest(scrollCueSelector);
      if (box) measureScrollCue(box);
    });
  }) : null;
  // A trend chart's newest results are at its right end, and on a phone its box opened at the
  // left, on the oldest: 400009's potassium read flat and normal from February to July, her 6.8
  // "HH" of November off to the right. A chart box starts at its newest end once, when it arrives
  // (the page, or htmx: an analyte's history, a range pressed); the left shade then says older
  // results are there. Setting scrollLeft past its end stops at the right edge in either
  // direction (in a right-to-left page the right edge is 0, where it already starts). The lab
  // matrix is not moved: its newest date is its first column, at the left.
  var startedAtNewest = typeof WeakSet === "function" ? new WeakSet() : null;
  function startAtNewest(box) {
    if (!startedAtNewest || startedAtNewest.has(box) || !box.matches(".chart-scroll")) return;
    startedAtNewest.add(box);
    box.scrollLeft = box.scrollWidth;
  }
  function watchScrollCues(root) {
    if (!root || !root.querySelectorAll) return;
    var boxes = Array.prototype.slice.call(root.querySelectorAll(scrollCueSelector));
    if (root.matches && root.matches(scrollCueSelector)) boxes.push(root);
    boxes.forEach(function (box) {
      startAtNewest(box);
      measureScrollCue(box);
      if (!scrollCueSizes) return;
      // The table too: rows appended by "Show older" can widen it inside a box of the same size.
      scrollCueSizes.observe(box);
      if (box.firstElementChild) scrollCueSizes.observe(box.firstElementChild);
    });
  }
  // Scroll events do not bubble; one capturing listener hears every box.
  document.addEventListener("scroll", function (e) {
    var box = e.target;
    if (box && box.matches && box.matches(scrollCueSelector)) markScrollCue(box);
  }, true);
  document.addEventListener("htmx:load", function (e) { watchScrollCues(e.target); });
  // "Show older" appends rows to a table already watched; settle rechecks the box around them.
  document.addEventListener("htmx:afterSettle", function (e) {
    var t = e.detail && e.detail.target;
    var box = t && t.closest ? t.closest(scrollCueSelector) : null;
    watchScrollCues(box || t);
  });
  if (!scrollCueSizes) window.addEventListener("resize", function () { watchScrollCues(document); });
  watchScrollCues(document);

  // The patient banner is sticky at the top of the window, and what is scrolled into view (a section,
  // an analyte's history opened with show:top, the focus moved after "Show older") stops below it
  // through html's scroll-padding-top. A fixed padding fell short whenever the banner grew: at 200%
  // zoom with "More patient details" open it is about half the window, and a section scrolled to
  // sat partly under it. The stylesheet adds a margin to --banner-height, set here from the
  // banner's real height whenever it changes (opened, closed, wrapped, zoomed); without JavaScript
  // its fixed fallback applies. Set through the CSSOM, which the Content-Security-Policy allows.
  var root = document.documentElement;
  var watchedBanner = null;
  var detailsOpenedAt = null; // the page's scrollY where the banner's details were opened (below)
  function measureBanner() {
    if (!watchedBanner || !watchedBanner.isConnected) return;
    root.style.setProperty("--banner-height", Math.ceil(watchedBanner.getBoundingClientRect().height) + "px");
    if (watchedBanner.querySelector("details[open]")) detailsOpenedAt = window.scrollY;
  }
  var bannerSizes = typeof ResizeObserver === "function" ? new ResizeObserver(measureBanner) : null;
  function watchBanner() {
    var banner = document.querySelector(".patient-banner");
    if (banner === watchedBanner) return;
    if (watchedBanner && bannerSizes) bannerSizes.unobserve(watchedBanner);
    watchedBanner = banner;
    if (!banner) {
      root.style.removeProperty("--banner-height");
      return;
    }
    measureBanner();
    if (bannerSizes) bannerSizes.observe(banner);
  }
  if (!bannerSizes) {
    window.addEventListener("resize", measureBanner);
    // toggle (details opened or closed) does not bubble.
    document.addEventListener("toggle", measureBanner, true);
  }
  // A boosted page or a restored history entry may bring another banner, or none.
  document.addEventListener("htmx:load", watchBanner);
  watchBanner();

  // "More patient details" opened in the sticky banner stayed open while the chart scrolled under
  // it: about 160 px of a 900 px window at 1280 px, 280 px (a third) of a phone, pinned over what
  // the clinician scrolled on to read. The details are a look-up, not something to keep in view:
  // once the page has scrolled on from where they were opened, by more than a few lines with the
  // banner pinned, they close, and only the identity line (name, MRN, birth date) stays pinned.
  // Opening them grows the banner, and Chromium's scroll anchoring then scrolls the page by as
  // much to keep the content in place: so where they were opened is taken again each time the
  // banner's size changes (measureBanner, after that layout and before its scroll event), and the
  // banner's own growth does not close them. Without JavaScript they stay open, the banner capped
  // at half the window.
  document.addEventListener("toggle", function (e) {
    var details = e.target;
    if (!details || !details.matches || !details.matches(".patient-banner details")) return;
    if (!details.open) detailsOpenedAt = null;
    else if (detailsOpenedAt === null) detailsOpenedAt = window.scrollY;
  }, true);
  window.addEventListener("scroll", function () {
    if (detailsOpenedAt === null) return;
    var details = watchedBanner && watchedBanner.isConnected && watchedBanner.querySelector("details[open]");
    if (!details) { detailsOpenedAt = null; return; }
    if (Math.abs(window.scrollY - detailsOpenedAt) < 48) return;
    // Not pinned yet (the page is near its top): the details cover nothing.
    if (watchedBanner.getBoundingClientRect().top > 1) return;
    detailsOpenedAt = null;
    details.open = false;
  }, { passive: true });

  // The critical-results summary under the banner is a live region that every labs answer refills
  // out of band. Refilled with the same results (a range or view switch, a Refresh that found
  // nothing new), a screen reader would read the whole list again: an unchanged summary, by its
  // key (views.CriticalResults.Key), is left alone.
  document.addEventListener("htmx:oobBeforeSwap", function (evt) {
    var slot = evt.detail && evt.detail.target;
    if (!slot || slot.id !== "critical-results" || !evt.detail.fragment) return;
    var keyOf = function (root) {
      var el = root.querySelector("[data-critical-key]");
      return el ? el.getAttribute("data-critical-key") : "";
    };
    if (keyOf(evt.detail.fragment) === keyOf(slot)) evt.detail.shouldSwap = false;
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
