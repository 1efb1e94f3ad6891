package handlers

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/chartside/chartside/audit"
	"github.com/chartside/chartside/epic"
	"github.com/chartside/chartside/epic/fhir"
	"github.com/chartside/chartside/present"
	"github.com/chartside/chartside/sessions"
	"github.com/chartside/chartside/views"
)

// maxFilterLen bounds the class/type filter values (they are matched against labels, never sent
// to Epic).
const maxFilterLen = 200

// encounters handles GET /chart/:h/encounters?before=YYYY-MM-DD&class=…&type=…[&more=1]: the timeline, one
// date window at a time (the 12 whole months before `before`, the first of a month counted from
// today, never a date from the record; the first window is open-ended so planned visits show
// too), newest first, grouped by month, filtered by class/type. For htmx, more=1 is
// "Load earlier": it answers only the next window and a new button (offered only when Epic has
// older encounters), which replace the old button in place. The first window comes from the chart page's prefetch.
func (s *Server) encounters(c echo.Context) error {
	ref, err := s.patientRef(c)
	if err != nil {
		return err
	}
	var p encounterParams
	if b := c.QueryParam("before"); b != "" {
		d, err := time.ParseInLocation(time.DateOnly, b, s.settings.Location)
		if err != nil {
			return echo.NewHTTPError(http.StatusBadRequest, "invalid before date")
		}
		p.Before = windowBound(d)
	}
	p.Class, p.Type = strings.TrimSpace(c.QueryParam("class")), strings.TrimSpace(c.QueryParam("type"))
	if len(p.Class) > maxFilterLen || len(p.Type) > maxFilterLen {
		return echo.NewHTTPError(http.StatusBadRequest, "filter too long")
	}
	q, _ := s.encounterPage(p)
	// Filters apply to the fetched window, so a filtered first window is the prefetched data too.
	f := fetchOrPrefetched(s, c, ref, !isRefresh(c) && p.Before.IsZero(),
		func(e *chartEntry) *pending[timelineData] { return e.encounters },
		func(ctx context.Context) (timelineData, error) {
			return s.fetchTimeline(ctx, ref.PatientID, q)
		})
	base := chartURL(ref.Handle)
	detail := "encounters"
	if !p.Before.IsZero() {
		detail += " before " + p.Before.Format(time.DateOnly)
	}
	a := access{Action: audit.ActionChartView, Detail: detail}
	t, err := s.timelineView(c.Request().Context(), base, p, f)
	if err != nil {
		return err
	}
	t.Section.Focus = takesFocus(c)
	fragment := templ.Component(views.TimelineFragment(t))
	if c.QueryParam("more") == "1" {
		// "Load earlier" replaces its own button: answer the next window only. Without htmx the
		// same URL is a full page with that window.
		fragment = views.TimelineMoreFragment(timelineMoreView(t, base, p, f))
	}
	return s.serveSection(c, ref, a, f.covered, f.err, fragment,
		func(pg views.Page, b views.Banner) templ.Component { return views.TimelinePage(pg, b, t) })
}

// encounterDetail handles GET /chart/:h/encounters/:ref: one encounter expanded in place — its
// details and the observations recorded in it. ref is the encounter's id and start day sealed for
// this session by the timeline (encounter_links.go); one that does not open is a 404, like an
// encounter this patient does not have. There is no Observation search by encounter that Epic
// documents, so the vitals and labs of the encounter's dates are searched and filtered by their
// Observation.encounter reference. The encounter itself comes from the timeline's prefetch when
// fresh, else from an Encounter search. Its Retry and Refresh reuse ref. Always audited, with the
// encounter's id.
func (s *Server) encounterDetail(c echo.Context) error {
	ref, err := s.patientRef(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	sealed := c.Param("ref")
	id, on, ok := s.openEncounterRef(ctx, sealed)
	if !ok {
		return echo.ErrNotFound
	}
	enc, among, found, ferr := s.findEncounter(c, ref, id, on)
	if ferr == nil && !found {
		return echo.ErrNotFound
	}
	var obs epic.Result[fhir.Observation]
	if ferr == nil {
		from, to := encounterDays(enc, s.settings.Location)
		obs, ferr = s.patients.SearchObservations(ctx, ref.PatientID, epic.ObservationQuery{
			Categories: []string{fhir.CategoryVitalSigns, fhir.CategoryLaboratory}, From: from, To: to})
	}
	base := chartURL(ref.Handle)
	var d views.EncounterDetail
	if ferr == nil {
		d = present.EncounterDetail(enc, among, obs.Items, s.settings.Location, s.chartLinks(base, analyteRange))
	}
	d.Section = s.section("encounter-"+present.EncounterDOMID(id), titleEncounter, base+"/encounters/"+sealed, nil, s.settings.Now(), obs.Warnings, ferr)
	d.RefreshURL = ""
	d.Section.Focus = takesFocus(c)
	return s.serveSection(c, ref, access{Action: audit.ActionEncounterView, Detail: "encounter " + id}, false, ferr,
		views.EncounterFragment(d),
		func(pg views.Page, b views.Banner) templ.Component { return views.EncounterPage(pg, b, d) })
}

// findEncounter looks for the encounter in the prefetched first window, then in an Encounter
// search around its start day when the link gave one (on), and finally over the whole record
// (Epic's Encounter read is not part of the API Chartside uses). It also returns the encounters it
// was found among: any other of the same type, time and location is in there too, and the detail
// is numbered apart from it as the timeline's row is (present.EncounterDetail).
func (s *Server) findEncounter(c echo.Context, ref sessions.PatientRef, id string, on time.Time) (fhir.Encounter, []fhir.Encounter, bool, error) {
	find := func(encs []fhir.Encounter) (fhir.Encounter, []fhir.Encounter, bool) {
		for _, enc := range encs {
			if enc.ID == id {
				return enc, encs, true
			}
		}
		return fhir.Encounter{}, nil, false
	}
	if e := s.charts.audited(ref.Handle, ref.PatientID); e != nil && e.encounters != nil {
		if res, _, err := e.encounters.wait(c.Request().Context()); err == nil {
			if enc, among, ok := find(res.Items); ok {
				return enc, among, true, nil
			}
		}
	}
	if !on.IsZero() {
		// A day either side: the day in the link is in the clinic's zone, Epic's may differ.
		res, err := s.patients.SearchEncounters(c.Request().Context(), ref.PatientID,
			epic.EncounterQuery{From: on.AddDate(0, 0, -1), To: on.AddDate(0, 0, 1)})
		if err != nil {
			return fhir.Encounter{}, nil, false, err
		}
		if enc, among, ok := find(res.Items); ok {
			return enc, among, true, nil
		}
	}
	res, err := s.patients.SearchEncounters(c.Request().Context(), ref.PatientID, epic.EncounterQuery{})
	if err != nil {
		return fhir.Encounter{}, nil, false, err
	}
	enc, among, ok := find(res.Items)
	return enc, among, ok, nil
}

// encounterDays is the day range to search an encounter's observations in: its period by calendar
// day (a day either side, for zone differences), open-ended when it has not finished.
func encounterDays(e fhir.Encounter, loc *time.Location) (time.Time, time.Time) {
	if e.Period == nil || e.Period.Start.IsZero() {
		return time.Time{}, time.Time{}
	}
	from := e.Period.Start.Time().In(loc).AddDate(0, 0, -1)
	if e.Period.End.IsZero() {
		return from, time.Time{}
	}
	return from, e.Period.End.Time().In(loc).AddDate(0, 0, 1)
}
