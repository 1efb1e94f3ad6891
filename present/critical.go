package present

import (
	"hash/fnv"
	"slices"
	"strconv"
	"time"

	"github.com/chartside/chartside/epic/fhir"
	"github.com/chartside/chartside/views"
)

// CriticalWindow is how far back the chart's critical-results summary looks: the results a
// clinician must act on now, not every critical value of the year the labs table shows.
const CriticalWindow = 7 * 24 * time.Hour

// CriticalResults is the summary shown under the banner of the lab results Epic flagged critical
// (HH, LL, AA or their words) in the CriticalWindow before now. A critical potassium otherwise sat
// in the labs table below the vitals, the encounters and the vitals table, out of sight.
//
// One line per analyte: its newest critical result and, when a newer result of the same analyte
// came after it, that result too, so a critical value already redrawn never reads as the current
// one. Entered-in-error and cancelled results never count; an undated result cannot be placed in
// the window and is left to the table. Newest first. An empty summary says nothing: it sees only
// the labs Chartside fetched, so it must never read as "no critical results". When Epic had more
// results than Chartside loads (truncated), it says that others may be critical.
func CriticalResults(obs []fhir.Observation, truncated bool, now time.Time, loc *time.Location, links Links) views.CriticalResults {
	c := views.CriticalResults{Title: "Critical lab results, last 7 days"}
	from := now.Add(-CriticalWindow)
	// One pass, no sort: the labs section already sorts its own copy, and this runs on every labs
	// answer. Ties keep the first seen, as the table's stable sort does.
	type analyte struct {
		critical, newest     *fhir.Observation
		criticalAt, newestAt time.Time
	}
	byAnalyte := map[string]*analyte{}
	var order []*analyte
	for i := range obs {
		o := &obs[i]
		if o.Status == "entered-in-error" || o.Status == "cancelled" {
			continue
		}
		w := when(*o)
		if w.IsZero() || w.Time().Before(from) {
			continue
		}
		at := w.Time()
		key := AnalyteCode(o.Code)
		if key == "" {
			key = "name:" + o.Code.Label()
		}
		a := byAnalyte[key]
		if a == nil {
			a = &analyte{}
			byAnalyte[key] = a
		}
		if a.newest == nil || at.After(a.newestAt) {
			a.newest, a.newestAt = o, at
		}
		if observationFlag(*o).Level != views.FlagCritical {
			continue
		}
		if a.critical == nil {
			order = append(order, a)
		}
		if a.critical == nil || at.After(a.criticalAt) {
			a.critical, a.criticalAt = o, at
		}
	}
	slices.SortStableFunc(order, func(x, y *analyte) int { return y.criticalAt.Compare(x.criticalAt) })
	for _, a := range order {
		item := views.CriticalItem{Result: ObservationRow(*a.critical, loc, links)}
		if a.newestAt.After(a.criticalAt) {
			later := ObservationRow(*a.newest, loc, links)
			item.Later = &later
		}
		c.Items = append(c.Items, item)
	}
	if truncated {
		c.Note = criticalTruncated
	}
	c.Key = criticalKey(c)
	return c
}

// What the summary says when it could not see every lab result.
const (
	criticalUnavailable = "Critical lab results could not be checked: the labs did not load (see Labs)."
	criticalTruncated   = "Not every lab result could be loaded, so there may be other critical results (see Labs)."
)

// CriticalUnavailable is the summary when the labs did not load: said, so an empty slot never
// passes for "nothing critical".
func CriticalUnavailable() views.CriticalResults {
	c := views.CriticalResults{Note: criticalUnavailable}
	c.Key = criticalKey(c)
	return c
}

// criticalKey digests what the summary shows (views.CriticalResults.Key): the results, not their
// links, which may differ with the labs range that refilled it and lead to the same history.
func criticalKey(c views.CriticalResults) string {
	if len(c.Items) == 0 && c.Note == "" {
		return ""
	}
	h := fnv.New64a()
	row := func(r views.ObsRow) {
		for _, s := range []string{r.Name, r.Value, r.Unit, r.Flag.Text, r.When, r.Status} {
			h.Write([]byte(s))
			h.Write([]byte{0})
		}
	}
	for _, it := range c.Items {
		row(it.Result)
		if it.Later != nil {
			row(*it.Later)
		}
		h.Write([]byte{1})
	}
	h.Write([]byte(c.Note))
	return strconv.FormatUint(h.Sum64(), 36)
}
