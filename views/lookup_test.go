package views

import (
	"testing"

	"github.com/PuerkitoBio/goquery"
)

func TestLookup(t *testing.T) {
	base := LookupPage{Page: Page{Title: "Find a patient", CSRFToken: "tok", User: &User{Username: "nurse1"}}}
	tests := []struct {
		name  string
		in    func(LookupPage) LookupPage
		check func(t *testing.T, d *goquery.Document)
	}{
		{"empty form", func(l LookupPage) LookupPage { return l }, func(t *testing.T, d *goquery.Document) {
			in := d.Find(tid("mrn-input"))
			if _, ok := in.Attr("autofocus"); !ok {
				t.Error("MRN field not autofocused")
			}
			if text(d.Find(`label[for="mrn"]`)) != "MRN" {
				t.Error(`field not labelled "MRN"`)
			}
			if m, _ := d.Find(tid("lookup-form")).Attr("method"); m != "post" {
				t.Errorf("form method = %q, want post (the MRN must not reach a URL)", m)
			}
			if v, _ := d.Find(`input[name="csrf_token"]`).First().Attr("value"); v != "tok" {
				t.Error("CSRF token missing")
			}
			if d.Find(tid("mrn-error")).Length()+d.Find(tid("lookup-not-found")).Length()+d.Find(tid("lookup-matches")).Length() != 0 {
				t.Error("outcome shown before any search")
			}
		}},
		{"field error", func(l LookupPage) LookupPage {
			l.MRN, l.FieldError = `"><script>x</script>`, "Use 1–20 letters, digits or hyphens."
			return l
		}, func(t *testing.T, d *goquery.Document) {
			in := d.Find(tid("mrn-input"))
			if v, _ := in.Attr("value"); v != `"><script>x</script>` {
				t.Errorf("echoed MRN = %q", v)
			}
			if inv, _ := in.Attr("aria-invalid"); inv != "true" {
				t.Error("field not marked invalid")
			}
			if by, _ := in.Attr("aria-describedby"); by != "mrn-error" || text(d.Find("#mrn-error")) != "Use 1–20 letters, digits or hyphens." {
				t.Error("error not tied to the field")
			}
			if d.Find("script:not([src])").Length() != 0 {
				t.Error("echoed MRN became a script")
			}
		}},
		{"not found", func(l LookupPage) LookupPage {
			l.NotFound = "No patient found with MRN <b>42</b>"
			return l
		}, func(t *testing.T, d *goquery.Document) {
			if text(d.Find(tid("lookup-not-found"))) != "No patient found with MRN <b>42</b>" || d.Find("main b").Length() != 0 {
				t.Error("not-found message not shown as text")
			}
		}},
		{"multiple matches", func(l LookupPage) LookupPage {
			l.Matches = []MatchRow{
				{Choice: "id1", Name: evilName, BirthDate: "Mar 1970", Sex: "Male", Identifiers: []IDRow{{Label: "MRN", Value: "42"}}},
				{Choice: "id2", Name: "Ann Lee", BirthDate: NotRecorded, Sex: "Female"},
			}
			return l
		}, func(t *testing.T, d *goquery.Document) {
			rows := d.Find(tid("lookup-match"))
			if rows.Length() != 2 {
				t.Fatalf("rows = %d", rows.Length())
			}
			if text(rows.Eq(0).Find(tid("match-name"))) != evilName || d.Find("img").Length() != 0 {
				t.Error("HTML-like name not rendered as text")
			}
			form := rows.Eq(1).Find("form")
			if a, _ := form.Attr("action"); a != LookupChooseURL {
				t.Errorf("choose action = %q", a)
			}
			if v, _ := form.Find(`input[name="patient"]`).Attr("value"); v != "id2" {
				t.Errorf("choice = %q", v)
			}
			if text(d.Find(tid("lookup-matches")+" caption")) != "2 patients have this MRN. Check the details and choose one." {
				t.Errorf("caption = %q", text(d.Find("caption")))
			}
		}},
		{"upstream error keeps the form", func(l LookupPage) LookupPage {
			l.MRN = "203713"
			l.UpstreamError = &Alert{Level: AlertError, Title: "Epic is not answering.", Detail: "Try again in a minute."}
			return l
		}, func(t *testing.T, d *goquery.Document) {
			if d.Find(tid("lookup-upstream-error")+" "+tid("alert-error")).Length() != 1 {
				t.Error("upstream error not shown")
			}
			if v, _ := d.Find(tid("mrn-input")).Attr("value"); v != "203713" || d.Find(tid("lookup-submit")).Length() != 1 {
				t.Error("form not usable after an upstream error")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := doc(t, Lookup(tt.in(base)))
			checkStrictCSP(t, d)
			tt.check(t, d)
		})
	}
}
