package sandbox

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// syncBuffer is a log sink safe for the server goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

const invalidClientBody = `{"error":"invalid_client","error_description":null}`

// TestTokenRejections signs one bad assertion per Epic rule and expects Epic's bare 400
// invalid_client, with the precise reason only in the sandbox log.
func TestTokenRejections(t *testing.T) {
	otherKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ecKey, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	tests := []struct {
		name   string
		build  func(e *env) string
		reason string // expected in the log
	}{
		{"alg none", func(e *env) string {
			s, _ := jwt.NewWithClaims(jwt.SigningMethodNone, e.claims()).SignedString(jwt.UnsafeAllowNoneSignatureType)
			return s
		}, "unsigned"},
		{"alg HS256", func(e *env) string {
			s, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, e.claims()).SignedString([]byte("shared secret"))
			return s
		}, "symmetric"},
		{"alg not matching key", func(e *env) string {
			return sign(t, jwt.SigningMethodES384, ecKey, "k1", e.claims())
		}, "needs a registered JWK Set URL"},
		{"bad signature", func(e *env) string { return sign(t, jwt.SigningMethodRS384, otherKey, "k1", e.claims()) }, "signature does not verify"},
		{"tampered payload", func(e *env) string {
			s := sign(t, jwt.SigningMethodRS384, testKey, "k1", e.claims())
			parts := strings.Split(s, ".")
			c := e.claims()
			c["sub"], c["iss"] = testClientID, testClientID
			c["jti"] = "tampered"
			raw, _ := json.Marshal(c)
			return parts[0] + "." + base64.RawURLEncoding.EncodeToString(raw) + "." + parts[2]
		}, "signature does not verify"},
		{"unknown kid", func(e *env) string { return sign(t, jwt.SigningMethodRS384, testKey, "nope", e.claims()) }, "is not in the client's key set"},
		{"jku not registered", func(e *env) string {
			tok := jwt.NewWithClaims(jwt.SigningMethodRS384, e.claims())
			tok.Header["jku"] = "https://attacker.example/jwks"
			s, _ := tok.SignedString(testKey)
			return s
		}, "jku is not the registered"},
		{"typ not JWT", func(e *env) string {
			tok := jwt.NewWithClaims(jwt.SigningMethodRS384, e.claims())
			tok.Header["typ"] = "at+jwt"
			s, _ := tok.SignedString(testKey)
			return s
		}, "typ"},
		{"iss not a client", func(e *env) string {
			c := e.claims()
			c["iss"], c["sub"] = "someone-else", "someone-else"
			return sign(t, jwt.SigningMethodRS384, testKey, "k1", c)
		}, "not a registered client id"},
		{"sub differs from iss", func(e *env) string {
			c := e.claims()
			c["sub"] = "someone-else"
			return sign(t, jwt.SigningMethodRS384, testKey, "k1", c)
		}, "sub must equal iss"},
		{"iss missing", func(e *env) string {
			c := e.claims()
			delete(c, "iss")
			return sign(t, jwt.SigningMethodRS384, testKey, "k1", c)
		}, "iss missing"},
		{"aud another URL", func(e *env) string {
			c := e.claims()
			c["aud"] = "https://fhir.epic.com/interconnect-fhir-oauth/oauth2/token"
			return sign(t, jwt.SigningMethodRS384, testKey, "k1", c)
		}, "aud must be exactly"},
		{"aud with trailing slash", func(e *env) string {
			c := e.claims()
			c["aud"] = e.tokenURL() + "/"
			return sign(t, jwt.SigningMethodRS384, testKey, "k1", c)
		}, "aud must be exactly"},
		{"aud array", func(e *env) string {
			c := e.claims()
			c["aud"] = []string{e.tokenURL()}
			return sign(t, jwt.SigningMethodRS384, testKey, "k1", c)
		}, "aud must be exactly"},
		{"exp missing", func(e *env) string {
			c := e.claims()
			delete(c, "exp")
			return sign(t, jwt.SigningMethodRS384, testKey, "k1", c)
		}, "exp missing"},
		{"exp past", func(e *env) string {
			c := e.claims()
			c["exp"], c["iat"], c["nbf"] = e.clock().Add(-time.Minute).Unix(), e.clock().Add(-4*time.Minute).Unix(), e.clock().Add(-4*time.Minute).Unix()
			return sign(t, jwt.SigningMethodRS384, testKey, "k1", c)
		}, "expired"},
		{"exp over 5 minutes ahead", func(e *env) string {
			c := e.claims()
			c["exp"] = e.clock().Add(5*time.Minute + 2*time.Second).Unix()
			delete(c, "iat")
			delete(c, "nbf")
			return sign(t, jwt.SigningMethodRS384, testKey, "k1", c)
		}, "more than 5 minutes"},
		{"exp not a number", func(e *env) string {
			c := e.claims()
			c["exp"] = "soon"
			return sign(t, jwt.SigningMethodRS384, testKey, "k1", c)
		}, "exp is not a number"},
		{"iat in future", func(e *env) string {
			c := e.claims()
			c["iat"] = e.clock().Add(30 * time.Second).Unix()
			return sign(t, jwt.SigningMethodRS384, testKey, "k1", c)
		}, "iat is"},
		{"nbf in future", func(e *env) string {
			c := e.claims()
			c["nbf"] = e.clock().Add(30 * time.Second).Unix()
			return sign(t, jwt.SigningMethodRS384, testKey, "k1", c)
		}, "nbf is"},
		{"jti missing", func(e *env) string {
			c := e.claims()
			delete(c, "jti")
			return sign(t, jwt.SigningMethodRS384, testKey, "k1", c)
		}, "jti missing"},
		{"jti not a string", func(e *env) string {
			c := e.claims()
			c["jti"] = 12345
			return sign(t, jwt.SigningMethodRS384, testKey, "k1", c)
		}, "jti is not a string"},
		{"jti over 151 characters", func(e *env) string {
			c := e.claims()
			c["jti"] = strings.Repeat("x", 152)
			return sign(t, jwt.SigningMethodRS384, testKey, "k1", c)
		}, "more than 151"},
		{"not a JWT", func(e *env) string { return "not.a.jwt" }, "header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logs := &syncBuffer{}
			e := newEnv(t, Options{Patients: 1, Logger: slog.New(slog.NewTextHandler(logs, nil))})
			resp, body := e.postToken(tt.build(e))
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("status = %d, want 400", resp.StatusCode)
			}
			if got := strings.TrimSpace(string(body)); got != invalidClientBody {
				t.Errorf("body = %s, want %s", got, invalidClientBody)
			}
			if !strings.Contains(logs.String(), tt.reason) {
				t.Errorf("log does not name the reason %q:\n%s", tt.reason, logs)
			}
			if st := e.sb.Stats(); st.TokenRequests != 1 || st.TokenIssued != 0 {
				t.Errorf("stats = %+v, want 1 request, 0 issued", st)
			}
		})
	}
}

// TestTokenJTIReplay: the same assertion twice gets one token and one invalid_client.
func TestTokenJTIReplay(t *testing.T) {
	logs := &syncBuffer{}
	e := newEnv(t, Options{Patients: 1, Logger: slog.New(slog.NewTextHandler(logs, nil))})
	a := sign(t, jwt.SigningMethodRS384, testKey, "k1", e.claims())
	if resp, body := e.postToken(a); resp.StatusCode != http.StatusOK {
		t.Fatalf("first use: %d %s", resp.StatusCode, body)
	}
	resp, body := e.postToken(a)
	if resp.StatusCode != http.StatusBadRequest || strings.TrimSpace(string(body)) != invalidClientBody {
		t.Fatalf("replay: %d %s", resp.StatusCode, body)
	}
	if !strings.Contains(logs.String(), "jti has been used before") {
		t.Errorf("log: %s", logs)
	}
}

// TestTokenMalformedRequests: formatting errors are invalid_request, as Epic documents.
func TestTokenMalformedRequests(t *testing.T) {
	e := newEnv(t, Options{Patients: 1})
	good := url.Values{
		"grant_type":            {"client_credentials"},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
	}
	tests := []struct {
		name, method, url, ctype, body, wantErr string
	}{
		{"GET", http.MethodGet, e.tokenURL(), "", "", "invalid_request"},
		{"JSON body", http.MethodPost, e.tokenURL(), "application/json", `{"grant_type":"client_credentials"}`, "invalid_request"},
		{"query string", http.MethodPost, e.tokenURL() + "?grant_type=client_credentials", "application/x-www-form-urlencoded", "", "invalid_request"},
		{"wrong grant type", http.MethodPost, e.tokenURL(), "application/x-www-form-urlencoded", "grant_type=authorization_code&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=x.y.z", "invalid_client"},
		{"wrong assertion type", http.MethodPost, e.tokenURL(), "application/x-www-form-urlencoded", "grant_type=client_credentials&client_assertion_type=jwt&client_assertion=x.y.z", "invalid_client"},
		{"no assertion", http.MethodPost, e.tokenURL(), "application/x-www-form-urlencoded", good.Encode(), "invalid_client"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, tt.url, strings.NewReader(tt.body))
			if tt.ctype != "" {
				req.Header.Set("Content-Type", tt.ctype)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var got map[string]any
			_ = json.NewDecoder(resp.Body).Decode(&got)
			if resp.StatusCode != http.StatusBadRequest || got["error"] != tt.wantErr || got["error_description"] != nil {
				t.Errorf("got %d %v, want 400 %s", resp.StatusCode, got, tt.wantErr)
			}
		})
	}
}

// TestTokenPyJWTTutorial builds the assertion exactly as Epic's Python tutorial does (PyJWT,
// RS384, header {"alg":"RS384","typ":"JWT"}, aud = token URL string, iss = sub = client id, a uuid
// jti, exp = now + 300 as an int, no iat/nbf) and gets a token.
func TestTokenPyJWTTutorial(t *testing.T) {
	e := newEnv(t, Options{Patients: 1})
	claims := jwt.MapClaims{
		"iss": testClientID, "sub": testClientID, "aud": e.tokenURL(),
		"jti": newUUID(), "exp": e.clock().Unix() + 300,
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodRS384, claims) // header: alg RS384, typ JWT, no kid
	assertion, err := tok.SignedString(testKey)
	if err != nil {
		t.Fatal(err)
	}
	resp, body := e.postToken(assertion)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	var got map[string]any
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	if got["token_type"] != "bearer" || got["expires_in"] != float64(3600) || got["access_token"] == "" || got["scope"] == "" {
		t.Errorf("token response = %v", got)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q", cc)
	}
}

// TestTokenExpiryAndRevocation: a token works until expires_in passes, and revocation ends it.
func TestTokenExpiryAndRevocation(t *testing.T) {
	e := newEnv(t, Options{Patients: 1, TokenLifetime: 10 * time.Minute})
	tok := e.token()
	if resp, _ := e.get(tok, "Patient/"+camilaID, fhirJSON); resp.StatusCode != http.StatusOK {
		t.Fatalf("fresh token: %d", resp.StatusCode)
	}
	e.advance(10*time.Minute + time.Second)
	resp, body := e.get(tok, "Patient/"+camilaID, fhirJSON)
	wantChallenge := `Bearer error="invalid_token", error_description="The access token provided is not valid"`
	if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("WWW-Authenticate") != wantChallenge || len(body) != 0 {
		t.Fatalf("expired token: %d %q %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"), body)
	}
	tok = e.token()
	e.sb.Faults().RevokeAllTokens()
	if resp, _ := e.get(tok, "Patient/"+camilaID, fhirJSON); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("revoked token: %d", resp.StatusCode)
	}
	for _, auth := range []string{"", "garbage"} {
		if resp, _ := e.get(auth, "Patient/"+camilaID, fhirJSON); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("token %q: %d, want 401", auth, resp.StatusCode)
		}
	}
}

// TestTokenJWKSURL registers a client by JWK Set URL: the set is fetched on the first token request,
// cached afterwards, refetched once when a new kid appears (key rotation), and Cache-Control: no-store
// makes every request fetch.
func TestTokenJWKSURL(t *testing.T) {
	ecKey, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	var fetches atomic.Int32
	var mu sync.Mutex
	set := rsaJWKS("k1", &testKey.PublicKey)
	cacheControl := ""
	jwks := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetches.Add(1)
		mu.Lock()
		defer mu.Unlock()
		if cacheControl != "" {
			w.Header().Set("Cache-Control", cacheControl)
		}
		_, _ = w.Write(set)
	}))
	defer jwks.Close()

	e := newEnv(t, Options{Patients: 1})
	e.sb.RegisterClient(testClientID, ClientKeys{JWKSURL: jwks.URL})
	if fetches.Load() != 0 {
		t.Fatalf("registration fetched the JWKS")
	}
	e.token()
	e.token()
	if got := fetches.Load(); got != 1 {
		t.Fatalf("fetches after two tokens = %d, want 1 (cached)", got)
	}

	// Rotation: the client starts signing with a new EC key published under a new kid.
	x, y := ecKey.PublicKey.X.FillBytes(make([]byte, 48)), ecKey.PublicKey.Y.FillBytes(make([]byte, 48))
	ecJWK, _ := json.Marshal(map[string]string{"kty": "EC", "crv": "P-384", "kid": "ec1",
		"x": base64.RawURLEncoding.EncodeToString(x), "y": base64.RawURLEncoding.EncodeToString(y)})
	mu.Lock()
	set = []byte(`{"keys":[` + strings.TrimSuffix(strings.TrimPrefix(string(rsaJWKS("k1", &testKey.PublicKey)), `{"keys":[`), `]}`) + `,` + string(ecJWK) + `]}`)
	mu.Unlock()
	tok := jwt.NewWithClaims(jwt.SigningMethodES384, e.claims())
	tok.Header["kid"] = "ec1"
	tok.Header["jku"] = jwks.URL
	a, _ := tok.SignedString(ecKey)
	if resp, body := e.postToken(a); resp.StatusCode != http.StatusOK {
		t.Fatalf("rotated key: %d %s", resp.StatusCode, body)
	}
	if got := fetches.Load(); got != 2 {
		t.Fatalf("fetches after rotation = %d, want 2 (one refetch)", got)
	}
	// A key nobody published: at most one fetch for this request, then invalid_client.
	a = sign(t, jwt.SigningMethodRS384, testKey, "ghost", e.claims())
	if resp, _ := e.postToken(a); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("ghost kid: %d", resp.StatusCode)
	}
	if got := fetches.Load(); got != 3 {
		t.Fatalf("fetches after unknown kid = %d, want 3", got)
	}

	mu.Lock()
	cacheControl = "no-store"
	mu.Unlock()
	e.sb.RegisterClient(testClientID, ClientKeys{JWKSURL: jwks.URL})
	before := fetches.Load()
	e.token()
	e.token()
	if got := fetches.Load() - before; got != 2 {
		t.Fatalf("fetches with no-store = %d, want 2", got)
	}
}
