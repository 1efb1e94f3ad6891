// Chartside session courtesy for shared workstations. External file: the Content-Security-Policy
// forbids inline scripts and eval. The server enforces the idle timeout whatever this script does;
// this only warns before it happens and clears the screen when it does.
//
// Two jobs, each switched on by markup the server rendered:
//   - #kiosk-warning (signed-in pages in kiosk mode): count down the idle timeout, show the warning
//     in its last WarnSeconds with "Stay signed in", then sign out and leave for the sign-in page.
//     Tabs of one browser keep one countdown and sign out together (BroadcastChannel).
//   - form[data-stale-after-seconds] (the sign-in page): the form's CSRF token lives in an anonymous
//     session with the same idle timeout; reload the page rather than submit a token that died.
(function () {
  "use strict";

  var SIGNIN_URL = "/signin";
  var SIGNOUT_URL = "/signout";
  var KEEPALIVE_URL = "/session/keepalive";
  // Sign out a little before the server would: the sign-out request must still find the session
  // (its CSRF token, and who to record the timeout against in the audit trail).
  var MARGIN_SECONDS = 3;

  function csrfToken() {
    var input = document.querySelector('input[name="csrf_token"]');
    if (input && input.value) return input.value;
    try {
      var h = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
      return h["X-CSRF-Token"] || "";
    } catch (e) {
      return "";
    }
  }

  // A page restored from the back-forward cache was not re-checked by the server; after a sign-out
  // it must not show patient data again, so ask the server (which redirects when signed out).
  window.addEventListener("pageshow", function (e) {
    if (e.persisted) window.location.reload();
  });

  // ---- Sign-in page: never submit a stale form ---------------------------------------------------
  var signinForm = document.querySelector("form[data-stale-after-seconds]");
  if (signinForm) {
    var staleAfter = parseInt(signinForm.getAttribute("data-stale-after-seconds"), 10);
    var loadedAt = Date.now();
    var stale = function () {
      return staleAfter > 0 && Date.now() - loadedAt > staleAfter * 1000;
    };
    var refresh = function (e) {
      if (!stale()) return;
      if (e) e.preventDefault();
      window.location.replace(window.location.href);
    };
    signinForm.addEventListener("focusin", refresh);
    signinForm.addEventListener("submit", refresh);
  }

  // ---- Kiosk countdown ---------------------------------------------------------------------------
  var warning = document.getElementById("kiosk-warning");
  if (!warning) return;
  var idleSeconds = parseInt(warning.getAttribute("data-idle-seconds"), 10);
  var warnSeconds = parseInt(warning.getAttribute("data-warn-seconds"), 10) || 30;
  if (!(idleSeconds > 0)) return;
  var countdown = document.getElementById("kiosk-countdown");
  var stay = document.getElementById("kiosk-stay");
  var deadline = 0;
  var timer = 0;
  var leaving = false;

  // Other Chartside tabs and windows of this browser share the session: activity in one pushes
  // the server's idle deadline back for all, and a sign-out in one ends it for all. Without telling
  // each other, a chart left in one tab signed out a nurse working in another when its own
  // countdown ran out, and after Sign out the other tabs kept the patient on screen for the next
  // person at the kiosk. A BroadcastChannel carries only these two words, never patient data, and
  // keeps nothing in storage.
  var channel = null;
  try {
    channel = typeof BroadcastChannel === "function" ? new BroadcastChannel("chartside-session") : null;
  } catch (e) {
    channel = null;
  }
  function tell(type) {
    if (channel) channel.postMessage({ type: type });
  }

  // The warning takes the focus (onto "Stay signed in") from wherever the user was. Hidden with the
  // focus inside it, the focus fell to the page's body: a keyboard or screen-reader user who pressed
  // Stay was sent back to the top of the chart, their place in it lost. Where they were is kept
  // when the warning shows and given back when it hides.
  var returnFocus = null;
  function showWarning() {
    var active = document.activeElement;
    returnFocus = active && active !== document.body && !warning.contains(active) ? active : null;
    warning.hidden = false;
    stay.focus();
  }
  function hideWarning() {
    if (warning.hidden) return;
    var hadFocus = warning.contains(document.activeElement);
    warning.hidden = true;
    var back = returnFocus;
    returnFocus = null;
    if (!hadFocus) return;
    if (!back || !back.isConnected || back.getClientRects().length === 0) back = document.getElementById("main");
    if (back) back.focus({ preventScroll: true });
  }

  // Every request that reaches the server pushes its idle deadline back, so the countdown restarts.
  function restart(fromOtherTab) {
    deadline = Date.now() + idleSeconds * 1000;
    hideWarning();
    if (!fromOtherTab) tell("activity");
  }

  function clearScreen() {
    // Patient data must not stay visible while the sign-out request is in flight.
    var main = document.getElementById("main");
    if (main) main.replaceChildren();
    warning.hidden = true;
    document.title = "Signing out · Chartside";
  }

  function signOut(reason) {
    if (leaving) return;
    leaving = true;
    window.clearInterval(timer);
    clearScreen();
    tell("signout");
    var token = csrfToken();
    var body = new URLSearchParams();
    body.set("csrf_token", token);
    body.set("reason", reason);
    var leave = function () {
      tell("signedout");
      // replace(), not assign(): the patient page's history entry is overwritten, so Back does not
      // lead to it.
      window.location.replace(SIGNIN_URL);
    };
    window
      .fetch(SIGNOUT_URL, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        redirect: "manual",
        headers: { "X-CSRF-Token": token },
      })
      .then(leave, leave);
  }

  // Someone typing, tapping or scrolling is at the screen, but the server sees only requests: a
  // nurse typing the next MRN after reading a chart for a few minutes had the warning pop up and
  // take the focus mid-word. Input in the last PRESENT_MS before the warning is due, or while it
  // shows, counts as pressing "Stay signed in"; only a screen nobody touched gets the warning.
  var PRESENT_MS = 10000;
  var lastInput = 0;
  ["keydown", "pointerdown", "wheel"].forEach(function (type) {
    document.addEventListener(type, function () {
      lastInput = Date.now();
      if (!warning.hidden && !leaving) keepAlive();
    }, { capture: true, passive: true });
  });

  function tick() {
    var left = Math.ceil((deadline - Date.now()) / 1000) - MARGIN_SECONDS;
    if (left <= 0) {
      signOut("timeout");
      return;
    }
    if (left <= warnSeconds) {
      if (warning.hidden && Date.now() - lastInput < PRESENT_MS) {
        keepAlive();
        return;
      }
      countdown.textContent = String(left);
      if (warning.hidden) showWarning();
    } else {
      hideWarning();
    }
  }

  // keepAlive asks the server to push the idle deadline back, at most one request at a time.
  var keeping = false;
  function keepAlive() {
    if (keeping) return;
    keeping = true;
    window
      .fetch(KEEPALIVE_URL, {
        method: "POST",
        credentials: "same-origin",
        // A session that has ended answers with a redirect to sign in; followed, it would look
        // like success (the sign-in page is a 200) and keep the patient on screen.
        redirect: "manual",
        headers: { "X-CSRF-Token": csrfToken() },
      })
      .then(function (r) {
        if (r.ok) {
          restart();
        } else if (r.status >= 500) {
          // The server could not record it (e.g. its session store was busy): keep counting;
          // Stay can be pressed again.
        } else {
          window.location.replace(SIGNIN_URL); // ended on the server (timed out, signed out elsewhere)
        }
      }, function () {
        // Server unreachable: keep counting; the server decides when it is back.
      })
      .then(function () {
        keeping = false;
      });
  }
  stay.addEventListener("click", keepAlive);

  // Only a request the server answered below 500 is sure to have reached the session and pushed
  // the idle deadline back (a 503 can mean the session store failed). Not restarting on the
  // others can only make the kiosk sign out early, never leave a patient on screen too long.
  document.addEventListener("htmx:afterRequest", function (e) {
    var xhr = e.detail && e.detail.xhr;
    if (xhr && xhr.status > 0 && xhr.status < 500) restart();
  });

  // The visible Sign out control goes through the same path, so its history entry is replaced too.
  document.querySelectorAll('form[action="' + SIGNOUT_URL + '"]').forEach(function (f) {
    f.addEventListener("submit", function (e) {
      e.preventDefault();
      signOut("signout");
    });
  });

  function follow() {
    window.location.replace(SIGNIN_URL);
  }
  if (channel) {
    channel.onmessage = function (e) {
      var type = e.data && e.data.type;
      if (type === "signedout") {
        follow();
      } else if (leaving) {
        return;
      } else if (type === "activity") {
        restart(true);
      } else if (type === "signout") {
        // Another tab is ending the session: clear this one at once, and follow it to the sign-in
        // page once the session is gone ("signedout": going now could still find it and land
        // signed in), or after a few seconds if that tab never says so.
        leaving = true;
        window.clearInterval(timer);
        clearScreen();
        window.setTimeout(follow, 5000);
      }
    };
  }

  restart();
  timer = window.setInterval(tick, 1000);
})();
