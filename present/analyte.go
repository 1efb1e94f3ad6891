package present

import (
	"strconv"
	"strings"
	"time"

	"github.com/chartside/chartside/epic/fhir"
	"github.com/chartside/chartside/views"
)

// Analyte builds one analyte's history: the observations carrying code ("system|code") within the
// range ending at now, as a table (newest first) and a trend chart. Only numeric results in the
// most recent result's unit are drawn — series are never mixed across units; the rest stay in the
// table and a note says so. before are results older than the range, which an empty range asks
// Epic for: they are not listed, but name the analyte (AnalyteName).
func Analyte(obs, before []fhir.Observation, code string, rng Range, now time.Time, loc *time.Location, links Links) views.Analyte {
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
	a := views.Analyte{Name: AnalyteName(code, mine, obs, before)}
	// The unit of the newest result that has one: a newest result without a value (data absent)
	// must not leave the chart without a unit and so draw nothing.
	for _, o := range mine {
		if _, u := ObservationValue(o, loc); u != "" {
			a.Unit = u
			break
		}
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

// AnalyteName is what an analyte's history is called: the name of the first result carrying code
// in the first of sets that has one (the results shown, then any other Epic returned), newest
// first; else the code itself ("LOINC 2823-3"), which says which analyte it is when Epic returned
// none of its results — never a bare "Results".
func AnalyteName(code string, sets ...[]fhir.Observation) string {
	for _, set := range sets {
		var named []fhir.Observation
		for _, o := range set {
			if HasAnalyteCode(o.Code, code) && o.Code.Label() != "" {
				named = append(named, o)
			}
		}
		if len(named) > 0 {
			return sortNewestFirst(named)[0].Code.Label()
		}
	}
	return CodeName(code)
}

// CodeName is an analyte's code in words: "LOINC 2823-3" for a LOINC code, else "Code " and the
// code without its system (Epic's systems are OIDs, which say nothing to a reader).
func CodeName(code string) string {
	system, c, ok := strings.Cut(code, "|")
	if !ok {
		return "Code " + code
	}
	if system == systemLOINC {
		return "LOINC " + c
	}
	return "Code " + c
}

// point is a plottable value.
type point struct {
	series string
	t      time.Time
	v      float64
	text   string
	when   string
	flag   views.Flag
}

// plottable picks the numeric values in unit — the observation's own quantity, or the quantities of
// its components (blood pressure: one series each) — and counts the values left out: comparators
// ("<5" is not a point on a line), other units, missing times, entered-in-error or cancelled results.
func plottable(obs []fhir.Observation, name, unit string, loc *time.Location) (pts []point, skipped int) {
	for _, o := range obs {
		eff := o.Effective()
		if eff.IsZero() || o.Status == "entered-in-error" || o.Status == "cancelled" {
			skipped++
			continue
		}
		add := func(series string, q *fhir.Quantity, flag views.Flag) {
			_, u := Quantity(q)
			v, err := strconv.ParseFloat(q.Value.String(), 64)
			if q.Comparator != "" || u != unit || err != nil {
				skipped++
				return
			}
			pts = append(pts, point{series: series, t: eff.Time(), v: v, text: q.Value.String(), when: DateTime(eff, loc), flag: flag})
		}
		switch {
		case o.ValueQuantity != nil:
			add(name, o.ValueQuantity, Interpretation(o.Interpretation))
		case o.Kind() == fhir.ValueKindNone && len(o.Component) > 0:
			n := 0
			for _, c := range o.Component {
				if c.ValueQuantity == nil {
					continue
				}
				flag := Interpretation(c.Interpretation)
				if flag.Level == views.FlagNone {
					flag = Interpretation(o.Interpretation)
				}
				add(orNotRecorded(c.Code.Label()), c.ValueQuantity, flag)
				n++
			}
			if n == 0 {
				skipped++
			}
		default:
			skipped++
		}
	}
	return pts, skipped
}
