package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/chartside/chartside/epic"
	"github.com/chartside/chartside/epic/fhir"
	"github.com/chartside/chartside/epic/sandbox"
)

// clockTime is a time of day as a URL would spell it, escaped or not.
var clockTime = regexp.MustCompile(`\d{2}(:|%3[Aa])\d{2}`)

// urlsWithPatientDates returns every URL of doc, with where it is, that holds a date or a time of
// day: none may, but for the timeline's own window bound (before= on /encounters), which is
// counted from today (see TestEncounterLinksCarryNoPatientData).
func urlsWithPatientDates(t *testing.T, doc *goquery.Document) []string {
	t.Helper()
	var bad []string
	for u, where := range pageURLs(doc) {
		p, err := url.Parse(u)
		if err != nil {
			bad = append(bad, fmt.Sprintf("%s %q: %v", where, u, err))
			continue
		}
		q := p.Query()
		if strings.HasSuffix(p.Path, "/encounters") {
			q.Del("before")
		}
		rest := p.Path + "?" + q.Encode()
		if unescaped, err := url.QueryUnescape(rest); err == nil {
			rest += " " + unescaped
		}
		if d := strings.TrimSpace(isoDay.FindString(rest) + " " + clockTime.FindString(rest)); d != "" {
			bad = append(bad, fmt.Sprintf("%s %q holds %s", where, u, d))
		}
	}
	return bad
}

// TestTablePagingLinksCarryNoPatientData: the vitals and labs tables' Show older links, and the
// Retry and Refresh of the pages they open, used to carry before=<the exact time of the oldest
// result shown>: when one of the patient's results was taken, in browser history, proxy logs and
// Referer headers. No URL of the chart, the tables, their Show older answers or the pages those
// URLs open may hold a date or a time; Show older must still append exactly the older rows Epic
// has, its URL must still open the section's page from those rows without htmx, with working
// Refresh and Retry, and only in the session it was drawn for.
func TestTablePagingLinksCarryNoPatientData(t *testing.T) {
	env := newChartEnv(t, chartEnvOptions{})
	b := env.signIn()
	chart := b.openChart(longHistoryMRN)
	docs := map[string]*goquery.Document{"chart": b.get(chart, nil).doc(t)}
	year := time.Now().AddDate(-1, 0, 0)
	var firstOlder string // the vitals table's first Show older URL
	for _, tt := range []struct {
		path, tableID, section, cat string
		from                        time.Time
	}{
		{chart + "/vitals", "vitals-table", "vitals-table-section", fhir.CategoryVitalSigns, year},
		{chart + "/labs?range=all", "labs-table", "labs-section", fhir.CategoryLaboratory, time.Time{}},
	} {
		first := b.get(tt.path, hxReq)
		if first.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d", tt.path, first.StatusCode)
		}
		d := first.doc(t)
		docs[tt.path] = d
		docs[tt.path+" page"] = b.get(tt.path, nil).doc(t)
		firstRows := rowKeys(d.Find(`[data-testid="` + tt.tableID + `"] tbody [data-testid="obs-row"]`))
		rows := firstRows
		var olders []string
		next, _ := d.Find(`[data-testid="show-older"]`).Attr("hx-get")
		for next != "" {
			if len(olders) > 20 {
				t.Fatalf("%s: Show older never ends", tt.path)
			}
			olders = append(olders, next)
			r := b.get(next, hxReq)
			if r.StatusCode != http.StatusOK {
				t.Fatalf("Show older %s: status %d", next, r.StatusCode)
			}
			fd := rowsFragment(t, r)
			docs[fmt.Sprintf("%s older %d", tt.path, len(olders))] = fd
			rows = append(rows, rowKeys(fd.Find(`tbody [data-testid="obs-row"]`))...)
			next, _ = fd.Find(`#` + tt.tableID + `-more [data-testid="show-older"]`).Attr("hx-get")
		}
		if len(olders) == 0 {
			t.Fatalf("%s: no Show older link; the patient's history no longer pages", tt.path)
		}
		// Show older appends Epic's older results, newest first: none repeated, none missing.
		want := wantKeys(env.epicTruth(longHistoryMRN, epic.ObservationQuery{Categories: []string{tt.cat}, From: tt.from}))
		if len(rows) != len(want) {
			t.Errorf("%s: %d rows after %d Show older steps, Epic has %d", tt.path, len(rows), len(olders), len(want))
		}
		for j := range min(len(rows), len(want)) {
			if rows[j] != want[j] {
				t.Errorf("%s: row %d = %q, want %q", tt.path, j+1, rows[j], want[j])
				break
			}
		}

		// Without htmx the Show older URL is the section's page from those rows; its Refresh
		// shows the same rows again.
		older := olders[0]
		page := b.get(older, nil)
		if page.StatusCode != http.StatusOK {
			t.Fatalf("%s without htmx: status %d", older, page.StatusCode)
		}
		pd := page.doc(t)
		docs[tt.path+" older page"] = pd
		sec := pd.Find(`[data-testid="` + tt.section + `"]`)
		pageRows := rowKeys(sec.Find(`[data-testid="obs-row"]`))
		if len(pageRows) == 0 || pageRows[0] != rows[len(firstRows)] {
			t.Fatalf("%s without htmx: %d rows, first %q; want them to start at row %d, %q", older, len(pageRows), pageRows, len(firstRows)+1, rows[len(firstRows)])
		}
		refresh, _ := sec.Find(`[data-testid="refresh"]`).Attr("hx-get")
		rr := b.get(refresh, hxReq)
		if got := rowKeys(rr.doc(t).Find(`[data-testid="obs-row"]`)); rr.StatusCode != http.StatusOK || len(got) == 0 || got[0] != pageRows[0] {
			t.Errorf("Refresh %q of the older page: status %d, first row %q, want %q", refresh, rr.StatusCode, got, pageRows[0])
		}

		// Epic fails: the section's Retry (the page) and Show older's line (htmx) offer the same
		// rows again, and Retry shows them.
		env.sb.Faults().FailNext(sandbox.FHIRBasePath+"/Observation", 2, sandbox.Fault{Kind: sandbox.FaultServerError})
		failed := b.get(older, nil).doc(t)
		docs[tt.path+" failed older page"] = failed
		docs[tt.path+" failed older"] = rowsFragment(t, b.get(older, hxReq))
		retry, _ := failed.Find(`[data-testid="` + tt.section + `"] [data-testid="retry"]`).Attr("hx-get")
		if retry == "" {
			t.Fatalf("%s: the failed page offers no Retry", older)
		}
		r := b.get(retry, hxReq)
		if got := rowKeys(r.doc(t).Find(`[data-testid="obs-row"]`)); r.StatusCode != http.StatusOK || len(got) == 0 || got[0] != pageRows[0] {
			t.Errorf("Retry %q of the older page: status %d, first row %q, want %q", retry, r.StatusCode, got, pageRows[0])
		}
		if firstOlder == "" {
			firstOlder = older
		}
	}
	for name, doc := range docs {
		for _, bad := range urlsWithPatientDates(t, doc) {
			t.Errorf("%s: %s", name, bad)
		}
	}

	// The cursor opens in this session only, unaltered; a time typed in (the old form of the URL)
	// or another sealed value (an encounter's reference) is refused as an invalid value is.
	u, err := url.Parse(firstOlder)
	if err != nil {
		t.Fatal(err)
	}
	cursor := u.Query().Get("before")
	if cursor == "" {
		t.Fatalf("Show older URL %q has no before", firstOlder)
	}
	withCursor := func(chart, c string) string {
		return chart + "/vitals?" + url.Values{"before": {c}, "more": {"1"}}.Encode()
	}
	tampered := []byte(cursor)
	tampered[len(tampered)/2] ^= 'A' ^ 'B'
	if tampered[len(tampered)/2] == cursor[len(cursor)/2] {
		t.Fatal("tampering changed nothing")
	}
	enc := b.get(chart+"/encounters", hxReq).doc(t)
	link, ok := enc.Find(`[data-testid="encounter-expand"]`).Attr("hx-get")
	if !ok {
		t.Fatal("no encounter Details link to take a sealed reference from")
	}
	other := env.signIn()
	otherChart := other.openChart(longHistoryMRN)
	for name, try := range map[string]struct {
		b    *browser
		path string
	}{
		"another session":           {other, withCursor(otherChart, cursor)},
		"tampered":                  {b, withCursor(chart, string(tampered))},
		"truncated":                 {b, withCursor(chart, cursor[:len(cursor)-4])},
		"a time":                    {b, withCursor(chart, time.Now().UTC().Format(time.RFC3339Nano))},
		"an encounter reference":    {b, withCursor(chart, encounterRef(link))},
		"another session, labs":     {other, otherChart + "/labs?" + url.Values{"before": {cursor}}.Encode()},
		"a time, labs without htmx": {b, chart + "/labs?" + url.Values{"before": {"2026-01-01T00:00:00Z"}}.Encode()},
	} {
		for _, hdr := range []map[string]string{hxReq, nil} {
			if r := try.b.get(try.path, hdr); r.StatusCode != http.StatusBadRequest {
				t.Errorf("%s (HX-Request %v): status %d, want 400\n%.500s", name, hdr != nil, r.StatusCode, r.body)
			}
		}
	}
	// The same session still opens it, after those.
	if r := b.get(firstOlder, hxReq); r.StatusCode != http.StatusOK || !strings.HasPrefix(r.body, "<tr") {
		t.Errorf("Show older again: status %d\n%.300s", r.StatusCode, r.body)
	}
}
