package present

import (
	"sort"
	"time"

	"github.com/chartside/chartside/epic/fhir"
	"github.com/chartside/chartside/views"
)

// LOINC is the code system Chartside prefers for naming analytes.
const systemLOINC = "http://loinc.org"

// AnalyteCode is the code that identifies an observation's analyte: "system|code" of its LOINC
// coding, else of its first coding with a code. "" when the observation has no code.
func AnalyteCode(c fhir.CodeableConcept) string {
	if cd, ok := c.CodingFor(systemLOINC); ok && cd.Code != "" {
		return cd.System + "|" + cd.Code
	}
	for _, cd := range c.Coding {
		if cd.Code != "" {
			return cd.System + "|" + cd.Code
		}
	}
	return ""
}

// HasAnalyteCode reports whether the concept carries the "system|code" (or bare code) given.
func HasAnalyteCode(c fhir.CodeableConcept, code string) bool {
	for _, cd := range c.Coding {
		if cd.Code == "" {
			continue
		}
		if cd.System+"|"+cd.Code == code || (cd.Code == code) {
			return true
		}
	}
	return false
}

// sortNewestFirst orders observations by effective time, newest first (stable for ties; undated
// observations last).
func sortNewestFirst(obs []fhir.Observation) []fhir.Observation {
	out := append([]fhir.Observation(nil), obs...)
	sort.SliceStable(out, func(i, j int) bool {
		ei, ej := when(out[i]), when(out[j])
		if ei.IsZero() != ej.IsZero() {
			return !ei.IsZero()
		}
		return ej.Before(ei)
	})
	return out
}

// when is the time an observation is shown and ordered by: effective, else issued.
func when(o fhir.Observation) fhir.DateTime {
	if e := o.Effective(); !e.IsZero() {
		return e
	}
	return o.Issued
}

// notableStatus reports statuses a clinician must notice: anything but final.
func notableStatus(s string) bool {
	return s != "" && s != "final"
}

// ObservationRow is one table row: the value exactly as sent, unit, range, flag, time, status.
func ObservationRow(o fhir.Observation, loc *time.Location, links Links) views.ObsRow {
	v, u := ObservationValue(o, loc)
	flag := Interpretation(o.Interpretation)
	if flag.Level == views.FlagNone {
		// Blood pressure carries its interpretation on the components.
		for _, c := range o.Component {
			if f := Interpretation(c.Interpretation); severity(f.Level) > severity(flag.Level) {
				flag = f
			}
		}
	}
	at := DateTime(when(o), loc)
	row := views.ObsRow{
		Name:          orNotRecorded(o.Code.Label()),
		Value:         v,
		Unit:          u,
		Detail:        ObservationDetail(o, loc),
		Range:         ReferenceRange(o.ReferenceRange),
		Flag:          flag,
		When:          orNotRecorded(at),
		Status:        o.Status,
		StatusNotable: notableStatus(o.Status),
		AnalyteURL:    links.analyte(AnalyteCode(o.Code), ""),
	}
	for _, n := range o.Note {
		if n.Text != "" {
			if row.Note != "" {
				row.Note += " "
			}
			row.Note += n.Text
		}
	}
	return row
}

// ObservationRows is every observation as a row, newest first. Entered-in-error and cancelled
// results are kept (and marked), never hidden.
func ObservationRows(obs []fhir.Observation, loc *time.Location, links Links) []views.ObsRow {
	sorted := sortNewestFirst(obs)
	rows := make([]views.ObsRow, 0, len(sorted))
	for _, o := range sorted {
		rows = append(rows, ObservationRow(o, loc, links))
	}
	return rows
}

// ObservationTable is ObservationRows in a table with its caption and empty message.
func ObservationTable(obs []fhir.Observation, caption, empty, testID string, loc *time.Location, links Links) views.ObsTable {
	return views.ObsTable{
		Caption: caption,
		Rows:    ObservationRows(obs, loc, links),
		Empty:   empty,
		TestID:  testID,
	}
}
