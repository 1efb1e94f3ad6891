package handlers

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/sync/errgroup"

	"github.com/chartside/chartside/audit"
	"github.com/chartside/chartside/epic"
	"github.com/chartside/chartside/epic/fhir"
	"github.com/chartside/chartside/present"
	"github.com/chartside/chartside/sessions"
	"github.com/chartside/chartside/views"
)

// chartTitle is the title of every patient page. It is deliberately not the patient's name:
// titles are kept in the browser's history and shown in its tab list, on shared workstations too.
const chartTitle = "Patient chart"

// patientPage is the page shell of a page with patient data: htmx keeps no snapshot of it, and a
// printout says who printed it and when.
func (s *Server) patientPage(c echo.Context) views.Page {
	p := s.page(c, chartTitle)
	p.NoHistory = true
	p.FindPatient = true
	if u, ok := s.sessions.User(c.Request().Context()); ok {
		p.PrintedBy = u.Username
	}
	p.PrintedAt = s.settings.Now().In(s.settings.Location).Format("Jan 2, 2006 15:04 MST")
	return p
}

// banner maps the patient for the banner. The MRN the clinician looked up is shown when the
// patient's identifiers do not carry one in the configured system (a lookup by Epic's MRN type).
// A patient chosen among several sharing the MRN keeps saying so, on every page of the chart: a
// clinician coming back to the tab, or taking over the kiosk, must check who this is.
func (s *Server) banner(p fhir.Patient, ref sessions.PatientRef, onChart bool) views.Banner {
	b := present.Banner(p, s.settings.MRNSystem, s.settings.Now(), s.settings.Location)
	if (b.MRN == "" || b.MRN == views.NotRecorded) && ref.MRN != "" {
		b.MRN = ref.MRN
	}
	b.SharedMRN = ref.Shared
	if !onChart {
		b.ChartURL = chartURL(ref.Handle)
	}
	return b
}

// chartPage handles GET /chart/:h: the banner at once, and a placeholder per section that htmx
// fills in parallel (hx-trigger="load"). The moment this request arrives every section's Epic
// search starts in the background, so by the time the placeholders ask, the data is on its way.
// The chart view is audited after the patient is known and before the banner is sent; the
// sections' default data is covered by that record.
func (s *Server) chartPage(c echo.Context) error {
	ref, err := s.patientRef(c)
	if err != nil {
		return err
	}
	e := s.startChart(c, ref)
	p, _, perr := e.patient.wait(c.Request().Context())
	if err := s.recordAccess(c, access{Action: audit.ActionChartView, PatientID: ref.PatientID, MRN: ref.MRN, Detail: "chart"}, outcomeFor(perr)); err != nil {
		s.charts.drop(ref.Handle, e)
		return err
	}
	if perr != nil {
		s.charts.drop(ref.Handle, e)
		return perr
	}
	s.charts.markAudited(ref.Handle, e)

	base := chartURL(ref.Handle)
	page := views.ChartPage{
		Page:     s.patientPage(c),
		Banner:   s.banner(p, ref, true),
		Handle:   ref.Handle,
		PrintURL: base + "/print",
		Slots: []views.SectionSlot{
			{ID: views.VitalsStripID, Title: titleVitalsStrip, URL: base + "/vitals-strip"},
			{ID: views.TimelineID, Title: titleEncounters, URL: base + "/encounters"},
			{ID: views.VitalsTableID, Title: titleVitals, URL: base + "/vitals"},
			{ID: views.LabsID, Title: titleLabs, URL: base + "/labs"},
			{ID: views.SocialID, Title: titleSocial, URL: base + "/social"},
		},
	}
	return s.render(c, http.StatusOK, views.Chart(page), nil)
}

// chartPrint handles GET /chart/:h/print: the complete chart inline, for printing and for
// browsers without JavaScript. Every search runs in parallel; a failed one shows as its section's
// alert. Audited as a print.
func (s *Server) chartPrint(c echo.Context) error {
	ref, err := s.patientRef(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	now := s.settings.Now()
	id := ref.PatientID
	var (
		patient                      fhir.Patient
		encounters                   timelineData
		vitals, labs, social         epic.Result[fhir.Observation]
		perr, eerr, verr, lerr, serr error
	)
	var g errgroup.Group
	g.Go(func() error { patient, perr = s.patientFor(c, ref); return nil })
	g.Go(func() error {
		encounters, eerr = s.fetchTimeline(ctx, id, encounterWindow(time.Time{}, s.today()))
		return nil
	})
	obs := func(q epic.ObservationQuery, out *epic.Result[fhir.Observation], errOut *error) func() error {
		return func() error { *out, *errOut = s.patients.SearchObservations(ctx, id, q); return nil }
	}
	g.Go(obs(vitalsQuery(now, vitalsWindow), &vitals, &verr))
	g.Go(obs(labsQuery(now, defaultLabsRange), &labs, &lerr))
	g.Go(obs(socialQuery(), &social, &serr))
	_ = g.Wait()

	outcome := outcomeFor(perr)
	if ctx.Err() != nil {
		outcome = audit.OutcomeCancelled
	}
	if err := s.recordAccess(c, access{Action: audit.ActionPrint, PatientID: id, MRN: ref.MRN, Detail: "complete chart"}, outcome); err != nil {
		return err
	}
	if perr != nil {
		return perr
	}
	s.logShownFailure(c, "print: encounters", eerr)
	s.logShownFailure(c, "print: vitals", verr)
	s.logShownFailure(c, "print: labs", lerr)
	s.logShownFailure(c, "print: social history", serr)
	// An empty window says whether older results are on record, as on screen: a printout that
	// says only "No lab results in the last year." reads as no labs at all, and cannot be asked.
	olderVitals, olderLabs := olderUnknown, olderUnknown
	var og errgroup.Group
	if verr == nil && len(vitals.Items) == 0 {
		og.Go(func() error {
			olderVitals = s.olderResults(ctx, id, fhir.CategoryVitalSigns, vitalsWindow.Since(now))
			return nil
		})
	}
	if lerr == nil && len(labs.Items) == 0 {
		og.Go(func() error {
			olderLabs = s.olderResults(ctx, id, fhir.CategoryLaboratory, defaultLabsRange.Since(now))
			return nil
		})
	}
	_ = og.Wait()
	at := s.settings.Now()
	base := chartURL(ref.Handle)
	timeline, err := s.timelineView(ctx, base, encounterParams{}, fetched[timelineData]{val: encounters, at: at, err: eerr})
	if err != nil {
		return err
	}
	// A printout cannot ask for more: every row of the windows, every earlier social-history value.
	printed := tablePage{All: true}
	vitalsTable, err := s.vitalsTableView(ctx, base, fetched[epic.Result[fhir.Observation]]{val: vitals, at: at, err: verr}, printed, vitalsWindow, olderVitals)
	if err != nil {
		return err
	}
	labsSection, err := s.labsView(ctx, base, labsParams{Range: defaultLabsRange, View: "table", Page: printed},
		fetched[epic.Result[fhir.Observation]]{val: labs, at: at, err: lerr}, olderLabs)
	if err != nil {
		return err
	}
	page := views.PrintPage{
		Page:     s.patientPage(c),
		Banner:   s.banner(patient, ref, false),
		Strip:    s.vitalsStripView(base, fetched[epic.Result[fhir.Observation]]{val: vitals, at: at, err: verr}, present.Deceased(patient), olderVitals),
		Timeline: timeline,
		Vitals:   vitalsTable,
		Labs:     labsSection,
		Social: s.socialView(base, fetched[epic.Result[fhir.Observation]]{val: social, at: at, err: serr},
			func(string) bool { return true }, nil),
	}
	page.Critical = present.CriticalUnavailable()
	if lerr == nil {
		page.Critical = present.CriticalResults(labs.Items, labs.Truncated, now, s.settings.Location, s.chartLinks(base, defaultLabsRange))
	}
	return s.render(c, http.StatusOK, views.PrintChart(page), nil)
}
