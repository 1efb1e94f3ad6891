package epic

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"strconv"
	"time"
)

// jwksMaxAge is how long Epic may cache the key set. Epic re-fetches at most once per JWT when
// its cache is stale or the JWT did not verify, and caches for up to 29 hours; an hour keeps key
// rotation quick without making Epic fetch on every token.
const jwksMaxAge = time.Hour

// jwk is a public JSON Web Key.
type jwk struct {
	Kty string `json:"kty"`
	Kid string `json:"kid,omitempty"`
	Use string `json:"use,omitempty"`
	Alg string `json:"alg,omitempty"`
	N   string `json:"n,omitempty"`
	E   string `json:"e,omitempty"`
	Crv string `json:"crv,omitempty"`
	X   string `json:"x,omitempty"`
	Y   string `json:"y,omitempty"`
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// publicJWK returns the members that identify a public key (no kid/alg/use).
func publicJWK(pub crypto.PublicKey) jwk {
	switch p := pub.(type) {
	case *rsa.PublicKey:
		return jwk{Kty: "RSA", N: b64(p.N.Bytes()), E: b64(big.NewInt(int64(p.E)).Bytes())}
	case *ecdsa.PublicKey:
		pt, err := p.Bytes() // 0x04 || X || Y, coordinates padded to the curve size
		if err != nil {
			return jwk{}
		}
		size := (len(pt) - 1) / 2
		return jwk{Kty: "EC", Crv: p.Curve.Params().Name, X: b64(pt[1 : 1+size]), Y: b64(pt[1+size:])}
	}
	return jwk{}
}

// JWKS returns the public JWK Set of the keys: every configured key, so Epic can verify
// assertions signed by the newest while older ones are still cached during a rotation.
func JWKS(keys []*Key) []byte {
	set := struct {
		Keys []jwk `json:"keys"`
	}{Keys: make([]jwk, 0, len(keys))}
	for _, k := range keys {
		j := publicJWK(k.Public())
		j.Kid, j.Alg, j.Use = k.kid, k.alg, "sig"
		set.Keys = append(set.Keys, j)
	}
	b, err := json.Marshal(set)
	if err != nil {
		panic("epic: marshal jwks: " + err.Error()) // plain strings only; cannot fail
	}
	return b
}

// JWKSHandler serves the JWK Set for GET (and HEAD) /.well-known/jwks.json. Epic requires the
// URL to be public, TLS and unauthenticated; the body is computed once.
func JWKSHandler(keys []*Key) http.Handler {
	body := JWKS(keys)
	cacheControl := "public, max-age=" + strconv.Itoa(int(jwksMaxAge.Seconds()))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", cacheControl)
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		if r.Method == http.MethodHead {
			return
		}
		_, _ = w.Write(body)
	})
}
