package handlers_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"

	"github.com/chartside/chartside/views"
)

// assertInert fails when body holds anything a browser would execute or load that Chartside did
// not put there itself: inline scripts, event-handler attributes, javascript: URLs, frames,
// objects, style elements, images from elsewhere, or any hostile payload left unescaped.
func assertInert(t *testing.T, what, body string) *goquery.Document {
	t.Helper()
	for name, p := range hostileTexts {
		if strings.Contains(body, p) {
			t.Errorf("%s: payload %q (%s) is in the markup unescaped", what, p, name)
		}
	}
	doc := parse(t, body)
	doc.Find("*").Each(func(_ int, s *goquery.Selection) {
		n := s.Get(0)
		tag := goquery.NodeName(s)
		switch tag {
		case "script":
			if src, _ := s.Attr("src"); !strings.HasPrefix(src, "/static/") {
				t.Errorf("%s: script element not from /static/: %s", what, outer(s))
			}
		case "iframe", "frame", "object", "embed", "style", "base", "foreignobject", "animate", "set":
			t.Errorf("%s: <%s> element: %s", what, tag, outer(s))
		case "img", "image":
			for _, a := range n.Attr {
				if (a.Key == "src" || a.Key == "href") && !strings.HasPrefix(a.Val, "/static/") && !strings.HasPrefix(a.Val, "data:") {
					t.Errorf("%s: image from elsewhere: %s", what, outer(s))
				}
			}
		}
		for _, a := range n.Attr {
			key := strings.ToLower(a.Key)
			val := strings.ToLower(strings.TrimSpace(a.Val))
			switch {
			case strings.HasPrefix(key, "on"):
				t.Errorf("%s: event handler attribute %s=%q on <%s>", what, a.Key, a.Val, tag)
			case key == "style":
				t.Errorf("%s: inline style attribute on <%s> (blocked by the CSP)", what, tag)
			case key == "href" || key == "src" || key == "action" || key == "formaction" || key == "xlink:href" || strings.HasPrefix(key, "hx-"):
				if strings.HasPrefix(val, "javascript:") || strings.HasPrefix(val, "data:text") || strings.HasPrefix(val, "vbscript:") {
					t.Errorf("%s: script URL in %s on <%s>", what, a.Key, tag)
				}
				if strings.HasPrefix(key, "hx-on") || key == "hx-vals" && strings.HasPrefix(val, "js:") {
					t.Errorf("%s: htmx script attribute %s", what, a.Key)
				}
			}
		}
	})
	return doc
}

func outer(s *goquery.Selection) string {
	var b bytes.Buffer
	_ = html.Render(&b, s.Get(0))
	if b.Len() > 200 {
		return b.String()[:200] + "…"
	}
	return b.String()
}

// TestHostileFHIRTextIsInert opens every view of a patient whose names, encounter texts,
// observation names, units, values, reference ranges and notes are HTML, SVG and script payloads,
// in every request shape (page, htmx fragment, boosted, history restore), including the SVG trend
// chart and the print view. Every payload must be shown as text and nothing must be executable.
func TestHostileFHIRTextIsInert(t *testing.T) {
	env := newHostileEnv(t, hostileOptions{})
	a := env.signedIn(hostileClinician)
	chart := a.openHostileChart()
	analyte := chart + "/analyte?" + url.Values{"code": {"http://loinc.org|" + hostileLOINC}}.Encode()

	paths := []string{
		chart, chart + "/print", chart + "/vitals-strip", chart + "/encounters", a.encounterLink(chart),
		chart + "/vitals", chart + "/labs", chart + "/labs?view=matrix", chart + "/labs?range=all", analyte, chart + "/social",
		// Show older (every result older than now; the cursor is sealed, as Chartside's own are) and
		// an item's social-history values.
		chart + "/labs?" + url.Values{"before": {a.sealed(time.Now().UTC().Format(time.RFC3339Nano))}, "more": {"1"}}.Encode(),
		chart + "/social?" + url.Values{"item": {"http://loinc.org|72166-2"}, "more": {"1"}}.Encode(),
	}
	shapes := []struct {
		name string
		hdr  map[string]string
	}{
		{"page", nil},
		{"fragment", map[string]string{"HX-Request": "true"}},
		{"boosted", map[string]string{"HX-Request": "true", "HX-Boosted": "true"}},
		{"history restore", map[string]string{"HX-Request": "true", "HX-History-Restore-Request": "true"}},
	}
	shown := map[string]bool{} // payload names seen as text somewhere
	var sawChart bool
	for _, p := range paths {
		for _, sh := range shapes {
			r := a.send(http.MethodGet, p, nil, sh.hdr)
			what := sh.name + " " + strings.TrimPrefix(p, chart)
			if r.StatusCode != http.StatusOK {
				t.Errorf("%s: status %d\n%.2000s", what, r.StatusCode, r.body)
				continue
			}
			doc := assertInert(t, what, r.body)
			text := doc.Text()
			for name, payload := range hostileTexts {
				if strings.Contains(text, payload) {
					shown[name] = true
				}
			}
			if doc.Find("svg").Length() > 0 && strings.Contains(p, "/analyte") {
				sawChart = true
				// SVG <title> and <text> are where a careless chart would put names and units raw.
				doc.Find("svg title, svg text, svg desc").Each(func(_ int, s *goquery.Selection) {
					if s.Children().Length() > 0 {
						t.Errorf("%s: SVG text node has child elements: %s", what, outer(s))
					}
				})
			}
		}
	}
	if !sawChart {
		t.Errorf("the analyte view drew no SVG chart: the SVG path was not exercised")
	}
	// The payloads must have been rendered (as text): a view that silently dropped them would pass
	// the checks above without proving anything.
	for _, name := range []string{"family", "given", "encType", "reason", "labName", "labUnit", "social", "location", "provider"} {
		if !shown[name] {
			t.Errorf("payload %s (%q) never appeared as text in any view", name, hostileTexts[name])
		}
	}
	var missing []string
	for name := range hostileTexts {
		if !shown[name] {
			missing = append(missing, name)
		}
	}
	t.Logf("payload fields Chartside does not display anywhere: %v", missing)
}

// TestHostileAuditTrailIsInertAndCSVSafe drives the trail end to end: a clinician opens the
// hostile patient (MRN "-2-3", FHIR id "-1-1": formulas to a spreadsheet) and asks for an analyte
// whose code is markup; an admin then views the audit page and exports it. The page must show the
// values as text, the CSV must neutralise every formula-like cell, and JSON Lines must keep the
// stored values unchanged.
func TestHostileAuditTrailIsInertAndCSVSafe(t *testing.T) {
	env := newHostileEnv(t, hostileOptions{})
	clin := env.signedIn(hostileClinician)
	chart := clin.openHostileChart()
	code := `<svg onload=alert('audit')>|=HYPERLINK("http://evil.example")`
	clin.send(http.MethodGet, chart+"/analyte?"+url.Values{"code": {code}}.Encode(), nil, nil)
	clin.send(http.MethodGet, clin.encounterLink(chart), nil, nil)

	admin := env.signedIn(hostileAdmin)
	for _, hdr := range []map[string]string{nil, {"HX-Request": "true"}} {
		r := admin.send(http.MethodGet, views.AuditURL, nil, hdr)
		if r.StatusCode != http.StatusOK {
			t.Fatalf("audit page: %d", r.StatusCode)
		}
		doc := assertInert(t, "audit page", r.body)
		if strings.Contains(r.body, "<svg onload") || !strings.Contains(doc.Text(), "<svg onload=alert('audit')>") {
			t.Errorf("audit page: the analyte code is not shown as text")
		}
	}

	r := admin.send(http.MethodGet, views.AuditExportURL+"?format=csv", nil, nil)
	if r.StatusCode != http.StatusOK {
		t.Fatalf("csv export: %d", r.StatusCode)
	}
	rows, err := csv.NewReader(strings.NewReader(r.body)).ReadAll()
	if err != nil {
		t.Fatalf("csv export is not CSV: %v", err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	var sawPatient, sawMRN bool
	for _, row := range rows[1:] {
		for i, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("csv cell %s = %q would be evaluated by a spreadsheet", rows[0][i], cell)
			}
		}
		if row[col["patient_id"]] == "'"+hostilePatientID {
			sawPatient = true
		}
		if row[col["mrn"]] == "'"+hostileMRN {
			sawMRN = true
		}
	}
	if !sawPatient || !sawMRN {
		t.Errorf("csv export: hostile patient id/MRN rows not found neutralised (patient %v, mrn %v)\n%s", sawPatient, sawMRN, r.body)
	}

	r = admin.send(http.MethodGet, views.AuditExportURL+"?format=jsonl", nil, nil)
	if r.StatusCode != http.StatusOK {
		t.Fatalf("jsonl export: %d", r.StatusCode)
	}
	var rawKept bool
	for _, line := range strings.Split(strings.TrimSpace(r.body), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("jsonl line %q: %v", line, err)
		}
		if rec["patient_id"] == hostilePatientID && rec["mrn"] == hostileMRN {
			rawKept = true
		}
	}
	if !rawKept {
		t.Errorf("jsonl export does not keep the stored values unchanged")
	}
	if ct := r.Header.Get("Content-Type"); strings.Contains(ct, "html") {
		t.Errorf("jsonl export served as %q", ct)
	}
}
