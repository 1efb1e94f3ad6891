package handlers_test

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/chartside/chartside/present"
)

// monthsMRN is the test patient of TestTimelineListsEachMonthOnce.
const monthsMRN = "700001"

// monthsBundle writes a patient whose finished encounters fall on both sides of where the
// timeline's windows used to end (12 months back from today, to the day): two in June 2024 and
// two in June 2023, with the clock on June 18, 2025. It returns the encounters' timeline element
// ids, newest first.
func monthsBundle(t *testing.T, dir string) []string {
	t.Helper()
	var periods [][2]time.Time
	for _, d := range []string{"2025-05-02", "2024-06-25", "2024-06-10", "2024-03-14", "2023-09-05", "2023-06-28", "2023-06-05", "2023-02-20"} {
		start, err := time.Parse(time.DateOnly, d)
		if err != nil {
			t.Fatal(err)
		}
		periods = append(periods, [2]time.Time{start.Add(14 * time.Hour), start.Add(15 * time.Hour)})
	}
	return encountersBundle(t, dir, periods)
}

// encountersBundle writes the patient monthsMRN with a finished office visit over each period,
// sent by "Epic" in UTC, and returns their timeline element ids in the order given.
func encountersBundle(t *testing.T, dir string, periods [][2]time.Time) []string {
	t.Helper()
	patient := map[string]any{"reference": "Patient/months-1"}
	entries := []any{map[string]any{"fullUrl": "urn:uuid:p", "resource": map[string]any{
		"resourceType": "Patient", "id": "months-1",
		"identifier": []any{map[string]any{"type": map[string]any{"coding": []any{map[string]any{"code": "MR"}}}, "value": monthsMRN}},
		"name":       []any{map[string]any{"use": "official", "family": "Month", "given": []any{"Straddle"}}},
		"gender":     "female", "birthDate": "1961-04-12",
	}}}
	var ids []string
	for _, p := range periods {
		id := "v" + p[0].UTC().Format("20060102T1504")
		ids = append(ids, present.EncounterDOMID(id))
		entries = append(entries, map[string]any{"fullUrl": "urn:uuid:" + id, "resource": map[string]any{
			"resourceType": "Encounter", "id": id, "status": "finished",
			"class":   map[string]any{"code": "AMB"},
			"type":    []any{map[string]any{"text": "Office Visit"}},
			"subject": patient,
			"period":  map[string]any{"start": p[0].UTC().Format(time.RFC3339), "end": p[1].UTC().Format(time.RFC3339)},
		}})
	}
	raw, err := json.Marshal(map[string]any{"resourceType": "Bundle", "type": "transaction", "entry": entries})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "months.json"), raw, 0o600); err != nil {
		t.Fatal(err)
	}
	return ids
}

// timelineWindows opens the timeline and presses Load earlier until there is none, and returns
// what it listed over all its windows: the month headings, the encounters' element ids and the
// windows' captions, in order, and the Load earlier bounds (before=).
func timelineWindows(t *testing.T, b *browser, chart string) (headings, listed, captions, bounds []string) {
	t.Helper()
	doc := b.get(chart+"/encounters", hxReq).doc(t)
	for w := 0; ; w++ {
		doc.Find(`[data-testid="timeline-window"]`).Each(func(_ int, s *goquery.Selection) {
			captions = append(captions, strings.TrimSpace(s.Text()))
		})
		doc.Find(`[data-testid="month-group"]`).Each(func(_ int, g *goquery.Selection) {
			headings = append(headings, strings.TrimSpace(g.Find("h3").Text()))
			g.Find(`[data-testid="encounter"]`).Each(func(_ int, e *goquery.Selection) {
				id, _ := e.Attr("id")
				listed = append(listed, id)
			})
		})
		more, ok := doc.Find(`[data-testid="load-earlier"] a`).Attr("hx-get")
		if !ok {
			return
		}
		if w > 10 {
			t.Fatal("Load earlier never ends")
		}
		u, err := url.Parse(more)
		if err != nil {
			t.Fatal(err)
		}
		bounds = append(bounds, u.Query().Get("before"))
		doc = b.get(more, hxReq).doc(t)
	}
}

// checkListedOnce fails unless every encounter of ids is listed exactly once, in that order.
func checkListedOnce(t *testing.T, listed, ids []string) {
	t.Helper()
	if len(listed) != len(ids) {
		t.Errorf("%d encounters listed, want %d: %q", len(listed), len(ids), listed)
	}
	for i, id := range ids {
		if n := len(slices.DeleteFunc(slices.Clone(listed), func(l string) bool { return l != id })); n != 1 {
			t.Errorf("encounter %s listed %d times, want once", id, n)
		}
		if i < len(listed) && listed[i] != id {
			t.Errorf("encounter %d listed is %s, want %s (newest first)", i+1, listed[i], id)
		}
	}
}

// TestTimelineListsEachMonthOnce: the timeline's windows ended 12 months back from today, to the
// day, so a month with encounters on both sides of that day was split: the first window ended
// with "June 2024" (the days after it) and Load earlier began with a second "June 2024" (the days
// before), under its own caption. A nurse read a duplicated or out-of-order list; a screen reader
// said the same month twice with different visits. Windows are whole months now: after loading
// every earlier window, each month heading appears once, each encounter once, newest first, and
// the captions name whole months. The Load earlier addresses still carry only a first-of-month
// bound counted from today.
func TestTimelineListsEachMonthOnce(t *testing.T) {
	dir := t.TempDir()
	ids := monthsBundle(t, dir)
	now := time.Date(2025, time.June, 18, 15, 0, 0, 0, time.UTC)
	env := newChartEnv(t, chartEnvOptions{dataDir: dir, now: func() time.Time { return now }})
	b := env.signIn()
	chart := b.openChart(monthsMRN)
	b.get(chart, nil)

	headings, listed, captions, bounds := timelineWindows(t, b, chart)

	wantHeadings := []string{"May 2025", "June 2024", "March 2024", "September 2023", "June 2023", "February 2023"}
	if !slices.Equal(headings, wantHeadings) {
		t.Errorf("month headings over every window = %q, want each month once, newest first: %q", headings, wantHeadings)
	}
	checkListedOnce(t, listed, ids)
	wantCaptions := []string{"Since Jul 1, 2024", "July 2023 – June 2024", "July 2022 – June 2023"}
	if !slices.Equal(captions, wantCaptions) {
		t.Errorf("window captions = %q, want whole months: %q", captions, wantCaptions)
	}
	// The bounds are the first days of months counted back from today, nothing from the record.
	if want := []string{"2024-07-01", "2023-07-01"}; !slices.Equal(bounds, want) {
		t.Errorf("Load earlier bounds = %q, want %q", bounds, want)
	}
}

// TestTimelineOldWindowBoundKeepsMonthsWhole: an address made before windows were whole months
// (before= in the middle of a month) still lists whole months: its window ends with the month that
// holds the day before the bound.
func TestTimelineOldWindowBoundKeepsMonthsWhole(t *testing.T) {
	dir := t.TempDir()
	monthsBundle(t, dir)
	now := time.Date(2025, time.June, 18, 15, 0, 0, 0, time.UTC)
	env := newChartEnv(t, chartEnvOptions{dataDir: dir, now: func() time.Time { return now }})
	b := env.signIn()
	chart := b.openChart(monthsMRN)
	b.get(chart, nil)
	doc := b.get(chart+"/encounters?before=2024-06-18&more=1", hxReq).doc(t)
	if got, want := strings.TrimSpace(doc.Find(`[data-testid="timeline-window"]`).Text()), "July 2023 – June 2024"; got != want {
		t.Errorf("window of before=2024-06-18: caption %q, want %q", got, want)
	}
	var ids []string
	doc.Find(`[data-testid="encounter"]`).Each(func(_ int, s *goquery.Selection) {
		id, _ := s.Attr("id")
		ids = append(ids, id)
	})
	if len(ids) != 4 || ids[0] != "enc-v20240625T1400" || ids[1] != "enc-v20240610T1400" {
		t.Errorf("window of before=2024-06-18 lists %q, want both June 2024 encounters first, then March and September", ids)
	}
	more, _ := doc.Find(`[data-testid="load-earlier"] a`).Attr("hx-get")
	if !strings.Contains(more, "before=2023-07-01") {
		t.Errorf("its Load earlier is %q, want before=2023-07-01", more)
	}
}

// TestTimelineMonthsAreTheClinics: Epic reads the searched days in its server's zone (the
// sandbox's is UTC), the clinic's may be hours away, and the month headings are the clinic's. In
// Auckland a visit at 00:30 on July 1 is June 30 in UTC: only the earlier window found it, and
// listed it under a second "July 2024". In Chicago a visit at 22:00 on June 30 is July 1 in UTC:
// the newest window listed it as one that "began earlier and had not ended", under a "June 2024"
// that came again in the next window. Each month is listed whole, in one window, in both zones.
func TestTimelineMonthsAreTheClinics(t *testing.T) {
	for _, zone := range []string{"Pacific/Auckland", "America/Chicago"} {
		t.Run(zone, func(t *testing.T) {
			loc, err := time.LoadLocation(zone)
			if err != nil {
				t.Skipf("no zone data: %v", err)
			}
			at := func(m time.Month, d, h, min int, y int) [2]time.Time {
				start := time.Date(y, m, d, h, min, 0, 0, loc)
				return [2]time.Time{start, start.Add(time.Hour)}
			}
			dir := t.TempDir()
			ids := encountersBundle(t, dir, [][2]time.Time{
				at(time.May, 2, 10, 0, 2025),
				at(time.July, 15, 10, 0, 2024),
				at(time.July, 1, 0, 30, 2024),  // June 30 in UTC, seen from Auckland
				at(time.June, 30, 22, 0, 2024), // July 1 in UTC, seen from Chicago
				at(time.June, 10, 10, 0, 2024),
			})
			now := time.Date(2025, time.June, 18, 15, 0, 0, 0, time.UTC)
			env := newChartEnv(t, chartEnvOptions{dataDir: dir, now: func() time.Time { return now }, location: loc})
			b := env.signIn()
			chart := b.openChart(monthsMRN)
			b.get(chart, nil)
			headings, listed, captions, _ := timelineWindows(t, b, chart)
			if want := []string{"May 2025", "July 2024", "June 2024"}; !slices.Equal(headings, want) {
				t.Errorf("month headings over every window = %q, want each month once: %q", headings, want)
			}
			checkListedOnce(t, listed, ids)
			if want := []string{"Since Jul 1, 2024", "July 2023 – June 2024"}; !slices.Equal(captions, want) {
				t.Errorf("window captions = %q, want %q (no encounter that began earlier and had not ended)", captions, want)
			}
		})
	}
}
