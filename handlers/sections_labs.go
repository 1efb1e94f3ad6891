package handlers

import (
	"context"
	"strings"

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

// labs handles GET /chart/:h/labs?view=table|matrix&range=1m|6m|1y|all: lab results as a table or a
// tests × dates matrix. The default (table, last year) comes from the chart page's prefetch; other
// views and ranges are fetched on demand. Unknown values are a 400, not silently replaced.
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
	now := s.settings.Now()
	// The matrix of the default range is the same data as the table: it may come from the prefetch.
	f := fetchOrPrefetched(s, c, ref, !isRefresh(c) && p.Range == defaultLabsRange,
		func(e *chartEntry) *pending[epic.Result[fhir.Observation]] { return e.labs },
		func(ctx context.Context) (epic.Result[fhir.Observation], error) {
			return s.patients.SearchObservations(ctx, ref.PatientID, labsQuery(now, p.Range))
		})
	v := s.labsView(chartURL(ref.Handle), p, f)
	return s.serveSection(c, ref, access{Action: audit.ActionChartView, Detail: "labs " + p.View + " " + string(p.Range)}, f.covered, f.err,
		views.LabsFragment(v),
		func(pg views.Page, b views.Banner) templ.Component { return views.LabsPage(pg, b, v) })
}

// analyte handles GET /chart/:h/analyte?code=<system|code>&range=…: one analyte's history as a
// table and a server-drawn SVG trend (no JavaScript, prints as seen). htmx swaps it into the
// analyte region above the sections; without htmx it is a page of its own. Always audited.
func (s *Server) analyte(c echo.Context) error {
	ref, err := s.patientRef(c)
	if err != nil {
		return err
	}
	code := c.QueryParam("code")
	if code == "" || len(code) > maxAnalyteCode || strings.ContainsAny(code, ",\r\n") {
		return echo.NewHTTPError(400, "missing or invalid analyte code")
	}
	rng, ok := present.ParseRange(c.QueryParam("range"), present.Range1Y)
	if !ok {
		return echo.NewHTTPError(400, "unknown range")
	}
	now := s.settings.Now()
	res, ferr := s.patients.SearchObservations(c.Request().Context(), ref.PatientID,
		epic.ObservationQuery{Code: code, From: rng.Since(now)})
	f := obsResult{val: res, at: s.settings.Now(), err: ferr}
	base := chartURL(ref.Handle)
	var a views.Analyte
	if ferr == nil {
		a = present.Analyte(res.Items, code, rng, now, s.settings.Location, chartLinks(base))
	}
	if a.Name == "" {
		a.Name = titleAnalyte
	}
	q := analyteQuery(code, rng)
	a.Section = s.section(views.AnalyteID, a.Name+" history", base+"/analyte", q, f.at, res.Warnings, ferr)
	return s.serveSection(c, ref, access{Action: audit.ActionAnalyteView, Detail: "analyte " + code + " " + string(rng)}, false, ferr,
		views.AnalyteFragment(a),
		func(pg views.Page, b views.Banner) templ.Component { return views.AnalytePage(pg, b, a) })
}

func analyteQuery(code string, rng present.Range) map[string][]string {
	return map[string][]string{"code": {code}, "range": {string(rng)}}
}
