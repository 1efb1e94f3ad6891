package handlers

import (
	"testing"
	"time"
)

// TestEncounterWindowsAreWholeMonthsInTheClinicZone: the timeline's windows start and end on the
// first of a month in the clinic's zone, the zone its month headings are decided in, whatever the
// day of the month today is and however far that zone is from UTC; an old mid-month before= is
// moved to the next month's first day, never to one inside the month.
func TestEncounterWindowsAreWholeMonthsInTheClinicZone(t *testing.T) {
	auckland, err := time.LoadLocation("Pacific/Auckland")
	if err != nil {
		t.Skipf("no zone data: %v", err)
	}
	day := func(y int, m time.Month, d int, loc *time.Location) time.Time {
		return time.Date(y, m, d, 0, 0, 0, 0, loc)
	}
	for _, tt := range []struct {
		name             string
		before, today    time.Time
		wantFrom, wantTo string // as sent to Epic (ge / le, by day in the clinic's zone)
	}{
		{"first window, mid-month", time.Time{}, day(2025, time.November, 23, time.UTC), "2024-12-01", ""},
		{"first window, on the 31st", time.Time{}, day(2025, time.March, 31, time.UTC), "2024-04-01", ""},
		{"first window, January", time.Time{}, day(2026, time.January, 1, time.UTC), "2025-02-01", ""},
		// Midnight on Jun 1 in Auckland is still May 31 in UTC: the month is the clinic's.
		{"first window, far from UTC", time.Time{}, day(2025, time.June, 1, auckland), "2024-07-01", ""},
		{"earlier window", day(2024, time.December, 1, time.UTC), time.Time{}, "2023-12-01", "2024-11-30"},
		{"earlier window, far from UTC", day(2024, time.March, 1, auckland), time.Time{}, "2023-03-01", "2024-02-29"},
		{"old mid-month bound", windowBound(day(2024, time.November, 23, time.UTC)), time.Time{}, "2023-12-01", "2024-11-30"},
		{"old bound in December", windowBound(day(2024, time.December, 2, auckland)), time.Time{}, "2024-01-01", "2024-12-31"},
	} {
		q := encounterWindow(tt.before, tt.today)
		to := ""
		if !q.To.IsZero() {
			to = q.To.Format(time.DateOnly)
		}
		if from := q.From.Format(time.DateOnly); from != tt.wantFrom || to != tt.wantTo {
			t.Errorf("%s: window %s..%s, want %s..%s", tt.name, from, to, tt.wantFrom, tt.wantTo)
		}
	}
}
