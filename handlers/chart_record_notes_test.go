package handlers_test

import (
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// Epic's "Client not authorized … Outside Record" warnings (59204) are in nearly every search of
// Camila Lopez (203713), as of real patients. Each section says, in one line, that its record may
// be incomplete and why, with Epic's words behind it (a <details>, no JavaScript needed); an opened
// encounter, whose one search covers vitals and results, has one such note naming both, not two
// boxes. The stale-vitals notice asks for action and no longer shares the warning boxes' look.
func TestRecordNotesAreOneLine(t *testing.T) {
	env := newChartEnv(t, chartEnvOptions{})
	b := env.signIn()
	chart := b.openChart("203713")
	b.get(chart, nil)

	const summary = "May be incomplete: outside records not shown"
	oneNote := func(t *testing.T, where string, sec *goquery.Selection, epicSays ...string) {
		t.Helper()
		if n := sec.Find(`.alert-warning`).Length(); n != 0 {
			t.Errorf("%s: %d warning boxes, want none for Epic's outside-record warnings", where, n)
		}
		notes := sec.Find(`[data-testid="section-warning"]`)
		if notes.Length() != 1 || !notes.Is("details.record-note") {
			t.Fatalf("%s: %d notes (%q), want one collapsed <details>", where, notes.Length(), notes.Text())
		}
		if _, open := notes.Attr("open"); open {
			t.Errorf("%s: the note is open; its one line should be all that is shown", where)
		}
		if got := strings.TrimSpace(notes.Find(`summary`).Text()); got != summary {
			t.Errorf("%s: note says %q, want %q", where, got, summary)
		}
		detail := strings.Join(strings.Fields(notes.Find(`[data-testid="record-note-detail"]`).Text()), " ")
		for _, want := range append(epicSays, "Check Epic directly for the complete record.") {
			if !strings.Contains(detail, want) {
				t.Errorf("%s: note's detail %q lacks %q", where, detail, want)
			}
		}
	}

	strip := b.get(chart+"/vitals-strip", hxReq).doc(t)
	oneNote(t, "vitals strip", strip.Selection, "Outside Record Vital Signs")
	stale := strip.Find(`[data-testid="vitals-stale"]`)
	if !strings.HasPrefix(strings.TrimSpace(stale.Text()), "Vitals are ") {
		t.Fatalf("203713's strip says %q, want its vitals' age (the captures are months old)", stale.Text())
	}
	if stale.HasClass("alert") || stale.HasClass("alert-warning") {
		t.Errorf("the stale notice has class %q: it looks like the warning boxes", stale.AttrOr("class", ""))
	}
	oneNote(t, "vitals table", b.get(chart+"/vitals", hxReq).doc(t).Selection, "Outside Record Vital Signs")
	oneNote(t, "labs", b.get(chart+"/labs", hxReq).doc(t).Selection, "Outside Record Results")
	timeline := b.get(chart+"/encounters", hxReq).doc(t)
	oneNote(t, "timeline", timeline.Selection, "Encounter - Outside Record")

	href, ok := timeline.Find(`[data-testid="encounter-expand"]`).First().Attr("hx-get")
	if !ok {
		t.Fatal("timeline has no encounter to expand")
	}
	detail := b.get(href, hxReq).doc(t).Find(`[data-testid="encounter-detail"]`)
	oneNote(t, "encounter details", detail, "Outside Record Vital Signs", "Outside Record Results")

	// Without htmx each section is a page of its own: the same one-line note.
	oneNote(t, "labs page", b.get(chart+"/labs", nil).doc(t).Find(`#section-labs`), "Outside Record Results")
}

// Harold Whitaker (400001) died two days after his last vitals; his strip read "Vitals are 2
// months old", asking for vitals nobody can take. A deceased patient's strip, on the chart, on its
// own page and printed, says nothing of the vitals' age: the banner says Deceased and the date,
// and each tile keeps its time.
func TestDeceasedStripSaysNothingOfVitalsAge(t *testing.T) {
	env := newChartEnv(t, chartEnvOptions{})
	b := env.signIn()
	dead := b.openChart("400001")
	b.get(dead, nil)
	for _, h := range []map[string]string{hxReq, nil} {
		d := b.get(dead+"/vitals-strip", h).doc(t)
		if d.Find(`[data-testid="vital-value"]`).Length() == 0 {
			t.Fatal("400001's strip shows no vitals")
		}
		if n := d.Find(`[data-testid="vitals-stale"]`); n.Length() != 0 {
			t.Errorf("deceased patient's strip (htmx %v) says %q", h != nil, strings.TrimSpace(n.Text()))
		}
	}
	if n := b.get(dead+"/print", nil).doc(t).Find(`[data-testid="vitals-stale"]`); n.Length() != 0 {
		t.Errorf("deceased patient's printed chart says %q", strings.TrimSpace(n.Text()))
	}
}
