package present

import (
	"testing"
	"time"
)

// TestTrendChartLegendOffTheData: a blood pressure chart's legend sat inside the plot, at its top
// right, where the data goes: Inês Carvalho's systolic line ran through "Diastolic blood pressure"
// and a 173 mmHg peak lay under a sample line (fresh-eyes review). Moved above the plot, inside the
// drawing, it scrolled out of view on a phone with the drawing. The legend is now HTML above the
// drawing (views.TrendChart, TestTrendChartLegendOutsideTheDrawing), so nothing of it is in the
// drawing's geometry: a chart of two series has the plot, and the size, of every chart, and
// every point inside its plot; each series is named, and only the first is solid.
func TestTrendChartLegendOffTheData(t *testing.T) {
	c, _ := TrendChart(morganBP(t), "Blood pressure", "mm[Hg]", time.UTC)
	if len(c.Series) != 2 {
		t.Fatalf("got %d series, want systolic and diastolic", len(c.Series))
	}
	if c.PlotTop != marginTop || c.PlotBottom != chartHeight-marginBot || c.Height != chartHeight {
		t.Errorf("two series: plot %v..%v in %v units, want %v..%v in %v as every chart has: no room kept for a legend in the drawing",
			c.PlotTop, c.PlotBottom, c.Height, marginTop, chartHeight-marginBot, chartHeight)
	}
	for k, sr := range c.Series {
		if sr.Label == "" {
			t.Errorf("series %d has no name for its legend", k)
		}
		if sr.Dashed != (k > 0) {
			t.Errorf("series %q dashed: %v; want the first solid and the others dashed", sr.Label, sr.Dashed)
		}
	}
	for _, p := range c.Points {
		if p.Y < c.PlotTop || p.Y > c.PlotBottom {
			t.Errorf("point %q at y=%v is outside the plot %v..%v", p.Title, p.Y, c.PlotTop, c.PlotBottom)
		}
	}
}
