package handlers

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/chartside/chartside/audit"
	"github.com/chartside/chartside/epic/fhir"
	"github.com/chartside/chartside/present"
	"github.com/chartside/chartside/sessions"
	"github.com/chartside/chartside/views"
)

// maxLookupChoices bounds the list shown when several patients share an MRN: more than a handful
// means the MRN is not identifying anyone, and the list would be a directory, not a choice.
const maxLookupChoices = 10

// lookupForm is the MRN search form.
type lookupForm struct {
	MRN string `form:"mrn" validate:"required,mrn"`
}

// chooseForm picks one patient among the last ambiguous lookup's matches.
type chooseForm struct {
	Patient string `form:"patient" validate:"required,max=200"`
}

var lookupLabels = map[string]string{views.FieldMRN: "MRN", views.FieldPatient: "patient"}

func (s *Server) lookupView(c echo.Context) views.LookupPage {
	return views.LookupPage{Page: s.page(c, "Find a patient")}
}

// lookupPage handles GET /: the MRN field, autofocused. A plain page; htmx is not involved.
func (s *Server) lookupPage(c echo.Context) error {
	return s.render(c, http.StatusOK, views.Lookup(s.lookupView(c)), nil)
}

// lookupPost handles POST /lookup. The MRN travels only in the form body, so it never reaches a
// URL, a log line or the browser history. Outcomes: 422 with a message next to the field for an
// invalid MRN; the form again with "No patient found"; a list to choose from when several patients
// share the MRN (never auto-selected); a redirect to the chart for exactly one. Epic failing keeps
// the form usable with a message above it. Every search is audited before its outcome is shown,
// with the MRN searched.
func (s *Server) lookupPost(c echo.Context) error {
	var f lookupForm
	fe, err := s.bindForm(c, &f, lookupLabels)
	if err != nil {
		return echo.ErrBadRequest
	}
	v := s.lookupView(c)
	v.MRN = f.MRN
	// The answer can list patients: htmx must not keep a snapshot of it.
	v.NoHistory = true
	if fe != nil {
		v.FieldError = fe[views.FieldMRN]
		return s.render(c, http.StatusUnprocessableEntity, views.Lookup(v), nil)
	}

	res, searchErr := s.patients.SearchPatientsByMRN(c.Request().Context(), f.MRN)
	lookup := access{Action: audit.ActionLookup, MRN: f.MRN}
	switch {
	case searchErr != nil:
		if err := s.recordAccess(c, lookup, outcomeFor(searchErr)); err != nil {
			return err
		}
		s.logShownFailure(c, "lookup", searchErr)
		alert := upstreamAlert(searchErr)
		v.UpstreamError = &alert
		status := http.StatusBadGateway
		if ev, ok := upstreamErrorView(searchErr); ok {
			status = ev.Status
		}
		return s.render(c, status, views.Lookup(v), nil)

	case len(res.Items) == 0:
		if err := s.recordAccess(c, lookup, audit.OutcomeNotFound); err != nil {
			return err
		}
		v.NotFound = fmt.Sprintf("No patient found with MRN %s. Check the number and try again.", f.MRN)
		return s.render(c, http.StatusOK, views.Lookup(v), nil)

	case len(res.Items) > 1:
		matches := res.Items
		if len(matches) > maxLookupChoices {
			matches = matches[:maxLookupChoices]
		}
		lookup.Detail = fmt.Sprintf("%d matches", len(res.Items))
		if err := s.recordAccess(c, lookup, audit.OutcomeMultiple); err != nil {
			return err
		}
		choices := make([]sessions.PatientRef, 0, len(matches))
		for _, p := range matches {
			choices = append(choices, sessions.PatientRef{PatientID: p.ID, MRN: f.MRN, Shared: len(res.Items)})
			v.Matches = append(v.Matches, present.Match(p, s.settings.MRNSystem, s.settings.Now(), s.settings.Location))
		}
		if err := s.sessions.PutLookupChoices(c.Request().Context(), choices); err != nil {
			return fmt.Errorf("lookup: %w", err)
		}
		return s.render(c, http.StatusOK, views.Lookup(v), nil)
	}

	p := res.Items[0]
	lookup.PatientID = p.ID
	if err := s.recordAccess(c, lookup, audit.OutcomeShown); err != nil {
		return err
	}
	return s.openChart(c, p, sessions.PatientRef{MRN: f.MRN}, true)
}

// lookupChoose handles POST /lookup/choose: one of the patients the session's last ambiguous
// lookup offered. Only those ids are accepted, so the form cannot be used to open an arbitrary
// FHIR id.
func (s *Server) lookupChoose(c echo.Context) error {
	var f chooseForm
	fe, err := s.bindForm(c, &f, lookupLabels)
	if err != nil {
		return echo.ErrBadRequest
	}
	ctx := c.Request().Context()
	choices, err := s.sessions.LookupChoices(ctx)
	if err != nil {
		return fmt.Errorf("lookup choose: %w", err)
	}
	var chosen *sessions.PatientRef
	for i := range choices {
		if fe == nil && choices[i].PatientID == f.Patient {
			chosen = &choices[i]
		}
	}
	if chosen == nil {
		v := s.lookupView(c)
		alert := views.Alert{Level: views.AlertWarning, Title: "That choice is no longer available",
			Detail: "Look the patient up again by MRN."}
		v.Alerts = append(v.Alerts, alert)
		return s.render(c, http.StatusUnprocessableEntity, views.Lookup(v), nil)
	}
	if err := s.sessions.PutLookupChoices(ctx, nil); err != nil {
		return fmt.Errorf("lookup choose: %w", err)
	}
	return s.openChart(c, fhir.Patient{ID: chosen.PatientID}, *chosen, false)
}

// openChart gives the patient a handle in this session and sends the browser to the chart. found
// is how the patient was found: the MRN searched and, for a choice, how many patients share it. A
// patient with full details (from the search) is kept for the banner, so the chart page needs no
// Patient read; a bare id (a choice) is not.
func (s *Server) openChart(c echo.Context, p fhir.Patient, found sessions.PatientRef, full bool) error {
	if p.ID == "" {
		return errors.New("lookup: Epic returned a patient without an id")
	}
	h, err := s.rememberPatient(c, p.ID, found.MRN, found.Shared)
	if err != nil {
		return err
	}
	if full {
		s.charts.rememberPatient(h, p)
	}
	return redirect(c, chartURL(h))
}

// chartURL is the chart page of a handle.
func chartURL(handle string) string { return "/chart/" + handle }
