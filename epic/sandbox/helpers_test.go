package sandbox

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// testClientID is the client every test registers.
const testClientID = "d45049c3-3441-40ef-ab4d-b9cd86a17225"

// testKey is generated once per test binary: RSA key generation is slow enough to matter.
var testKey = func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
}()

func rsaJWKS(kid string, pub *rsa.PublicKey) []byte {
	b, _ := json.Marshal(map[string]any{"keys": []map[string]string{{
		"kty": "RSA", "kid": kid, "alg": "RS384", "use": "sig",
		"n": base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
	}}})
	return b
}

type env struct {
	t   *testing.T
	sb  *Sandbox
	srv *httptest.Server
	now *atomic.Int64 // unix nanoseconds of the sandbox clock
}

// newEnv starts a sandbox over real HTTP with a small population and a controllable clock, and
// registers testClientID with a static key set.
func newEnv(t *testing.T, opts Options) *env {
	t.Helper()
	e := &env{t: t, now: &atomic.Int64{}}
	e.now.Store(time.Now().UnixNano())
	opts.Now = func() time.Time { return time.Unix(0, e.now.Load()) }
	if opts.Patients == 0 {
		opts.Patients = 5
	}
	sb, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	sb.RegisterClient(testClientID, ClientKeys{JWKS: rsaJWKS("k1", &testKey.PublicKey)})
	e.sb = sb
	e.srv = httptest.NewServer(sb.Handler())
	t.Cleanup(e.srv.Close)
	return e
}

func (e *env) clock() time.Time { return time.Unix(0, e.now.Load()) }

func (e *env) advance(d time.Duration) { e.now.Add(int64(d)) }

func (e *env) tokenURL() string { return e.srv.URL + TokenPath }

// claims are the claims Epic's tutorial puts in an assertion.
func (e *env) claims() jwt.MapClaims {
	now := e.clock()
	return jwt.MapClaims{
		"iss": testClientID, "sub": testClientID, "aud": e.tokenURL(),
		"jti": fmt.Sprintf("jti-%d", now.UnixNano()+int64(jtiSeq.Add(1))),
		"exp": now.Add(4 * time.Minute).Unix(), "iat": now.Unix(), "nbf": now.Unix(),
	}
}

var jtiSeq atomic.Int64

func sign(t *testing.T, method jwt.SigningMethod, key any, kid string, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, claims)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
	return s
}

func (e *env) postToken(assertion string) (*http.Response, []byte) {
	e.t.Helper()
	form := url.Values{
		"grant_type":            {"client_credentials"},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
		"client_assertion":      {assertion},
	}
	resp, err := http.Post(e.tokenURL(), "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		e.t.Fatalf("post token: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}

// token gets a valid access token.
func (e *env) token() string {
	e.t.Helper()
	resp, body := e.postToken(sign(e.t, jwt.SigningMethodRS384, testKey, "k1", e.claims()))
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("token: status %d %s", resp.StatusCode, body)
	}
	var tr struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(body, &tr); err != nil || tr.AccessToken == "" {
		e.t.Fatalf("token response %s: %v", body, err)
	}
	return tr.AccessToken
}

// get performs an authorised FHIR GET of path (relative to the FHIR base, or absolute).
func (e *env) get(tok, path string, accept string) (*http.Response, []byte) {
	e.t.Helper()
	u := path
	if !strings.HasPrefix(path, "http") {
		u = e.srv.URL + FHIRBasePath + "/" + path
	}
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("get %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}

const fhirJSON = "application/fhir+json"
