package sandbox

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/golang-jwt/jwt/v5"
)

// maxAssertionLife is Epic's limit: exp at most 5 minutes ahead, and exp-iat, exp-nbf at most 5 minutes.
const maxAssertionLife = 5 * time.Minute

// maxJTI is Epic's documented limit on the jti claim's length.
const maxJTI = 151

// rejection is why a client assertion was refused. Epic answers every one of them with the same
// bare invalid_client, so the reason is only ever logged; it names the rule, never the assertion.
type rejection struct{ reason string }

func (r *rejection) Error() string { return r.reason }

func reject(format string, args ...any) *rejection {
	return &rejection{reason: fmt.Sprintf(format, args...)}
}

// rsaOnly lists the algorithms Epic accepts for any confidential client; EC algorithms are accepted
// only for clients that registered a JWK Set URL (EC keys cannot be uploaded statically).

func rsaOnly(alg string) bool { return alg == "RS256" || alg == "RS384" || alg == "RS512" }

func signingMethod(alg string) jwt.SigningMethod {
	switch alg {
	case "RS256":
		return jwt.SigningMethodRS256
	case "RS384":
		return jwt.SigningMethodRS384
	case "RS512":
		return jwt.SigningMethodRS512
	case "ES256":
		return jwt.SigningMethodES256
	case "ES384":
		return jwt.SigningMethodES384
	}
	return nil
}

// checkAssertion applies Epic's rules to a client assertion and returns the client id it
// authenticates. tokenURL is the exact URL the assertion was posted to (its required aud).
func (s *Sandbox) checkAssertion(ctx context.Context, assertion, tokenURL string) (string, error) {
	parts := strings.Split(assertion, ".")
	if len(parts) != 3 {
		return "", reject("assertion is not a compact JWS (%d parts)", len(parts))
	}
	var header map[string]any
	if err := decodeSegment(parts[0], &header); err != nil {
		return "", reject("header: %v", err)
	}
	var claims map[string]any
	if err := decodeSegment(parts[1], &claims); err != nil {
		return "", reject("claims: %v", err)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return "", reject("signature is not base64url: %v", err)
	}

	alg, _ := header["alg"].(string)
	switch {
	case alg == "" || strings.EqualFold(alg, "none"):
		return "", reject("alg %q: unsigned assertions are not accepted", alg)
	case strings.HasPrefix(strings.ToUpper(alg), "HS"):
		return "", reject("alg %q: symmetric algorithms are not accepted for backend services", alg)
	case signingMethod(alg) == nil:
		return "", reject("alg %q is not one of RS256, RS384, RS512, ES256, ES384", alg)
	}
	if typ, present := header["typ"]; present && typ != "JWT" {
		return "", reject("typ %v: must be \"JWT\" when present", typ)
	}

	iss, issOK := claims["iss"].(string)
	sub, subOK := claims["sub"].(string)
	switch {
	case !issOK || iss == "":
		return "", reject("iss missing or not a string")
	case !subOK || sub != iss:
		return "", reject("sub must equal iss")
	}
	c, ok := s.clients.lookup(iss)
	if !ok {
		return "", reject("iss %q is not a registered client id", iss)
	}
	if jku, present := header["jku"]; present {
		if c.static || jku != c.jwkURL {
			return "", reject("client %s: jku is not the registered JWK Set URL", iss)
		}
	}
	if !rsaOnly(alg) && c.static {
		return "", reject("client %s: alg %s needs a registered JWK Set URL (EC keys cannot be uploaded)", iss, alg)
	}

	if aud, ok := claims["aud"].(string); !ok || aud != tokenURL {
		// An array aud is refused even when it holds the token URL: Epic documents a single URL.
		return "", reject("client %s: aud must be exactly the token URL %q", iss, tokenURL)
	}

	now := s.now()
	exp, err := numericDate(claims, "exp")
	if err != nil {
		return "", reject("client %s: %v", iss, err)
	}
	if exp.IsZero() {
		return "", reject("client %s: exp missing", iss)
	}
	if !exp.After(now) {
		return "", reject("client %s: assertion expired %s ago", iss, now.Sub(exp).Round(time.Second))
	}
	if exp.Sub(now) > maxAssertionLife {
		return "", reject("client %s: exp is %s ahead, more than 5 minutes", iss, exp.Sub(now).Round(time.Second))
	}
	for _, name := range []string{"nbf", "iat"} {
		t, err := numericDate(claims, name)
		if err != nil {
			return "", reject("client %s: %v", iss, err)
		}
		switch {
		case t.IsZero():
		case t.After(now):
			return "", reject("client %s: %s is %s in the future", iss, name, t.Sub(now).Round(time.Second))
		case t.After(exp):
			return "", reject("client %s: %s is after exp", iss, name)
		case exp.Sub(t) > maxAssertionLife:
			return "", reject("client %s: exp - %s is more than 5 minutes", iss, name)
		}
	}

	jti, ok := claims["jti"].(string)
	switch {
	case claims["jti"] == nil:
		return "", reject("client %s: jti missing", iss)
	case !ok:
		return "", reject("client %s: jti is not a string", iss)
	case jti == "":
		return "", reject("client %s: jti is empty", iss)
	case utf8.RuneCountInString(jti) > maxJTI:
		return "", reject("client %s: jti is %d characters, more than %d", iss, utf8.RuneCountInString(jti), maxJTI)
	case s.jtis.used(iss, jti, now):
		return "", reject("client %s: jti has been used before", iss)
	}

	kid, _ := header["kid"].(string)
	if err := s.verifySignature(ctx, c, alg, kid, parts[0]+"."+parts[1], sig); err != nil {
		return "", err
	}
	// Only a fully valid assertion consumes its jti, so a rejected one can be fixed and resent.
	if !s.jtis.record(iss, jti, exp, now) {
		return "", reject("client %s: jti has been used before", iss)
	}
	return iss, nil
}

// verifySignature tries the client's cached keys, and, when they cannot verify the assertion,
// fetches its JWK Set once more, as Epic does for rotated keys.
func (s *Sandbox) verifySignature(ctx context.Context, c *client, alg, kid, signed string, sig []byte) error {
	keys, refetchable, err := s.clients.cachedKeys(ctx, c)
	if err != nil {
		return reject("client %s: jwks: %v", c.id, err)
	}
	why := verifyWith(keys, alg, kid, signed, sig)
	if why == nil {
		return nil
	}
	if !refetchable {
		return why
	}
	keys, err = s.clients.refetch(ctx, c)
	if err != nil {
		return reject("client %s: jwks refetch: %v", c.id, err)
	}
	if why := verifyWith(keys, alg, kid, signed, sig); why != nil {
		return why
	}
	return nil
}

func verifyWith(keys []publicKey, alg, kid, signed string, sig []byte) *rejection {
	method := signingMethod(alg)
	tried := 0
	for _, k := range keys {
		if kid != "" && k.kid != kid {
			continue
		}
		if !keyFitsAlg(k.key, alg) {
			if kid != "" {
				return reject("alg %s does not match the type of key %q", alg, kid)
			}
			continue
		}
		tried++
		if method.Verify(signed, sig, k.key) == nil {
			return nil
		}
	}
	switch {
	case kid != "" && tried == 0:
		return reject("kid %q is not in the client's key set", kid)
	case tried == 0:
		return reject("no key in the client's key set fits alg %s", alg)
	}
	return reject("signature does not verify (alg %s, %d candidate keys)", alg, tried)
}

func keyFitsAlg(key any, alg string) bool {
	switch k := key.(type) {
	case *rsa.PublicKey:
		return rsaOnly(alg)
	case *ecdsa.PublicKey:
		return (alg == "ES256" && k.Curve == elliptic.P256()) || (alg == "ES384" && k.Curve == elliptic.P384())
	}
	return false
}

func decodeSegment(seg string, v any) error {
	raw, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return fmt.Errorf("not base64url: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("not a JSON object: %w", err)
	}
	return nil
}

// numericDate reads an integer-seconds claim; absent gives the zero time.
func numericDate(claims map[string]any, name string) (time.Time, error) {
	v, present := claims[name]
	if !present {
		return time.Time{}, nil
	}
	n, ok := v.(json.Number)
	if !ok {
		return time.Time{}, fmt.Errorf("%s is not a number", name)
	}
	secs, err := n.Int64()
	if err != nil {
		return time.Time{}, fmt.Errorf("%s is not integer seconds", name)
	}
	return time.Unix(secs, 0), nil
}
