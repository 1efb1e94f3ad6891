package present

import (
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chartside/chartside/epic/fhir"
)

// morganBP is Morgan Quinlan's (400009) blood pressure history as the sandbox serves it.
func morganBP(t *testing.T) []fhir.Observation {
	t.Helper()
	var obs []fhir.Observation
	for _, r := range []struct{ when, sys, dia string }{
		{"2025-12-02T22:35:00Z", "149", "101"}, {"2025-12-17T17:30:00Z", "183", "113"},
		{"2026-02-16T01:09:00Z", "143", "104"}, {"2026-06-05T13:15:00Z", "139", "91"},
		{"2026-07-12T15:49:00Z", "142", "96"}, {"2026-11-17T22:27:00Z", "125", "101"},
		{"2026-11-22T11:16:00Z", "135", "97"},
	} {
		obs = append(obs, obsFrom(t, `{"status":"final","code":{"coding":[{"system":"http://loinc.org","code":"85354-9"}],"text":"Blood pressure"},
			"effectiveDateTime":"`+r.when+`","component":[
			{"code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}],"text":"Systolic blood pressure"},"valueQuantity":{"value":`+r.sys+`,"unit":"mm[Hg]"}},
			{"code":{"coding":[{"system":"http://loinc.org","code":"8462-4"}],"text":"Diastolic blood pressure"},"valueQuantity":{"value":`+r.dia+`,"unit":"mm[Hg]"}}]}`))
	}
	return obs
}

func tickLabels(ticks []float64, step float64) []string {
	var out []string
	for _, v := range ticks {
		out = append(out, tickValue(v, step))
	}
	return out
}

// TestTrendChartValueAxis: the value axis names the unit as Epic sent it and labels enough values
// to read a result off the chart. Morgan Quinlan's blood pressures (91 to 183 mm[Hg]) were labelled
// at 100 and 150 only, with no unit: her 183/113 could not be read.
func TestTrendChartValueAxis(t *testing.T) {
	c, _ := TrendChart(morganBP(t), "Blood pressure", "mm[Hg]", time.UTC)
	var labels []string
	for _, tk := range c.YTicks {
		labels = append(labels, tk.Label)
	}
	if want := []string{"100", "120", "140", "160", "180"}; !reflect.DeepEqual(labels, want) {
		t.Errorf("value axis labels = %q, want %q", labels, want)
	}
	if c.YUnit != "mm[Hg]" {
		t.Errorf("value axis unit = %q, want mm[Hg] as sent", c.YUnit)
	}
	for i, tk := range c.YTicks {
		if tk.Pos < c.PlotTop || tk.Pos > c.PlotBottom {
			t.Errorf("tick %q at y=%v, outside the plot %v..%v", tk.Label, tk.Pos, c.PlotTop, c.PlotBottom)
		}
		if i > 0 && c.YTicks[i-1].Pos-tk.Pos < 24 {
			t.Errorf("ticks %q and %q are %.1f units apart: their 11-unit labels crowd", c.YTicks[i-1].Label, tk.Label, c.YTicks[i-1].Pos-tk.Pos)
		}
	}
	// The unit is drawn 12 units above the plot (views.TrendChart): the top margin must hold it.
	if c.PlotTop < 24 {
		t.Errorf("top margin %v cannot hold the unit above the top tick's label", c.PlotTop)
	}
}

// TestTrendChartNoUnitSent: a number Epic sent without a unit (Camila Lopez's Hemoglobin A1C is
// {"value": 5.1}) gets no unit made up on the axis, which says none was sent, as the table does;
// its point's name had a double space where the unit would be ("5.1  on …").
func TestTrendChartNoUnitSent(t *testing.T) {
	a1c := func(when, value string) fhir.Observation {
		return obsFrom(t, `{"status":"final","code":{"text":"Hemoglobin A1C"},"effectiveDateTime":"`+when+`","valueQuantity":{"value":`+value+`}}`)
	}
	c, _ := TrendChart([]fhir.Observation{a1c("2019-05-28T19:22:00Z", "5.1"), a1c("2018-05-28T19:22:00Z", "5.4")}, "Hemoglobin A1C", "", time.UTC)
	if c.YUnit != "unit not sent" {
		t.Errorf("value axis unit = %q, want %q", c.YUnit, "unit not sent")
	}
	for _, p := range c.Points {
		if strings.Contains(p.Title, "  ") || strings.Contains(p.Title, "%") {
			t.Errorf("point named %q", p.Title)
		}
	}
	if len(c.Points) != 2 || !strings.HasPrefix(c.Points[0].Title, "5.4 on ") {
		t.Errorf("points = %+v", c.Points)
	}
}

// TestNiceTicks: 4 to 6 round values inside the axis's span, each no more than a step from its
// end, written with the decimals their step needs.
func TestNiceTicks(t *testing.T) {
	tests := []struct {
		lo, hi float64
		want   []string
	}{
		{81.8, 192.2, []string{"100", "120", "140", "160", "180"}}, // Morgan Quinlan's blood pressure
		{3.28, 7.12, []string{"4", "5", "6", "7"}},                 // her potassium and its band
		{0, 1, []string{"0.0", "0.2", "0.4", "0.6", "0.8", "1.0"}},
		{-3, 3, []string{"-3", "-2", "-1", "0", "1", "2", "3"}}, // steps of 2 and 2.5 give three
		{72, 178, []string{"80", "100", "120", "140", "160"}},
		{81.8, 118.8, []string{"85", "90", "95", "100", "105", "110", "115"}}, // 10 gives three, 5 gives seven
		{4.9, 5.3, []string{"4.9", "5.0", "5.1", "5.2", "5.3"}},               // 5.3 / 0.1 is 52.99999999999999
	}
	for _, tt := range tests {
		ticks, step := niceTicks(tt.lo, tt.hi)
		got := tickLabels(ticks, step)
		if len(tt.want) > 0 && !reflect.DeepEqual(got, tt.want) {
			t.Errorf("niceTicks(%v, %v) = %q, want %q", tt.lo, tt.hi, got, tt.want)
		}
	}
	for _, span := range []float64{1e-6, 0.003, 0.38, 0.9, 1, 1.7, 4.4, 9, 10, 13, 19.9, 37, 95, 110, 999, 12345, 7e9} {
		for _, lo := range []float64{-span / 3, 0, 0.07, 3.3, 81.8, 1000} {
			hi := lo + span
			ticks, step := niceTicks(lo, hi)
			labels := tickLabels(ticks, step)
			if len(ticks) < minYTicks || len(ticks) > 8 {
				t.Errorf("niceTicks(%v, %v) = %q: want %d to 8", lo, hi, labels, minYTicks)
				continue
			}
			if slack := step * 1e-6; ticks[0] < lo-slack || ticks[len(ticks)-1] > hi+slack || ticks[0]-lo > step || hi-ticks[len(ticks)-1] > step {
				t.Errorf("niceTicks(%v, %v) = %q (step %v): not covering the span", lo, hi, labels, step)
			}
			for i, l := range labels {
				v, err := strconv.ParseFloat(l, 64)
				if err != nil || math.Abs(v-ticks[i]) > step/1000 || len(l) > 12 {
					t.Errorf("niceTicks(%v, %v): tick %v written %q", lo, hi, ticks[i], l)
				}
				if i > 0 && l == labels[i-1] {
					t.Errorf("niceTicks(%v, %v): two ticks written %q", lo, hi, l)
				}
			}
		}
	}
	for _, bad := range [][2]float64{{1, 1}, {2, 1}, {math.Inf(-1), math.Inf(1)}, {math.NaN(), 1}, {-math.MaxFloat64, math.MaxFloat64}} {
		if ticks, _ := niceTicks(bad[0], bad[1]); len(ticks) != 0 {
			t.Errorf("niceTicks(%v, %v) = %v, want none", bad[0], bad[1], ticks)
		}
	}
}
