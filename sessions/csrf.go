package sessions

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"
)

// CSRF token transport. htmx sends the header (set once on <body> with
// hx-headers); plain forms carry the hidden field.
const (
	CSRFHeader    = "X-CSRF-Token"
	CSRFFormField = "csrf_token"
)

// Errors behind a 403 from CSRF, reachable with errors.Is through the
// *echo.HTTPError's Internal field.
var (
	ErrCrossSite = errors.New("sessions: cross-site request refused")
	ErrCSRFToken = errors.New("sessions: missing or invalid csrf token")
)

const csrfSecretLen = 32

func newCSRFSecret() (string, error) {
	b := make([]byte, csrfSecretLen)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generate csrf secret: %w", err)
	}
	return string(b), nil
}

// CSRFToken returns the synchronizer token for the current session, creating
// the session's secret on first use (so the sign-in form can be protected
// too). The secret lives inside the session, not in a second cookie, so a
// response still carries exactly one Set-Cookie.
//
// Each call returns a different string: the secret is XOR-masked with a fresh
// random pad, so a compressed HTTPS response never repeats the same bytes
// (BREACH). Every returned token stays valid for the life of the session.
// It returns "" for a context without a session.
func (m *Manager) CSRFToken(ctx context.Context) string {
	st, ok := stateFrom(ctx)
	if !ok {
		return ""
	}
	secret, err := m.csrfSecret(ctx, st)
	if err != nil {
		m.log.ErrorContext(ctx, "sessions: csrf token", "err", err)
		return ""
	}
	pad := make([]byte, csrfSecretLen)
	if _, err := rand.Read(pad); err != nil {
		m.log.ErrorContext(ctx, "sessions: csrf token", "err", err)
		return ""
	}
	out := make([]byte, 2*csrfSecretLen)
	copy(out, pad)
	for i := range csrfSecretLen {
		out[csrfSecretLen+i] = pad[i] ^ secret[i]
	}
	return base64.RawURLEncoding.EncodeToString(out)
}

// csrfSecret returns the session's secret, creating it on first use. Seal
// derives its key from it too.
func (m *Manager) csrfSecret(ctx context.Context, st *requestState) (string, error) {
	secret := m.scs.GetString(ctx, keyCSRF)
	if len(secret) == csrfSecretLen {
		return secret, nil
	}
	secret, err := newCSRFSecret()
	if err != nil {
		return "", err
	}
	m.set(ctx, st, keyCSRF, secret)
	return secret, nil
}

// validCSRF checks a token produced by CSRFToken against the session secret.
func (m *Manager) validCSRF(ctx context.Context, token string) bool {
	if _, ok := stateFrom(ctx); !ok || token == "" {
		return false
	}
	secret := m.scs.GetString(ctx, keyCSRF)
	if len(secret) != csrfSecretLen {
		return false
	}
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(raw) != 2*csrfSecretLen {
		return false
	}
	got := make([]byte, csrfSecretLen)
	for i := range csrfSecretLen {
		got[i] = raw[i] ^ raw[csrfSecretLen+i]
	}
	return subtle.ConstantTimeCompare(got, []byte(secret)) == 1
}

// CSRF protects every state-changing request. It must run after Middleware.
//
// Two independent checks, both must pass for POST, PUT, PATCH and DELETE:
// the browser's own statement of where the request came from (Sec-Fetch-Site,
// or Origin against Host for older browsers — net/http's
// CrossOriginProtection), and the session's synchronizer token from the
// X-CSRF-Token header or the csrf_token form field. Either failure is a 403;
// the Internal error is ErrCrossSite or ErrCSRFToken.
func (m *Manager) CSRF() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			switch req.Method {
			case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
				return next(c)
			}
			if err := m.crossOrigin.Check(req); err != nil {
				return &echo.HTTPError{
					Code:     http.StatusForbidden,
					Message:  "This request did not come from a Chartside page and was refused.",
					Internal: fmt.Errorf("%w: %w", ErrCrossSite, err),
				}
			}
			token := req.Header.Get(CSRFHeader)
			if token == "" {
				token = c.FormValue(CSRFFormField)
			}
			if !m.validCSRF(req.Context(), token) {
				return &echo.HTTPError{
					Code:     http.StatusForbidden,
					Message:  "This form has expired. Reload the page and try again.",
					Internal: ErrCSRFToken,
				}
			}
			return next(c)
		}
	}
}
