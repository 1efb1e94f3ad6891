package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// Epic puts a "Client not authorized … Outside Record" warning into nearly every search of Camila
// Lopez (203713), as it does for real patients. Each used to be a yellow box of four or five lines
// at 390 px, one per chart section and two in every opened encounter (vitals and results), ~400 px
// of warnings before the encounter's first value; and the stale-vitals notice, which asks for
// action, wore the same yellow, so a nurse who learned to skip the boxes skipped it too. The notes
// are now one line each (the full text one press away) and the stale notice has a look of its own.

// recordNotes measures, at the current viewport, the record notes of the chart's sections and of
// the opened encounter, and the look of the stale-vitals notice and of a note.
const recordNotes = `(function () {
	function h(el) { return Math.round(el.getBoundingClientRect().height); }
	var out = {sections: [], encounter: [], stale: null, note: null};
	document.querySelectorAll('section.chart-section').forEach(function (s) {
		var total = 0, n = 0;
		s.querySelectorAll('[data-testid="section-warning"]').forEach(function (w) {
			if (w.closest('[data-testid="encounter-detail"]')) return;
			total += h(w); n++;
		});
		out.sections.push({id: s.id, count: n, height: total});
	});
	var d = document.querySelector('[data-testid="encounter-detail"]');
	if (d) d.querySelectorAll('[data-testid="section-warning"]').forEach(function (w) { out.encounter.push(h(w)); });
	function look(el) {
		if (!el) return null;
		var s = getComputedStyle(el);
		return {text: el.textContent.replace(/\s+/g, ' ').trim(), background: s.backgroundColor, border: s.borderLeftColor + ' ' + s.borderLeftWidth, height: h(el)};
	}
	out.stale = look(document.querySelector('[data-testid="vitals-stale"]'));
	out.note = look(document.querySelector('[data-testid="section-warning"] > *'));
	return out;
})()`

type look struct {
	Text       string `json:"text"`
	Background string `json:"background"`
	Border     string `json:"border"`
	Height     int    `json:"height"`
}

type notesLayout struct {
	Sections []struct {
		ID     string `json:"id"`
		Count  int    `json:"count"`
		Height int    `json:"height"`
	} `json:"sections"`
	Encounter []int `json:"encounter"`
	Stale     *look `json:"stale"`
	Note      *look `json:"note"`
}

// chartLoaded is true when no section is still a loading placeholder.
const chartLoaded = `document.querySelectorAll('section[aria-busy="true"]').length === 0 && document.querySelectorAll('section.chart-section').length >= 5`

func TestBrowserRecordNotesAreCompact(t *testing.T) {
	base, ctx := startChartside(t)
	axeJS := readAxe(t, repoRoot(t))

	must(t, "open 203713's chart on a 390 px phone", chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844),
		openChartAs(base, demoUser, demoPass, "203713"),
		chromedp.Poll[chromedp.Void](chartLoaded),
		chromedp.Click(chromedp.CSS(`[data-testid="encounter-expand"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="encounter-detail"] dl`)),
	))
	got, err := chromedp.Run(ctx, chromedp.Evaluate[notesLayout](recordNotes))
	must(t, "measure the record notes", err)
	t.Logf("203713 at 390 px: %+v; stale %+v; note %+v", got.Sections, got.Stale, got.Note)

	const line = 40 // one line of note text with its padding, at most
	noted := 0
	for _, s := range got.Sections {
		if s.Count > 1 || s.Height > line {
			t.Errorf("section %s has %d record notes, %d px high: want at most one line (%d px)", s.ID, s.Count, s.Height, line)
		}
		noted += s.Count
	}
	if noted < 3 {
		t.Errorf("%d sections say the record may be incomplete; Epic's captures for 203713 withhold outside encounters, results and vital signs", noted)
	}
	if len(got.Encounter) != 1 || got.Encounter[0] > line {
		t.Errorf("the opened encounter has record notes %v (px): want one of at most %d px", got.Encounter, line)
	}
	if got.Stale == nil || got.Note == nil {
		t.Fatalf("stale notice %+v, record note %+v: want both on 203713's chart", got.Stale, got.Note)
	}
	if got.Stale.Background == got.Note.Background && got.Stale.Border == got.Note.Border {
		t.Errorf("the stale-vitals notice (%+v) looks like a record note (%+v)", got.Stale, got.Note)
	}
	checkAxe(t, ctx, axeJS, "203713's chart at 390 px with an encounter opened")

	// Harold Whitaker (400001) died: his vitals are old because he did, not because nobody took them.
	must(t, "open 400001's chart", chromedp.Do(ctx,
		lookUp(base, "400001"),
		chromedp.Poll[chromedp.Void](chartLoaded),
	))
	dead, err := chromedp.Run(ctx, chromedp.Evaluate[notesLayout](recordNotes))
	must(t, "read 400001's chart", err)
	if dead.Stale != nil {
		t.Errorf("a deceased patient's vitals strip says %q", dead.Stale.Text)
	}
}
