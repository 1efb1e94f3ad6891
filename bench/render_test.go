package bench

import (
	"bytes"
	"context"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/a-h/templ"

	"github.com/chartside/chartside/epic"
	"github.com/chartside/chartside/epic/fhir"
	"github.com/chartside/chartside/epic/sandbox"
	"github.com/chartside/chartside/present"
	"github.com/chartside/chartside/views"
)

// longHistoryMRN is the sandbox's long-history patient (~400 encounters, ~7,500 observations).
const longHistoryMRN = "400003"

// firstViewRows is the handlers' cap on the rows of the first view's vitals and labs tables.
const firstViewRows = 100

// chartData is what the chart's first view fetches from Epic, with the same windows the chart
// handlers use: a year of vitals and labs, all social history, twelve months of encounters.
type chartData struct {
	patient                fhir.Patient
	encounters             []fhir.Encounter
	vitals, labs, socialOb []fhir.Observation
}

// fetchChart reads a patient's first-view data from an in-process sandbox once, so the benchmarks
// below time mapping and rendering only.
func fetchChart(tb testing.TB, mrn string, now time.Time) chartData {
	tb.Helper()
	sb, err := sandbox.New(sandbox.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	srv := httptest.NewServer(sb.Handler())
	tb.Cleanup(srv.Close)
	key, err := epic.GenerateRSAKey(2048)
	if err != nil {
		tb.Fatal(err)
	}
	sb.RegisterClient("render-bench", sandbox.ClientKeys{JWKS: epic.JWKS([]*epic.Key{key})})
	c, err := epic.New(epic.Config{
		FHIRBaseURL: srv.URL + sandbox.FHIRBasePath, ClientID: "render-bench",
		Keys: []*epic.Key{key}, MRNSystem: sandbox.MRNSystem, MaxPages: 20,
	})
	if err != nil {
		tb.Fatal(err)
	}
	ctx := context.Background()
	ps, err := c.SearchPatientsByMRN(ctx, mrn)
	if err != nil || len(ps.Items) != 1 {
		tb.Fatalf("patient %s: %d matches, %v", mrn, len(ps.Items), err)
	}
	d := chartData{patient: ps.Items[0]}
	id := d.patient.ID
	year := now.AddDate(-1, 0, 0)
	encs, err := c.SearchEncounters(ctx, id, epic.EncounterQuery{From: year})
	if err != nil {
		tb.Fatal(err)
	}
	d.encounters = encs.Items
	for _, q := range []struct {
		cat  string
		from time.Time
		out  *[]fhir.Observation
	}{
		{fhir.CategoryVitalSigns, year, &d.vitals},
		{fhir.CategoryLaboratory, year, &d.labs},
		{fhir.CategorySocialHistory, time.Time{}, &d.socialOb},
	} {
		res, err := c.SearchObservations(ctx, id, epic.ObservationQuery{Categories: []string{q.cat}, From: q.from})
		if err != nil {
			tb.Fatal(err)
		}
		*q.out = res.Items
	}
	return d
}

// firstView maps and renders the chart page and every section's fragment, as the handlers do for
// the first view, and returns the HTML of each part.
func firstView(ctx context.Context, d chartData, now time.Time, buf *bytes.Buffer) (map[string]int, error) {
	loc := time.UTC
	base := "/chart/h"
	links := present.Links{
		Analyte:   func(code, rng string) string { return base + "/analyte?" + url.Values{"code": {code}}.Encode() },
		Encounter: func(id string) string { return base + "/encounters/" + url.PathEscape(id) },
	}
	page := views.ChartPage{
		Page:   views.Page{Title: "Patient chart", NoHistory: true},
		Banner: present.Banner(d.patient, sandbox.MRNSystem, now, loc),
		Handle: "h",
		Slots: []views.SectionSlot{
			{ID: views.VitalsStripID, Title: "Latest vitals", URL: base + "/vitals-strip"},
			{ID: views.TimelineID, Title: "Encounters", URL: base + "/encounters"},
			{ID: views.VitalsTableID, Title: "Vital signs", URL: base + "/vitals"},
			{ID: views.LabsID, Title: "Labs", URL: base + "/labs"},
			{ID: views.SocialID, Title: "Social history", URL: base + "/social"},
		},
	}
	// The tables show their newest rows and a line with Show older, as the handlers do (the labs
	// matrix is not built: the handlers build only the view shown).
	firstPage := func(obs []fhir.Observation, caption, testID, path string) views.ObsTable {
		p := present.ObservationPage(obs, time.Time{}, firstViewRows, loc, links)
		t := views.ObsTable{Caption: caption, Rows: p.Rows, TestID: testID}
		if !p.Next.IsZero() {
			next := url.Values{"before": {p.Next.UTC().Format(time.RFC3339Nano)}, "more": {"1"}}
			t.More = &views.TableMore{ID: testID + "-more", RowsID: testID + "-rows", Text: present.PageText(p, false),
				URL: base + path + "?" + next.Encode(), Context: "results"}
		}
		return t
	}
	labs := views.Labs{Table: firstPage(d.labs, "Lab results, last 1 year (newest first)", "labs-table", "/labs")}
	social := views.SocialHistory{Caption: "Social history: the latest value of each item (newest first)",
		Items: present.SocialHistory(d.socialOb, nil, loc, func(key string) string {
			return base + "/social?" + url.Values{"item": {key}, "more": {"1"}}.Encode()
		})}
	parts := []struct {
		name string
		c    templ.Component
	}{
		{"chart page", views.Chart(page)},
		{views.VitalsStripID, views.VitalsStripFragment(present.VitalsStrip(d.vitals, now, loc, 24*time.Hour, links))},
		{views.TimelineID, views.TimelineFragment(present.Timeline(d.encounters, loc, present.EncounterFilter{}, links))},
		{views.VitalsTableID, views.ObsFragment(firstPage(d.vitals, "Vital signs in the last year (newest first)", "vitals-table", "/vitals"))},
		{views.LabsID, views.LabsFragment(labs)},
		{views.SocialID, views.SocialFragment(social)},
	}
	sizes := map[string]int{}
	for _, p := range parts {
		buf.Reset()
		if err := p.c.Render(ctx, buf); err != nil {
			return nil, err
		}
		sizes[p.name] = buf.Len()
	}
	return sizes, nil
}

// BenchmarkRenderLongHistory is the server's render cost of the long-history patient's first view
// (present mapping and templ rendering of the page and all five sections; Epic's data already
// decoded). html-bytes is the first view's total HTML.
func BenchmarkRenderLongHistory(b *testing.B) {
	now := time.Now()
	d := fetchChart(b, longHistoryMRN, now)
	b.Logf("first view data: %d encounters, %d vitals, %d labs, %d social history", len(d.encounters), len(d.vitals), len(d.labs), len(d.socialOb))
	ctx := context.Background()
	var buf bytes.Buffer
	var total int
	b.ReportAllocs()
	for b.Loop() {
		sizes, err := firstView(ctx, d, now, &buf)
		if err != nil {
			b.Fatal(err)
		}
		total = 0
		for _, n := range sizes {
			total += n
		}
	}
	b.ReportMetric(float64(total), "html-bytes")
}

// TestRenderLongHistory checks the render benchmark's set-up: the data is the long history, and
// every part renders to something.
func TestRenderLongHistory(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the sandbox")
	}
	now := time.Now()
	d := fetchChart(t, longHistoryMRN, now)
	if len(d.labs) < 100 || len(d.encounters) < 5 {
		t.Fatalf("long-history patient: %d labs, %d encounters in the first view; want a long history", len(d.labs), len(d.encounters))
	}
	var buf bytes.Buffer
	sizes, err := firstView(context.Background(), d, now, &buf)
	if err != nil {
		t.Fatal(err)
	}
	for _, part := range []string{"chart page", views.VitalsStripID, views.TimelineID, views.VitalsTableID, views.LabsID, views.SocialID} {
		if sizes[part] == 0 {
			t.Errorf("%s rendered nothing", part)
		}
	}
}
