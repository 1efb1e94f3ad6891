package epic

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/chartside/chartside/epic/fhir"
)

// Sentinel errors. Every error the client returns matches at most one of them with errors.Is
// (caller cancellation matches context.Canceled instead).
var (
	// ErrInvalidMRN: the MRN is empty, too long, or contains a comma, pipe or control character
	// (which would change the meaning of the FHIR search). No request was sent.
	ErrInvalidMRN = errors.New("epic: invalid MRN")
	// ErrInvalidQuery: a search value (observation code or category) is malformed. No request
	// was sent.
	ErrInvalidQuery = errors.New("epic: invalid query")
	// ErrNotFound: Epic has no such resource (404 with an OperationOutcome).
	ErrNotFound = errors.New("epic: not found")
	// ErrUnauthorized: Epic rejected the access token even after one refresh (401).
	ErrUnauthorized = errors.New("epic: unauthorized")
	// ErrForbidden: the app is not allowed this API or data (403, insufficient scope).
	ErrForbidden = errors.New("epic: forbidden")
	// ErrRateLimited: Epic asked us to slow down (429) and waiting was not possible.
	ErrRateLimited = errors.New("epic: rate limited")
	// ErrUpstream: Epic failed or refused the request (5xx, 400, token endpoint errors).
	ErrUpstream = errors.New("epic: upstream error")
	// ErrBadResponse: the response was not the FHIR JSON expected (HTML/XML, invalid JSON, wrong
	// resource type, a next link to another host).
	ErrBadResponse = errors.New("epic: bad response")
	// ErrCircuitOpen: recent requests to Epic kept failing, so this one was not sent.
	ErrCircuitOpen = errors.New("epic: circuit open")
	// ErrTimeout: Epic did not answer within the per-request timeout or the caller's deadline.
	ErrTimeout = errors.New("epic: timeout")
)

// FHIRError is a failed FHIR request. It matches the sentinel for its status with errors.Is.
// Its message holds the operation, the status and Epic's catalogued message numbers and texts,
// never URLs or Epic's free-text diagnostics (which can echo search values).
type FHIRError struct {
	Status  int    // HTTP status, 0 when none was received
	Op      string // e.g. "patient.read"
	Outcome string // safe summary of the OperationOutcome: "59008 The FHIR ID provided was not found."
	// Issues is the full OperationOutcome, diagnostics included, for display to an authorised user.
	// Do not log it.
	Issues []fhir.OperationOutcomeIssue
	kind   error
	detail string
}

func (e *FHIRError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "epic: %s", e.Op)
	if e.Status != 0 {
		fmt.Fprintf(&b, ": %d %s", e.Status, strings.ToLower(http.StatusText(e.Status)))
	}
	if e.detail != "" {
		b.WriteString(": " + e.detail)
	}
	if e.Outcome != "" {
		b.WriteString(": " + e.Outcome)
	}
	return b.String()
}

// Is matches the sentinel error for the failure kind.
func (e *FHIRError) Is(target error) bool { return target == e.kind }

// TokenError is a failed token exchange. It keeps Epic's OAuth error and description and adds
// the likely causes, which Epic's bare "invalid_client" never explains. It matches ErrUpstream,
// or ErrTimeout when the token endpoint did not answer.
type TokenError struct {
	Status      int    // HTTP status of the token endpoint, 0 when none was received
	Code        string // OAuth error code, e.g. "invalid_client"
	Description string // error_description (Epic usually sends null)
	Causes      []string
	Err         error // underlying transport or decoding error, if any
}

func (e *TokenError) Error() string {
	var b strings.Builder
	b.WriteString("epic: token request failed")
	if e.Status != 0 {
		fmt.Fprintf(&b, ": %d", e.Status)
	}
	if e.Code != "" {
		b.WriteString(" " + e.Code)
	}
	if e.Description != "" {
		b.WriteString(" (" + e.Description + ")")
	}
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	if len(e.Causes) > 0 {
		b.WriteString("; likely causes: " + strings.Join(e.Causes, "; "))
	}
	return b.String()
}

// Unwrap returns the transport error, if any.
func (e *TokenError) Unwrap() error { return e.Err }

// Is matches ErrUpstream, or ErrTimeout for a token endpoint that did not answer in time.
func (e *TokenError) Is(target error) bool {
	if errors.Is(e.Err, ErrTimeout) {
		return target == ErrTimeout
	}
	return target == ErrUpstream
}

// kindForStatus maps an HTTP status to a sentinel and a Hooks outcome.
func kindForStatus(status int) (error, string) {
	switch {
	case status == http.StatusNotFound || status == http.StatusGone:
		return ErrNotFound, outcomeNotFound
	case status == http.StatusUnauthorized:
		return ErrUnauthorized, outcomeUnauthorized
	case status == http.StatusForbidden:
		return ErrForbidden, outcomeForbidden
	case status == http.StatusTooManyRequests:
		return ErrRateLimited, outcomeRateLimited
	case status == http.StatusGatewayTimeout || status == http.StatusRequestTimeout:
		return ErrTimeout, outcomeTimeout
	default:
		return ErrUpstream, outcomeError
	}
}

// outcomeSummary is the loggable part of an OperationOutcome: Epic message numbers and their
// catalogue texts (details), not diagnostics.
func outcomeSummary(issues []fhir.OperationOutcomeIssue) string {
	parts := make([]string, 0, len(issues))
	for _, is := range issues {
		text := ""
		if is.Details != nil {
			text = is.Details.Text
			if text == "" && len(is.Details.Coding) > 0 {
				text = is.Details.Coding[0].Display
			}
		}
		p := strings.TrimSpace(strings.Join(nonEmpty(is.EpicCode(), text), " "))
		if p == "" {
			p = is.Severity + " " + is.Code
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, "; ")
}

func nonEmpty(ss ...string) []string {
	out := ss[:0]
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// kindError is an operation's failure marked with its kind (a sentinel above, for errors.Is) and
// its cause. Its text says "epic:" once: "epic: discovery: upstream error: dial tcp …", where
// wrapping the sentinel with fmt.Errorf read "epic: discovery: epic: upstream error: dial tcp …".
type kindError struct {
	op          string
	kind, cause error
}

func (e *kindError) Error() string {
	return "epic: " + e.op + ": " + strings.TrimPrefix(e.kind.Error(), "epic: ") + ": " + e.cause.Error()
}

func (e *kindError) Unwrap() []error { return []error{e.kind, e.cause} }
