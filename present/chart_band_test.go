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

// TestTrendChartBandSaysWhenRangesDiffer: the band is one result's range. When other results were
// sent with another range (a new assay) or none, the chart says whose range it is and that the
// rows show their own; an older 6.5 % read against the newest "4.0 - 5.6 %" band looked high
// although its lab called it normal.
func TestTrendChartBandSaysWhenRangesDiffer(t *testing.T) {
	a1c := func(when, value, status, ranges string) fhir.Observation {
		return obsFrom(t, `{"status":"`+status+`","code":{"text":"Hemoglobin A1C"},"effectiveDateTime":"`+when+`",
			"valueQuantity":{"value":`+value+`,"unit":"%"},"referenceRange":[`+ranges+`]}`)
	}
	const newest, older = `{"low":{"value":4.0,"unit":"%"},"high":{"value":5.6,"unit":"%"},"text":"4.0 - 5.6 %"}`, `{"low":{"value":4.0,"unit":"%"},"high":{"value":6.5,"unit":"%"},"text":"4.0 - 6.5 %"}`
	const differs = "The shaded band is the reference range sent with the result of Nov 17, 2026 16:50 (4.0 - 5.6 %); not every result listed below was sent with it, and each row shows its own."
	tests := []struct {
		name      string
		obs       []fhir.Observation
		wantLabel string
		wantNote  string
	}{
		{"same range", []fhir.Observation{a1c("2026-11-17T16:50:00Z", "8.0", "final", newest), a1c("2026-02-15T15:19:00Z", "6.5", "final", newest)},
			"Reference range 4.0 - 5.6 %", ""},
		{"older result had another range", []fhir.Observation{a1c("2026-11-17T16:50:00Z", "8.0", "final", newest), a1c("2026-02-15T15:19:00Z", "6.5", "final", older)},
			"Reference range 4.0 - 5.6 % (sent with the result of Nov 17, 2026 16:50; not every result was sent with it)", differs},
		{"older result had none", []fhir.Observation{a1c("2026-11-17T16:50:00Z", "8.0", "final", newest), a1c("2026-02-15T15:19:00Z", "6.5", "final", "")},
			"Reference range 4.0 - 5.6 % (sent with the result of Nov 17, 2026 16:50; not every result was sent with it)", differs},
		{"newest had none", []fhir.Observation{a1c("2026-12-01T10:00:00Z", "7.0", "final", ""), a1c("2026-11-17T16:50:00Z", "8.0", "final", newest)},
			"Reference range 4.0 - 5.6 % (sent with the result of Nov 17, 2026 16:50; not every result was sent with it)", differs},
		{"entered in error is passed over", []fhir.Observation{a1c("2026-12-01T10:00:00Z", "7.0", "entered-in-error", older), a1c("2026-11-17T16:50:00Z", "8.0", "final", newest), a1c("2026-02-15T15:19:00Z", "6.5", "final", newest)},
			"Reference range 4.0 - 5.6 %", "1 value listed below is not drawn (not a plain number in %, no time, or not a valid result)."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, note := TrendChart(tt.obs, "Hemoglobin A1C", "%", time.UTC)
			if c.Band == nil || c.Band.Label != tt.wantLabel {
				t.Errorf("band = %+v, want label %q", c.Band, tt.wantLabel)
			}
			if note != tt.wantNote {
				t.Errorf("note = %q, want %q", note, tt.wantNote)
			}
		})
	}
}

// TestTrendChartEmptyRange: a reference range with nothing to show (blank text, or only whom it
// applies to) draws no band and no longer crashes the analyte panel (it dereferenced a nil bound).
func TestTrendChartEmptyRange(t *testing.T) {
	for _, ranges := range []string{`{"text":" "}`, `{"appliesTo":[{"text":"Adult"}]}`, `{}`, `{"low":{"unit":"%"}}`} {
		o := obsFrom(t, `{"status":"final","code":{"text":"A1C"},"effectiveDateTime":"2026-11-17T16:50:00Z","valueQuantity":{"value":5,"unit":"%"},"referenceRange":[`+ranges+`]}`)
		c, _ := TrendChart([]fhir.Observation{o}, "A1C", "%", time.UTC)
		if c.Band != nil {
			t.Errorf("%s: band %+v, want none", ranges, c.Band)
		}
	}
}
