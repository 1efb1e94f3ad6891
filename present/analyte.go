package present

import (
	"strconv"
	"time"

	"github.com/chartside/chartside/epic/fhir"
	"github.com/chartside/chartside/views"
)

// Analyte builds one analyte's history: the observations carrying code ("system|code") within the
// range ending at now, as a table (newest first) and a trend chart. Only numeric results in the
// most recent result's unit are drawn — series are never mixed across units; the rest stay in the
// table and a note says so.
func Analyte(obs []fhir.Observation, code string, rng Range, now time.Time, loc *time.Location, links Links) views.Analyte {
	since := rng.Since(now)
	var mine []fhir.Observation
	for _, o := range obs {
		if !HasAnalyteCode(o.Code, code) {
			continue
		}
		if !since.IsZero() && !o.Effective().IsZero() && o.Effective().Time().Before(since) {
			continue
		}
		mine = append(mine, o)
	}
	mine = sortNewestFirst(mine)
	a := views.Analyte{Name: "Results"}
	if len(mine) > 0 {
		a.Name = orNotRecorded(mine[0].Code.Label())
		_, a.Unit = ObservationValue(mine[0], loc)
	}
	a.Table = views.ObsTable{
		Caption: a.Name + " results (newest first)",
		Rows:    ObservationRows(mine, loc, Links{}),
		Empty:   "No results in this period.",
		TestID:  "analyte-table",
	}
	for _, r := range Ranges() {
		a.Presets = append(a.Presets, views.Preset{Label: r.Label(), URL: links.analyte(code, string(r)), Current: r == rng})
	}
	a.Chart, a.ChartNote = TrendChart(mine, a.Name, a.Unit, loc)
	return a
}

// point is a plottable result.
type point struct {
	t    time.Time
	v    float64
	text string
	when string
	flag views.Flag
}

// plottable picks the numeric results in unit (quantities without a comparator: "<5" is not a
// point on a line) and counts the rest.
func plottable(obs []fhir.Observation, unit string, loc *time.Location) (pts []point, skipped int) {
	for _, o := range obs {
		q := o.ValueQuantity
		eff := o.Effective()
		if q == nil || q.Comparator != "" || eff.IsZero() || o.Status == "entered-in-error" || o.Status == "cancelled" {
			skipped++
			continue
		}
		_, u := Quantity(q)
		if u != unit {
			skipped++
			continue
		}
		v, err := strconv.ParseFloat(q.Value.String(), 64)
		if err != nil {
			skipped++
			continue
		}
		pts = append(pts, point{t: eff.Time(), v: v, text: q.Value.String(), when: DateTime(eff, loc), flag: Interpretation(o.Interpretation)})
	}
	return pts, skipped
}
