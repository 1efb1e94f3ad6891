package handlers

import (
	"context"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/chartside/chartside/epic"
	"github.com/chartside/chartside/epic/fhir"
	"github.com/chartside/chartside/present"
	"github.com/chartside/chartside/sessions"
)

// Default windows of the chart's first view. Older history loads on demand (Load earlier, range
// presets), so the first view stays small and fast even for a decades-long record.
const (
	encounterWindowMonths = 12
	vitalsWindow          = present.Range1Y
	defaultLabsRange      = present.Range1Y
	// analyteRange is an analyte history's range when its URL names none.
	analyteRange = present.Range1Y
)

// The queries each section sends. One Observation search per section (one category each), so a
// category that fails fails only its own section.
func vitalsQuery(now time.Time, r present.Range) epic.ObservationQuery {
	return epic.ObservationQuery{Categories: []string{fhir.CategoryVitalSigns}, From: r.Since(now)}
}

func labsQuery(now time.Time, r present.Range) epic.ObservationQuery {
	return epic.ObservationQuery{Categories: []string{fhir.CategoryLaboratory}, From: r.Since(now)}
}

func socialQuery() epic.ObservationQuery {
	return epic.ObservationQuery{Categories: []string{fhir.CategorySocialHistory}}
}

// encounterWindow is the date window of one timeline page, in whole calendar months: the
// encounterWindowMonths before `before` (the first day of a month, exclusive). The first page
// (before zero) is the current month and the encounterWindowMonths-1 whole months before it, with
// no upper bound, so planned encounters in the future are on it too. The timeline is grouped under
// month headings: a bound in the middle of a month split that month between two windows, and after
// Load earlier the same heading appeared twice, each with part of the month's encounters. today is
// a day in the clinic's zone, the zone the headings' months are decided in (present.TimelineGroups).
func encounterWindow(before, today time.Time) epic.EncounterQuery {
	if before.IsZero() {
		return epic.EncounterQuery{From: monthStart(today).AddDate(0, 1-encounterWindowMonths, 0)}
	}
	return epic.EncounterQuery{From: before.AddDate(0, -encounterWindowMonths, 0), To: before.AddDate(0, 0, -1)}
}

// monthStart is midnight on the first day of d's month, in d's zone.
func monthStart(d time.Time) time.Time {
	return time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, d.Location())
}

// windowBound is where a window named by before= ends: before itself when it is the first of a
// month (as every Load earlier link has it), else the first of the next month, so a bound from an
// address made before windows were whole months still never splits a month.
func windowBound(before time.Time) time.Time {
	if before.Day() == 1 {
		return monthStart(before)
	}
	return monthStart(before).AddDate(0, 1, 0)
}

// timelineData is one timeline window and whether the record has anything older: earlier offers
// "Load earlier" (also when Epic did not say), older is Epic's answer that there is.
type timelineData struct {
	epic.Result[fhir.Encounter]
	earlier bool
	older   bool
}

// fetchTimeline searches one window and, at the same time, asks Epic for a single encounter before
// it, so "Load earlier" is offered only when there is something to load (Epic's Bundle.total
// cannot be trusted for that). The probe runs in parallel, so it adds a request, not a round trip.
// A failed probe just leaves the button there.
func (s *Server) fetchTimeline(ctx context.Context, patientID string, q epic.EncounterQuery) (timelineData, error) {
	var (
		out   timelineData
		probe epic.Result[fhir.Encounter]
		perr  error
		wg    sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		probe, perr = s.patients.SearchEncounters(ctx, patientID, epic.EncounterQuery{To: q.From.AddDate(0, 0, -1), Count: 1, MaxPages: 1})
	}()
	res, err := s.patients.SearchEncounters(ctx, patientID, widened(q))
	wg.Wait()
	if err != nil {
		return timelineData{}, err
	}
	out.Result = res
	out.older = perr == nil && len(probe.Items) > 0
	out.earlier = perr != nil || out.older
	return out, nil
}

// widened is a window's search a day wider on each side. Epic reads the searched days in its
// server's zone, and the clinic's may be hours away: an encounter just after midnight on the first
// of a month by the clinic's clock may be on the last day of the month before by Epic's, and was
// found only by the earlier window, which listed it under the newer month's heading, a second time.
// present.TimelineWindow keeps exactly what began in the window by the clinic's clock.
func widened(q epic.EncounterQuery) epic.EncounterQuery {
	q.From = q.From.AddDate(0, 0, -1)
	if !q.To.IsZero() {
		q.To = q.To.AddDate(0, 0, 1)
	}
	return q
}

// today is the current day in the clinic's zone, at midnight.
func (s *Server) today() time.Time {
	n := s.settings.Now().In(s.settings.Location)
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, s.settings.Location)
}

// chartSectionReads is how many section requests of a chart page read its prefetched results:
// encounters, the vitals strip and the vitals table (one search), labs and social history.
const chartSectionReads = 5

// startChart starts every default section fetch for the patient in parallel (the sections through
// the prefetch queue, the patient at once: the page waits for it) and stores them as the handle's
// entry. The patient comes from the lookup that just found it when that is still fresh.
func (s *Server) startChart(c echo.Context, ref sessions.PatientRef) *chartEntry {
	ctx, cancel := prefetchContext(c.Request().Context())
	now := s.settings.Now()
	id := ref.PatientID
	e := &chartEntry{patientID: id, created: now, cancel: cancel, unread: chartSectionReads}
	e.patient = s.charts.prefetchedPatient(ref.Handle, id)
	// The context's timer is released (cancel) when the last fetch finishes: four section
	// fetches, plus the patient when the lookup's is not fresh.
	fetches := int32(4)
	if e.patient == nil {
		fetches++
	}
	finished := countdown(fetches, cancel)
	if e.patient == nil {
		e.patient = goFetch(s.charts, ctx, logged(s, "patient", func(ctx context.Context) (fhir.Patient, error) {
			return s.patients.ReadPatient(ctx, id)
		}), finished)
	}
	e.encounters = queueFetch(s.charts, ctx, logged(s, "encounters", func(ctx context.Context) (timelineData, error) {
		return s.fetchTimeline(ctx, id, encounterWindow(time.Time{}, s.today()))
	}), finished)
	e.vitals = queueFetch(s.charts, ctx, logged(s, "vitals", func(ctx context.Context) (epic.Result[fhir.Observation], error) {
		return s.patients.SearchObservations(ctx, id, vitalsQuery(now, vitalsWindow))
	}), finished)
	e.labs = queueFetch(s.charts, ctx, logged(s, "labs", func(ctx context.Context) (epic.Result[fhir.Observation], error) {
		return s.patients.SearchObservations(ctx, id, labsQuery(now, defaultLabsRange))
	}), finished)
	e.social = queueFetch(s.charts, ctx, logged(s, "social history", func(ctx context.Context) (epic.Result[fhir.Observation], error) {
		return s.patients.SearchObservations(ctx, id, socialQuery())
	}), finished)
	s.charts.store(ref.Handle, e)
	return e
}

// logged wraps a prefetch so that its failure is logged once, as it happens (logPrefetchFailure):
// the section that reads it retries rather than shows it, and more than one section may read it.
func logged[T any](s *Server, what string, fetch func(context.Context) (T, error)) func(context.Context) (T, error) {
	return func(ctx context.Context) (T, error) {
		v, err := fetch(ctx)
		s.logPrefetchFailure(ctx, what, err)
		return v, err
	}
}

// fetched is a section's data and when it arrived.
type fetched[T any] struct {
	val T
	at  time.Time
	err error
	// covered: the data came from a chart view already in the audit trail, so showing it needs no
	// new record.
	covered bool
}

// fetchOrPrefetched returns the prefetched result when one is usable (pick returns it from an
// audited, fresh entry), and otherwise runs fetch now, in this request.
func fetchOrPrefetched[T any](s *Server, c echo.Context, ref sessions.PatientRef, useCache bool,
	pick func(*chartEntry) *pending[T], fetch func(context.Context) (T, error)) fetched[T] {
	ctx := c.Request().Context()
	if useCache {
		if e := s.charts.audited(ref.Handle, ref.PatientID); e != nil {
			if p := takePrefetched(s.charts, e, pick); p != nil {
				v, at, err := p.wait(ctx)
				if err == nil {
					return fetched[T]{val: v, at: at, covered: true}
				}
				// A failed prefetch is retried here rather than served: the failure may have
				// been momentary, and this request is the one the user is waiting on. The
				// failure itself was logged when it happened (logged).
			}
		}
	}
	v, err := fetch(ctx)
	return fetched[T]{val: v, at: s.settings.Now(), err: err}
}

// patientFor returns the patient for the banner of a section page or drill-down: prefetched when
// fresh, read from Epic otherwise.
func (s *Server) patientFor(c echo.Context, ref sessions.PatientRef) (fhir.Patient, error) {
	ctx := c.Request().Context()
	if p := s.charts.prefetchedPatient(ref.Handle, ref.PatientID); p != nil {
		if v, _, err := p.wait(ctx); err == nil {
			return v, nil
		}
	}
	return s.patients.ReadPatient(ctx, ref.PatientID)
}
