package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/chartside/chartside/epic"
	"github.com/chartside/chartside/epic/sandbox"
)

// secretsRecorder sits in front of the sandbox and keeps the secrets that crossed the wire: every
// client assertion Chartside sent and every access token the sandbox issued.
type secretsRecorder struct {
	next       http.Handler
	mu         sync.Mutex
	assertions []string
	tokens     []string
}

// teeWriter copies a response body aside while it is written.
type teeWriter struct {
	http.ResponseWriter
	buf bytes.Buffer
}

func (w *teeWriter) Write(p []byte) (int, error) {
	w.buf.Write(p)
	return w.ResponseWriter.Write(p)
}

var accessTokenField = regexp.MustCompile(`"access_token"\s*:\s*"([^"]+)"`)

func (r *secretsRecorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if !strings.HasSuffix(req.URL.Path, sandbox.TokenPath) {
		r.next.ServeHTTP(w, req)
		return
	}
	body, _ := io.ReadAll(req.Body)
	req.Body = io.NopCloser(bytes.NewReader(body))
	form, _ := url.ParseQuery(string(body))
	tw := &teeWriter{ResponseWriter: w}
	r.next.ServeHTTP(tw, req)
	r.mu.Lock()
	defer r.mu.Unlock()
	if a := form.Get("client_assertion"); a != "" {
		r.assertions = append(r.assertions, a)
	}
	if m := accessTokenField.FindSubmatch(tw.buf.Bytes()); m != nil {
		r.tokens = append(r.tokens, string(m[1]))
	}
}

// TestSecretsNeverLeak runs `web serve` against a real Epic configuration (the sandbox on its own
// server, behind a recorder) with logging at debug level, and walks a full flow including token
// revocation, the token endpoint failing and Epic errors: sign-in, lookup, every chart view,
// readiness, metrics, the admin audit page and both exports. Every byte Chartside produced — log
// lines, response headers and bodies, exports — is then searched for the private key's PEM body,
// every access token the sandbox issued and every assertion Chartside signed.
func TestSecretsNeverLeak(t *testing.T) {
	key, err := epic.GenerateRSAKey(2048)
	if err != nil {
		t.Fatal(err)
	}
	keyFile, pemBytes := writeKeyFile(t, key, 0o600)
	dir := t.TempDir()

	sb, err := sandbox.New(sandbox.Options{Patients: 3})
	if err != nil {
		t.Fatal(err)
	}
	sb.RegisterClient("chartside-secrets", sandbox.ClientKeys{JWKS: epic.JWKS([]*epic.Key{key})})
	rec := &secretsRecorder{next: sb.Handler()}
	epicSrv := httptest.NewServer(rec)
	defer epicSrv.Close()

	getenv := testEnv(t, map[string]string{
		"DATA_DIR":              filepath.Join(dir, "data"),
		"LOG_LEVEL":             "debug",
		"EPIC_FHIR_BASE_URL":    epicSrv.URL + sandbox.FHIRBasePath,
		"EPIC_TOKEN_URL":        epicSrv.URL + sandbox.TokenPath,
		"EPIC_CLIENT_ID":        "chartside-secrets",
		"EPIC_PRIVATE_KEY_FILE": keyFile,
		"EPIC_MRN_SYSTEM":       sandbox.MRNSystem,
		"EPIC_TIMEOUT":          "3s",
	})
	const password = "a secrets-test passphrase"
	var cliOut, cliErr bytes.Buffer
	if err := run(context.Background(), []string{"staff", "add", "--username", "it.secrets", "--role", "admin", "--password-stdin"},
		getenv, strings.NewReader(password+"\n"), &cliOut, &cliErr); err != nil {
		t.Fatalf("staff add: %v\n%s", err, cliErr.String())
	}

	base, logs, stop := startServer(t, getenv)
	waitHealthy(t, base)

	var seen bytes.Buffer // everything the server sent back
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	csrf := ""
	do := func(method, path string, form url.Values, hdr map[string]string) (int, string, http.Header) {
		t.Helper()
		var body io.Reader
		if form != nil {
			form.Set("csrf_token", csrf)
			body = strings.NewReader(form.Encode())
		}
		req, err := http.NewRequest(method, base+path, body)
		if err != nil {
			t.Fatal(err)
		}
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Sec-Fetch-Site", "same-origin")
		}
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		_ = resp.Header.Write(&seen)
		seen.Write(raw)
		return resp.StatusCode, string(raw), resp.Header
	}
	token := func(page string) string {
		doc, err := goquery.NewDocumentFromReader(strings.NewReader(page))
		if err != nil {
			t.Fatal(err)
		}
		v, _ := doc.Find(`input[name="csrf_token"]`).First().Attr("value")
		return v
	}

	_, page, _ := do(http.MethodGet, "/signin", nil, nil)
	csrf = token(page)
	if st, _, _ := do(http.MethodPost, "/signin", url.Values{"username": {"it.secrets"}, "password": {password}}, nil); st != http.StatusSeeOther {
		t.Fatalf("sign in: %d", st)
	}
	_, page, _ = do(http.MethodGet, "/", nil, nil)
	csrf = token(page)

	openChart := func() string {
		t.Helper()
		st, body, h := do(http.MethodPost, "/lookup", url.Values{"mrn": {"203713"}}, nil)
		if st != http.StatusSeeOther {
			t.Fatalf("lookup: %d\n%.500s", st, body)
		}
		return h.Get("Location")
	}
	walk := func(chart string) {
		for _, p := range []string{"", "/vitals-strip", "/encounters", "/vitals", "/labs", "/labs?view=matrix", "/social", "/print",
			"/analyte?" + url.Values{"code": {"http://loinc.org|2345-7"}}.Encode()} {
			do(http.MethodGet, chart+p, nil, nil)
			do(http.MethodGet, chart+p, nil, map[string]string{"HX-Request": "true"})
		}
	}

	chart := openChart()
	walk(chart)
	// A token revoked mid-session: Chartside gets a 401, signs a new assertion, gets a new token.
	sb.Faults().RevokeAllTokens()
	walk(chart)
	// Epic's token endpoint down with no valid token: errors everywhere, readiness reporting it.
	sb.Faults().SetTokenDown(true)
	sb.Faults().RevokeAllTokens()
	do(http.MethodPost, "/lookup", url.Values{"mrn": {"203713"}}, nil)
	walk(chart)
	do(http.MethodGet, "/readyz", nil, nil)
	sb.Faults().SetTokenDown(false)
	// Epic failing in other ways.
	sb.Faults().FailNext("Observation", 3, sandbox.Fault{Kind: sandbox.FaultServerError})
	sb.Faults().FailNext("Encounter", 2, sandbox.Fault{Kind: sandbox.FaultHTMLError})
	sb.Faults().FailNext("Patient", 1, sandbox.Fault{Kind: sandbox.FaultRevoked})
	openChart()
	walk(chart)
	do(http.MethodGet, "/readyz", nil, nil)
	do(http.MethodGet, "/metrics", nil, nil)
	do(http.MethodGet, "/admin/audit", nil, nil)
	for _, format := range []string{"csv", "jsonl"} {
		if st, body, _ := do(http.MethodGet, "/admin/audit/export?format="+format, nil, nil); st != http.StatusOK || !strings.Contains(body, "chart_view") {
			t.Fatalf("audit export %s: %d\n%.300s", format, st, body)
		}
	}
	do(http.MethodPost, "/signout", url.Values{}, nil)
	if err := stop(); err != nil {
		t.Fatalf("server stopped with %v", err)
	}

	rec.mu.Lock()
	tokens, assertions := rec.tokens, rec.assertions
	rec.mu.Unlock()
	// The flow must really have exercised the secrets: several tokens, several assertions.
	if len(tokens) < 2 || len(assertions) < 3 {
		t.Fatalf("flow issued %d tokens for %d assertions; want at least 2 and 3 (revocation and outage paths)", len(tokens), len(assertions))
	}
	logText := logs.String()
	if !strings.Contains(logText, `"level":"DEBUG"`) || !strings.Contains(logText, "epic") {
		t.Fatalf("debug logging was not captured:\n%.1000s", logText)
	}

	outputs := map[string]string{"log": logText, "responses": seen.String(), "CLI output": cliOut.String() + cliErr.String()}
	var pemLines []string
	for _, line := range strings.Split(string(pemBytes), "\n") {
		if len(line) >= 40 && !strings.HasPrefix(line, "-----") {
			pemLines = append(pemLines, line)
		}
	}
	t.Logf("scanned %d log bytes and %d response bytes for %d tokens, %d assertions and the key", len(logText), seen.Len(), len(tokens), len(assertions))
	for _, tok := range tokens {
		for name, out := range outputs {
			for what, s := range map[string]string{"access token": tok, "access token prefix": tok[:32]} {
				if strings.Contains(out, s) {
					t.Errorf("%s contains an %s", name, what)
				}
			}
		}
	}
	for _, a := range assertions {
		parts := strings.Split(a, ".")
		checks := map[string]string{"assertion": a}
		if len(parts) == 3 {
			checks["assertion signature"] = parts[2]
			checks["assertion claims"] = parts[1]
		}
		for name, out := range outputs {
			for what, s := range checks {
				if strings.Contains(out, s) {
					t.Errorf("%s contains an %s", name, what)
				}
			}
		}
	}
	for name, out := range outputs {
		for i, line := range pemLines {
			if strings.Contains(out, line) {
				t.Errorf("%s contains line %d of the private key's PEM body", name, i+1)
			}
		}
		if strings.Contains(out, "PRIVATE KEY") {
			t.Errorf("%s contains a PEM private key header", name)
		}
		// Any JWT at all (header.claims.signature, base64url JSON): Chartside's own assertion is
		// the only JWT in this flow, so any match is a leak.
		if m := regexp.MustCompile(`eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}`).FindString(out); m != "" {
			t.Errorf("%s contains a JWT: %.40s…", name, m)
		}
	}
}
