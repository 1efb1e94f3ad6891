package fhir

import (
	"encoding/json"
	"testing"
	"time"
)

// TestPeriodInEffectAt: a period is in effect from its start through its end, each read with the
// precision it was given. Dates are compared with the clinic's today, the calendar date of now in
// the clinic's zone; instants are compared as instants. now is 23:45 on Apr 27 in the clinic
// (UTC-5), already Apr 28 in UTC.
func TestPeriodInEffectAt(t *testing.T) {
	now := time.Date(2026, 4, 28, 4, 45, 0, 0, time.UTC)
	clinic := time.FixedZone("CDT", -5*60*60)
	tests := []struct {
		name   string
		period string // JSON, or "" for no period at all
		loc    *time.Location
		want   bool
	}{
		{"no period", "", clinic, true},
		{"empty period", `{}`, clinic, true},
		{"started, no end", `{"start":"2020-01-01"}`, clinic, true},

		// End given as a date: in effect through that day.
		{"ends next month", `{"start":"2020-01-01","end":"2026-05-31"}`, clinic, true},
		{"ends tomorrow", `{"end":"2026-04-28"}`, clinic, true},
		{"ends today", `{"end":"2026-04-27"}`, clinic, true},
		{"ended yesterday", `{"end":"2026-04-26"}`, clinic, false},
		{"ended long ago", `{"start":"1990-01-01","end":"2015-06-01"}`, clinic, false},
		{"today is the zone's: ended yesterday in UTC", `{"end":"2026-04-27"}`, time.UTC, false},

		// Month and year precision: through the month, through the year.
		{"end month is this month", `{"end":"2026-04"}`, clinic, true},
		{"end month was last month", `{"end":"2026-03"}`, clinic, false},
		{"end month is next month", `{"end":"2026-05"}`, clinic, true},
		{"end year is this year", `{"end":"2026"}`, clinic, true},
		{"end year was last year", `{"end":"2025"}`, clinic, false},
		{"December end month", `{"end":"2025-12"}`, clinic, false},

		// Start given as a date: in effect from that day (a month or year from its first day).
		{"starts today", `{"start":"2026-04-27"}`, clinic, true},
		{"starts tomorrow", `{"start":"2026-04-28"}`, clinic, false},
		{"today is the zone's: starts today in UTC", `{"start":"2026-04-28"}`, time.UTC, true},
		{"starts next month", `{"start":"2026-05-01","end":"2026-11"}`, clinic, false},
		{"start month is this month", `{"start":"2026-04"}`, clinic, true},
		{"start month is next month", `{"start":"2026-05"}`, clinic, false},
		{"start year is this year", `{"start":"2026"}`, clinic, true},
		{"start year is next year", `{"start":"2027"}`, clinic, false},

		// Instants compare as instants, near the clinic's midnight and in any offset.
		{"instant end 15 min ago, on today's date", `{"end":"2026-04-27T23:30:00-05:00"}`, clinic, false},
		{"instant end before midnight, still ahead", `{"end":"2026-04-27T23:59:59-05:00"}`, clinic, true},
		{"instant end exactly now", `{"end":"2026-04-27T23:45:00-05:00"}`, clinic, true},
		{"instant end in UTC, 5 min ahead", `{"end":"2026-04-28T04:50:00Z"}`, clinic, true},
		{"instant end in UTC, 5 min ago", `{"end":"2026-04-28T04:40:00.5Z"}`, clinic, false},
		{"instant start 5 min ahead, on today's date", `{"start":"2026-04-27T23:50:00-05:00"}`, clinic, false},
		{"instant start this morning", `{"start":"2026-04-27T08:00:00-05:00"}`, clinic, true},
		{"instant start already passed, written in UTC for tomorrow", `{"start":"2026-04-28T04:00:00Z"}`, clinic, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p *Period
			if tt.period != "" {
				p = new(Period)
				if err := json.Unmarshal([]byte(tt.period), p); err != nil {
					t.Fatal(err)
				}
			}
			if got := p.InEffectAt(now, tt.loc); got != tt.want {
				t.Errorf("InEffectAt = %v, want %v", got, tt.want)
			}
		})
	}
}
