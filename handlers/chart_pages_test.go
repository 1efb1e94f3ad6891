package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/chartside/chartside/epic"
	"github.com/chartside/chartside/epic/fhir"
	"github.com/chartside/chartside/epic/sandbox"
	"github.com/chartside/chartside/present"
)

// The long-history patient's first view shows the newest rows of its vitals and labs tables and
// the latest social-history value per item; everything else loads on demand. These tests follow
// the on-demand controls to the end and compare what was shown with what Epic has.

const longHistoryMRN = "400003"

// epicTruth searches the sandbox with a client of its own, as a check on what Chartside shows.
func (env *chartEnv) epicTruth(mrn string, q epic.ObservationQuery) []fhir.Observation {
	env.t.Helper()
	key := testSigningKey(env.t)
	env.sb.RegisterClient("chartside-check", sandbox.ClientKeys{JWKS: epic.JWKS([]*epic.Key{key})})
	c, err := epic.New(epic.Config{
		FHIRBaseURL: env.epic.URL + sandbox.FHIRBasePath, TokenURL: env.epic.URL + sandbox.TokenPath,
		ClientID: "chartside-check", Keys: []*epic.Key{key}, MRNSystem: sandbox.MRNSystem,
	})
	if err != nil {
		env.t.Fatal(err)
	}
	ctx := context.Background()
	ps, err := c.SearchPatientsByMRN(ctx, mrn)
	if err != nil || len(ps.Items) != 1 {
		env.t.Fatalf("patient %s: %d matches, %v", mrn, len(ps.Items), err)
	}
	res, err := c.SearchObservations(ctx, ps.Items[0].ID, q)
	if err != nil || res.Truncated {
		env.t.Fatalf("observations of %s: %v (truncated %v)", mrn, err, res.Truncated)
	}
	return res.Items
}

// rowKeys is each observation row's cells as one string, in order.
func rowKeys(s *goquery.Selection) []string {
	var out []string
	s.Each(func(_ int, tr *goquery.Selection) {
		var cells []string
		tr.Children().Each(func(_ int, c *goquery.Selection) {
			cells = append(cells, strings.Join(strings.Fields(c.Text()), " "))
		})
		out = append(out, strings.Join(cells, " | "))
	})
	return out
}

// wantKeys is rowKeys of obs as Chartside's table would show them (newest first).
func wantKeys(obs []fhir.Observation) []string {
	var out []string
	for _, r := range present.ObservationRows(obs, time.UTC, present.Links{}) {
		value := r.Value + r.Detail + strings.Join(r.Notes, "")
		flag := r.Flag.Text
		if r.Flag.Icon != "" {
			flag = r.Flag.Icon + " " + flag
		}
		cells := []string{r.Name, value, r.Unit, r.Range, flag, r.When, r.Status}
		for i, c := range cells {
			cells[i] = strings.Join(strings.Fields(c), " ")
		}
		out = append(out, strings.Join(cells, " | "))
	}
	return out
}

// rowsFragment parses an htmx answer made of table rows the way htmx does: inside a table body.
func rowsFragment(t *testing.T, r reply) *goquery.Document {
	t.Helper()
	d, err := goquery.NewDocumentFromReader(strings.NewReader("<table><tbody>" + r.body + "</tbody></table>"))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

var (
	shownRe = regexp.MustCompile(`^Showing the newest ([0-9,]+) of ([0-9,]+) results\.`)
	allRe   = regexp.MustCompile(`^Showing all ([0-9,]+) results\.$`)
)

// shownOf reads "Showing the newest N of M results." from a table's line.
func shownOf(t *testing.T, line string) (int, int) {
	t.Helper()
	m := shownRe.FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("table line %q does not say how many rows it shows", line)
	}
	n, _ := strconv.Atoi(strings.ReplaceAll(m[1], ",", ""))
	total, _ := strconv.Atoi(strings.ReplaceAll(m[2], ",", ""))
	return n, total
}

// followShowOlder opens a table section (htmx, as the chart does) and presses Show older until
// the table is complete. It returns every row shown, in order, the total the line claims, and the
// number of Show older answers.
func followShowOlder(t *testing.T, b *browser, section, tableID string) (rows []string, total, steps int) {
	t.Helper()
	first := b.get(section, hxReq)
	if first.StatusCode != http.StatusOK {
		t.Fatalf("%s: status %d", section, first.StatusCode)
	}
	d := first.doc(t)
	body := d.Find(`[data-testid="` + tableID + `"] tbody`)
	rows = rowKeys(body.Find(`[data-testid="obs-row"]`))
	line := d.Find(`[data-testid="table-more"]`)
	shown, total := shownOf(t, strings.Join(strings.Fields(line.Text()), " "))
	if shown != len(rows) {
		t.Errorf("%s: line says %d rows shown, the table has %d", section, shown, len(rows))
	}
	// The first view's cap (100), a little more when results taken at the same instant straddle it.
	if len(rows) < 100 || len(rows) > 120 {
		t.Errorf("%s: the first view shows %d rows, want the newest 100 (and their same-instant fellows)", section, len(rows))
	}
	if id, _ := body.Attr("id"); id != tableID+"-rows" {
		t.Errorf("%s: table body id %q, want %s-rows (Show older appends there)", section, id, tableID)
	}
	next, _ := line.Find(`[data-testid="show-older"]`).Attr("hx-get")
	for next != "" {
		steps++
		if steps > 20 {
			t.Fatalf("%s: Show older never ends", section)
		}
		r := b.get(next, hxReq)
		if r.StatusCode != http.StatusOK {
			t.Fatalf("Show older %s: status %d", next, r.StatusCode)
		}
		checkPHIHeaders(t, r)
		if !strings.HasPrefix(r.body, "<tr") || strings.Contains(r.body, "<section") || strings.Contains(r.body, `data-testid="banner"`) {
			t.Fatalf("Show older answered more than the rows:\n%.300s", r.body)
		}
		fd := rowsFragment(t, r)
		more := fd.Find(`#` + tableID + `-more`)
		if sw, _ := more.Attr("hx-swap-oob"); sw != "innerHTML" {
			t.Errorf("Show older: the table's line is not rewritten out of band (hx-swap-oob %q)", sw)
		}
		rows = append(rows, rowKeys(fd.Find(`tbody [data-testid="obs-row"]`))...)
		text := strings.Join(strings.Fields(more.Text()), " ")
		next, _ = more.Find(`[data-testid="show-older"]`).Attr("hx-get")
		if next == "" {
			if m := allRe.FindStringSubmatch(text); m == nil || strings.ReplaceAll(m[1], ",", "") != strconv.Itoa(total) {
				t.Errorf("last line = %q, want it to say all %d results are shown", text, total)
			}
			break
		}
		if n, m := shownOf(t, text); n != len(rows) || m != total {
			t.Errorf("after %d steps the line says %d of %d; the table has %d of %d", steps, n, m, len(rows), total)
		}
	}
	return rows, total, steps
}

// TestLongHistoryTablesShowNewestRowsAndLoadTheRest: the vitals and labs tables of the first view
// show the newest rows only, say how many there are, and Show older loads the rest in place. The
// rows of the first view and of the answers together are exactly Epic's results in the window,
// newest first: none repeated, none missing.
func TestLongHistoryTablesShowNewestRowsAndLoadTheRest(t *testing.T) {
	env := newChartEnv(t, chartEnvOptions{})
	b := env.signIn()
	chart := b.openChart(longHistoryMRN)
	before := env.sb.Stats()
	b.get(chart, nil)
	year := time.Now().AddDate(-1, 0, 0)
	tests := []struct {
		section, tableID string
		cat              string
		from             time.Time
		minSteps         int
	}{
		{chart + "/vitals", "vitals-table", fhir.CategoryVitalSigns, year, 1},
		{chart + "/labs", "labs-table", fhir.CategoryLaboratory, year, 1},
		// Every lab result of a decades-long record: several Show older steps.
		{chart + "/labs?range=all", "labs-table", fhir.CategoryLaboratory, time.Time{}, 3},
	}
	type followed struct {
		rows         []string
		total, steps int
	}
	var results []followed
	olderSteps := 0
	for i, tt := range tests {
		rows, total, steps := followShowOlder(t, b, tt.section, tt.tableID)
		results = append(results, followed{rows, total, steps})
		olderSteps += steps
		t.Logf("%s: %d rows in %d Show older steps, line total %d; first row %q", tt.section, len(rows), steps, total, rows[0])
		if i == 1 {
			// The first view's tables come from the chart page's prefetch (its three Observation
			// searches: no count query, no probe since the year has labs); each Show older searches again.
			env.srv.Wait()
			if got := env.sb.Stats().ByResource["Observation"] - before.ByResource["Observation"]; got != int64(3+olderSteps) {
				t.Errorf("Observation requests = %d, want 3 prefetched + %d Show older", got, olderSteps)
			}
		}
	}
	for i, tt := range tests {
		got := results[i]
		want := wantKeys(env.epicTruth(longHistoryMRN, epic.ObservationQuery{Categories: []string{tt.cat}, From: tt.from}))
		if got.total != len(want) || len(got.rows) != len(want) {
			t.Errorf("%s: line total %d, rows shown %d, Epic has %d", tt.section, got.total, len(got.rows), len(want))
		}
		if got.steps < tt.minSteps {
			t.Errorf("%s: %d Show older steps, want at least %d", tt.section, got.steps, tt.minSteps)
		}
		for j := range min(len(got.rows), len(want)) {
			if got.rows[j] != want[j] {
				t.Errorf("%s: row %d = %q, want %q", tt.section, j+1, got.rows[j], want[j])
				break
			}
		}
	}
	var got []string
	for _, rec := range env.auditRecords() {
		got = append(got, rec.Action+"/"+rec.Detail)
	}
	// The first view is covered by the chart view; every Show older is a look of its own.
	want := "lookup/ chart_view/chart chart_view/vitals older chart_view/labs table 1y older chart_view/labs table all"
	if g := strings.Join(got, " "); !strings.HasPrefix(g, want) || !strings.HasSuffix(g, "chart_view/labs table all older") {
		t.Errorf("audit = %q, want it to start %q and end with the older labs of all dates", g, want)
	}
}

// TestShowOlderShapes: the Show older URL answers the rows only for a plain htmx request; without
// htmx (a link opened without JavaScript, boosted, history restore) it is a page with the banner
// and the section starting at those rows, and it says which rows they are.
func TestShowOlderShapes(t *testing.T) {
	env := newChartEnv(t, chartEnvOptions{})
	b := env.signIn()
	chart := b.openChart(longHistoryMRN)
	b.get(chart, nil)
	for _, sec := range []struct{ path, tableID, section string }{
		{chart + "/vitals", "vitals-table", "vitals-table-section"},
		{chart + "/labs", "labs-table", "labs-section"},
	} {
		// One response's link: the cursor is sealed afresh for every response.
		link := b.get(sec.path, hxReq).doc(t).Find(`[data-testid="show-older"]`)
		older, ok := link.Attr("hx-get")
		if !ok || !strings.Contains(older, "before=") || !strings.Contains(older, "more=1") {
			t.Fatalf("%s: Show older URL %q", sec.path, older)
		}
		if href, _ := link.Attr("href"); href != older {
			t.Errorf("%s: Show older href %q differs from hx-get %q (no-JS users follow the href)", sec.path, href, older)
		}
		for _, shape := range htmxShapes {
			r := b.get(older, shape.headers)
			if r.StatusCode != http.StatusOK {
				t.Fatalf("%s %s: status %d", older, shape.name, r.StatusCode)
			}
			checkPHIHeaders(t, r)
			isPage := strings.Contains(r.body, "<html")
			if isPage == shape.fragment {
				t.Errorf("%s %s: full page = %v, want %v", older, shape.name, isPage, !shape.fragment)
			}
			if shape.fragment {
				continue
			}
			d := r.doc(t)
			if d.Find(`[data-testid="banner"]`).Length() != 1 || d.Find(`[data-testid="`+sec.section+`"]`).Length() != 1 {
				t.Errorf("%s %s: page lacks the banner or the section", older, shape.name)
			}
			rows := d.Find(`[data-testid="` + sec.tableID + `"] [data-testid="obs-row"]`).Length()
			line := strings.Join(strings.Fields(d.Find(`[data-testid="table-more"]`).Text()), " ")
			if rows == 0 || !strings.HasPrefix(line, "Showing results 10") || !strings.Contains(line, "newest first") {
				t.Errorf("%s %s: %d rows, line %q; want the older rows and which they are", older, shape.name, rows, line)
			}
		}
	}
	// Epic fails the Show older search: the line says so and offers the same rows again; the
	// table keeps what it shows.
	older, _ := b.get(chart+"/labs", hxReq).doc(t).Find(`[data-testid="show-older"]`).Attr("hx-get")
	env.sb.Faults().FailNext(sandbox.FHIRBasePath+"/Observation", 1, sandbox.Fault{Kind: sandbox.FaultServerError})
	r := b.get(older, hxReq)
	fd := rowsFragment(t, r)
	line := strings.Join(strings.Fields(fd.Find("#labs-table-more").Text()), " ")
	again, _ := fd.Find(`#labs-table-more [data-testid="show-older"]`).Attr("hx-get")
	if r.StatusCode != http.StatusOK || fd.Find(`tbody [data-testid="obs-row"]`).Length() != 0 ||
		!strings.HasPrefix(line, "Older results could not be loaded: Epic") || again != older {
		t.Errorf("failed Show older: status %d, line %q, retry %q (want %q)", r.StatusCode, line, again, older)
	}
	if recs := env.auditRecords(); recs[len(recs)-1].Outcome != "upstream_error" || recs[len(recs)-1].Detail != "labs table 1y older" {
		t.Errorf("failed Show older audited as %+v", recs[len(recs)-1].Entry)
	}

	// A cursor Chartside sealed, for the requests that are wrong for another reason.
	u, err := url.Parse(older)
	if err != nil {
		t.Fatal(err)
	}
	cursor := url.QueryEscape(u.Query().Get("before"))
	for _, bad := range []string{"/vitals?before=yesterday", "/vitals?before=2026-01-01T00:00:00Z", "/vitals?more=1", "/labs?more=1",
		"/labs?before=" + cursor + "&more=2", "/labs?view=matrix&before=" + cursor, "/social?more=1", "/social?item=%0A&more=1", "/social?item=x&more=yes"} {
		if r := b.get(chart+bad, hxReq); r.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", bad, r.StatusCode)
		}
	}
}

// TestSocialHistoryLatestPerItem: the social history section shows each item's latest value and
// how many earlier values it has; the History control lists them in place, and without JavaScript
// the same link is a page with them. Latest values and earlier counts add up to every
// social-history observation Epic has.
func TestSocialHistoryLatestPerItem(t *testing.T) {
	env := newChartEnv(t, chartEnvOptions{})
	b := env.signIn()
	chart := b.openChart(longHistoryMRN)
	b.get(chart, nil)
	all := env.epicTruth(longHistoryMRN, epic.ObservationQuery{Categories: []string{fhir.CategorySocialHistory}})

	r := b.get(chart+"/social", hxReq)
	checkPHIHeaders(t, r)
	d := r.doc(t)
	table := d.Find(`[data-testid="social-table"]`)
	items := table.Find(`[data-testid="obs-row"]`)
	if items.Length() == 0 || items.Length() > 10 || table.Find("tr.earlier").Length() != 0 {
		t.Fatalf("social history shows %d rows (%d earlier), want one per item", items.Length(), table.Find("tr.earlier").Length())
	}
	counted := 0
	var history string
	items.Each(func(_ int, tr *goquery.Selection) {
		counted++
		label := strings.Join(strings.Fields(tr.Find(`[data-testid="social-earlier"]`).Text()), " ")
		var n int
		if label != "None" {
			m := regexp.MustCompile(`^History \(([0-9,]+)\)`).FindStringSubmatch(label)
			if m == nil {
				t.Errorf("earlier values cell = %q, want History (N) or None", label)
				return
			}
			n, _ = strconv.Atoi(strings.ReplaceAll(m[1], ",", ""))
			if history == "" {
				history, _ = tr.Find(`[data-testid="social-history"]`).Attr("hx-get")
			}
		}
		counted += n
	})
	if counted != len(all) {
		t.Errorf("latest values + earlier counts = %d, Epic has %d social-history observations", counted, len(all))
	}
	if history == "" || !strings.Contains(history, "item=") || !strings.Contains(history, "more=1") {
		t.Fatalf("no History control (got %q)", history)
	}

	// The History control: the item's row again with every earlier value under it.
	hr := b.get(history, hxReq)
	checkPHIHeaders(t, hr)
	if hr.StatusCode != http.StatusOK || !strings.HasPrefix(hr.body, "<tr") || strings.Contains(hr.body, "<section") {
		t.Fatalf("History: status %d\n%.300s", hr.StatusCode, hr.body)
	}
	hd := rowsFragment(t, hr)
	item := hd.Find(`tbody tr:not(.earlier)`)
	earlier := hd.Find(`tbody tr.earlier`)
	label := strings.Join(strings.Fields(item.Find(`[data-testid="social-earlier"]`).Text()), " ")
	if item.Length() != 1 || earlier.Length() == 0 || label != strconv.Itoa(earlier.Length())+" earlier, listed below" {
		t.Errorf("History answer: %d item rows, %d earlier rows, label %q", item.Length(), earlier.Length(), label)
	}

	// Without htmx (and boosted, history restore): the section on its own page, the item expanded.
	for _, shape := range htmxShapes {
		if shape.fragment {
			continue
		}
		p := b.get(history, shape.headers)
		pd := p.doc(t)
		if p.StatusCode != http.StatusOK || pd.Find(`[data-testid="banner"]`).Length() != 1 ||
			pd.Find(`[data-testid="social-table"] tr.earlier`).Length() != earlier.Length() {
			t.Errorf("History without htmx (%s): status %d, %d earlier rows", shape.name, p.StatusCode, pd.Find("tr.earlier").Length())
		}
	}
	if r := b.get(chart+"/social?item="+url.QueryEscape("http://loinc.org|0000-0")+"&more=1", hxReq); r.StatusCode != http.StatusNotFound {
		t.Errorf("History of an item the patient does not have: status %d, want 404", r.StatusCode)
	}
	// Epic fails the History search: the item's row stays, the error goes to the alerts region.
	env.sb.Faults().FailNext(sandbox.FHIRBasePath+"/Observation", 1, sandbox.Fault{Kind: sandbox.FaultServerError})
	if r := b.get(history, hxReq); r.StatusCode != http.StatusBadGateway || r.Header.Get("HX-Retarget") != "#alerts" || strings.Contains(r.body, "<tr") {
		t.Errorf("failed History: status %d, HX-Retarget %q\n%.300s", r.StatusCode, r.Header.Get("HX-Retarget"), r.body)
	}
	if recs := env.auditRecords(); recs[len(recs)-1].Outcome != "upstream_error" {
		t.Errorf("failed History audited as %+v", recs[len(recs)-1].Entry)
	}

	var got []string
	for _, rec := range env.auditRecords() {
		got = append(got, rec.Action+"/"+rec.Detail)
	}
	if g := strings.Join(got, " | "); !strings.Contains(g, "chart_view/social history http://loinc.org|") {
		t.Errorf("audit = %q: the History control is not recorded", g)
	}
}
