package views

import "testing"

// Only the answer to Retry puts the keyboard focus on the reloaded section's heading (htmx
// focuses [autofocus] in what it swaps in); a section's first load, or any other rendering,
// leaves the focus where the user is. The encounter drill-down's Retry works the same way.
func TestRetryAnswerTakesFocus(t *testing.T) {
	for _, focus := range []bool{false, true} {
		s := fixtureStrip()
		s.Focus = focus
		d := doc(t, VitalsStripFragment(s))
		h := d.Find("#" + VitalsStripID + "-title")
		_, autofocus := h.Attr("autofocus")
		tabindex, _ := h.Attr("tabindex")
		if autofocus != focus || (tabindex == "-1") != focus {
			t.Errorf("Focus %v: heading autofocus %v, tabindex %q; want both only on Retry's answer", focus, autofocus, tabindex)
		}
		if n := d.Find("[autofocus]").Length(); n > 1 {
			t.Errorf("Focus %v: %d elements with autofocus, want at most the heading", focus, n)
		}

		e := EncounterDetail{Section: fixtureSection("encounter-enc-a", "Encounter")}
		e.Focus = focus
		detail := doc(t, EncounterFragment(e)).Find(tid("encounter-detail"))
		_, autofocus = detail.Attr("autofocus")
		tabindex, _ = detail.Attr("tabindex")
		if autofocus != focus || (tabindex == "-1") != focus {
			t.Errorf("Focus %v: encounter detail autofocus %v, tabindex %q; want both only on Retry's answer", focus, autofocus, tabindex)
		}
	}
}
