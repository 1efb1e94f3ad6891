package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/chartside/chartside/epic/sandbox"
)

// FuzzLookupHandler posts arbitrary MRNs through the whole stack (sessions, CSRF, validation, the
// Epic client, the recording sandbox, audit, rendering), as a plain form and as htmx. Whatever is
// typed: no server error, a refused MRN never reaches Epic, an accepted one reaches it only as the
// value of the one identifier parameter, and the MRN never comes back as markup.
func FuzzLookupHandler(f *testing.F) {
	for _, s := range []string{"203713", "400004", "-2-3", "999999", "203713|x", "203713,203711", "a&b=c",
		"%00", "../metadata", "２０３７１３", "<script>alert(1)</script>", "\"><svg onload=alert(1)>", " 203713 "} {
		f.Add(s, false)
		f.Add(s, true)
	}
	env := newHostileEnv(f, hostileOptions{})
	a := env.signedIn(hostileClinician)
	// The element structure of each kind of answer, from harmless MRNs: a typed MRN that changes
	// it (an element, an attribute) was rendered as markup.
	shapes := map[string]string{}
	for _, base := range []struct {
		mrn  string
		htmx bool
	}{{"a|b", false}, {"a|b", true}, {"999999", false}, {"999999", true}} {
		hdr := map[string]string{}
		if base.htmx {
			hdr["HX-Request"] = "true"
		}
		r := a.form("/lookup", url.Values{"mrn": {base.mrn}}, hdr)
		shapes[answerKind(r, base.htmx)] = structure(parse(f, r.body))
	}
	f.Fuzz(func(t *testing.T, mrn string, htmx bool) {
		env.rec.take()
		var hdr map[string]string
		if htmx {
			hdr = map[string]string{"HX-Request": "true"}
		}
		r := a.on(t).form("/lookup", url.Values{"mrn": {mrn}}, hdr)
		switch r.StatusCode {
		case http.StatusOK, http.StatusSeeOther, http.StatusUnprocessableEntity, http.StatusRequestEntityTooLarge:
		default:
			t.Fatalf("lookup %q: status %d\n%.1000s", mrn, r.StatusCode, r.body)
		}
		if want, ok := shapes[answerKind(r, htmx)]; ok {
			if got := structure(parse(t, r.body)); got != want {
				t.Fatalf("lookup %q: the page's element structure changed: the MRN was rendered as markup\n%s", mrn, r.body)
			}
		}
		trimmed := strings.TrimSpace(mrn)
		for _, req := range env.rec.take() {
			if strings.HasSuffix(req.Path, sandbox.TokenPath) {
				continue
			}
			if r.StatusCode == http.StatusUnprocessableEntity || r.StatusCode == http.StatusRequestEntityTooLarge {
				t.Fatalf("lookup %q was refused (%d) but the sandbox got %s %s?%s", mrn, r.StatusCode, req.Method, req.RawPath, req.RawQuery)
			}
			if !strings.HasSuffix(req.Path, "/Patient") || len(req.Query) != 1 || len(req.Query["identifier"]) != 1 ||
				req.Query.Get("identifier") != sandbox.MRNSystem+"|"+trimmed {
				t.Fatalf("lookup %q: the sandbox got %s %s?%s", mrn, req.Method, req.RawPath, req.RawQuery)
			}
		}
	})
}

// answerKind names the kind of lookup answer (for comparing structures), "" for kinds not compared.
func answerKind(r reply, htmx bool) string {
	kind := ""
	switch {
	case r.StatusCode == http.StatusUnprocessableEntity:
		kind = "invalid"
	case r.StatusCode == http.StatusOK && strings.Contains(r.body, `data-testid="lookup-not-found"`):
		kind = "not found"
	default:
		return ""
	}
	if htmx {
		kind += " htmx"
	}
	return kind
}

// structure lists a document's elements and attribute names (not values), in order.
func structure(doc *goquery.Document) string {
	var b strings.Builder
	doc.Find("*").Each(func(_ int, s *goquery.Selection) {
		b.WriteString(goquery.NodeName(s))
		for _, a := range s.Get(0).Attr {
			b.WriteString(" " + a.Key)
		}
		b.WriteString("\n")
	})
	return b.String()
}
