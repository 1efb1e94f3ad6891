package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// TestShowAllAnswerTakesFocus: an empty range's "Show all …" link (labs table and matrix on
// Camila Lopez's chart, whose labs are years old; vitals on Tomas Lindqvist's, last seen 18 months
// ago; Platelets' history in the chart's analyte panel) is replaced by the answer to its htmx
// request, with the keyboard focus it had. That answer, and only it, puts the focus on the
// reloaded section's heading (autofocus, tabindex=-1), as Retry's does. The section's first load,
// the answer's own Refresh and time ranges (htmx keeps the focus on them by their ids), the link
// without JavaScript and every full-page shape of its URL, and the print view take no focus.
func TestShowAllAnswerTakesFocus(t *testing.T) {
	env := newChartEnv(t, chartEnvOptions{})
	b := env.signIn()
	camila := b.openChart("203713")
	tomas := b.openChart("400010")

	autofocused := func(d *goquery.Document) []string {
		var ids []string
		d.Find("[autofocus]").Each(func(_ int, s *goquery.Selection) { ids = append(ids, s.AttrOr("id", s.AttrOr("data-testid", "?"))) })
		return ids
	}
	platelets := camila + "/analyte?" + url.Values{"code": {"http://loinc.org|777-3"}, "range": {"1w"}, "panel": {"1"}}.Encode()
	cases := []struct {
		name, first, section, rows string
		panel                      bool // the answer is the chart's analyte panel: Close kept
	}{
		{"labs table", camila + "/labs", "section-labs", `[data-testid="obs-row"]`, false},
		{"labs matrix", camila + "/labs?view=matrix", "section-labs", `[data-testid="matrix-row"]`, false},
		{"vitals", tomas + "/vitals", "section-vitals", `[data-testid="obs-row"]`, false},
		{"analyte panel", platelets, "section-analyte", `[data-testid="obs-row"]`, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			first := b.get(tc.first, hxReq).doc(t)
			if got := autofocused(first); len(got) != 0 {
				t.Errorf("first load: autofocus on %q, want none", got)
			}
			link := first.Find(`[data-testid$="-older-link"]`)
			if link.Length() != 1 || !strings.HasPrefix(rowText(link), "Show all ") {
				t.Fatalf("the empty range offers %d Show all links (%q)", link.Length(), rowText(link))
			}

			r := b.get(htmxGet(t, link), hxReq)
			if r.StatusCode != http.StatusOK {
				t.Fatalf("Show all: status %d", r.StatusCode)
			}
			all := r.doc(t)
			if all.Find(tc.rows).Length() == 0 {
				t.Fatalf("Show all lists nothing")
			}
			heading := "#" + tc.section + "-title[autofocus][tabindex='-1']"
			if got := autofocused(all); len(got) != 1 || all.Find(heading).Length() != 1 {
				t.Errorf("Show all: autofocus on %q, want the section's heading (#%s-title) only", got, tc.section)
			}
			if tc.panel && all.Find(`[data-testid="close-panel"]`).Length() != 1 {
				t.Errorf("Show all in the panel: the answer has no Close")
			}

			// The answer's own controls keep the focus where htmx puts it: on the control.
			all.Find(`#` + tc.section + `-refresh, nav.presets a`).Each(func(_ int, c *goquery.Selection) {
				if got := autofocused(b.get(htmxGet(t, c), hxReq).doc(t)); len(got) != 0 {
					t.Errorf("%q after Show all: autofocus on %q, want none", rowText(c), got)
				}
			})

			// Without JavaScript, or as any full page, the same URLs take no focus.
			for _, shape := range htmxShapes {
				if shape.fragment {
					continue
				}
				for _, u := range []string{link.AttrOr("href", ""), htmxGet(t, link)} {
					page := b.get(u, shape.headers)
					if page.StatusCode != http.StatusOK || !strings.Contains(page.body, "<html") {
						t.Fatalf("%s %s: status %d, want a full page", u, shape.name, page.StatusCode)
					}
					if got := autofocused(page.doc(t)); len(got) != 0 {
						t.Errorf("%s %s: autofocus on %q, want none", u, shape.name, got)
					}
				}
			}
		})
	}

	printed := b.get(camila+"/print", nil)
	if printed.StatusCode != http.StatusOK || !strings.Contains(printed.body, "Show all lab results") {
		t.Fatalf("print view: status %d, or no labs hint to check", printed.StatusCode)
	}
	if got := autofocused(printed.doc(t)); len(got) != 0 {
		t.Errorf("print view: autofocus on %q, want none", got)
	}
}
