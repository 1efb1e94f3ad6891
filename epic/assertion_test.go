package epic

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// rawSegment decodes a JWT segment into a map, keeping numbers exact.
func rawSegment(t *testing.T, seg string) map[string]any {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		t.Fatalf("segment: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestAssertionHeaderAndClaims(t *testing.T) {
	rsaKey, err := sharedKey()
	if err != nil {
		t.Fatal(err)
	}
	ecKey, err := GenerateECKey()
	if err != nil {
		t.Fatal(err)
	}
	const tokenURL = "https://fhir.epic.com/interconnect-fhir-oauth/oauth2/token"
	now := time.Unix(1_800_000_000, 0)
	tests := []struct {
		name    string
		key     *Key
		jku     string
		wantAlg string
	}{
		{"rsa with jku", rsaKey, "https://chartside.example.org/.well-known/jwks.json", "RS384"},
		{"rsa without jku", rsaKey, "", "RS384"},
		{"ec", ecKey, "https://chartside.example.org/.well-known/jwks.json", "ES384"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw, err := newAssertion(assertionParams{clientID: testClientID, tokenURL: tokenURL, jku: tt.jku, key: tt.key}, now)
			if err != nil {
				t.Fatal(err)
			}
			parts := strings.Split(raw, ".")
			if len(parts) != 3 {
				t.Fatalf("not a JWS: %d parts", len(parts))
			}
			h := rawSegment(t, parts[0])
			wantHeader := map[string]any{"alg": tt.wantAlg, "typ": "JWT", "kid": tt.key.KID()}
			if tt.jku != "" {
				wantHeader["jku"] = tt.jku
			}
			if len(h) != len(wantHeader) {
				t.Errorf("header = %v, want %v", h, wantHeader)
			}
			for k, v := range wantHeader {
				if h[k] != v {
					t.Errorf("header %s = %v, want %v", k, h[k], v)
				}
			}

			c := rawSegment(t, parts[1])
			for _, k := range []string{"iss", "sub"} {
				if c[k] != testClientID {
					t.Errorf("%s = %v", k, c[k])
				}
			}
			if aud, ok := c["aud"].(string); !ok || aud != tokenURL {
				t.Errorf("aud = %#v, want the string %q", c["aud"], tokenURL)
			}
			jti, ok := c["jti"].(string)
			if !ok || jti == "" || len(jti) > 151 {
				t.Errorf("jti = %#v, want a string of 1-151 characters", c["jti"])
			}
			num := func(k string) int64 {
				n, ok := c[k].(json.Number)
				if !ok {
					t.Fatalf("%s = %#v, want an integer", k, c[k])
				}
				v, err := n.Int64()
				if err != nil {
					t.Fatalf("%s = %s: %v", k, n, err)
				}
				return v
			}
			exp, iat, nbf := num("exp"), num("iat"), num("nbf")
			if exp <= now.Unix() || exp-now.Unix() > 5*60 {
				t.Errorf("exp is %ds ahead, want 1-300", exp-now.Unix())
			}
			if iat > now.Unix() || nbf > now.Unix() || nbf > exp {
				t.Errorf("iat/nbf in the future: iat=%d nbf=%d now=%d", iat, nbf, now.Unix())
			}
			if exp-iat > 300 || exp-nbf > 300 {
				t.Errorf("exp-iat = %d, exp-nbf = %d; Epic allows at most 300", exp-iat, exp-nbf)
			}

			// The signature verifies with the public key published in the JWKS.
			set := decodeJSONKeys(t, JWKS([]*Key{tt.key}))
			_, err = jwt.Parse(raw, func(tok *jwt.Token) (any, error) { return set[tok.Header["kid"].(string)], nil },
				jwt.WithValidMethods([]string{tt.wantAlg}), jwt.WithTimeFunc(func() time.Time { return now }))
			if err != nil {
				t.Errorf("signature does not verify with the JWKS key: %v", err)
			}
		})
	}
}

// TestAssertionJTIsNeverRepeat signs 10,000 assertions (EC, for speed) and requires 10,000
// distinct jti values.
func TestAssertionJTIsNeverRepeat(t *testing.T) {
	key, err := GenerateECKey()
	if err != nil {
		t.Fatal(err)
	}
	const n = 10_000
	const workers = 4
	jtis := make([]string, n)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				raw, err := newAssertion(assertionParams{clientID: testClientID, tokenURL: "https://epic.example/token", key: key}, time.Now())
				if err != nil {
					t.Error(err)
					return
				}
				b, err := base64.RawURLEncoding.DecodeString(strings.Split(raw, ".")[1])
				if err != nil {
					t.Error(err)
					return
				}
				var c struct{ JTI string }
				if err := json.Unmarshal(b, &c); err != nil {
					t.Error(err)
					return
				}
				jtis[i] = c.JTI
			}
		})
	}
	wg.Wait()
	seen := make(map[string]bool, n)
	for _, j := range jtis {
		if j == "" || seen[j] {
			t.Fatalf("jti %q empty or repeated", j)
		}
		seen[j] = true
	}
}
