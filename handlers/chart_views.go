package handlers

import (
	"net/url"
	"time"

	"github.com/chartside/chartside/epic"
	"github.com/chartside/chartside/epic/fhir"
	"github.com/chartside/chartside/present"
	"github.com/chartside/chartside/views"
)

// This file turns fetched Epic data into the sections' view models: package present does the
// clinical mapping; here the URLs, "as of", warnings and failures are added.

// chartLinks are the URLs present puts into rows (analyte history, encounter drill-down).
func chartLinks(base string) present.Links {
	return present.Links{
		Analyte: func(code, rng string) string {
			q := url.Values{"code": {code}}
			if rng != "" {
				q.Set("range", rng)
			}
			return base + "/analyte?" + q.Encode()
		},
		Encounter: func(id string) string { return base + "/encounters/" + url.PathEscape(id) },
	}
}

// timelineLinks are chartLinks whose drill-down URLs also carry the encounter's start day
// (?on=YYYY-MM-DD), so the drill-down can find the encounter with a narrow Encounter search
// instead of walking the whole record. The day is only a hint: the encounter must still be in
// this patient's search results.
func (s *Server) timelineLinks(base string, encs []fhir.Encounter) present.Links {
	days := make(map[string]string, len(encs))
	for _, e := range encs {
		if e.Period == nil {
			continue
		}
		start := e.Period.Start
		if start.IsZero() {
			start = e.Period.End
		}
		if start.IsZero() {
			continue
		}
		days[e.ID] = start.Time().In(s.settings.Location).Format(time.DateOnly)
	}
	l := chartLinks(base)
	l.Encounter = func(id string) string {
		u := base + "/encounters/" + url.PathEscape(id)
		if d, ok := days[id]; ok {
			u += "?on=" + d
		}
		return u
	}
	return l
}

func (s *Server) vitalsStripView(base string, f obsResult) views.VitalsStrip {
	var v views.VitalsStrip
	if f.err == nil {
		v = present.VitalsStrip(f.val.Items, s.settings.Now(), s.settings.Location, s.settings.VitalsStaleAfter, chartLinks(base))
	}
	v.Section = s.section(views.VitalsStripID, titleVitalsStrip, base+"/vitals-strip", nil, f.at, f.val.Warnings, f.err)
	return v
}

func (s *Server) vitalsTableView(base string, f obsResult) views.ObsTable {
	var t views.ObsTable
	if f.err == nil {
		t = present.ObservationTable(f.val.Items, "Vital signs in the last year (newest first)", "No vital signs recorded in the last year.",
			"vitals-table", s.settings.Location, chartLinks(base))
	}
	// Set even when the search failed: the section's root test id derives from it.
	t.TestID = "vitals-table"
	t.Section = s.section(views.VitalsTableID, titleVitals, base+"/vitals", nil, f.at, f.val.Warnings, f.err)
	return t
}

func (s *Server) socialView(base string, f obsResult) views.ObsTable {
	var t views.ObsTable
	if f.err == nil {
		t = present.ObservationTable(f.val.Items, "Social history (newest first)", "No social history recorded.",
			"social-table", s.settings.Location, present.Links{})
	}
	t.TestID = "social-table"
	t.Section = s.section(views.SocialID, titleSocial, base+"/social", nil, f.at, f.val.Warnings, f.err)
	return t
}

// labsParams are the labs section's query: table or matrix, and the time range.
type labsParams struct {
	View  string // "table" | "matrix"
	Range present.Range
}

func (p labsParams) query() url.Values {
	q := url.Values{}
	if p.View == "matrix" {
		q.Set("view", "matrix")
	}
	if p.Range != defaultLabsRange {
		q.Set("range", string(p.Range))
	}
	return q
}

func (p labsParams) isDefault() bool { return len(p.query()) == 0 }

func (s *Server) labsView(base string, p labsParams, f obsResult) views.Labs {
	path := base + "/labs"
	l := views.Labs{Matrix: p.View == "matrix", RangeLabel: p.Range.Label()}
	for _, v := range []struct{ name, label string }{{"table", "Table"}, {"matrix", "Matrix"}} {
		vp := p
		vp.View = v.name
		l.Views = append(l.Views, views.Preset{Label: v.label, URL: withQuery(path, vp.query()), Current: v.name == p.View})
	}
	for _, r := range present.Ranges() {
		rp := p
		rp.Range = r
		l.Ranges = append(l.Ranges, views.Preset{Label: r.Label(), URL: withQuery(path, rp.query()), Current: r == p.Range})
	}
	// Only the chosen view is built: the view renders one of them, and the other costs a full
	// pass over the results on every labs request.
	switch {
	case f.err != nil:
	case l.Matrix:
		l.LabMatrix = present.LabMatrix(f.val.Items, s.settings.Location, chartLinks(base))
		l.LabMatrix.Caption = "Lab results by date, " + rangeCaption(p.Range)
		if l.LabMatrix.Empty == "" {
			l.LabMatrix.Empty = "No lab results in this period."
		}
	default:
		caption := "Lab results, " + rangeCaption(p.Range) + " (newest first)"
		l.Table = present.ObservationTable(f.val.Items, caption, "No lab results in this period.", "labs-table", s.settings.Location, chartLinks(base))
	}
	l.Section = s.section(views.LabsID, titleLabs, path, p.query(), f.at, f.val.Warnings, f.err)
	return l
}

func rangeCaption(r present.Range) string {
	if r == present.RangeAll {
		return "all dates"
	}
	return "last " + r.Label()
}

// encounterParams are the timeline's query: the window's end and the filters.
type encounterParams struct {
	Before time.Time // exclusive end of the window; zero for the first (open-ended) window
	Class  string
	Type   string
}

func (p encounterParams) query() url.Values {
	q := url.Values{}
	if !p.Before.IsZero() {
		q.Set("before", p.Before.Format(time.DateOnly))
	}
	if p.Class != "" {
		q.Set("class", p.Class)
	}
	if p.Type != "" {
		q.Set("type", p.Type)
	}
	return q
}

func (p encounterParams) isDefault() bool { return len(p.query()) == 0 }

// window returns the query of this page of the timeline and the next (earlier) page's params.
func (s *Server) encounterPage(p encounterParams) (epic.EncounterQuery, encounterParams) {
	q := encounterWindow(p.Before, s.today())
	next := p
	next.Before = q.From
	return q, next
}

func (s *Server) timelineView(base string, p encounterParams, f fetched[timelineData]) views.Timeline {
	path := base + "/encounters"
	q, next := s.encounterPage(p)
	var t views.Timeline
	if f.err == nil {
		t = present.Timeline(f.val.Items, s.settings.Location, present.EncounterFilter{Class: p.Class, Type: p.Type}, s.timelineLinks(base, f.val.Items))
		if f.val.earlier {
			// more=1: the answer replaces the button with the next window only (see encounters).
			more := next.query()
			more.Set("more", "1")
			t.LoadEarlierURL = withQuery(path, more)
		}
	}
	t.Window = s.windowLabel(q)
	t.Filters.Action = path
	if !p.Before.IsZero() {
		t.Filters.Before = p.Before.Format(time.DateOnly)
	}
	t.Section = s.section(views.TimelineID, titleEncounters, path, p.query(), f.at, f.val.Warnings, f.err)
	return t
}

// timelineMoreView is one more window for "Load earlier".
func (s *Server) timelineMoreView(base string, p encounterParams, f fetched[timelineData]) views.TimelineMore {
	t := s.timelineView(base, p, f)
	m := views.TimelineMore{Window: t.Window, Groups: t.Groups, Empty: t.Empty, LoadEarlierURL: t.LoadEarlierURL}
	if f.err != nil {
		// The button stays, so the user can try the same window again.
		m.Empty = upstreamAlert(f.err).Title + ". Try again."
		again := p.query()
		again.Set("more", "1")
		m.LoadEarlierURL = withQuery(base+"/encounters", again)
	}
	return m
}

// windowLabel describes an Epic date window (To inclusive) in words.
func (s *Server) windowLabel(q epic.EncounterQuery) string {
	if q.To.IsZero() {
		return "Since " + q.From.Format("Jan 2, 2006")
	}
	return present.Window(q.From, q.To.AddDate(0, 0, 1), s.settings.Location)
}
