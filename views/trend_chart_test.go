package views

import (
	"testing"

	"github.com/PuerkitoBio/goquery"
)

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

// TestTrendChartLegendOutsideTheDrawing: the legend of a chart of several series was drawn inside
// the drawing, first on the data, then above the plot, where on a phone it scrolled out of view
// with the drawing (only "…iastolic blood pressure" showed). It is now an HTML list above the
// drawing's scrolling box, so it can neither lie on the data nor scroll away: each entry a series'
// name as text and a sample of its line, solid for the first series and dashed for the others.
func TestTrendChartLegendOutsideTheDrawing(t *testing.T) {
	two := fixtureChart()
	two.Series = append(two.Series, ChartSeries{Label: "Diastolic", Path: "M64.0 200.0 L696.0 190.0", Dashed: true})
	d := doc(t, TrendChart(two))
	entries := d.Find(tid("chart-legend"))
	if entries.Length() != 2 {
		t.Fatalf("legend has %d entries, want 2", entries.Length())
	}
	if n := d.Find(tid("trend-scroll") + " " + tid("chart-legend")).Length(); n != 0 {
		t.Errorf("%d legend entries inside the scrolling box: they scroll out of view on a phone", n)
	}
	if d.Find(tid("chart-legend-list")).NextFiltered(tid("trend-scroll")).Length() != 1 {
		t.Error("the legend is not just above the chart's scrolling box")
	}
	entries.Each(func(k int, e *goquery.Selection) {
		if got, want := text(e), two.Series[k].Label; got != want {
			t.Errorf("legend entry %d reads %q, want %q", k, got, want)
		}
		line := e.Find(tid("legend-sample"))
		da, dashed := line.Attr("stroke-dasharray")
		if line.Length() != 1 || dashed != two.Series[k].Dashed || (dashed && da != "6 4") {
			t.Errorf("legend entry %q: sample lines %d, dashed %v (%q); want one, dashed like its line (%v)", text(e), line.Length(), dashed, da, two.Series[k].Dashed)
		}
		if h, _ := e.Find("svg").Attr("aria-hidden"); h != "true" {
			t.Errorf("legend entry %q: its sample is not hidden from screen readers", text(e))
		}
	})
	if n := doc(t, TrendChart(fixtureChart())).Find(tid("chart-legend-list")).Length(); n != 0 {
		t.Errorf("a chart of one series has %d legends, want none", n)
	}
}

// TestTrendChartAxisKeptInView: on a phone the drawing scrolls sideways and opens at its newest end,
// and its value axis scrolled away with it: 400009's potassium showed no unit and no values. The
// axis is drawn again over the drawing's left margin, inside the scrolling box (app.css keeps it at
// the box's left): the same unit and values at the same places, in a viewBox exactly the margin
// wide, its width that share of the drawing's, so at the drawing's left end it covers the drawing's
// own labels exactly; hidden from screen readers, which read the drawing's.
func TestTrendChartAxisKeptInView(t *testing.T) {
	c := fixtureChart()
	c.YUnit = "mg/dL"
	d := doc(t, TrendChart(c))
	axis := d.Find(tid("trend-scroll") + " " + tid("chart-axis"))
	if axis.Length() != 1 {
		t.Fatalf("%d value axes drawn over the chart, want 1", axis.Length())
	}
	for attr, want := range map[string]string{"viewBox": "0 0 64.0 260.0", "width": "8.8889%", "height": "260.0", "aria-hidden": "true"} {
		if got, _ := axis.Attr(attr); got != want {
			t.Errorf("the value axis's %s is %q, want %q", attr, got, want)
		}
	}
	key := func(s *goquery.Selection) string {
		x, _ := s.Attr("x")
		y, _ := s.Attr("y")
		return x + "," + y + " " + text(s)
	}
	var own, copied []string
	svg := d.Find(tid("trend-svg"))
	own = append(own, key(svg.Find(tid("chart-yunit"))))
	svg.Find(tid("chart-ytick") + " text").Each(func(_ int, s *goquery.Selection) { own = append(own, key(s)) })
	axis.Find("text").Each(func(_ int, s *goquery.Selection) { copied = append(copied, key(s)) })
	if len(own) != len(copied) || len(own) < 3 {
		t.Fatalf("the value axis drawn over the chart reads %q, want the chart's own %q", copied, own)
	}
	for i := range own {
		if own[i] != copied[i] {
			t.Errorf("the value axis drawn over the chart reads %q, want the chart's own %q", copied, own)
			break
		}
	}
}
