package handlers

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/chartside/chartside/audit"
	"github.com/chartside/chartside/epic"
	"github.com/chartside/chartside/epic/fhir"
	"github.com/chartside/chartside/present"
	"github.com/chartside/chartside/sessions"
	"github.com/chartside/chartside/views"
)

// Section titles, shared by the chart's placeholders and the sections that replace them.
const (
	titleVitalsStrip = "Latest vitals"
	titleEncounters  = "Encounters"
	titleVitals      = "Vitals"
	titleLabs        = "Labs"
	titleSocial      = "Social history"
	titleEncounter   = "Encounter"
)

// isRefresh reports whether the user asked for fresh data (the section's Refresh control).
func isRefresh(c echo.Context) bool { return c.QueryParam("refresh") == "1" }

// takesFocus reports whether this is the htmx answer to a control that the answer replaces — a
// failed section's Retry, an empty range's "Show all …" — which had the keyboard focus: the
// reloaded section's heading takes it (Section.Focus) instead of <body>. Those controls send
// views.FocusParam (Retry in RetryURL, Show all from hx-vals); their links without JavaScript, a
// section's first load, Refresh and the time ranges (whose ids htmx refocuses) do not, and a full
// page never takes the focus. A query parameter, not the HX-Trigger header (the id of whatever
// element htmx fired from): only those controls ask for it, whatever ids the page's elements
// carry, and it can do nothing but move the focus.
func takesFocus(c echo.Context) bool {
	return isFragment(c.Request()) && c.QueryParam(views.FocusParam) == "1"
}

// withQuery returns path with the query q (without refresh=1), and refreshURL the same with it.
func withQuery(path string, q url.Values) string {
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

func refreshURL(path string, q url.Values) string { return withFlag(path, q, "refresh") }

// retryURL is the section's URL for its Retry's htmx request (takesFocus).
func retryURL(path string, q url.Values) string { return withFlag(path, q, views.FocusParam) }

// withFlag returns path with the query q and name=1.
func withFlag(path string, q url.Values, name string) string {
	r := url.Values{}
	for k, v := range q {
		r[k] = v
	}
	r.Set(name, "1")
	return path + "?" + r.Encode()
}

// section fills the frame every chart section shares: title, own URL (Retry, noscript), Refresh,
// "as of", Epic's warnings in words, and the failure alert when its search failed.
func (s *Server) section(id, title, path string, q url.Values, at time.Time, warnings []epic.Warning, err error) views.Section {
	sec := views.Section{ID: id, Title: title, URL: withQuery(path, q), RetryURL: retryURL(path, q), RefreshURL: refreshURL(path, q)}
	if err != nil {
		a := upstreamAlert(err)
		sec.Failure = &a
		return sec
	}
	sec.AsOf = present.AsOf(at, s.settings.Location)
	sec.Warnings = present.Warnings(warnings)
	return sec
}

// serveSection is the common end of every section handler. It records the access unless a chart
// view already in the audit trail covers it (a default section load right after the chart page),
// then renders the fragment for htmx or, otherwise, a full page: the banner plus the section.
// A full page always gets its own audit record, because it shows the banner too.
//
// A section whose Epic search failed still answers 200 with its own alert and Retry, so htmx swaps
// it in place and the rest of the chart is untouched. Only a failed audit append (no data may be
// shown) or a banner that cannot be fetched for a full page turn into an error response.
func (s *Server) serveSection(c echo.Context, ref sessions.PatientRef, a access, covered bool, fetchErr error,
	fragment templ.Component, page func(views.Page, views.Banner) templ.Component) error {
	frag := isFragment(c.Request())
	var (
		patient fhir.Patient
		perr    error
	)
	if !frag {
		patient, perr = s.patientFor(c, ref)
	}
	refresh := isRefresh(c)
	if refresh {
		a.Action = audit.ActionRefresh
	}
	if !covered || !frag || refresh {
		err := perr
		if err == nil {
			err = fetchErr
		}
		a.PatientID, a.MRN = ref.PatientID, ref.MRN
		if rerr := s.recordAccess(c, a, outcomeFor(err)); rerr != nil {
			return rerr
		}
	}
	if perr != nil {
		return perr
	}
	// a.Action, not a.Detail: the detail can hold an encounter's FHIR id, which stays out of logs.
	s.logShownFailure(c, a.Action, fetchErr)
	if frag {
		return s.render(c, http.StatusOK, fragment, nil)
	}
	return s.render(c, http.StatusOK, page(s.patientPage(c), s.banner(patient, ref, false)), fragment)
}

// obsResult is an Observation search as a section receives it.
type obsResult = fetched[epic.Result[fhir.Observation]]

// vitalsStrip handles GET /chart/:h/vitals-strip: the latest value of each vital sign with a
// stale-data notice. Fragment for htmx, banner + strip otherwise.
func (s *Server) vitalsStrip(c echo.Context) error {
	ref, err := s.patientRef(c)
	if err != nil {
		return err
	}
	// Whether the patient has died decides the stale notice; read beside the vitals (it is
	// usually the chart's prefetched patient and costs nothing), so it adds no wait of its own.
	deceased := make(chan bool, 1)
	go func() { deceased <- s.deceased(c, ref) }()
	f := s.vitalsData(c, ref, !isRefresh(c), vitalsWindow)
	// An empty year asks Epic, as the vitals table does, whether older vital signs exist, so the
	// strip says what the table says.
	older := olderUnknown
	if f.err == nil && len(f.val.Items) == 0 {
		older = s.olderResults(c.Request().Context(), ref.PatientID, fhir.CategoryVitalSigns, vitalsWindow.Since(s.settings.Now()))
	}
	v := s.vitalsStripView(chartURL(ref.Handle), f, <-deceased, older)
	v.Section.Focus = takesFocus(c)
	return s.serveSection(c, ref, access{Action: audit.ActionChartView, Detail: "vitals strip"}, f.covered, f.err,
		views.VitalsStripFragment(v),
		func(p views.Page, b views.Banner) templ.Component { return views.VitalsStripPage(p, b, v) })
}

// deceased reports whether the patient has died, from the chart's prefetched patient (read again
// only when that has expired). When the patient cannot be read the strip's stale notice stays:
// for a living patient it asks for action, and a failed read must not hide that.
func (s *Server) deceased(c echo.Context, ref sessions.PatientRef) bool {
	p, err := s.patientFor(c, ref)
	return err == nil && present.Deceased(p)
}

// vitalsTable handles GET /chart/:h/vitals?range=…&before=<sealed cursor>&more=1: every vital sign
// of the range (the last year by default; range=all is every date, which an empty year links to,
// its htmx answer then taking the focus: takesFocus), newest first, the newest rows first
// (tablePage). For htmx, before=…&more=1 is "Show older": it answers only the next rows, which htmx
// appends to the table, and the table's line with the count (out of band). Without htmx the same
// URL is the section on its own page, starting at those rows.
func (s *Server) vitalsTable(c echo.Context) error {
	ref, err := s.patientRef(c)
	if err != nil {
		return err
	}
	pg, err := s.parseTablePage(c)
	if err != nil {
		return err
	}
	rng, ok := present.ParseRange(c.QueryParam("range"), vitalsWindow)
	if !ok {
		return echo.NewHTTPError(400, "unknown range")
	}
	// Later pages and other ranges are fetched again: the prefetch holds the first view only.
	f := s.vitalsData(c, ref, !isRefresh(c) && pg.first() && rng == vitalsWindow, rng)
	older := olderUnknown
	if f.err == nil && len(f.val.Items) == 0 && rng != present.RangeAll && pg.first() {
		older = s.olderResults(c.Request().Context(), ref.PatientID, fhir.CategoryVitalSigns, rng.Since(s.settings.Now()))
	}
	base := chartURL(ref.Handle)
	v, err := s.vitalsTableView(c.Request().Context(), base, f, pg, rng, older)
	if err != nil {
		return err
	}
	v.Section.Focus = takesFocus(c)
	a := access{Action: audit.ActionChartView, Detail: "vitals"}
	if rng != vitalsWindow {
		a.Detail += " " + string(rng)
	}
	var fragment templ.Component = views.ObsFragment(v)
	if !pg.first() {
		a.Detail += " older"
	}
	if pg.More {
		fragment = views.ObsMoreFragment(tableMoreView(v, vitalsContext, f.err, pg.moreURL(base+"/vitals", vitalsParams(rng))))
	}
	return s.serveSection(c, ref, a, f.covered, f.err, fragment,
		func(p views.Page, b views.Banner) templ.Component { return views.ObsPage(p, b, v) })
}

// social handles GET /chart/:h/social?item=…&more=1: social history (smoking, alcohol, drug
// use...) as the latest value of each item with the number of earlier values; the first view
// comes from the chart page's prefetch, which already holds every value, so the counts cost no
// extra search. item (see present.SocialItemKey) lists that item's earlier values under it;
// for htmx, item=…&more=1 is the item's History control: it answers the item's rows only, which
// replace its row in place. Without htmx the same URL is the section on its own page with the
// item's earlier values listed.
func (s *Server) social(c echo.Context) error {
	ref, err := s.patientRef(c)
	if err != nil {
		return err
	}
	item := c.QueryParam("item")
	if len(item) > maxAnalyteCode || strings.IndexFunc(item, unicode.IsControl) >= 0 {
		return echo.NewHTTPError(400, "invalid social history item")
	}
	var more bool
	switch c.QueryParam("more") {
	case "":
	case "1":
		if item == "" {
			return echo.NewHTTPError(400, "more=1 needs an item")
		}
		// Only htmx swaps rows in; any other request for the URL gets the section's page.
		more = isFragment(c.Request())
	default:
		return echo.NewHTTPError(400, "invalid more")
	}
	f := fetchOrPrefetched(s, c, ref, !isRefresh(c) && item == "",
		func(e *chartEntry) *pending[epic.Result[fhir.Observation]] { return e.social },
		func(ctx context.Context) (epic.Result[fhir.Observation], error) {
			return s.patients.SearchObservations(ctx, ref.PatientID, socialQuery())
		})
	a := access{Action: audit.ActionChartView, Detail: "social history"}
	var expand func(string) bool
	q := url.Values{}
	if item != "" {
		a.Detail += " " + item
		expand = func(key string) bool { return key == item }
		q.Set("item", item)
	}
	v := s.socialView(chartURL(ref.Handle), f, expand, q)
	v.Section.Focus = takesFocus(c)
	var fragment templ.Component = views.SocialFragment(v)
	if more {
		it, found := present.SocialItemHistory(f.val.Items, item, s.settings.Location)
		if f.err == nil && !found {
			return echo.ErrNotFound
		}
		if f.err != nil {
			// The item's row stays as it is; the error goes to the page's alerts region.
			return s.failedAccess(c, ref, a, f.err)
		}
		fragment = views.SocialItemFragment(it)
	}
	return s.serveSection(c, ref, a, f.covered, f.err, fragment,
		func(p views.Page, b views.Banner) templ.Component { return views.SocialPage(p, b, v) })
}

// failedAccess records a look at patient data whose Epic search failed and returns the failure
// for the error handler, for a fragment that has nowhere in place to show it.
func (s *Server) failedAccess(c echo.Context, ref sessions.PatientRef, a access, fetchErr error) error {
	if isRefresh(c) {
		a.Action = audit.ActionRefresh
	}
	a.PatientID, a.MRN = ref.PatientID, ref.MRN
	if err := s.recordAccess(c, a, outcomeFor(fetchErr)); err != nil {
		return err
	}
	return fetchErr
}

// vitalsData is the vitals search of range r that both the strip and the table show (the strip
// always the default window); useCache: it may come from the chart page's prefetch.
func (s *Server) vitalsData(c echo.Context, ref sessions.PatientRef, useCache bool, r present.Range) obsResult {
	now := s.settings.Now()
	return fetchOrPrefetched(s, c, ref, useCache,
		func(e *chartEntry) *pending[epic.Result[fhir.Observation]] { return e.vitals },
		func(ctx context.Context) (epic.Result[fhir.Observation], error) {
			return s.patients.SearchObservations(ctx, ref.PatientID, vitalsQuery(now, r))
		})
}
