package present

import (
	"testing"
	"time"
	"unicode/utf8"
)

// TestTrendChartLegendOffTheData: a blood pressure chart's legend sat inside the plot, at its top
// right, where the data goes: Inês Carvalho's systolic line ran through "Diastolic blood pressure"
// and a 173 mmHg peak lay under a sample line (fresh-eyes review). The legend is now above the
// plot, every entry's box (sample line and label, 6.6 units a character) clear of the
// plot and of the value axis's unit drawn 12 units over it, and of the other entries; the plot
// keeps its height, the chart growing instead.
func TestTrendChartLegendOffTheData(t *testing.T) {
	one, _ := TrendChart(morganBP(t)[:1], "Blood pressure", "mm[Hg]", time.UTC)
	c, _ := TrendChart(morganBP(t), "Blood pressure", "mm[Hg]", time.UTC)
	if len(c.Series) != 2 {
		t.Fatalf("got %d series, want systolic and diastolic", len(c.Series))
	}
	if got, want := c.PlotBottom-c.PlotTop, one.PlotBottom-one.PlotTop; got != want {
		t.Errorf("plot height %v, want %v as every chart has", got, want)
	}
	type box struct{ l, r, t, b float64 }
	var boxes []box
	for _, sr := range c.Series {
		// The sample line at LegendY, its label's baseline 4 under it (views.TrendChart): an
		// 11-unit font reaches about 9 over its baseline and 3 under it.
		b := box{sr.LegendX, sr.LegendX + 30 + 6.6*float64(utf8.RuneCountInString(sr.Label)), sr.LegendY - 6, sr.LegendY + 7}
		if b.b >= c.PlotTop-12-9 {
			t.Errorf("legend %q reaches y=%v: on the plot (top %v) or its unit label (baseline %v)", sr.Label, b.b, c.PlotTop, c.PlotTop-12)
		}
		if b.t < 0 || b.l < 0 || b.r > c.Width {
			t.Errorf("legend %q at %+v is outside the drawing (%v wide)", sr.Label, b, c.Width)
		}
		for _, o := range boxes {
			if b.l < o.r && o.l < b.r && b.t < o.b && o.t < b.b {
				t.Errorf("legend %q overlaps another entry", sr.Label)
			}
		}
		boxes = append(boxes, b)
	}
	for _, p := range c.Points {
		if p.Y < c.PlotTop || p.Y > c.PlotBottom {
			t.Errorf("point %q at y=%v is outside the plot %v..%v", p.Title, p.Y, c.PlotTop, c.PlotBottom)
		}
	}
}
