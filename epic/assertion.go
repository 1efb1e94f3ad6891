package epic

import (
	"crypto/rand"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Assertion lifetimes. Epic rejects exp more than 5 minutes ahead and iat/nbf in the future, with
// no documented leeway, so exp is 4 minutes ahead and iat/nbf are backdated 30 seconds: a clock
// up to 30 s ahead of Epic's, or a minute behind, still passes, and exp-iat stays under 5 min.
const (
	assertionLifetime = 4 * time.Minute
	assertionBackdate = 30 * time.Second
)

// assertionParams is what a client assertion depends on besides the clock.
type assertionParams struct {
	clientID string
	tokenURL string
	jku      string
	key      *Key
}

// newAssertion signs a SMART Backend Services client assertion.
func newAssertion(p assertionParams, now time.Time) (string, error) {
	var method jwt.SigningMethod
	switch p.key.alg {
	case "RS384":
		method = jwt.SigningMethodRS384
	case "ES384":
		method = jwt.SigningMethodES384
	default:
		return "", fmt.Errorf("epic: assertion: unsupported algorithm %q", p.key.alg)
	}
	// MapClaims, not RegisteredClaims: golang-jwt encodes a one-element audience as an array
	// unless a package-wide flag is flipped, and Epic wants aud as the plain token URL string.
	claims := jwt.MapClaims{
		"iss": p.clientID,
		"sub": p.clientID,
		"aud": p.tokenURL,
		// 26 base32 characters (128 random bits): a string, far below Epic's 151-character limit,
		// and never reused.
		"jti": rand.Text(),
		"iat": now.Add(-assertionBackdate).Unix(),
		"nbf": now.Add(-assertionBackdate).Unix(),
		"exp": now.Add(assertionLifetime).Unix(),
	}
	tok := jwt.NewWithClaims(method, claims)
	tok.Header["kid"] = p.key.kid
	if p.jku != "" {
		tok.Header["jku"] = p.jku
	}
	signed, err := tok.SignedString(p.key.signer)
	if err != nil {
		return "", fmt.Errorf("epic: sign assertion: %w", err)
	}
	return signed, nil
}
