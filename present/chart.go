package present

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/chartside/chartside/epic/fhir"
	"github.com/chartside/chartside/views"
)

// Chart geometry in SVG user units. The chart is drawn at a fixed size so it prints as seen, and the
// SVG scales uniformly with its viewBox: a label that fits here fits at every width it is shown.
// The time labels are centred on their ticks, the outer ones on the plot's edges, so both side
// margins hold half of the longest label ("May 28, 2019 14:22", about 123 units at 11 px): a
// narrower right margin clipped the last label of Camila Lopez's charts to "May 29 14:".
// The top margin holds the value axis's unit ("mm[Hg]"), drawn above the tick labels, clear of the
// top tick's label (see views.TrendChart), so the chart is a little taller than its plot needs. A
// chart of several series has its legend above the drawing, outside it (views.TrendChart): every
// chart has the same size.
const (
	chartWidth  = 720.0
	chartHeight = 272.0
	marginLeft  = 64.0
	marginRight = 64.0
	marginTop   = 28.0
	marginBot   = 40.0
)

// Between minYTicks and maxYTicks values are labelled on the value axis: two (100 and 150 on Morgan
// Quinlan's blood pressures, 91 to 183 mm[Hg]) left her 183/113 unreadable off the chart.
const (
	minYTicks = 4
	maxYTicks = 6
)

// TrendChart computes the geometry of an analyte's trend chart from its results (any order): a
// line through the numeric results in unit, oldest to newest, the reference band of the newest
// result's range, and marked abnormal points. The note says what was left out of the drawing.
func TrendChart(obs []fhir.Observation, name, unit string, loc *time.Location) (views.SVGChart, string) {
	c := views.SVGChart{
		Width: chartWidth, Height: chartHeight,
		PlotLeft: marginLeft, PlotTop: marginTop,
		PlotRight: chartWidth - marginRight, PlotBottom: chartHeight - marginBot,
		Title: name + " trend",
	}
	// Every point drawn is in unit (plottable leaves the others out), so the axis names it as sent;
	// a number Epic sent without a unit gets none made up, but says so, as the table's unit cell does.
	c.YUnit = unit
	if unit == "" {
		c.YUnit = "unit not sent"
	}
	pts, skipped := plottable(obs, name, unit, loc)
	note := ""
	if skipped > 0 {
		note = plural(skipped, "value") + " listed below " + isAre(skipped) + " not drawn (not a plain number in " + orUnitless(unit) + ", no time, or not a valid result)."
	}
	if len(pts) == 0 {
		c.Empty = "No numeric results to draw for this period."
		return c, note
	}
	sort.SliceStable(pts, func(i, j int) bool { return pts[i].t.Before(pts[j].t) })

	var series []string
	for _, p := range pts {
		if !contains(series, p.series) {
			series = append(series, p.series)
		}
	}
	var bandLo, bandHi *float64
	var bandText string
	var bandFrom fhir.Observation
	rangesDiffer := false
	if len(series) == 1 {
		// One reference band only makes sense for one series.
		bandLo, bandHi, bandText, bandFrom, rangesDiffer = referenceBand(obs, unit)
	}
	lo, hi := valueDomain(pts, bandLo, bandHi)
	t0, t1 := pts[0].t, pts[len(pts)-1].t
	if !t1.After(t0) {
		t0, t1 = t0.Add(-24*time.Hour), t1.Add(24*time.Hour)
	}
	x := func(t time.Time) float64 {
		return c.PlotLeft + (c.PlotRight-c.PlotLeft)*float64(t.Sub(t0))/float64(t1.Sub(t0))
	}
	y := func(v float64) float64 {
		return c.PlotBottom - (c.PlotBottom-c.PlotTop)*(v-lo)/(hi-lo)
	}
	if bandLo != nil || bandHi != nil {
		top, bot := c.PlotTop, c.PlotBottom
		if bandHi != nil {
			top = y(*bandHi)
		}
		if bandLo != nil {
			bot = y(*bandLo)
		}
		label := "Reference range " + bandText
		if rangesDiffer {
			// The band is one result's range; a result measured against another range (a new
			// assay, another lab) or sent with none must not look normal or abnormal by this one.
			when := "the result of " + DateTime(bandFrom.Effective(), loc)
			label += " (sent with " + when + "; not every result was sent with it)"
			note = strings.TrimSpace(note + " The shaded band is the reference range sent with " + when + " (" + bandText + "); not every result listed below was sent with it, and each row shows its own.")
		}
		c.Band = &views.ChartBand{X: c.PlotLeft, Y: round1(top), W: c.PlotRight - c.PlotLeft, H: round1(bot - top), Label: label}
	}
	paths := make([]strings.Builder, len(series))
	counts := make([]int, len(series))
	abnormal := 0
	for _, p := range pts {
		k := indexOfString(series, p.series)
		px, py := round1(x(p.t)), round1(y(p.v))
		if counts[k] == 0 {
			fmt.Fprintf(&paths[k], "M%s %s", fnum(px), fnum(py))
		} else {
			fmt.Fprintf(&paths[k], " L%s %s", fnum(px), fnum(py))
		}
		counts[k]++
		marked := p.flag.Abnormal() || p.flag.Level == views.FlagUnknown
		title := joinUnit(p.text, unit) + " on " + p.when
		if len(series) > 1 {
			title = p.series + " " + title
		}
		if p.flag.Text != "" {
			title += ", " + flagText(p.flag)
		}
		if marked {
			abnormal++
		}
		c.Points = append(c.Points, views.ChartPoint{X: px, Y: py, Abnormal: marked, Marker: marker(p.flag), Title: strings.TrimSpace(title)})
	}
	for k, label := range series {
		sr := views.ChartSeries{Label: label, Dashed: k > 0}
		if counts[k] > 1 {
			sr.Path = paths[k].String()
		}
		c.Series = append(c.Series, sr)
	}
	ticks, step := niceTicks(lo, hi)
	for _, v := range ticks {
		c.YTicks = append(c.YTicks, views.ChartTick{Pos: round1(y(v)), Label: tickValue(v, step)})
	}
	c.XTicks = xTicks(pts, precisions(obs), loc, x)
	last := pts[len(pts)-1]
	// A number Epic sent without a unit says so, as the table's unit cell does (Camila Lopez's A1C).
	latest := joinUnit(last.text, unit)
	if unit == "" {
		latest += " (unit not sent)"
	}
	c.Desc = fmt.Sprintf("%s from %s to %s; latest %s on %s; %s marked abnormal.",
		plural(len(pts), "value"), pts[0].when, last.when, latest, last.when, plural(abnormal, "result"))
	return c, note
}

func indexOfString(ss []string, s string) int {
	for i, x := range ss {
		if x == s {
			return i
		}
	}
	return -1
}

func isAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

func orUnitless(u string) string {
	if u == "" {
		return "the same unit"
	}
	return u
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }

func fnum(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }

// referenceBand reads the newest result's reference range when it is numeric and in unit, and the
// range as the tables show it (ReferenceRange: Epic's text, else its low and high with the digits
// sent), for the band's label: "4.0 - 5.6 %", never the "4–5.6 %" the numbers alone would give.
// Several ranges (female and male, by age...) draw no band: the chart cannot tell which is the
// patient's. A range with nothing in it (no text, low or high) counts as none; entered-in-error
// and cancelled results are passed over. from is the result the range came from; differs reports
// that another result was sent with another range, or with none.
func referenceBand(obs []fhir.Observation, unit string) (lo, hi *float64, text string, from fhir.Observation, differs bool) {
	found := false
	var sent []string
	for _, o := range sortNewestFirst(obs) {
		if o.Status == "entered-in-error" || o.Status == "cancelled" {
			continue
		}
		r := ReferenceRange(o.ReferenceRange)
		sent = append(sent, r)
		if found || r == "" {
			continue
		}
		if len(o.ReferenceRange) > 1 {
			return nil, nil, "", fhir.Observation{}, false
		}
		lo, hi = quantityIn(o.ReferenceRange[0].Low, unit), quantityIn(o.ReferenceRange[0].High, unit)
		text, from, found = r, o, true
	}
	if !found {
		return nil, nil, "", fhir.Observation{}, false
	}
	return lo, hi, text, from, slices.ContainsFunc(sent, func(r string) bool { return r != text })
}

func quantityIn(q *fhir.Quantity, unit string) *float64 {
	if q == nil || q.Value == "" {
		return nil
	}
	if _, u := Quantity(q); u != "" && u != unit {
		return nil
	}
	v, err := strconv.ParseFloat(q.Value.String(), 64)
	if err != nil {
		return nil
	}
	return &v
}

// valueDomain is the value axis: the results and the band, padded so nothing sits on the edge.
func valueDomain(pts []point, bandLo, bandHi *float64) (lo, hi float64) {
	lo, hi = pts[0].v, pts[0].v
	for _, p := range pts {
		lo, hi = math.Min(lo, p.v), math.Max(hi, p.v)
	}
	if bandLo != nil {
		lo, hi = math.Min(lo, *bandLo), math.Max(hi, *bandLo)
	}
	if bandHi != nil {
		lo, hi = math.Min(lo, *bandHi), math.Max(hi, *bandHi)
	}
	if hi == lo {
		pad := math.Abs(lo) * 0.1
		if pad == 0 {
			pad = 1
		}
		lo, hi = lo-pad, hi+pad
	}
	pad := (hi - lo) * 0.1
	return lo - pad, hi + pad
}

// niceTicks returns round values inside [lo, hi], and their step: the coarsest step of 1, 2 or 5
// times a power of ten, else 2.5 (25 mm[Hg]), that gives minYTicks to maxYTicks of them; when none
// does (-3 to 3: steps of 2 and 2.5 give three, 1 gives seven), the coarsest that gives at least
// minYTicks, which is never more than 8 (the steps are at most twice apart).
func niceTicks(lo, hi float64) ([]float64, float64) {
	span := hi - lo
	if !(span > 0) || math.IsInf(span, 0) {
		return nil, 0
	}
	// (The slack keeps a tick on the span's very end: 5.3 / 0.1 is 52.99999999999999.)
	count := func(step float64) float64 { return math.Floor(hi/step+1e-9) - math.Ceil(lo/step-1e-9) + 1 }
	exp := math.Floor(math.Log10(span / maxYTicks))
	var best, fallback float64
	for _, mantissas := range [][]float64{{5, 2, 1}, {2.5}} {
		for e := exp + 1; e >= exp-1 && best == 0; e-- {
			for _, m := range mantissas {
				step := m * math.Pow(10, e)
				if n := count(step); step > 0 && n >= minYTicks && n <= maxYTicks && step > best {
					best = step
				} else if n >= minYTicks && step > fallback {
					fallback = step
				}
			}
		}
		if best > 0 {
			break
		}
	}
	if best == 0 {
		best = fallback
	}
	if !(best > 0) || count(best) > 4*maxYTicks {
		return nil, 0 // spans too small for float64 steps: no labels rather than a wrong one
	}
	var out []float64
	first := math.Ceil(lo/best - 1e-9)
	for i := 0.0; i < count(best); i++ {
		out = append(out, (first+i)*best)
	}
	return out, best
}

// tickValue writes a tick's value with the decimals its step needs and no more: 0.3, never the
// 0.30000000000000004 that 3 × 0.1 is in floating point, and 2.5 but 3.0 beside it.
func tickValue(v, step float64) string {
	dec := 0
	for s := step; dec < 12 && math.Abs(s-math.Round(s)) > 1e-9*math.Max(1, math.Abs(s)); s *= 10 {
		dec++
	}
	if v == 0 {
		v = 0 // no "-0"
	}
	return strconv.FormatFloat(v, 'f', dec, 64)
}

// timeTicks spreads n ticks evenly over [t0, t1].
func timeTicks(t0, t1 time.Time, n int) []time.Time {
	out := make([]time.Time, 0, n)
	span := t1.Sub(t0)
	for i := 0; i < n; i++ {
		out = append(out, t0.Add(span*time.Duration(i)/time.Duration(n-1)))
	}
	return out
}

// precisions maps each result's instant to how much of its time Epic gave (the least, when
// several results share an instant).
func precisions(obs []fhir.Observation) map[time.Time]fhir.Precision {
	m := map[time.Time]fhir.Precision{}
	for _, o := range obs {
		eff := o.Effective()
		if eff.IsZero() {
			continue
		}
		t := eff.Time()
		if p, ok := m[t]; !ok || eff.Precision() < p {
			m[t] = eff.Precision()
		}
	}
	return m
}

// xTicks labels the time axis. The outer ticks are the first and last results, so their labels are
// those results' dates; one instant gets one tick, under its point. Every label carries the year
// (a chart is read on its own, and spans of years are common), and none is finer than the
// coarsest result: a result dated "2019-05" never shows a day, a date-only one never a time.
// Instants are labelled in the clinic zone; date-only results in their calendar date as written,
// since their instant (midnight UTC) would move to the day before west of Greenwich.
func xTicks(pts []point, prec map[time.Time]fhir.Precision, loc *time.Location, x func(time.Time) float64) []views.ChartTick {
	finest := fhir.PrecisionSubsecond
	zone := time.UTC
	for _, p := range pts {
		pr := prec[p.t]
		finest = min(finest, pr)
		if pr >= fhir.PrecisionSecond {
			zone = loc // any instant: the axis is in the clinic zone
		}
	}
	t0, t1 := pts[0].t, pts[len(pts)-1].t
	g := min(granularity(t1.Sub(t0)), finest)
	times := []time.Time{t0}
	if t1.After(t0) {
		times = timeTicks(t0, t1, 5)
	}
	var out []views.ChartTick
	for _, t := range times {
		z := zone
		if pr, ok := prec[t]; ok && pr < fhir.PrecisionSecond {
			z = time.UTC
		}
		label := tickLabel(t.In(z), g)
		if len(out) > 0 && out[len(out)-1].Label == label {
			continue // a month-long span labelled by month: one "Mar 2019", not three
		}
		out = append(out, views.ChartTick{Pos: round1(x(t)), Label: label})
	}
	return out
}

// granularity is how finely a span of results is labelled, as the fhir precision of the label.
func granularity(span time.Duration) fhir.Precision {
	switch {
	case span <= 3*24*time.Hour:
		return fhir.PrecisionSecond // date and time
	case span <= 400*24*time.Hour:
		return fhir.PrecisionDay
	}
	return fhir.PrecisionMonth
}

// tickLabel formats t (already in the zone it is read in) to g, always with the year.
func tickLabel(t time.Time, g fhir.Precision) string {
	switch g {
	case fhir.PrecisionYear:
		return t.Format("2006")
	case fhir.PrecisionMonth:
		return t.Format(layoutMonth)
	case fhir.PrecisionDay:
		return t.Format(layoutDay)
	}
	return t.Format(layoutDay + " " + layoutTime)
}
