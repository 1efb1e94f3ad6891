package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/chartside/chartside/epic"
	"github.com/chartside/chartside/present"
)

// urlAttrs are the attributes whose values a browser requests, keeps in its history or sends on
// as a Referer.
var urlAttrs = []string{"href", "src", "action", "formaction", "hx-get", "hx-post", "hx-put", "hx-patch", "hx-delete"}

// isoDay is a date as a URL would spell it.
var isoDay = regexp.MustCompile(`\d{4}-\d{2}-\d{2}`)

// pageURLs returns every URL in a page, with the element it is on: urlAttrs, and data-*-url or
// data-*-href attributes, which scripts request.
func pageURLs(doc *goquery.Document) map[string]string {
	out := map[string]string{}
	doc.Find("*").Each(func(_ int, s *goquery.Selection) {
		for _, a := range s.Nodes[0].Attr {
			isURL := slices.Contains(urlAttrs, a.Key) ||
				strings.HasPrefix(a.Key, "data-") && (strings.HasSuffix(a.Key, "url") || strings.HasSuffix(a.Key, "href"))
			if isURL && a.Val != "" {
				out[a.Val] = goquery.NodeName(s) + " " + a.Key
			}
		}
	})
	return out
}

// TestEncounterLinksCarryNoPatientData: an encounter's drill-down URL used to be
// /encounters/<Epic Encounter id>?on=<visit date>; the id resolves to the patient for anyone with
// Epic access and the date is a date of service, and URLs end up in browser history, proxy logs
// and Referer headers. No URL of the chart, its timeline windows, the print page or an encounter's
// details may hold either; the opaque link must still open the encounter, with and without htmx,
// and only in the session it was drawn for.
func TestEncounterLinksCarryNoPatientData(t *testing.T) {
	env := newChartEnv(t, chartEnvOptions{})
	b := env.signIn()
	hx := map[string]string{"HX-Request": "true"}
	const mrn = "203713" // Camila Lopez: ten encounters, three still open, over several windows
	chart := b.openChart(mrn)

	// What Epic holds for the patient: every encounter id and every day of an encounter.
	ctx := context.Background()
	pats, err := env.client.SearchPatientsByMRN(ctx, mrn)
	if err != nil || len(pats.Items) != 1 {
		t.Fatalf("patient %s: %v, %d found", mrn, err, len(pats.Items))
	}
	encs, err := env.client.SearchEncounters(ctx, pats.Items[0].ID, epic.EncounterQuery{})
	if err != nil || len(encs.Items) == 0 {
		t.Fatalf("encounters: %v, %d found", err, len(encs.Items))
	}
	ids := map[string]bool{}
	byDOMID := map[string]string{}
	for _, e := range encs.Items {
		ids[e.ID] = true
		byDOMID[present.EncounterDOMID(e.ID)] = e.ID
	}

	// Every page and fragment holding encounter links: the chart, the timeline as a fragment and as
	// a page, every older window, the print page.
	pages := map[string]*goquery.Document{
		"chart":           b.get(chart, nil).doc(t),
		"timeline":        b.get(chart+"/encounters", hx).doc(t),
		"timeline page":   b.get(chart+"/encounters", nil).doc(t),
		"print":           b.get(chart+"/print", nil).doc(t),
		"filtered window": b.get(chart+"/encounters?"+url.Values{"class": {"HOV"}}.Encode(), hx).doc(t),
	}
	for w, doc := 1, pages["timeline"]; ; w++ {
		more, ok := doc.Find(`[data-testid="load-earlier"] a`).Attr("hx-get")
		if !ok || w > 20 {
			break
		}
		doc = b.get(more, hx).doc(t)
		pages[fmt.Sprint("window ", w)] = doc
	}
	var links []string // drill-down links, as hx-get
	for name, doc := range pages {
		doc.Find(`[data-testid="encounter-expand"]`).Each(func(_ int, s *goquery.Selection) {
			get, _ := s.Attr("hx-get")
			href, _ := s.Attr("href")
			if get == "" || get != href {
				t.Errorf("%s: Details control hx-get %q, href %q: want the same URL, for htmx and without it", name, get, href)
			}
			links = append(links, get)
		})
		for u, where := range pageURLs(doc) {
			for id := range ids {
				if strings.Contains(u, id) || strings.Contains(u, url.PathEscape(id)) {
					t.Errorf("%s: %s %q holds Encounter id %s", name, where, u, id)
				}
			}
			// The timeline's own windows are named by their end (before=), a date counted from
			// today, not from anything in the record; any other date in a URL is patient data.
			p, err := url.Parse(u)
			if err != nil {
				t.Errorf("%s: %s %q: %v", name, where, u, err)
				continue
			}
			q := p.Query()
			if strings.HasSuffix(p.Path, "/encounters") {
				q.Del("before")
			}
			if d := isoDay.FindString(p.Path + "?" + q.Encode()); d != "" {
				t.Errorf("%s: %s %q holds the date %s", name, where, u, d)
			}
		}
	}
	if len(links) < len(ids) {
		t.Fatalf("%d drill-down links for %d encounters", len(links), len(ids))
	}

	// The first row's link opens that encounter, as a fragment and as a page; the audit trail is
	// where its id belongs.
	row := pages["timeline"].Find(`[data-testid="encounter"]`).First()
	domID, _ := row.Attr("id")
	want, ok := byDOMID[strings.TrimSuffix(domID, "-ongoing")]
	if !ok {
		t.Fatalf("first row %q is none of the patient's encounters", domID)
	}
	link, _ := row.Find(`[data-testid="encounter-expand"]`).Attr("hx-get")
	for _, hdr := range []map[string]string{hx, nil} {
		r := b.get(link, hdr)
		if r.StatusCode != http.StatusOK {
			t.Fatalf("drill-down (HX-Request %v): status %d\n%.2000s", hdr != nil, r.StatusCode, r.body)
		}
		doc := r.doc(t)
		if doc.Find(`[data-testid="encounter-detail"] dl.details dt`).Length() == 0 {
			t.Errorf("drill-down (HX-Request %v): no details shown\n%.2000s", hdr != nil, r.body)
		}
		for u, where := range pageURLs(doc) {
			if strings.Contains(u, want) || isoDay.MatchString(u) {
				t.Errorf("drill-down page: %s %q holds patient data", where, u)
			}
		}
	}
	var audited bool
	for _, rec := range env.auditRecords() {
		if rec.Action == "encounter_view" && rec.Detail == "encounter "+want {
			audited = true
		}
	}
	if !audited {
		t.Errorf("no encounter_view audit record with detail %q", "encounter "+want)
	}

	// The link is worthless anywhere else: in another signed-in session (with its own handle for
	// the same patient, or the first session's), or altered by one character.
	other := env.signIn()
	otherChart := other.openChart(mrn)
	token := encounterRef(link)
	tampered := []byte(token)
	tampered[len(tampered)/2] ^= 'A' ^ 'B'
	if tampered[len(tampered)/2] == token[len(token)/2] {
		t.Fatal("tampering changed nothing")
	}
	for name, try := range map[string]struct {
		b    *browser
		path string
	}{
		"another session, its own chart":   {other, otherChart + "/encounters/" + token},
		"another session, the first chart": {other, link},
		"tampered":                         {b, chart + "/encounters/" + string(tampered)},
		"truncated":                        {b, chart + "/encounters/" + token[:len(token)-4]},
		"the Encounter id itself":          {b, chart + "/encounters/" + url.PathEscape(want)},
	} {
		for _, hdr := range []map[string]string{hx, nil} {
			r := try.b.get(try.path, hdr)
			if r.StatusCode != http.StatusNotFound || !strings.Contains(r.body, "Page not found") {
				t.Errorf("%s (HX-Request %v): status %d, want 404 Page not found\n%.500s", name, hdr != nil, r.StatusCode, r.body)
			}
		}
	}
	// The same session still opens it, after those.
	if r := b.get(link, hx); r.StatusCode != http.StatusOK {
		t.Errorf("drill-down again: status %d", r.StatusCode)
	}
}
