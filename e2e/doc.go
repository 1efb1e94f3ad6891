// Package e2e holds Chartside's real-browser test: the built `web` binary runs in sandbox mode on a
// free port, Debian's headless Chromium is driven over the DevTools protocol (chromedp), and a
// clinician's main flow is exercised end to end — sign in, look up an MRN, read the banner and
// vitals, expand an encounter, open an analyte trend — while console errors, Content-Security-Policy
// violations and axe-core accessibility findings are collected. Screenshots go to artifacts/.
//
// The test needs /usr/bin/chromium (apt-get install chromium) and node_modules/axe-core (npm ci).
// Without Chromium it skips, except under CI (CI set), where it must run.
package e2e
