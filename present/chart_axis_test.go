package present

import (
	"math"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chartside/chartside/epic/fhir"
	"github.com/chartside/chartside/views"
)

// labelWidth is a generous estimate of a time label's width in SVG user units: 11 px text at 0.62 em
// a character, the average of DejaVu Sans (Chromium's fallback here), wider than Arial or Segoe UI.
func labelWidth(s string) float64 { return float64(len([]rune(s))) * 11 * 0.62 }

// TestTrendChartTimeLabels: the time axis says the year and is never finer than the results. Camila
// Lopez's (203713) single Hemoglobin A1C of May 28, 2019 was labelled "May 27 14:22" … "May 29 14:22":
// no year, and days and times at which nothing was measured.
func TestTrendChartTimeLabels(t *testing.T) {
	chicago, err := time.LoadLocation("America/Chicago")
	if err != nil {
		t.Fatal(err)
	}
	a1c := func(when string) fhir.Observation {
		return obsFrom(t, `{"status":"final","code":{"text":"Hemoglobin A1C"},"effectiveDateTime":"`+when+`","valueQuantity":{"value":5.1,"unit":"%"}}`)
	}
	tests := []struct {
		name        string
		when        []string
		first, last string
		n           int // ticks
	}{
		{"one result: one tick, its date and time in the clinic zone", []string{"2019-05-28T19:22:00Z"}, "May 28, 2019 14:22", "May 28, 2019 14:22", 1},
		{"one day: date and time", []string{"2024-01-02T16:00:00Z", "2024-01-02T22:00:00Z"}, "Jan 2, 2024 10:00", "Jan 2, 2024 16:00", 5},
		{"months across new year: the day and the year", []string{"2025-12-10T15:00:00Z", "2026-03-10T15:00:00Z"}, "Dec 10, 2025", "Mar 10, 2026", 5},
		{"years: month and year", []string{"2019-03-14T15:00:00Z", "2021-01-01T15:00:00Z", "2023-06-01T15:00:00Z"}, "Mar 2019", "Jun 2023", 5},
		{"date only stays on its day", []string{"2019-05-28"}, "May 28, 2019", "May 28, 2019", 1},
		{"date only: no time", []string{"2024-01-01", "2024-01-02"}, "Jan 1, 2024", "Jan 2, 2024", 2},
		{"month only: no day", []string{"2024-03", "2024-05"}, "Mar 2024", "May 2024", 3},
		{"year only: no month", []string{"2019", "2023"}, "2019", "2023", 4},
		{"one year-only result among instants: years only", []string{"2019", "2020-06-01T15:00:00Z"}, "2019", "2020", 2},
	}
	year := regexp.MustCompile(`\b(19|20)\d\d\b`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var obs []fhir.Observation
			for _, w := range tt.when {
				obs = append(obs, a1c(w))
			}
			c, _ := TrendChart(obs, "Hemoglobin A1C", "%", chicago)
			var labels []string
			for _, tk := range c.XTicks {
				labels = append(labels, tk.Label)
				if !year.MatchString(tk.Label) {
					t.Errorf("label %q has no year", tk.Label)
				}
			}
			if len(labels) != tt.n || labels[0] != tt.first || labels[len(labels)-1] != tt.last {
				t.Errorf("labels = %q, want %d from %q to %q", labels, tt.n, tt.first, tt.last)
			}
			if len(c.XTicks) == 1 && c.XTicks[0].Pos != c.Points[0].X {
				t.Errorf("single tick at %v, its point at %v", c.XTicks[0].Pos, c.Points[0].X)
			}
			checkLabelsFit(t, c)
		})
	}
}

// TestTrendChartTimeLabelsFit: the time labels, centred on their ticks, stay inside the SVG (which
// clips whatever is outside its viewBox, at every width it scales to) and do not overlap. The last
// label of Camila Lopez's charts read "May 29 14:" at 1366×768: it ran 30 units past the edge.
func TestTrendChartTimeLabelsFit(t *testing.T) {
	chicago, err := time.LoadLocation("America/Chicago")
	if err != nil {
		t.Fatal(err)
	}
	spans := []time.Duration{0, time.Hour, 71 * time.Hour, 30 * 24 * time.Hour, 400 * 24 * time.Hour, 10 * 365 * 24 * time.Hour}
	// The 10th and 29th make two-digit days, the widest labels.
	start := time.Date(2019, 12, 29, 23, 59, 0, 0, time.UTC)
	for _, span := range spans {
		t.Run(span.String(), func(t *testing.T) {
			obs := []fhir.Observation{glucose(t, start.Format(time.RFC3339), "90", "mg/dL", "")}
			if span > 0 {
				obs = append(obs, glucose(t, start.Add(span).Format(time.RFC3339), "95", "mg/dL", ""))
			}
			c, _ := TrendChart(obs, "Glucose", "mg/dL", chicago)
			checkLabelsFit(t, c)
		})
	}
}

func checkLabelsFit(t *testing.T, c views.SVGChart) {
	t.Helper()
	prevRight := math.Inf(-1)
	for _, tk := range c.XTicks {
		w := labelWidth(tk.Label)
		left, right := tk.Pos-w/2, tk.Pos+w/2 // text-anchor="middle"
		if left < 0 || right > c.Width {
			t.Errorf("label %q spans %.1f..%.1f, outside the chart's 0..%v", tk.Label, left, right, c.Width)
		}
		if left < prevRight+4 {
			t.Errorf("label %q starts at %.1f, overlapping the previous label ending at %.1f", tk.Label, left, prevRight)
		}
		prevRight = right
	}
	if len(c.XTicks) == 0 {
		t.Errorf("no time labels: %s", strings.TrimSpace(c.Empty))
	}
}
