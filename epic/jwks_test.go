package epic

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"testing"
)

// decodeJSONKeys parses a JWK Set back into public keys by kid, independently of publicJWK.
func decodeJSONKeys(t *testing.T, b []byte) map[string]crypto.PublicKey {
	t.Helper()
	var set struct {
		Keys []map[string]string `json:"keys"`
	}
	if err := json.Unmarshal(b, &set); err != nil {
		t.Fatal(err)
	}
	dec := func(s string) *big.Int {
		b, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil {
			t.Fatal(err)
		}
		return new(big.Int).SetBytes(b)
	}
	out := map[string]crypto.PublicKey{}
	for _, k := range set.Keys {
		if k["use"] != "sig" || k["kid"] == "" || k["alg"] == "" {
			t.Errorf("key lacks use/kid/alg: %v", k)
		}
		switch k["kty"] {
		case "RSA":
			out[k["kid"]] = &rsa.PublicKey{N: dec(k["n"]), E: int(dec(k["e"]).Int64())}
		case "EC":
			if k["crv"] != "P-384" || len(k["x"]) != 64 || len(k["y"]) != 64 {
				t.Errorf("EC key members wrong: %v", k)
			}
			x, y := dec(k["x"]), dec(k["y"])
			pt := append([]byte{4}, append(x.FillBytes(make([]byte, 48)), y.FillBytes(make([]byte, 48))...)...)
			pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P384(), pt)
			if err != nil {
				t.Fatal(err)
			}
			out[k["kid"]] = pub
		default:
			t.Errorf("unexpected kty %q", k["kty"])
		}
	}
	return out
}

func TestJWKSHandler(t *testing.T) {
	rsaKey, err := sharedKey()
	if err != nil {
		t.Fatal(err)
	}
	ecKey, err := GenerateECKey()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(JWKSHandler([]*Key{rsaKey, ecKey}))
	defer srv.Close()

	tests := []struct {
		method     string
		wantStatus int
	}{
		{http.MethodGet, 200},
		{http.MethodHead, 200},
		{http.MethodPost, 405},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest(tt.method, srv.URL+"/.well-known/jwks.json", nil)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.wantStatus {
			t.Errorf("%s status = %d, want %d", tt.method, resp.StatusCode, tt.wantStatus)
		}
		if tt.method != http.MethodGet {
			continue
		}
		if got := resp.Header.Get("Cache-Control"); got != "public, max-age=3600" {
			t.Errorf("Cache-Control = %q", got)
		}
		if got := resp.Header.Get("Content-Type"); got != "application/json" {
			t.Errorf("Content-Type = %q", got)
		}
		keys := decodeJSONKeys(t, body)
		if len(keys) != 2 {
			t.Fatalf("keys = %d, want 2", len(keys))
		}
		for _, k := range []*Key{rsaKey, ecKey} {
			pub, ok := keys[k.KID()]
			if !ok {
				t.Errorf("kid %s missing", k.KID())
				continue
			}
			if !pub.(interface{ Equal(crypto.PublicKey) bool }).Equal(k.Public()) {
				t.Errorf("kid %s: published key differs", k.KID())
			}
		}
	}
}
