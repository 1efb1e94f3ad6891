package present

import "time"

// Links builds the URLs present puts into view models; handlers own the URL scheme. A nil func means
// "no link".
type Links struct {
	// Analyte is the history URL of an analyte; code is "system|code" (see AnalyteCode), rng is a
	// Range name ("" for the default).
	Analyte func(code, rng string) string
	// Encounter is the drill-down URL of an encounter by FHIR id.
	Encounter func(id string) string
}

func (l Links) analyte(code, rng string) string {
	if l.Analyte == nil || code == "" {
		return ""
	}
	return l.Analyte(code, rng)
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
