package epic

import "time"

// Hooks receive metrics events. Both functions are optional; the client never calls a nil one.
// They are called synchronously, so they must be fast.
type Hooks struct {
	// Request is called once per upstream HTTP attempt (retries count separately) and once for
	// each request refused by the open circuit breaker. op is one of "token", "discovery",
	// "patient.search", "patient.read", "encounter.search", "observation.search" (and "jwks" from
	// Check); outcome is one
	// of "ok", "error", "not_found", "unauthorized", "forbidden", "rate_limited", "timeout",
	// "canceled", "bad_response", "circuit_open".
	Request func(op, outcome string, d time.Duration)
	// TokenRefresh is called after every token exchange with "ok" or a failure outcome.
	TokenRefresh func(outcome string)
}

// Operation names reported to Hooks.Request.
const (
	OpToken             = "token"
	OpDiscovery         = "discovery"
	OpPatientSearch     = "patient.search"
	OpPatientRead       = "patient.read"
	OpEncounterSearch   = "encounter.search"
	OpObservationSearch = "observation.search"
	OpJWKS              = "jwks"
)

const (
	outcomeOK           = "ok"
	outcomeError        = "error"
	outcomeNotFound     = "not_found"
	outcomeUnauthorized = "unauthorized"
	outcomeForbidden    = "forbidden"
	outcomeRateLimited  = "rate_limited"
	outcomeTimeout      = "timeout"
	outcomeCanceled     = "canceled"
	outcomeBadResponse  = "bad_response"
	outcomeCircuitOpen  = "circuit_open"
)

func (h Hooks) request(op, outcome string, d time.Duration) {
	if h.Request != nil {
		h.Request(op, outcome, d)
	}
}

func (h Hooks) tokenRefresh(outcome string) {
	if h.TokenRefresh != nil {
		h.TokenRefresh(outcome)
	}
}
