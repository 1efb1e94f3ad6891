package present

import (
	"fmt"
	"testing"
	"time"

	"github.com/chartside/chartside/epic/fhir"
)

// timed is a result of analyte name taken at when ("" for undated).
func timed(t *testing.T, name, when string) fhir.Observation {
	t.Helper()
	js := `{"status":"final","code":{"text":"` + name + `"},"valueString":"` + name + `"`
	if when != "" {
		js += `,"effectiveDateTime":"` + when + `"`
	}
	return obsFrom(t, js+"}")
}

// pagingFixture is a history with the shapes that make paging hard: a set of three results at the
// same instant, a date-only result, an instant equal to that date's midnight, and undated results.
func pagingFixture(t *testing.T) []fhir.Observation {
	return []fhir.Observation{
		timed(t, "undated-1", ""),
		timed(t, "a", "2026-03-05T10:00:00Z"),
		timed(t, "set-bp", "2026-03-04T08:00:00Z"),
		timed(t, "set-pulse", "2026-03-04T08:00:00Z"),
		timed(t, "set-temp", "2026-03-04T08:00:00Z"),
		timed(t, "b", "2026-03-03T23:59:59Z"),
		timed(t, "day-only", "2026-03-03"),
		timed(t, "midnight", "2026-03-03T00:00:00Z"),
		timed(t, "c", "2026-03-01T12:00:00+01:00"),
		timed(t, "undated-2", ""),
	}
}

func names(p ObsPage) []string {
	var out []string
	for _, r := range p.Rows {
		out = append(out, r.Name)
	}
	return out
}

func TestObservationPageKeepsSameInstantTogether(t *testing.T) {
	obs := pagingFixture(t)
	p := ObservationPage(obs, time.Time{}, 2, time.UTC, Links{})
	// Two asked for; the second starts a set of three taken together, so all three come.
	if got, want := fmt.Sprint(names(p)), "[a set-bp set-pulse set-temp]"; got != want {
		t.Errorf("first page = %s, want %s", got, want)
	}
	if p.First != 1 || p.Last != 4 || p.Total != 10 {
		t.Errorf("first %d last %d total %d, want 1, 4, 10", p.First, p.Last, p.Total)
	}
	if want := time.Date(2026, 3, 4, 8, 0, 0, 0, time.UTC); !p.Next.Equal(want) {
		t.Errorf("next cursor = %v, want %v (the last row's time)", p.Next, want)
	}
	// The date-only result and the instant at that date's midnight sort as equals: together.
	p = ObservationPage(obs, p.Next, 2, time.UTC, Links{})
	if got, want := fmt.Sprint(names(p)), "[b day-only midnight]"; got != want {
		t.Errorf("second page = %s, want %s", got, want)
	}
	// Undated results come last, all of them together.
	p = ObservationPage(obs, p.Next, 2, time.UTC, Links{})
	if got, want := fmt.Sprint(names(p)), "[c undated-1 undated-2]"; got != want || !p.Next.IsZero() || p.Last != p.Total {
		t.Errorf("last page = %s (next %v, last %d), want %s and no next page", got, p.Next, p.Last, want)
	}
}

// TestObservationPagesCoverEveryResult pages through the fixture at every page size, including
// one page refetched after newer results arrived: the pages together are every result, newest
// first, once each.
func TestObservationPagesCoverEveryResult(t *testing.T) {
	obs := pagingFixture(t)
	var want []string
	for _, r := range ObservationRows(obs, time.UTC, Links{}) {
		want = append(want, r.Name)
	}
	for limit := 1; limit <= len(obs)+1; limit++ {
		var got []string
		data := obs
		before := time.Time{}
		for pages := 0; ; pages++ {
			if pages > len(obs) {
				t.Fatalf("limit %d: paging does not end", limit)
			}
			p := ObservationPage(data, before, limit, time.UTC, Links{})
			got = append(got, names(p)...)
			// Last counts everything newer than the page, the result that arrived since included.
			if arrived := len(data) - len(obs); len(got)+arrived != p.Last {
				t.Errorf("limit %d: %d rows so far (+%d new) but Last = %d", limit, len(got), arrived, p.Last)
			}
			if p.Next.IsZero() {
				break
			}
			before = p.Next
			// A result newer than everything arrives between pages: later pages are not moved by it.
			data = append([]fhir.Observation{timed(t, "new", "2026-04-01T00:00:00Z")}, obs...)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("limit %d: pages = %v, want %v", limit, got, want)
		}
	}
	if p := ObservationPage(obs, time.Time{}, 0, time.UTC, Links{}); len(p.Rows) != len(obs) || !p.Next.IsZero() {
		t.Errorf("no limit: %d rows, next %v; want all %d", len(p.Rows), p.Next, len(obs))
	}
	if p := ObservationPage(nil, time.Time{}, 5, time.UTC, Links{}); len(p.Rows) != 0 || p.First != 0 || p.Total != 0 || !p.Next.IsZero() {
		t.Errorf("empty list: %+v", p)
	}
}

func TestPageText(t *testing.T) {
	tests := []struct {
		p        ObsPage
		appended bool
		want     string
	}{
		{ObsPage{First: 1, Last: 40, Total: 40}, false, ""},
		{ObsPage{Total: 0}, false, ""},
		{ObsPage{First: 1, Last: 100, Total: 255}, false, "Showing the newest 100 of 255 results."},
		{ObsPage{First: 101, Last: 255, Total: 255}, true, "Showing all 255 results."},
		{ObsPage{First: 101, Last: 600, Total: 3414}, true, "Showing the newest 600 of 3,414 results."},
		{ObsPage{First: 101, Last: 600, Total: 3414}, false, "Showing results 101–600 of 3,414, newest first."},
		{ObsPage{First: 0, Last: 255, Total: 255}, true, "Showing all 255 results."},
		{ObsPage{First: 1, Last: 1234567, Total: 1234568}, false, "Showing the newest 1,234,567 of 1,234,568 results."},
	}
	for _, tt := range tests {
		if got := PageText(tt.p, tt.appended); got != tt.want {
			t.Errorf("PageText(%+v, %v) = %q, want %q", tt.p, tt.appended, got, tt.want)
		}
	}
}
