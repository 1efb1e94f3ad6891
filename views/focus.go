package views

// FocusParam marks the htmx request of a control that its own answer replaces: a failed section's
// Retry (Section.RetryURL carries it) and an empty range's "Show all …" (olderHint adds it with
// hx-vals, so the link's href, for pages without JavaScript, does not). The control had the
// keyboard focus and is gone once the answer is swapped in, so the answer, and only it, puts the
// focus on the reloaded section's heading (Section.Focus) instead of letting it fall to <body>.
//
// Controls whose element id repeats in their answer (Refresh, the time ranges, the table/matrix
// switch) do not send it: htmx puts the focus back on that id after the swap, which keeps the
// user on the control they pressed.
const FocusParam = "focus"
