package epic

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"github.com/chartside/chartside/epic/fhir"
)

// Backoff for retries without Retry-After: 250ms, 500ms, 1s ... capped, with jitter so that many
// dashboards retrying at once do not hit Epic in lockstep.
const (
	backoffBase = 250 * time.Millisecond
	backoffMax  = 5 * time.Second
)

// getFHIR GETs a FHIR URL for a resource type (its own read or search, next links included) and
// decodes a resource of wantType into v. It sends the bearer token and Accept:
// application/fhir+json (without it Epic answers XML), refreshes the token once on 401, retries
// 429/502/503/504 with backoff (honouring Retry-After within MaxRetryAfter and the caller's
// deadline), and consults that resource type's circuit breaker before every attempt.
func (c *Client) getFHIR(ctx context.Context, op, resource, rawURL, wantType string, v any) error {
	br := c.breakerFor(resource)
	refreshed := false
	for attempt := 0; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return c.ctxError(op, err)
		}
		if !br.allow() {
			c.cfg.Hooks.request(op, outcomeCircuitOpen, 0)
			return &FHIRError{Op: op, kind: ErrCircuitOpen,
				detail: "Epic kept failing " + resource + " requests; " + resource + " requests paused for up to " + c.cfg.BreakerCooldown.String()}
		}
		tok, err := c.accessToken(ctx)
		if err != nil {
			br.neutral()
			return err
		}
		r, aerr := c.send(ctx, op, func(ctx context.Context) (*http.Request, error) {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
			if err != nil {
				return nil, err
			}
			req.Header.Set("Accept", "application/fhir+json")
			req.Header.Set("Authorization", "Bearer "+tok)
			return req, nil
		})
		if aerr != nil {
			if aerr.counts {
				br.failure()
			} else {
				br.neutral() // the caller gave up: says nothing about Epic
			}
			return aerr.err
		}
		switch {
		case r.status >= 200 && r.status <= 299:
			err := c.decodeInTurn(ctx, op, r, wantType, v)
			if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
				br.neutral() // the caller gave up waiting for a decode turn
				return err
			}
			record(br, errors.Is(err, ErrBadResponse))
			return err
		case r.status == http.StatusUnauthorized && !refreshed:
			// The token may have been revoked or expired early: refresh once, retry once. A
			// second 401 means the app is not authorised and is returned as such.
			br.success()
			c.invalidateToken(tok)
			refreshed = true
			attempt--
			continue
		}
		ferr := statusError(op, r)
		if !retryable(r.status) {
			record(br, r.status >= 500 || errors.Is(ferr, ErrBadResponse))
			return ferr
		}
		if r.status == http.StatusTooManyRequests {
			br.neutral()
		} else {
			br.failure()
		}
		if attempt >= c.cfg.MaxRetries {
			return ferr
		}
		delay, ok := c.retryDelay(ctx, r.header, attempt)
		if !ok {
			return ferr
		}
		c.cfg.Logger.DebugContext(ctx, "epic: retrying", "op", op, "status", r.status, "delay", delay)
		if err := sleep(ctx, delay); err != nil {
			return c.ctxError(op, err)
		}
	}
}

// record reports a non-retried result to the breaker.
func record(br *breaker, failed bool) {
	if failed {
		br.failure()
	} else {
		br.success()
	}
}

func retryable(status int) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// retryDelay is how long to wait before the next attempt, and false when the wait is not worth
// it: Retry-After beyond MaxRetryAfter, or past the caller's deadline.
func (c *Client) retryDelay(ctx context.Context, h http.Header, attempt int) (time.Duration, bool) {
	// Real time, not c.now: the caller's deadline is on the wall clock.
	d, given := parseRetryAfter(h.Get("Retry-After"), time.Now())
	if given {
		if d > c.cfg.MaxRetryAfter {
			return 0, false
		}
	} else {
		d = backoffBase << attempt
		if d > backoffMax || d <= 0 {
			d = backoffMax
		}
		d = d/2 + rand.N(d/2+1) // jitter in [d/2, d]
	}
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) <= d {
		return 0, false
	}
	return d, true
}

// parseRetryAfter reads delay-seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.Atoi(v); err == nil {
		if secs < 0 {
			return 0, false
		}
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := t.Sub(now)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}

// ctxError wraps the caller's cancellation or deadline.
func (c *Client) ctxError(op string, err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return &kindError{op, ErrTimeout, fmt.Errorf("caller deadline passed (%w)", err)}
	}
	return fmt.Errorf("epic: %s: %w", op, err)
}

// largeBody is the size from which decoding a body waits for a decode turn: a page of search
// results (a year of vitals is hundreds of KB), not a Patient or a token.
const largeBody = 32 << 10

// decodeTurn waits until fewer large bodies than there are CPUs are being decoded, and returns the
// func that ends the turn. Decoding Epic's search pages is most of Chartside's CPU; unbounded,
// under load every CPU is taken by decoding and a clinician's page waits in the run queue behind
// it (page p99 at 50 clients: BENCHMARKS.md). Bodies wait read, at most one per fetch running.
func (c *Client) decodeTurn(ctx context.Context, size int) (func(), error) {
	if size < largeBody {
		return func() {}, nil
	}
	select {
	case c.decoding <- struct{}{}:
		return func() { <-c.decoding }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// decodeInTurn is decodeFHIR in a decode turn (decodeTurn).
func (c *Client) decodeInTurn(ctx context.Context, op string, r reply, wantType string, v any) error {
	release, err := c.decodeTurn(ctx, len(r.body))
	if err != nil {
		return c.ctxError(op, err)
	}
	defer release()
	return decodeFHIR(op, r, wantType, v)
}

// decodeFHIR decodes a 2xx body that must be FHIR JSON of wantType.
func decodeFHIR(op string, r reply, wantType string, v any) error {
	bad := func(detail string) error {
		return &FHIRError{Status: r.status, Op: op, kind: ErrBadResponse, detail: detail}
	}
	if isMarkup(r.body) {
		return bad("got XML/HTML instead of FHIR JSON")
	}
	// The type is peeked first (cheap: Epic writes it first) so that the body is decoded once,
	// into the right type.
	gotType := fhir.PeekResourceType(r.body)
	if gotType == "" {
		var head struct {
			ResourceType string `json:"resourceType"`
		}
		if err := json.Unmarshal(r.body, &head); err != nil {
			return bad("invalid JSON: " + err.Error())
		}
	}
	if gotType == "OperationOutcome" && wantType != "OperationOutcome" {
		// A 2xx carrying only an OperationOutcome is a failure report, not data.
		var oo fhir.OperationOutcome
		_ = json.Unmarshal(r.body, &oo)
		return &FHIRError{Status: r.status, Op: op, kind: ErrUpstream, Outcome: outcomeSummary(oo.Issue), Issues: oo.Issue}
	}
	if gotType != wantType {
		return bad(fmt.Sprintf("got resourceType %q, want %q", gotType, wantType))
	}
	if err := fhir.Unmarshal(r.body, v); err != nil {
		return bad("decoding " + wantType + ": " + err.Error())
	}
	return nil
}

// statusError turns a non-2xx reply into a FHIRError with the OperationOutcome when present.
func statusError(op string, r reply) error {
	kind, _ := kindForStatus(r.status)
	e := &FHIRError{Status: r.status, Op: op, kind: kind}
	if isMarkup(r.body) {
		if r.status == http.StatusNotFound {
			// Epic's IIS answers unknown paths with an HTML 404: the base URL is wrong, which is
			// not the same as "no such patient".
			e.kind = ErrBadResponse
			e.detail = "HTML 404: is the FHIR base URL right?"
		} else {
			e.detail = "HTML/XML body"
		}
		return e
	}
	var oo fhir.OperationOutcome
	if json.Unmarshal(r.body, &oo) == nil && oo.ResourceType == "OperationOutcome" {
		e.Issues = oo.Issue
		e.Outcome = outcomeSummary(oo.Issue)
	}
	if r.status == http.StatusUnauthorized || r.status == http.StatusForbidden {
		// Epic explains bearer failures in WWW-Authenticate (error="invalid_token",
		// "insufficient_scope"); the header holds no patient data.
		if wa := r.header.Get("WWW-Authenticate"); wa != "" && e.Outcome == "" {
			e.detail = wa
		}
	}
	return e
}
