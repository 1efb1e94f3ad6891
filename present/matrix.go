package present

import (
	"sort"
	"strings"
	"time"

	"github.com/chartside/chartside/epic/fhir"
	"github.com/chartside/chartside/views"
)

// LabMatrix lays labs out as tests × days (newest day first). A column is a clinic-zone calendar day
// (date-only results by their own date); several results of one test on one day share a cell.
// Results Epic sent without an effective time are in a last column, "Date not recorded" (with
// their issued time when there is one), as the table lists them: none is dropped. Only tests with
// at least one result appear; rows are ordered by test name.
//
// A row's unit and range are its newest result's. A cell whose result differs says so, like a
// different unit: its own range ("ref. 4.0 - 5.6 %"), "no range sent", or "unit not sent" for a
// number without a unit, so a value never silently takes on its row's unit or range.
func LabMatrix(obs []fhir.Observation, loc *time.Location, links Links) views.LabMatrix {
	type key struct{ test, day string }
	type test struct {
		name, unit, rng, code string
		oldest                fhir.DateTime // its oldest result: its link opens a range that holds them all
	}
	tests := map[string]*test{}
	cells := map[key][]cellResult{}
	days := map[string]time.Time{}
	for _, o := range sortNewestFirst(obs) {
		eff := o.Effective()
		code := AnalyteCode(o.Code)
		name := o.Code.Label()
		id := code
		if id == "" {
			id = "name:" + name
		}
		t := tests[id]
		v, u := ObservationValue(o, loc)
		rng := ObservationRange(o)
		if t == nil {
			t = &test{name: orNotRecorded(name), unit: u, rng: rng, code: code}
			tests[id] = t
		}
		t.oldest = eff // newest first: the last one seen is the oldest
		day, dayTime := matrixDay(eff, loc)
		days[day] = dayTime
		switch {
		case measuredWithoutUnit(o, u):
			v += " (unit not sent)"
		case u != "" && u != t.unit:
			v += " " + u // a different unit is never silently merged into the row's unit
		}
		switch {
		case rng == t.rng:
		case rng == "":
			v += " (no range sent)"
		default:
			v += " (ref. " + rng + ")"
		}
		if eff.IsZero() && !o.Issued.IsZero() {
			v += " (issued " + DateTime(o.Issued, loc) + ")"
		}
		// A status the table shows as a tag is spelled out in the cell; an erroneous or cancelled
		// result keeps its value (struck out in words) but does not flag the day.
		f := observationFlag(o)
		switch o.Status {
		case "entered-in-error":
			v += " (entered in error)"
			f = views.Flag{}
		case "cancelled":
			v += " (cancelled)"
			f = views.Flag{}
		default:
			if notableStatus(o.Status) {
				v += " (" + o.Status + ")"
			}
		}
		k := key{id, day}
		cells[k] = append(cells[k], cellResult{value: v, flag: f, eff: eff})
	}
	m := views.LabMatrix{Caption: "Lab results by date (newest first)", Empty: "No lab results in this period."}
	dayKeys := make([]string, 0, len(days))
	for d := range days {
		dayKeys = append(dayKeys, d)
	}
	sort.Slice(dayKeys, func(i, j int) bool { return days[dayKeys[i]].After(days[dayKeys[j]]) })
	m.Dates = dayKeys
	ids := make([]string, 0, len(tests))
	for id := range tests {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool {
		return strings.ToLower(tests[ids[i]].name) < strings.ToLower(tests[ids[j]].name)
	})
	for _, id := range ids {
		t := tests[id]
		row := views.MatrixRow{Name: t.name, Unit: t.unit, Range: t.rng, AnalyteURL: links.analyteAt(t.code, t.oldest)}
		for _, d := range dayKeys {
			row.Cells = append(row.Cells, matrixCell(cells[key{id, d}], loc))
		}
		m.Rows = append(m.Rows, row)
	}
	return m
}

// cellResult is one result in a matrix cell: its value as the cell writes it, its flag.
type cellResult struct {
	value string
	flag  views.Flag
	eff   fhir.DateTime
}

// matrixCell is the cell of a test's results on one day (newest first). Several results say each
// their time and their own flag ("4.6 at 21:34; 6.7 HH at 19:04"): joined bare under the cell's one
// badge, Kwame Mensah's (400012) redrawn potassium read "4.6; 6.7 ‼ Critical high", left to right
// as a potassium that rose to a critical 6.7, when the 6.7 was drawn first and the 4.6 is current.
func matrixCell(rs []cellResult, loc *time.Location) views.MatrixCell {
	switch len(rs) {
	case 0:
		return views.MatrixCell{}
	case 1:
		return views.MatrixCell{Value: rs[0].value, Flag: rs[0].flag}
	}
	var c views.MatrixCell
	parts := make([]string, 0, len(rs))
	for _, r := range rs {
		v := r.value
		if m := marker(r.flag); m != "" {
			v += " " + m
		}
		switch {
		case r.eff.HasTime():
			v += " at " + DateTimeClock(r.eff, loc)
		case !r.eff.IsZero():
			v += " (time not sent)"
		}
		parts = append(parts, v)
		c.Flag = mergeFlags(c.Flag, r.flag)
	}
	c.Value = strings.Join(parts, "; ")
	return c
}

// matrixDay is the column label of a result and a time for ordering columns; an undated result's
// column sorts last.
func matrixDay(d fhir.DateTime, loc *time.Location) (string, time.Time) {
	if d.IsZero() {
		return "Date not recorded", time.Time{}
	}
	if d.HasTime() {
		t := d.Time().In(loc)
		y, mo, dd := t.Date()
		return civil(y, mo, dd), time.Date(y, mo, dd, 0, 0, 0, 0, time.UTC)
	}
	return civil(d.Civil()), d.Time()
}
