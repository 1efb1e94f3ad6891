package present

import (
	"fmt"
	"time"

	"github.com/chartside/chartside/epic/fhir"
	"github.com/chartside/chartside/views"
)

// vitalKind is one tile of the vitals strip and the LOINC codes that identify it (in any code
// system: Epic repeats LOINC codes under its own OIDs).
type vitalKind struct {
	label string
	codes []string
}

// vitalKinds lists the strip's tiles in display order. Blood pressure comes first so its panel is
// not mistaken for something else; the generic "Vital signs" panel code 8716-3, which Epic puts on
// every vital, is deliberately absent.
func vitalKinds() []vitalKind {
	return []vitalKind{
		{"BP", []string{"85354-9", "55284-4", loincSystolic}},
		{"Pulse", []string{"8867-4"}},
		{"Temp", []string{"8310-5", "8331-1"}},
		{"SpO2", []string{"59408-5", "2708-6"}},
		{"Resp rate", []string{"9279-1"}},
		{"Weight", []string{"29463-7", "3141-9"}},
		{"Height", []string{"8302-2"}},
		{"BMI", []string{"39156-5"}},
	}
}

func (k vitalKind) matches(o fhir.Observation) bool {
	for _, c := range k.codes {
		if o.Code.HasCode("", c) {
			return true
		}
	}
	return false
}

// VitalsStrip builds the latest-vitals strip: the most recent usable observation for each vital
// (entered-in-error and cancelled results never count as "latest"), and a notice when even the
// newest is older than staleAfter. Vitals Chartside has none of say "Not recorded".
func VitalsStrip(obs []fhir.Observation, now time.Time, loc *time.Location, staleAfter time.Duration, links Links) views.VitalsStrip {
	kinds := vitalKinds()
	latest := make([]*fhir.Observation, len(kinds))
	for i := range obs {
		o := &obs[i]
		if o.Status == "entered-in-error" || o.Status == "cancelled" {
			continue
		}
		for k, kind := range kinds {
			if !kind.matches(*o) {
				continue
			}
			if latest[k] == nil || latest[k].Effective().Before(o.Effective()) {
				latest[k] = o
			}
			break
		}
	}
	var strip views.VitalsStrip
	var newest time.Time
	for k, kind := range kinds {
		o := latest[k]
		if o == nil {
			strip.Items = append(strip.Items, views.VitalTile{Label: kind.label, Value: views.NotRecorded})
			continue
		}
		row := ObservationRow(*o, loc, links)
		tile := views.VitalTile{
			Label:      kind.label,
			Value:      row.Value,
			Unit:       row.Unit,
			Time:       row.When,
			Flag:       row.Flag,
			AnalyteURL: row.AnalyteURL,
		}
		if row.StatusNotable {
			tile.Status = row.Status
		}
		strip.Items = append(strip.Items, tile)
		if t := o.Effective().Time(); !o.Effective().IsZero() && t.After(newest) {
			newest = t
		}
	}
	if staleAfter > 0 && !newest.IsZero() && now.Sub(newest) > staleAfter {
		strip.StaleNotice = "Vitals are " + Ago(now.Sub(newest)) + " old"
	}
	return strip
}

// Ago writes a duration the way a clinician says it: "45 minutes", "5 hours", "3 days", "2 months".
func Ago(d time.Duration) string {
	switch {
	case d < time.Hour:
		return plural(int(d/time.Minute), "minute")
	case d < 48*time.Hour:
		return plural(int(d/time.Hour), "hour")
	case d < 60*24*time.Hour:
		return plural(int(d/(24*time.Hour)), "day")
	case d < 730*24*time.Hour:
		return plural(int(d/(30*24*time.Hour)), "month")
	}
	return plural(int(d/(365*24*time.Hour)), "year")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
