package present

import (
	"strings"
	"testing"
	"time"

	"github.com/chartside/chartside/epic/fhir"
)

// TestTrendChartBandLabelAsSent: the reference band's label (also read by screen readers) is the
// range as Epic sent it, as in the table under the chart. Morgan Quinlan's HbA1c history (400009)
// labelled its band "Reference range 4–5.6 %" under a table reading "4.0 - 5.6 %": the numbers
// alone drop the lab's precision, and Epic's text is the lab's own wording.
func TestTrendChartBandLabelAsSent(t *testing.T) {
	a1c := func(when, value, ranges string) fhir.Observation {
		return obsFrom(t, `{"status":"final","code":{"text":"Hemoglobin A1C"},"effectiveDateTime":"`+when+`",
			"valueQuantity":{"value":`+value+`,"unit":"%"},"referenceRange":[`+ranges+`]}`)
	}
	tests := []struct{ name, ranges, want string }{
		{"Epic's text", `{"low":{"value":4.0,"unit":"%"},"high":{"value":5.6,"unit":"%"},"text":"4.0 - 5.6 %"}`, "Reference range 4.0 - 5.6 %"},
		{"low and high with the digits sent", `{"low":{"value":4.0,"unit":"%"},"high":{"value":5.60,"unit":"%"}}`, "Reference range 4.0–5.60 %"},
		{"high only", `{"high":{"value":5.6,"unit":"%"}}`, "Reference range ≤ 5.6 %"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obs := []fhir.Observation{a1c("2026-11-17T16:50:00Z", "8.0", tt.ranges), a1c("2026-02-15T15:19:00Z", "7.3", tt.ranges)}
			c, _ := TrendChart(obs, "Hemoglobin A1C", "%", time.UTC)
			if c.Band == nil || c.Band.Label != tt.want {
				t.Errorf("band = %+v, want label %q", c.Band, tt.want)
			}
		})
	}
}

// TestTrendChartSummaryUnitNotSent: the chart's summary for screen readers names the latest value
// with its unit, and says when Epic sent none (Camila Lopez's Hemoglobin A1C is {"value": 5.1}),
// as the table's unit cell does; it read "latest 5.1  on …".
func TestTrendChartSummaryUnitNotSent(t *testing.T) {
	for _, tt := range []struct{ unit, quantity, want string }{
		{"", `{"value":5.1}`, "latest 5.1 (unit not sent) on "},
		{"%", `{"value":5.1,"unit":"%"}`, "latest 5.1 % on "},
	} {
		obs := []fhir.Observation{
			obsFrom(t, `{"status":"final","code":{"text":"Hemoglobin A1C"},"effectiveDateTime":"2019-05-28T19:22:00Z","valueQuantity":`+tt.quantity+`}`),
			obsFrom(t, `{"status":"final","code":{"text":"Hemoglobin A1C"},"effectiveDateTime":"2019-02-28T19:22:00Z","valueQuantity":`+tt.quantity+`}`),
		}
		c, _ := TrendChart(obs, "Hemoglobin A1C", tt.unit, time.UTC)
		if !strings.Contains(c.Desc, tt.want) {
			t.Errorf("unit %q: summary %q, want it to contain %q", tt.unit, c.Desc, tt.want)
		}
	}
}
