package epic

import (
	"crypto"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const (
	testClientID  = "d45049c3-3441-40ef-ab4d-b9cd86a17225"
	testMRNSystem = "urn:oid:1.2.840.114350.1.13.0.1.7.5.737384.14"
	capturesDir   = "sandbox/captures"
	fhirPath      = "/api/FHIR/R4"
	tokenPath     = "/oauth2/token"
)

// testClock is an adjustable clock for token expiry and the breaker.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// fakeEpic is an httptest server imitating Epic's token endpoint, smart-configuration and a
// FHIR base whose handler each test supplies. It verifies every client assertion with the
// client's public key and records what it saw.
type fakeEpic struct {
	t     *testing.T
	srv   *httptest.Server
	clock *testClock
	pub   crypto.PublicKey

	mu            sync.Mutex
	tokenRequests int
	tokenForms    []url.Values
	jtis          []string
	issued        map[string]bool
	expiresIn     int
	tokenGate     chan struct{} // when set, the token endpoint waits for it
	tokenStatus   int           // when non-zero, the token endpoint fails with it
	tokenBody     string
	discoveries   int
	discoveryHdr  []string
	fhirRequests  int
	fhir          http.HandlerFunc
}

func newFakeEpic(t *testing.T, pub crypto.PublicKey, clock *testClock) *fakeEpic {
	t.Helper()
	f := &fakeEpic{t: t, pub: pub, clock: clock, issued: map[string]bool{}, expiresIn: 3600}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+tokenPath, f.token)
	mux.HandleFunc("GET "+fhirPath+"/.well-known/smart-configuration", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.discoveries++
		f.discoveryHdr = append(f.discoveryHdr, r.Header.Get("Epic-Client-ID"))
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"issuer":"x","token_endpoint":%q,"token_endpoint_auth_methods_supported":["private_key_jwt"]}`, f.srv.URL+tokenPath)
	})
	mux.HandleFunc(fhirPath+"/", f.fhirGate)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeEpic) baseURL() string  { return f.srv.URL + fhirPath }
func (f *fakeEpic) tokenURL() string { return f.srv.URL + tokenPath }

func (f *fakeEpic) counts() (tokens, fhir int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.tokenRequests, f.fhirRequests
}

func (f *fakeEpic) token(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.tokenRequests++
	gate, status, body, expires := f.tokenGate, f.tokenStatus, f.tokenBody, f.expiresIn
	n := f.tokenRequests
	f.mu.Unlock()
	if gate != nil {
		<-gate
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	form := r.PostForm
	if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
		f.t.Errorf("token Content-Type = %q", ct)
	}
	jti, err := f.verifyAssertion(form.Get("client_assertion"))
	if err != nil {
		f.t.Errorf("token: assertion rejected: %v", err)
		w.WriteHeader(400)
		fmt.Fprint(w, `{"error":"invalid_client","error_description":null}`)
		return
	}
	f.mu.Lock()
	f.tokenForms = append(f.tokenForms, form)
	f.jtis = append(f.jtis, jti)
	tok := fmt.Sprintf("tok-%d", n)
	if status == 0 {
		f.issued[tok] = true
	}
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if status != 0 {
		w.WriteHeader(status)
		fmt.Fprint(w, body)
		return
	}
	fmt.Fprintf(w, `{"access_token":%q,"token_type":"bearer","expires_in":%d,"scope":"system/Patient.r system/Patient.s"}`, tok, expires)
}

// verifyAssertion checks the signature and the claims Epic checks, returning the jti.
func (f *fakeEpic) verifyAssertion(raw string) (string, error) {
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(raw, claims, func(*jwt.Token) (any, error) { return f.pub, nil },
		jwt.WithValidMethods([]string{"RS384", "ES384"}),
		jwt.WithTimeFunc(f.clock.Now),
		jwt.WithAudience(f.tokenURL()),
		jwt.WithIssuer(testClientID),
		jwt.WithSubject(testClientID),
		jwt.WithExpirationRequired(), jwt.WithIssuedAt())
	if err != nil {
		return "", err
	}
	jti, ok := claims["jti"].(string)
	if !ok || jti == "" {
		return "", fmt.Errorf("jti missing or not a string")
	}
	return jti, nil
}

// fhirGate checks the headers Epic needs, then runs the test's handler.
func (f *fakeEpic) fhirGate(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.fhirRequests++
	h := f.fhir
	tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	valid := f.issued[tok]
	f.mu.Unlock()
	if got := r.Header.Get("Accept"); got != "application/fhir+json" {
		f.t.Errorf("FHIR Accept = %q", got)
	}
	if !valid {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token", error_description="The access token provided is not valid"`)
		w.WriteHeader(401)
		return
	}
	if h == nil {
		http.NotFound(w, r)
		return
	}
	h(w, r)
}

func (f *fakeEpic) setFHIR(h http.HandlerFunc) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fhir = h
}

// revokeAll makes every issued token invalid (Epic answers 401).
func (f *fakeEpic) revokeAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.issued = map[string]bool{}
}

// serveCapture writes a captured Epic response.
func serveCapture(t *testing.T, w http.ResponseWriter, name string, status int) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(capturesDir, name))
	if err != nil {
		t.Errorf("capture %s: %v", name, err)
		w.WriteHeader(500)
		return
	}
	w.Header().Set("Content-Type", "application/fhir+json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// testEnv is a client wired to a fake Epic.
type testEnv struct {
	epic   *fakeEpic
	client *Client
	clock  *testClock
	key    *Key
}

// sharedKey caches one RSA key per test binary run; generating 2048-bit keys is slow.
var sharedKey = sync.OnceValues(func() (*Key, error) { return GenerateRSAKey(2048) })

func newEnv(t *testing.T, mod func(*Config)) *testEnv {
	t.Helper()
	key, err := sharedKey()
	if err != nil {
		t.Fatal(err)
	}
	clock := &testClock{t: time.Now()}
	f := newFakeEpic(t, key.Public(), clock)
	transport := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(transport.CloseIdleConnections)
	cfg := Config{
		FHIRBaseURL:    f.baseURL(),
		TokenURL:       f.tokenURL(),
		ClientID:       testClientID,
		Keys:           []*Key{key},
		MRNSystem:      testMRNSystem,
		HTTPClient:     &http.Client{Transport: transport},
		RequestTimeout: 5 * time.Second,
	}
	if mod != nil {
		mod(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c.now = clock.Now // the breakers read the clock through c.now
	return &testEnv{epic: f, client: c, clock: clock, key: key}
}

// decodeJSON is a test helper for generic JSON.
func decodeJSON(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return m
}

func jsonEncode(w io.Writer, v any) error { return json.NewEncoder(w).Encode(v) }

func newTextLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
