package handlers

import (
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/chartside/chartside/epic"
)

// FuzzMRNValidator: whatever the lookup form's validator accepts (with the default MRN_PATTERN)
// is also accepted by the Epic client, is short ASCII, and holds nothing that means something in
// a FHIR search or a URL.
func FuzzMRNValidator(f *testing.F) {
	for _, s := range []string{"203713", " 203713\n", "-2-3", "203713|x", "203713,1", "a&b=c", "%00",
		"../x", "２０３７１３", "2037\u200b13", strings.Repeat("9", 21), "<b>", ""} {
		f.Add(s)
	}
	v := newValidator(DefaultMRNPattern)
	f.Fuzz(func(t *testing.T, s string) {
		form := lookupForm{MRN: s}
		trimStrings(&form)
		if err := v.Struct(form); err != nil {
			return
		}
		mrn := form.MRN
		if len(mrn) == 0 || len(mrn) > 20 {
			t.Fatalf("accepted MRN of length %d", len(mrn))
		}
		for _, r := range mrn {
			if r >= utf8.RuneSelf || strings.ContainsRune("|,&=%/\\?#+;: \t\r\n\x00<>\"'", r) {
				t.Fatalf("accepted MRN %q with %q", mrn, r)
			}
		}
		if got, err := epic.ValidateMRN(mrn); err != nil || got != mrn {
			t.Fatalf("validator accepted %q but the Epic client refuses it: %v", mrn, err)
		}
		q := url.Values{"identifier": {"urn:oid:1.2.3|" + mrn}}.Encode()
		back, err := url.ParseQuery(q)
		if err != nil || len(back) != 1 || back.Get("identifier") != "urn:oid:1.2.3|"+mrn {
			t.Fatalf("MRN %q does not survive the query string: %q", mrn, q)
		}
	})
}

// FuzzSafeNext: the sign-in page's next parameter either becomes "" or stays exactly as given,
// and what it keeps always resolves to a path on this site.
func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{"/", "/chart/abc?x=1#y", "//evil.example", "/\\evil.example", "https://evil.example",
		"/%2F%2Fevil.example", "/\t/evil.example", "javascript:alert(1)", "/signin?next=//x", "\x00/", "/./..//x",
		"/@evil.example", "/a\r\nLocation: //evil"} {
		f.Add(s)
	}
	base, _ := url.Parse("https://chartside.example/signin")
	f.Fuzz(func(t *testing.T, s string) {
		out := safeNext(s)
		if out == "" {
			return
		}
		if out != s {
			t.Fatalf("safeNext(%q) = %q: it must keep or drop, never rewrite", s, out)
		}
		if !strings.HasPrefix(out, "/") || strings.HasPrefix(out, "//") || strings.HasPrefix(out, "/\\") {
			t.Fatalf("safeNext kept %q", out)
		}
		for _, r := range out {
			if r < 0x20 || r == 0x7f || r == '\\' {
				t.Fatalf("safeNext kept %q with control or backslash %q", out, r)
			}
		}
		u, err := base.Parse(out)
		if err != nil {
			t.Fatalf("safeNext kept unparsable %q: %v", out, err)
		}
		if u.Scheme != "https" || u.Host != "chartside.example" || u.User != nil {
			t.Fatalf("safeNext kept %q, which leaves the site: %s", out, u)
		}
	})
}
