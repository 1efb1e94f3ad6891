package handlers

import (
	"context"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/chartside/chartside/audit"
	"github.com/chartside/chartside/epic"
	"github.com/chartside/chartside/epic/fhir"
	"github.com/chartside/chartside/present"
	"github.com/chartside/chartside/views"
)

// maxAnalyteCode bounds the code parameter ("system|code"); real ones are far shorter.
const maxAnalyteCode = 200

// labs handles GET /chart/:h/labs?view=table|matrix&range=1m|6m|1y|all&before=<sealed
// cursor>&more=1: lab results as a table or a tests × dates matrix. The default (table, last year) comes from the chart page's
// prefetch; other views and ranges are fetched on demand. Unknown values are a 400, not silently
// replaced. The table shows the newest rows first (tablePage); for htmx, before=…&more=1 is "Show
// older": it answers only the next rows, which htmx appends to the table, and the table's line
// with the count (out of band). Without htmx the same URL is the section on its own page, starting
// at those rows. A range that comes back empty says whether the record has older results and links
// to every date; that link's htmx answer puts the focus on the section's heading (takesFocus).
func (s *Server) labs(c echo.Context) error {
	ref, err := s.patientRef(c)
	if err != nil {
		return err
	}
	p := labsParams{View: c.QueryParam("view"), Range: defaultLabsRange}
	switch p.View {
	case "":
		p.View = "table"
	case "table", "matrix":
	default:
		return echo.NewHTTPError(400, "unknown labs view")
	}
	rng, ok := present.ParseRange(c.QueryParam("range"), defaultLabsRange)
	if !ok {
		return echo.NewHTTPError(400, "unknown range")
	}
	p.Range = rng
	if p.Page, err = s.parseTablePage(c); err != nil {
		return err
	}
	if p.View == "matrix" && !p.Page.first() {
		return echo.NewHTTPError(400, "the matrix has no pages")
	}
	now := s.settings.Now()
	// The matrix of the default range is the same data as the table: it may come from the prefetch.
	// Later pages are fetched again: they are asked for long after the prefetch was read.
	f := fetchOrPrefetched(s, c, ref, !isRefresh(c) && p.Range == defaultLabsRange && p.Page.first(),
		func(e *chartEntry) *pending[epic.Result[fhir.Observation]] { return e.labs },
		func(ctx context.Context) (epic.Result[fhir.Observation], error) {
			return s.patients.SearchObservations(ctx, ref.PatientID, labsQuery(now, p.Range))
		})
	older := olderUnknown
	if f.err == nil && len(f.val.Items) == 0 && p.Range != present.RangeAll && p.Page.first() {
		older = s.olderResults(c.Request().Context(), ref.PatientID, fhir.CategoryLaboratory, p.Range.Since(now))
	}
	base := chartURL(ref.Handle)
	v, err := s.labsView(c.Request().Context(), base, p, f, older)
	if err != nil {
		return err
	}
	v.Section.Focus = takesFocus(c)
	if p.Page.first() && isFragment(c.Request()) {
		// Every range reaches back past the summary's window, so any first page can refill it; one
		// that failed says the summary could not be checked rather than leave it empty.
		crit := present.CriticalUnavailable()
		if f.err == nil {
			crit = present.CriticalResults(f.val.Items, f.val.Truncated, now, s.settings.Location, s.chartLinks(base, defaultLabsRange))
		}
		v.Critical = &crit
	}
	detail := "labs " + p.View + " " + string(p.Range)
	var fragment templ.Component = views.LabsFragment(v)
	if !p.Page.first() {
		detail += " older"
	}
	if p.Page.More {
		fragment = views.ObsMoreFragment(tableMoreView(v.Table, labsContext, f.err, p.Page.moreURL(base+"/labs", p.query())))
	}
	return s.serveSection(c, ref, access{Action: audit.ActionChartView, Detail: detail}, f.covered, f.err,
		fragment,
		func(pg views.Page, b views.Banner) templ.Component { return views.LabsPage(pg, b, v) })
}

// olderData is what an empty range of labs or vitals knows of the record before it.
type olderData int

const (
	olderUnknown olderData = iota // not asked, or Epic did not answer
	olderNone
	olderSome
)

// olderResults asks Epic for a single observation of the category before from, so an empty range
// can say whether there are older ones instead of looking as if the patient had none. It runs only
// when the range came back empty. A single result tells that older results exist, not which is the
// latest: Epic does not return them newest first (Camila Lopez's captured labs come oldest first),
// so no date is shown.
func (s *Server) olderResults(ctx context.Context, patientID, category string, from time.Time) olderData {
	older, _ := s.olderThan(ctx, patientID, epic.ObservationQuery{Categories: []string{category}}, from)
	return older
}

// olderThan is olderResults for any search q (a category, an analyte's code): what the record
// holds before from, and the one result Epic returned, if any.
func (s *Server) olderThan(ctx context.Context, patientID string, q epic.ObservationQuery, from time.Time) (olderData, []fhir.Observation) {
	q.From, q.To, q.Count, q.MaxPages = time.Time{}, from.AddDate(0, 0, -1), 1, 1
	res, err := s.patients.SearchObservations(ctx, patientID, q)
	switch {
	case err != nil:
		return olderUnknown, nil
	case len(res.Items) > 0 || res.Truncated:
		// Truncated: Epic filters pages after fetching them, so a first page can be empty with
		// more to come.
		return olderSome, res.Items
	}
	return olderNone, nil
}

// What the labs table's line and controls call its rows, for screen readers.
const (
	labsContext   = "lab results"
	vitalsContext = "vital signs"
)

// labsEmpty is the message of an empty labs view.
func labsEmpty(r present.Range, older olderData) string {
	switch {
	case r == present.RangeAll:
		return "No lab results on record."
	case older == olderNone:
		return "No lab results in " + rangePhrase(r) + ", and none before."
	}
	return "No lab results in " + rangePhrase(r) + "."
}

// olderSuggestion leads out of an empty range of what ("lab results", "vital signs") to every date
// (allURL), unless Epic said there is nothing older.
func olderSuggestion(older olderData, what, allURL string) *views.Suggestion {
	switch older {
	case olderNone:
		return nil
	case olderSome:
		return &views.Suggestion{Text: "Older " + what + " are on record.", Label: "Show all " + what, URL: allURL}
	}
	return &views.Suggestion{Label: "Show all " + what, URL: allURL}
}

// rangePhrase is a range in a sentence: "the last year".
func rangePhrase(r present.Range) string {
	switch r {
	case present.Range1W:
		return "the last week"
	case present.Range1M:
		return "the last month"
	case present.Range6M:
		return "the last 6 months"
	case present.Range1Y:
		return "the last year"
	}
	return "any period"
}

// analyte handles GET /chart/:h/analyte?code=<system|code>&range=…: one analyte's history as a
// table and a server-drawn SVG trend (no JavaScript, prints as seen). htmx swaps it into the
// analyte region above the sections, where it has Close and, when a link opened it, its heading
// takes the focus (analyteInChart); without htmx it is a page of its own. Always audited.
//
// A range Epic has no result of the code in asks, like an empty range of labs, for one older
// result: the history is then still named after the analyte (from Epic's result: a name in the URL
// would title whatever results the code fetched), says whether older results exist, and links to
// all of them.
func (s *Server) analyte(c echo.Context) error {
	ref, err := s.patientRef(c)
	if err != nil {
		return err
	}
	code := c.QueryParam("code")
	if code == "" || len(code) > maxAnalyteCode || strings.ContainsAny(code, ",\r\n") {
		return echo.NewHTTPError(400, "missing or invalid analyte code")
	}
	rng, ok := present.ParseRange(c.QueryParam("range"), analyteRange)
	if !ok {
		return echo.NewHTTPError(400, "unknown range")
	}
	now := s.settings.Now()
	ctx := c.Request().Context()
	res, ferr := s.patients.SearchObservations(ctx, ref.PatientID, epic.ObservationQuery{Code: code, From: rng.Since(now)})
	f := obsResult{val: res, at: s.settings.Now(), err: ferr}
	older := olderUnknown
	var before []fhir.Observation
	if ferr == nil && len(res.Items) == 0 && rng != present.RangeAll {
		older, before = s.olderThan(ctx, ref.PatientID, epic.ObservationQuery{Code: code}, rng.Since(now))
	}
	base := chartURL(ref.Handle)
	links := s.chartLinks(base, rng)
	a := present.Analyte(res.Items, before, code, rng, now, s.settings.Location, links)
	if ferr == nil && len(a.Table.Rows) == 0 {
		a.Table.Empty = analyteEmpty(a.Name, rng, older)
		if rng != present.RangeAll {
			a.Older = olderSuggestion(older, a.Name+" results", links.Analyte(code, string(present.RangeAll)))
		}
	}
	q := analyteQuery(code, rng)
	a.Section = s.section(views.AnalyteID, a.Name+" history", base+"/analyte", q, f.at, res.Warnings, ferr)
	opened, inPanel := analyteInChart(c)
	a.Section.Focus = takesFocus(c) || opened
	a.Section.Closable = opened || inPanel
	return s.serveSection(c, ref, access{Action: audit.ActionAnalyteView, Detail: "analyte " + code + " " + string(rng)}, false, ferr,
		views.AnalyteFragment(a),
		func(pg views.Page, b views.Banner) templ.Component { return views.AnalytePage(pg, b, a) })
}

// analyteInChart reports whether this is an htmx answer for the chart's analyte panel: opened by
// one of the chart's analyte links (its heading then takes the focus from the link, far down the
// page, that the panel opens above), or asked for by the panel's own controls (the panel again,
// with Close): Refresh and the time ranges, whose ids the new panel repeats so the focus stays on
// them, and Retry and Show all, which are gone from the answer (takesFocus: the heading takes it).
// The analyte's own page is never either: its Refresh and ranges swap it in place with htmx too.
//
// The chart says so with query parameters that htmx adds from hx-vals (the links carry
// views.AnalyteOpenParam, the panel views.AnalytePanelParam for the controls inside it), not with
// the HX-Target header: that is the analyte region's id for every one of these requests, on the
// chart and on the analyte's page alike, so it tells neither the link from Refresh nor the chart
// from the page. Like the focus parameter of Retry and Show all (takesFocus), they can change
// nothing but the focus and Close.
func analyteInChart(c echo.Context) (opened, inPanel bool) {
	if !isFragment(c.Request()) {
		return false, false
	}
	return c.QueryParam(views.AnalyteOpenParam) == "1", c.QueryParam(views.AnalytePanelParam) == "1"
}

// analyteEmpty is the message of an analyte's empty history.
func analyteEmpty(name string, r present.Range, older olderData) string {
	switch {
	case r == present.RangeAll:
		return "No " + name + " results on record."
	case older == olderNone:
		return "No " + name + " results in " + rangePhrase(r) + ", and none before."
	}
	return "No " + name + " results in " + rangePhrase(r) + "."
}

func analyteQuery(code string, rng present.Range) map[string][]string {
	return map[string][]string{"code": {code}, "range": {string(rng)}}
}
