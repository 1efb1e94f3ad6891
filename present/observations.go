package present

import (
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/chartside/chartside/epic/fhir"
	"github.com/chartside/chartside/views"
)

// LOINC is the code system Chartside prefers for naming analytes.
const systemLOINC = "http://loinc.org"

// loincGroupers are LOINC panel codes that name a category, not an analyte: Epic puts 8716-3
// "Vital signs" on every vital, beside the vital's own LOINC code, and lists LOINC codes in code
// order, so a pulse (8867-4) or a respiratory rate (9279-1) carries 8716-3 first.
var loincGroupers = []string{"8716-3", "85353-1"}

func isLOINCGrouper(cd fhir.Coding) bool {
	return cd.System == systemLOINC && slices.Contains(loincGroupers, cd.Code)
}

// AnalyteCode is the code that identifies an observation's analyte: "system|code" of its LOINC
// coding, else of its first coding with a code; a grouper code (loincGroupers) only when the
// observation has no other. Keyed on 8716-3, Camila Lopez's pulse opened a "Pulse history" that
// listed her blood pressure, weight, temperature and height as pulse results, and asked Epic for
// every vital sign. "" when the observation has no code.
func AnalyteCode(c fhir.CodeableConcept) string {
	for _, cd := range c.Coding {
		if cd.System == systemLOINC && cd.Code != "" && !isLOINCGrouper(cd) {
			return cd.System + "|" + cd.Code
		}
	}
	for _, cd := range c.Coding {
		if cd.Code != "" && !isLOINCGrouper(cd) {
			return cd.System + "|" + cd.Code
		}
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
// observations last). It returns a sorted copy: obs may be shared with other sections. Each
// observation's time is read once and the keys are sorted, not the observations themselves (a
// few hundred bytes each, copied at every swap and every comparison before: ≈ 2 % of the server's
// CPU under load, BENCHMARKS.md).
func sortNewestFirst(obs []fhir.Observation) []fhir.Observation {
	type key struct {
		at    time.Time
		dated bool
		i     int
	}
	keys := make([]key, len(obs))
	for i := range obs {
		w := when(obs[i])
		keys[i] = key{at: w.Time(), dated: !w.IsZero(), i: i}
	}
	slices.SortStableFunc(keys, func(a, b key) int { return newestFirst(a.dated, a.at, b.dated, b.at) })
	out := make([]fhir.Observation, len(obs))
	for k, key := range keys {
		out[k] = obs[key.i]
	}
	return out
}

// newestFirst is the order of every list of observations: newer first, undated last.
func newestFirst(aDated bool, a time.Time, bDated bool, b time.Time) int {
	if aDated != bDated {
		if aDated {
			return -1
		}
		return 1
	}
	return b.Compare(a)
}

// when is the time an observation is shown and ordered by: effective, else issued.
func when(o fhir.Observation) fhir.DateTime {
	if e := o.Effective(); !e.IsZero() {
		return e
	}
	return o.Issued
}

// whenText is when as shown: an effectivePeriod as a period ("until Oct 22, 2008" for Epic's smoking
// history, which sends only an end), so its end never reads as the time of the observation, and a
// period with only a start as ongoing ("since Sep 12, 2006": FHIR's missing end means the period
// has not ended), so a current smoker's history does not read as a record from 2006; with
// no effective time at all, the issued time labelled as such ("Issued Apr 7, 2022 00:00": Epic's
// alcohol and drug use carry only that), so the time the result was released or the history
// recorded never reads as the time it was taken.
func whenText(o fhir.Observation, loc *time.Location) string {
	if o.EffectiveDateTime.IsZero() && o.EffectiveInstant.IsZero() && o.EffectivePeriod != nil {
		if pe := o.EffectivePeriod; pe.End.IsZero() && !pe.Start.IsZero() {
			return "since " + DateTime(pe.Start, loc)
		}
		if p := Period(o.EffectivePeriod, loc); p != "" {
			return p
		}
	}
	if o.Effective().IsZero() && !o.Issued.IsZero() {
		return "Issued " + DateTime(o.Issued, loc)
	}
	return DateTime(when(o), loc)
}

// notableStatus reports statuses a clinician must notice: anything but final.
func notableStatus(s string) bool {
	return s != "" && s != "final"
}

// observationFlag is the observation's and its components' interpretations, the most serious
// first. Blood pressure carries its interpretation on the components, and a flag on the
// observation itself (Epic's "(NONE)", or "normal") must not hide a high systolic, nor the
// systolic's flag hide the observation's.
func observationFlag(o fhir.Observation) views.Flag {
	if len(o.Component) == 0 {
		return Interpretation(o.Interpretation)
	}
	fs := []views.Flag{Interpretation(o.Interpretation)}
	for _, c := range o.Component {
		fs = append(fs, Interpretation(c.Interpretation))
	}
	return mergeFlags(fs...)
}

// measuredWithoutUnit reports a measured number that Epic sent without a unit (Camila Lopez's
// Hemoglobin A1C arrives as {"value": 5.1}: percent or mmol/mol?). An empty unit cell would read as
// a complete result; the row says the unit was not sent instead. Words, codes and dates have no
// unit to miss.
func measuredWithoutUnit(o fhir.Observation, unit string) bool {
	return unit == "" && o.Kind() == fhir.ValueKindQuantity && o.ValueQuantity.Value != ""
}

// ObservationRow is one table row: the value exactly as sent, unit, range, flag, time, status.
func ObservationRow(o fhir.Observation, loc *time.Location, links Links) views.ObsRow {
	v, u := ObservationValue(o, loc)
	flag := observationFlag(o)
	at := whenText(o, loc)
	row := views.ObsRow{
		Name:          orNotRecorded(o.Code.Label()),
		Value:         v,
		Numeric:       looksNumeric(v),
		Unit:          u,
		NoUnit:        measuredWithoutUnit(o, u),
		Detail:        ObservationDetail(o, loc),
		Range:         ObservationRange(o),
		Flag:          flag,
		When:          orNotRecorded(at),
		Status:        orNotRecorded(o.Status),
		StatusNotable: notableStatus(o.Status),
		AnalyteURL:    links.analyteAt(AnalyteCode(o.Code), o.Effective()),
	}
	row.Notes = notes(o.Note, loc)
	return row
}

// notes are a result's comments, one per note, each with who wrote it and when if Epic says
// ("Hemolyzed (J Smith, Mar 1, 2024 10:02 CST)"): two notes run together read as one sentence.
func notes(ns []fhir.Annotation, loc *time.Location) []string {
	var out []string
	for _, n := range ns {
		text := strings.TrimSpace(n.Text)
		if text == "" {
			continue
		}
		var by []string
		if n.AuthorString != "" {
			by = append(by, n.AuthorString)
		} else if n.AuthorReference != nil && n.AuthorReference.Display != "" {
			by = append(by, n.AuthorReference.Display)
		}
		if !n.Time.IsZero() {
			by = append(by, DateTime(n.Time, loc))
		}
		if len(by) > 0 {
			text += " (" + strings.Join(by, ", ") + ")"
		}
		out = append(out, text)
	}
	return out
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

// ObsPage is one page of a newest-first list of observations.
type ObsPage struct {
	Rows  []views.ObsRow
	First int // position of the page's first row in the whole list, from 1 (0 when the page is empty)
	Last  int // position of its last row: the newest Last observations are on this page or before it
	Total int // observations in the whole list
	// Next is the cursor of the next (older) page: ObservationPage with before=Next continues
	// right after this page. Zero when this page is the last.
	Next time.Time
}

// ObservationPage is one page of obs, newest first: up to limit rows (limit <= 0: all) of the
// observations strictly older than the cursor before (zero: from the newest).
//
// A page never splits results taken at the same instant (a set of vitals, a lab panel): it grows
// past limit to keep them together. That makes "older than the last row shown" an exact cursor, so
// paging neither repeats nor skips a result even when the list is fetched again between pages.
// Undated observations sort last and count as older than any cursor.
func ObservationPage(obs []fhir.Observation, before time.Time, limit int, loc *time.Location, links Links) ObsPage {
	sorted := sortNewestFirst(obs)
	n := len(sorted)
	start := 0
	if !before.IsZero() {
		// sorted is newest first, so the observations older than the cursor are a suffix.
		start = sort.Search(n, func(i int) bool { return olderThan(sorted[i], before) })
	}
	end := n
	if limit > 0 && start+limit < n {
		end = start + limit
		for end < n && sameInstant(sorted[end-1], sorted[end]) {
			end++
		}
	}
	p := ObsPage{Last: end, Total: n}
	if end > start {
		p.First = start + 1
	}
	for _, o := range sorted[start:end] {
		p.Rows = append(p.Rows, ObservationRow(o, loc, links))
	}
	if end < n {
		// Dated: an undated last row would have pulled every undated one (all the rest) in.
		p.Next = when(sorted[end-1]).Time()
	}
	return p
}

// olderThan reports whether o sorts after the cursor: taken strictly before it, or undated.
func olderThan(o fhir.Observation, cursor time.Time) bool {
	w := when(o)
	return w.IsZero() || w.Time().Before(cursor)
}

// sameInstant reports whether a and b sort as equals (sortNewestFirst keeps their order as given).
func sameInstant(a, b fhir.Observation) bool {
	wa, wb := when(a), when(b)
	return wa.IsZero() == wb.IsZero() && wa.Time().Equal(wb.Time())
}

// PageText is the line under a table that shows a page of a longer list ("" when it shows the
// whole list). appended: the table holds every row up to this page, because the pages before it
// were appended in place (htmx), rather than this page on its own.
func PageText(p ObsPage, appended bool) string {
	switch {
	case p.Total == 0:
		return ""
	case appended && p.Last == p.Total:
		return "Showing all " + count(p.Total) + " results."
	case appended:
		return "Showing the newest " + count(p.Last) + " of " + count(p.Total) + " results."
	case p.First <= 1 && p.Last == p.Total:
		return ""
	case p.First <= 1:
		return "Showing the newest " + count(p.Last) + " of " + count(p.Total) + " results."
	}
	return "Showing results " + count(p.First) + "–" + count(p.Last) + " of " + count(p.Total) + ", newest first."
}

// count writes n with thousands separators: "3,414".
func count(n int) string {
	s := itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
