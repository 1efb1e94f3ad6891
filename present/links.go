package present

import (
	"time"

	"github.com/chartside/chartside/epic/fhir"
)

// Links builds the URLs present puts into view models; handlers own the URL scheme. A nil func means
// "no link".
type Links struct {
	// Analyte is the history URL of an analyte; code is "system|code" (see AnalyteCode), rng is a
	// Range name ("" for the default).
	Analyte func(code, rng string) string
	// Encounter is the drill-down URL of an encounter by FHIR id.
	Encounter func(id string) string
	// AnalyteRange is the range of the table (or strip, matrix, encounter) the analyte links are
	// in: a result's link opens it, or a wider one when it would leave the result out (LinkRange).
	// Empty: the links name no range (the analyte's default), whatever their results' dates.
	AnalyteRange Range
	// Now is when the links are drawn: the time their ranges end at.
	Now time.Time
}

func (l Links) analyte(code, rng string) string {
	if l.Analyte == nil || code == "" {
		return ""
	}
	return l.Analyte(code, rng)
}

// analyteAt is the history link of an analyte whose result the link stands for was taken at
// (effective time; zero when undated): it opens the range that holds that result.
func (l Links) analyteAt(code string, at fhir.DateTime) string {
	if l.AnalyteRange == "" {
		return l.analyte(code, "")
	}
	var t time.Time
	if !at.IsZero() {
		t = at.Time()
	}
	return l.analyte(code, string(LinkRange(l.AnalyteRange, t, l.Now)))
}

// linkSlack is how long after it was drawn an analyte link must still hold its result. A range ends
// when it is opened, not when the link was drawn, so its start moves on while the chart stays open:
// a result near the start of the table's range falls out of it unless the link looks a day ahead.
const linkSlack = 24 * time.Hour

// LinkRange is the range an analyte link opens for a result taken at at (zero: undated), drawn at
// now in a table showing shown. The rule: the range the table shows, so the history covers the same
// period the clinician was reading; or, when the result would fall before that range's start by the
// time the link is followed (a day of slack: linkSlack), the narrowest wider preset that holds it
// (an encounter's result from years ago in a year-long default opens All). The result pressed is
// then always in the history it opens, and a table's links never open a narrower period than the
// table. An undated result opens All: no date range is sure to hold it, and All sends Epic none.
func LinkRange(shown Range, at, now time.Time) Range {
	if at.IsZero() {
		return RangeAll
	}
	widen := false
	for _, r := range Ranges() {
		if r == shown {
			widen = true
		}
		if !widen {
			continue
		}
		if r == RangeAll || !at.Before(r.Since(now.Add(linkSlack))) {
			return r
		}
	}
	// shown is not a preset: the widest holds every result.
	return RangeAll
}

func (l Links) encounter(id string) string {
	if l.Encounter == nil || id == "" {
		return ""
	}
	return l.Encounter(id)
}

// Range is a time-range preset for labs and analyte history (and the vitals table's range=).
type Range string

// Range presets. A week is an inpatient stay's labs: the daily panels side by side in the matrix.
const (
	Range1W  Range = "1w"
	Range1M  Range = "1m"
	Range6M  Range = "6m"
	Range1Y  Range = "1y"
	RangeAll Range = "all"
)

// Ranges lists the presets in display order.
func Ranges() []Range { return []Range{Range1W, Range1M, Range6M, Range1Y, RangeAll} }

// ParseRange reads a range query value; "" and unknown values give def and false for unknown.
func ParseRange(s string, def Range) (Range, bool) {
	if s == "" {
		return def, true
	}
	for _, r := range Ranges() {
		if string(r) == s {
			return r, true
		}
	}
	return def, false
}

// Label is the preset's words ("6 months"), as shown on its link and in captions ("last 6 months").
func (r Range) Label() string {
	switch r {
	case Range1W:
		return "1 week"
	case Range1M:
		return "1 month"
	case Range6M:
		return "6 months"
	case Range1Y:
		return "1 year"
	}
	return "All"
}

// Since is the start of the range ending at now; the zero time for RangeAll.
func (r Range) Since(now time.Time) time.Time {
	switch r {
	case Range1W:
		return now.AddDate(0, 0, -7)
	case Range1M:
		return now.AddDate(0, -1, 0)
	case Range6M:
		return now.AddDate(0, -6, 0)
	case Range1Y:
		return now.AddDate(-1, 0, 0)
	}
	return time.Time{}
}
