package handlers_test

import (
	"context"
	"encoding/csv"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/chartside/chartside/audit"
)

// Two patients of the sandbox, as the audit trail names them.
const (
	auditCamila, auditCamilaMRN   = "erXuFYUfucBZaryVksYEcMg3", "203713"
	auditDerrick, auditDerrickMRN = "eq081-VQEgP8drUUqCWzHfw3", "203711"
)

// noPatientInURLs fails when any of secrets is in a URL the reply gives the browser: a header
// (Location, HX-Redirect, Content-Disposition…) or any attribute of the page (href, action,
// hx-get…) except the value a form field shows.
func noPatientInURLs(t *testing.T, what string, r auditReply, secrets ...string) {
	t.Helper()
	for name, vals := range r.header {
		for _, v := range vals {
			for _, s := range secrets {
				if strings.Contains(v, s) {
					t.Errorf("%s: header %s: %q holds %q", what, name, v, s)
				}
			}
		}
	}
	if !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
		return
	}
	r.doc(t).Find("*").Each(func(_ int, el *goquery.Selection) {
		for _, a := range el.Nodes[0].Attr {
			if a.Key == "value" && (goquery.NodeName(el) == "input" || goquery.NodeName(el) == "option") {
				continue
			}
			for _, s := range secrets {
				if strings.Contains(a.Val, s) {
					t.Errorf("%s: <%s %s=%q> holds %q", what, goquery.NodeName(el), a.Key, a.Val, s)
				}
			}
		}
	})
}

// column lists one data-testid column of the audit table.
func column(d *goquery.Document, testid string) []string {
	var out []string
	d.Find(`[data-testid="audit-row"] [data-testid="` + testid + `"]`).Each(func(_ int, s *goquery.Selection) {
		out = append(out, s.Text())
	})
	return out
}

// TestAuditPatientFilters filters the trail by MRN and by FHIR id as an auditor answering a
// complaint would: only that patient's records are listed, on every page and in the export, and
// neither identifier is ever in an address the browser is given (the redirect, pager, export and
// form links) or in a log line; the audit trail itself records which patient was filtered on.
func TestAuditPatientFilters(t *testing.T) {
	tests := []struct {
		name   string
		filter url.Values
		hx     bool   // the form posted by htmx (HX-Redirect instead of 303)
		column string // the table column that must hold only want
		want   string
	}{
		{"MRN", url.Values{"mrn": {" " + auditCamilaMRN + " "}}, false, "audit-mrn", auditCamilaMRN},
		{"MRN, posted by htmx", url.Values{"mrn": {auditCamilaMRN}}, true, "audit-mrn", auditCamilaMRN},
		{"FHIR id", url.Values{"patient": {auditCamila}}, false, "audit-patient", auditCamila},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newAuditEnv(t, false)
			env.seed(10)
			env.seedPatient(55, auditCamila, auditCamilaMRN)
			env.seedPatient(5, auditDerrick, auditDerrickMRN)
			admin := env.as("root", "admin")
			secrets := []string{auditCamila, auditCamilaMRN}
			check := func(what string, r auditReply) {
				t.Helper()
				noPatientInURLs(t, what, r, secrets...)
			}

			start := env.get(admin, "/admin/audit", false)
			check("unfiltered page", start)
			posted := env.post(admin, "/admin/audit", withCSRF(t, start, tt.filter), tt.hx)
			check("filter form answer", posted)
			loc := posted.header.Get("Location")
			if tt.hx {
				loc = posted.header.Get("HX-Redirect")
				if posted.status != http.StatusOK || posted.body != "" {
					t.Errorf("htmx post: status %d with a body %q, want 200 and HX-Redirect only", posted.status, posted.body)
				}
			} else if posted.status != http.StatusSeeOther {
				t.Errorf("post: status %d, want 303", posted.status)
			}
			if !filterURLPattern.MatchString(loc) {
				t.Fatalf("the filter form sends the browser to %q, want /admin/audit?f=<handle>", loc)
			}

			// First page: this view's own record, then the newest 49 of the patient's 55 views.
			first := env.get(admin, loc, false)
			check("filtered page", first)
			d := first.doc(t)
			got := column(d, tt.column)
			if first.status != http.StatusOK || len(got) != 50 {
				t.Fatalf("filtered page: status %d, %d rows, want 200 and 50", first.status, len(got))
			}
			for i, v := range got {
				if v != tt.want {
					t.Fatalf("row %d shows %q, want only %q's records", i, v, tt.want)
				}
			}
			if strings.Contains(first.body, auditDerrickMRN) || strings.Contains(first.body, auditDerrick) {
				t.Error("the filtered page lists another patient")
			}
			if v, _ := d.Find(`[data-testid="audit-filter-` + map[string]string{"audit-mrn": "mrn", "audit-patient": "patient"}[tt.column] + `"]`).Attr("value"); v != tt.want {
				t.Errorf("the form shows the filter as %q, want %q", v, tt.want)
			}

			// The pager keeps the filter: the older page (htmx and plain) has the last 6 of them.
			older, _ := d.Find(`[data-testid="audit-older"]`).Attr("href")
			if hxGet, _ := d.Find(`[data-testid="audit-older"]`).Attr("hx-get"); !strings.HasPrefix(older, loc+"&before=") || hxGet != older {
				t.Fatalf("older link %q (hx-get %q), want %s&before=…", older, hxGet, loc)
			}
			for _, hx := range []bool{true, false} {
				r := env.get(admin, older, hx)
				check("older page", r)
				od := r.doc(t)
				got := column(od, tt.column)
				if r.status != http.StatusOK || len(got) != 6 || strings.Contains(r.body, auditDerrickMRN) {
					t.Errorf("older page (htmx %v): status %d, rows %q; want the patient's 6 oldest", hx, r.status, got)
				}
				if newest, _ := od.Find(`[data-testid="audit-newest"]`).Attr("href"); newest != loc {
					t.Errorf("older page (htmx %v): Newest link %q, want %q", hx, newest, loc)
				}
			}

			// The export applies the same filter through the same handle.
			link, _ := d.Find(`[data-testid="audit-export"]`).Attr("href")
			if link != "/admin/audit/export?"+strings.TrimPrefix(loc, "/admin/audit?") {
				t.Fatalf("export link %q does not carry the filter's handle (page %s)", link, loc)
			}
			exp := env.get(admin, link, false)
			check("export", exp)
			recs, err := csv.NewReader(strings.NewReader(exp.body)).ReadAll()
			if exp.status != http.StatusOK || err != nil || len(recs) < 2 {
				t.Fatalf("export: status %d, %v, %d lines", exp.status, err, len(recs))
			}
			col := map[string]int{}
			for i, h := range recs[0] {
				col[h] = i
			}
			key := map[string]string{"audit-mrn": "mrn", "audit-patient": "patient_id"}[tt.column]
			views := 0
			for _, rec := range recs[1:] {
				if rec[col[key]] != tt.want {
					t.Fatalf("export row %q: %s is %q, want only %q's records", rec, key, rec[col[key]], tt.want)
				}
				if rec[col["action"]] == audit.ActionChartView {
					views++
				}
			}
			if views != 55 {
				t.Errorf("export has %d of the patient's 55 chart views", views)
			}

			// The trail says whose records the auditor looked at; the logs never do.
			f := audit.Filter{Username: "root", Action: audit.ActionAuditView}
			if tt.column == "audit-mrn" {
				f.MRN = auditCamilaMRN
			} else {
				f.PatientID = auditCamila
			}
			viewsOfPatient, err := env.trail.Query(context.Background(), f)
			if err != nil || len(viewsOfPatient) != 3 || !strings.Contains(viewsOfPatient[0].Detail, "="+tt.want) {
				t.Errorf("audit_view records of the filtered views: %+v, %v; want 3 naming %s", viewsOfPatient, err, tt.want)
			}
			f.Action = audit.ActionAuditExport
			if exports, err := env.trail.Query(context.Background(), f); err != nil || len(exports) != 1 {
				t.Errorf("audit_export records of the patient: %+v, %v; want 1", exports, err)
			}
			logs := env.logs.String()
			if !strings.Contains(logs, `"route":"/admin/audit"`) {
				t.Fatalf("the logs were not captured:\n%s", logs)
			}
			for _, s := range secrets {
				if strings.Contains(logs, s) {
					t.Errorf("the logs hold %q:\n%s", s, logs)
				}
			}
		})
	}
}

// TestAuditFilterMalformedMRN: an MRN that cannot be one is refused next to the field (422, the
// lookup form's message), nothing is listed, and the filter set before still stands.
func TestAuditFilterMalformedMRN(t *testing.T) {
	env := newAuditEnv(t, false)
	env.seed(10)
	admin := env.as("root", "admin")
	before := env.applyFilter(admin, url.Values{"username": {"alice"}})
	page := env.get(admin, before, false)
	n, _ := env.trail.Query(context.Background(), audit.Filter{})

	for _, hx := range []bool{false, true} {
		r := env.post(admin, "/admin/audit", withCSRF(t, page, url.Values{"mrn": {"2037 13;--"}, "username": {"alice"}}), hx)
		d := r.doc(t)
		if r.status != http.StatusUnprocessableEntity || r.header.Get("Location") != "" || r.header.Get("HX-Redirect") != "" {
			t.Fatalf("malformed MRN (htmx %v): status %d, Location %q; want 422 and no redirect", hx, r.status, r.header.Get("Location"))
		}
		want := "That is not a valid MRN."
		msg := d.Find(`[data-testid="audit-error-mrn"]`).Text()
		if hx {
			msg = d.Find(`[data-testid="audit-filter-errors"]`).Text()
			if strings.Contains(r.body, "<html") {
				t.Error("htmx post: want the results fragment, got the whole page")
			}
		} else if inv, _ := d.Find(`[data-testid="audit-filter-mrn"]`).Attr("aria-invalid"); inv != "true" {
			t.Error("the MRN field is not marked invalid")
		}
		if !strings.Contains(msg, want) {
			t.Errorf("malformed MRN (htmx %v): message %q, want %q", hx, msg, want)
		}
		if len(rows(d)) != 0 || d.Find(`[data-testid="audit-export"]`).Length() != 0 {
			t.Errorf("malformed MRN (htmx %v): records or an export link shown", hx)
		}
	}
	if m, _ := env.trail.Query(context.Background(), audit.Filter{}); len(m) != len(n) {
		t.Errorf("the refused filter was audited as a view: %d records, want %d", len(m), len(n))
	}
	r := env.get(admin, before, true)
	if got := rows(r.doc(t)); r.status != http.StatusOK || len(got) != 5 || !strings.Contains(got[0], ":alice:") {
		t.Errorf("the filter set before: status %d, rows %q; want alice's 5", r.status, got)
	}
}

// TestAuditFilterNotHeld: a filter address from another session, an unknown or malformed handle,
// and an old address carrying filter fields all say the filter has expired and list nothing (not
// every record, not a 500); the export refuses them the same way.
func TestAuditFilterNotHeld(t *testing.T) {
	env := newAuditEnv(t, false)
	env.seedPatient(5, auditCamila, auditCamilaMRN)
	alice := env.as("root", "admin")
	other := env.as("root", "admin") // the same admin in another browser
	loc := env.applyFilter(alice, url.Values{"mrn": {auditCamilaMRN}})
	exportLink := "/admin/audit/export?" + strings.TrimPrefix(loc, "/admin/audit?")
	const msg = "This filter has expired — set the filters again"

	tests := []struct {
		name   string
		c      *http.Client
		target string
	}{
		{"another session's filter", other, loc},
		{"unknown handle", alice, "/admin/audit?f=AAAAAAAAAAAAAAAAAAAAAA"},
		{"malformed handle", alice, "/admin/audit?f=%3Cb%3E"},
		{"empty handle", alice, "/admin/audit?f="},
		{"an old address with the MRN in it", alice, "/admin/audit?mrn=" + auditCamilaMRN},
		{"an old address with the FHIR id in it", alice, "/admin/audit?patient=" + auditCamila + "&before=9"},
	}
	for _, tt := range tests {
		for _, hx := range []bool{false, true} {
			r := env.get(tt.c, tt.target, hx)
			d := r.doc(t)
			if r.status != http.StatusNotFound || !strings.Contains(d.Find(`[data-testid="audit-filter-expired"]`).Text(), msg) {
				t.Errorf("%s (htmx %v): status %d, want 404 saying %q:\n%.800s", tt.name, hx, r.status, msg, r.body)
			}
			if len(rows(d)) != 0 || strings.Contains(r.body, "carol") || strings.Contains(r.body, auditCamilaMRN) ||
				d.Find(`[data-testid="audit-export"]`).Length() != 0 {
				t.Errorf("%s (htmx %v): records, the filter or an export link shown", tt.name, hx)
			}
			if hx == strings.Contains(r.body, "<html") {
				t.Errorf("%s (htmx %v): wrong shape (whole page %v)", tt.name, hx, !hx)
			}
		}
	}
	for _, target := range []string{exportLink, "/admin/audit/export?f=AAAAAAAAAAAAAAAAAAAAAA", "/admin/audit/export?action=lookup"} {
		r := env.get(other, target, false)
		if r.status != http.StatusNotFound || !strings.Contains(r.body, msg) || strings.Contains(r.body, "carol") ||
			!strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
			t.Errorf("export %s from another session: status %d %q, want a 404 page saying %q", target, r.status, r.header.Get("Content-Type"), msg)
		}
	}
	if exports, _ := env.trail.Query(context.Background(), audit.Filter{Action: audit.ActionAuditExport}); len(exports) != 0 {
		t.Errorf("refused exports were recorded as done: %+v", exports)
	}
	// The owner's address still works.
	if r := env.get(alice, loc, false); r.status != http.StatusOK || len(rows(r.doc(t))) != 6 {
		t.Errorf("the owner's filter: status %d, %d rows; want 200 with the view and 5 records", r.status, len(rows(r.doc(t))))
	}
}

// TestAuditFiltersBounded: a session keeps its 10 newest filters; setting the same filter again
// gives the same address, and the oldest filter's address then says it has expired.
func TestAuditFiltersBounded(t *testing.T) {
	env := newAuditEnv(t, false)
	env.seed(3)
	admin := env.as("root", "admin")
	var locs []string
	for _, u := range []string{"u0", "u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8", "u9"} {
		locs = append(locs, env.applyFilter(admin, url.Values{"username": {u}}))
	}
	if again := env.applyFilter(admin, url.Values{"username": {"U0 "}}); again != locs[0] {
		t.Errorf("the same filter again: %s, want its address %s", again, locs[0])
	}
	env.applyFilter(admin, url.Values{"username": {"u10"}}) // forgets u1, now the oldest
	if r := env.get(admin, locs[1], false); r.status != http.StatusNotFound {
		t.Errorf("the oldest of 11 filters: status %d, want 404 (expired)", r.status)
	}
	for _, i := range []int{0, 2, 9} {
		if r := env.get(admin, locs[i], false); r.status != http.StatusOK {
			t.Errorf("filter %d: status %d, want 200", i, r.status)
		}
	}
	// An empty form clears the filter.
	r := env.post(admin, "/admin/audit", withCSRF(t, env.get(admin, locs[0], false), url.Values{"mrn": {" "}}), false)
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/admin/audit" {
		t.Errorf("empty filter: %d to %q, want 303 to /admin/audit", r.status, r.header.Get("Location"))
	}
}

// TestAuditFilterPostNeedsCSRF: the filter form is refused without the page's token, or from
// another site, and nothing is kept or shown.
func TestAuditFilterPostNeedsCSRF(t *testing.T) {
	env := newAuditEnv(t, false)
	env.seed(3)
	admin := env.as("root", "admin")
	page := env.get(admin, "/admin/audit", false)
	good := withCSRF(t, page, url.Values{"mrn": {auditCamilaMRN}})
	tok := good.Get("csrf_token")
	forged := "A" + tok[1:]
	if forged == tok {
		forged = "B" + tok[1:]
	}
	tests := []struct {
		name string
		form url.Values
		hdr  map[string]string
		want string // what the refusal says
	}{
		{"no token", url.Values{"mrn": {auditCamilaMRN}}, nil, "This form has expired"},
		{"a forged token", url.Values{"mrn": {auditCamilaMRN}, "csrf_token": {forged}}, nil, "This form has expired"},
		{"from another site", good, map[string]string{"Sec-Fetch-Site": "cross-site"}, "Request refused"},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest(http.MethodPost, env.app.URL+"/admin/audit", strings.NewReader(tt.form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range tt.hdr {
			req.Header.Set(k, v)
		}
		resp, err := admin.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden || resp.Header.Get("Location") != "" || !strings.Contains(string(b), tt.want) {
			t.Errorf("%s: status %d, Location %q; want 403 saying %q", tt.name, resp.StatusCode, resp.Header.Get("Location"), tt.want)
		}
	}
	// With the token, from the page, the same form is accepted.
	if r := env.post(admin, "/admin/audit", good, false); r.status != http.StatusSeeOther {
		t.Errorf("with the page's token: status %d, want 303", r.status)
	}
}
