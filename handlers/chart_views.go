package handlers

import (
	"context"
	"net/url"
	"time"

	"github.com/chartside/chartside/epic"
	"github.com/chartside/chartside/present"
	"github.com/chartside/chartside/views"
)

// This file turns fetched Epic data into the sections' view models: package present does the
// clinical mapping; here the URLs, "as of", warnings and failures are added.

// chartLinks are the URLs present puts into rows (analyte history). shown is
// the range of the table the rows are in (analyteRange where there is none, as in an encounter's
// details): a row's analyte link opens it, or a wider one that holds the row's result
// (present.LinkRange). The analyte's default range is left out of the URL: rows repeat it. They
// have no encounter drill-down: only the timeline has sealed references to build one with
// (timelineLinks), and an encounter's id must never be put into a URL as it is.
func (s *Server) chartLinks(base string, shown present.Range) present.Links {
	return present.Links{
		Analyte: func(code, rng string) string {
			q := url.Values{"code": {code}}
			if rng != "" && rng != string(analyteRange) {
				q.Set("range", rng)
			}
			return base + "/analyte?" + q.Encode()
		},
		AnalyteRange: shown,
		Now:          s.settings.Now(),
	}
}

// timelineLinks are chartLinks whose drill-down URLs name each encounter by its sealed reference
// (encounterRefs); an encounter without one gets no Details control.
func (s *Server) timelineLinks(base string, refs map[string]string) present.Links {
	l := s.chartLinks(base, analyteRange)
	l.Encounter = func(id string) string {
		if ref, ok := refs[id]; ok {
			return base + "/encounters/" + ref
		}
		return ""
	}
	return l
}

// vitalsStripView is the latest-vitals strip. It covers the vitals table's default year
// (vitalsWindow): when that year holds no vital sign, it says so above its "Not recorded" tiles,
// so a patient last seen 18 months ago does not look as if nothing was ever taken, and points to
// the table, which tells whether older ones exist.
//
// A deceased patient's strip says nothing about the vitals' age: they are old because the patient
// died, not because nobody took them, and the stale notice asks for new ones (Harold Whitaker,
// 400001, read "Vitals are 2 months old"). The banner already says Deceased and the date; each
// tile keeps its own time.
//
// older is what Epic said of vital signs before the year (the vitals table's probe): the notice is
// as definite as that. It said "Older ones, if any, are under Vitals" while the table under it said
// "Older vital signs are on record" for Tomas Lindqvist (400010).
func (s *Server) vitalsStripView(base string, f obsResult, deceased bool, older olderData) views.VitalsStrip {
	var v views.VitalsStrip
	if f.err == nil {
		v = present.VitalsStrip(f.val.Items, s.settings.Now(), s.settings.Location, s.settings.VitalsStaleAfter, s.chartLinks(base, vitalsWindow))
		if deceased {
			v.StaleNotice = ""
		}
		if v.StaleNotice == "" && noneRecorded(v.Items) {
			v.StaleNotice = stripEmpty(older)
		}
		// A tile says which year it looked in: Camila Lopez's temperature of 2021 is on record,
		// just not in the year the strip covers, and a bare "Not recorded" said it never was.
		for i := range v.Items {
			if v.Items[i].Value == views.NotRecorded {
				v.Items[i].Value = stripTileEmpty
			}
		}
	}
	v.Section = s.section(views.VitalsStripID, titleVitalsStrip, base+"/vitals-strip", nil, f.at, f.val.Warnings, f.err)
	return v
}

// stripEmpty is the strip's notice when its year holds no vital sign, saying what Epic said of
// older ones.
func stripEmpty(older olderData) string {
	switch older {
	case olderSome:
		return vitalsEmpty(vitalsWindow, older) + " Older vital signs are on record, under " + titleVitals + "."
	case olderNone:
		return vitalsEmpty(vitalsWindow, older)
	}
	return vitalsEmpty(vitalsWindow, older) + " " + titleVitals + " lists every date."
}

// stripTileEmpty is a strip tile with no value in the strip's year (vitalsWindow).
const stripTileEmpty = views.NotRecorded + " in the last year"

// noneRecorded reports whether no tile has a value.
func noneRecorded(tiles []views.VitalTile) bool {
	for _, t := range tiles {
		if t.Value != views.NotRecorded {
			return false
		}
	}
	return true
}

// vitalsTableView is the vitals table: the vital signs of range r (a year by default), newest
// first, one page of it; older says what an empty range knows of older vital signs. Its only error
// is a Show older cursor that could not be sealed.
func (s *Server) vitalsTableView(ctx context.Context, base string, f obsResult, pg tablePage, r present.Range, older olderData) (views.ObsTable, error) {
	t := views.ObsTable{Caption: "Vital signs in the last year (newest first)", Empty: vitalsEmpty(r, older), TestID: "vitals-table"}
	if r != vitalsWindow {
		t.Caption = "Vital signs, " + rangeCaption(r) + " (newest first)"
	}
	q := vitalsParams(r)
	path := base + "/vitals"
	if f.err == nil {
		if err := s.fillTablePage(ctx, &t, f.val.Items, pg, path, q, vitalsContext, s.chartLinks(base, r)); err != nil {
			return views.ObsTable{}, err
		}
		if len(t.Rows) == 0 && r != present.RangeAll {
			t.Older = olderSuggestion(older, vitalsContext, withQuery(path, vitalsParams(present.RangeAll)))
		}
	}
	t.Section = s.section(views.VitalsTableID, titleVitals, path, pg.addTo(q), f.at, f.val.Warnings, f.err)
	return t, nil
}

// vitalsParams is the vitals table's query for range r: none for the default year.
func vitalsParams(r present.Range) url.Values {
	if r == vitalsWindow {
		return url.Values{}
	}
	return url.Values{"range": {string(r)}}
}

// vitalsEmpty is the message of an empty vitals table.
func vitalsEmpty(r present.Range, older olderData) string {
	switch {
	case r == present.RangeAll:
		return "No vital signs on record."
	case older == olderNone:
		return "No vital signs recorded in " + rangePhrase(r) + ", and none before."
	}
	return "No vital signs recorded in " + rangePhrase(r) + "."
}

// socialView is social history as the latest value of each item; expand(key) lists an item's
// earlier values too (nil: none), q is the section's own query.
func (s *Server) socialView(base string, f obsResult, expand func(string) bool, q url.Values) views.SocialHistory {
	v := views.SocialHistory{Caption: "Social history: the latest value of each item (newest first)", Empty: "No social history recorded."}
	path := base + "/social"
	if f.err == nil {
		v.Items = present.SocialHistory(f.val.Items, expand, s.settings.Location, func(key string) string {
			return withQuery(path, url.Values{"item": {key}, "more": {"1"}})
		})
	}
	v.Section = s.section(views.SocialID, titleSocial, path, q, f.at, f.val.Warnings, f.err)
	return v
}

// labsParams are the labs section's query: table or matrix, the time range, and the table's page.
type labsParams struct {
	View  string // "table" | "matrix"
	Range present.Range
	Page  tablePage
}

// query is the view and range (the presets keep them; every preset starts at the newest rows).
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

// labsView is the labs section. older says what the record holds before an empty range. Its only
// error is a Show older cursor that could not be sealed.
func (s *Server) labsView(ctx context.Context, base string, p labsParams, f obsResult, older olderData) (views.Labs, error) {
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
	if !l.Matrix {
		l.Table = views.ObsTable{Caption: "Lab results, " + rangeCaption(p.Range) + " (newest first)", Empty: labsEmpty(p.Range, older),
			TestID: "labs-table"}
	}
	empty := false
	switch {
	case f.err != nil:
	case l.Matrix:
		l.LabMatrix = present.LabMatrix(f.val.Items, s.settings.Location, s.chartLinks(base, p.Range))
		l.LabMatrix.Caption = "Lab results by date, " + rangeCaption(p.Range)
		l.LabMatrix.Empty = labsEmpty(p.Range, older)
		empty = len(l.LabMatrix.Rows) == 0
	default:
		if err := s.fillTablePage(ctx, &l.Table, f.val.Items, p.Page, path, p.query(), labsContext, s.chartLinks(base, p.Range)); err != nil {
			return views.Labs{}, err
		}
		empty = len(l.Table.Rows) == 0 && p.Page.first()
	}
	if empty && p.Range != present.RangeAll {
		l.Older = olderSuggestion(older, labsContext, withQuery(path, labsParams{View: p.View, Range: present.RangeAll}.query()))
	}
	l.Section = s.section(views.LabsID, titleLabs, path, p.Page.addTo(p.query()), f.at, f.val.Warnings, f.err)
	return l, nil
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

// timelineView is one window of the timeline. Its only error is a drill-down link that could not be
// sealed.
func (s *Server) timelineView(ctx context.Context, base string, p encounterParams, f fetched[timelineData]) (views.Timeline, error) {
	path := base + "/encounters"
	q, next := s.encounterPage(p)
	var t views.Timeline
	ongoing := 0
	if f.err == nil {
		items, began := present.TimelineWindow(f.val.Items, q.From, p.Before, s.settings.Location)
		refs, err := s.encounterRefs(ctx, items)
		if err != nil {
			return views.Timeline{}, err
		}
		t = present.Timeline(items, s.settings.Location, present.EncounterFilter{Class: p.Class, Type: p.Type}, s.timelineLinks(base, refs))
		ongoing = present.MarkOngoing(t.Groups, began)
		if f.val.older && p.Class == "" && p.Type == "" {
			t.Empty = olderEncountersEmpty(q)
		}
		if f.val.earlier {
			// more=1: the answer replaces the button with the next window only (see encounters).
			more := next.query()
			more.Set("more", "1")
			t.LoadEarlierURL = withQuery(path, more)
		}
	}
	t.Window = s.windowLabel(q) + present.OngoingNote(ongoing)
	t.Filters.Action = path
	if !p.Before.IsZero() {
		t.Filters.Before = p.Before.Format(time.DateOnly)
	}
	t.Section = s.section(views.TimelineID, titleEncounters, path, p.query(), f.at, f.val.Warnings, f.err)
	return t, nil
}

// olderEncountersEmpty is the message of an empty, unfiltered window when Epic holds older
// encounters, worded as the vitals' and labs' (olderSuggestion): "No encounters in this period."
// beside a Load earlier button that is not printed made Tomas Lindqvist's printout (400010, last
// seen 18 months ago) read as a patient who never had a visit.
func olderEncountersEmpty(q epic.EncounterQuery) string {
	const older = " Older encounters are on record."
	if q.To.IsZero() {
		return "No encounters since " + q.From.Format("Jan 2, 2006") + "." + older
	}
	return "No encounters in this period." + older
}

// timelineMoreView is one more window for "Load earlier", from the timeline view of that window.
func timelineMoreView(t views.Timeline, base string, p encounterParams, f fetched[timelineData]) views.TimelineMore {
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

// windowLabel describes an Epic date window (To inclusive) in words: the first window by its first
// day, an earlier one by its whole months.
func (s *Server) windowLabel(q epic.EncounterQuery) string {
	if q.To.IsZero() {
		return "Since " + q.From.Format("Jan 2, 2006")
	}
	return present.Window(q.From, q.To.AddDate(0, 0, 1), s.settings.Location)
}
