package sandbox

import (
	"net/http"
	"strings"
)

// requireToken lets a FHIR request through only with a bearer token the sandbox issued that has
// neither expired nor been revoked; otherwise Epic's 401.
func (s *Sandbox) requireToken(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || !s.tokens.valid(strings.TrimSpace(tok), s.now()) {
			s.log.Info("sandbox: fhir request without a valid token", "path", r.URL.Path, "has_authorization", r.Header.Get("Authorization") != "")
			writeInvalidToken(w)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// writeInvalidToken is Epic's answer to a missing, malformed, expired or revoked bearer token: 401,
// the WWW-Authenticate challenge below, and an empty JSON-typed body.
func writeInvalidToken(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token", error_description="The access token provided is not valid"`)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusUnauthorized)
}
