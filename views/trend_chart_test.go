package views

import "testing"

// TestTrendChartValueAxisUnit: the value axis names its unit above the tick labels, inside the
// drawing and clear of the plot; a chart given no unit text draws no unit label.
func TestTrendChartValueAxisUnit(t *testing.T) {
	c := fixtureChart()
	c.YUnit = "mm[Hg]"
	d := doc(t, TrendChart(c))
	unit := d.Find(tid("trend-svg") + " " + tid("chart-yunit"))
	if unit.Length() != 1 || text(unit) != "mm[Hg]" {
		t.Fatalf("value axis unit = %d labels, %q; want one, mm[Hg]", unit.Length(), text(unit))
	}
	if x, y := unit.AttrOr("x", ""), unit.AttrOr("y", ""); x != "6" || y != "4.0" {
		t.Errorf("unit drawn at x=%s y=%s, want 6, 12 above the plot's top (16)", x, y)
	}
	if fs := unit.AttrOr("font-size", ""); fs != "11" {
		t.Errorf("unit font-size %q, want the tick labels' 11", fs)
	}

	c.YUnit = ""
	if n := doc(t, TrendChart(c)).Find(tid("chart-yunit")).Length(); n != 0 {
		t.Errorf("%d unit labels drawn with no unit text", n)
	}
}
