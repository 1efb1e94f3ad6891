package epic

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"
)

// maxBody caps a response body. A full page of 1000 vital signs is about 4 MB.
const maxBody = 64 << 20

// reply is one upstream HTTP exchange, body fully read.
type reply struct {
	status int
	header http.Header
	body   []byte
}

// attemptError is a failed exchange classified for Hooks and the breaker.
type attemptError struct {
	err     error
	outcome string
	counts  bool // counts as an Epic failure for the breaker
}

// send performs one HTTP exchange bounded by the per-request timeout and reports it to Hooks.
// newReq builds the request on the attempt's context. The error never quotes the URL.
func (c *Client) send(ctx context.Context, op string, newReq func(context.Context) (*http.Request, error)) (reply, *attemptError) {
	actx, cancel := context.WithTimeout(ctx, c.cfg.RequestTimeout)
	defer cancel()
	start := time.Now()
	r, aerr := c.exchange(ctx, actx, op, newReq)
	outcome := outcomeOK
	if aerr != nil {
		outcome = aerr.outcome
	} else if r.status < 200 || r.status > 299 {
		_, outcome = kindForStatus(r.status)
	} else if isMarkup(r.body) {
		outcome = outcomeBadResponse // Epic's XML or a proxy's HTML page, with a 200
	}
	c.cfg.Hooks.request(op, outcome, time.Since(start))
	return r, aerr
}

func (c *Client) exchange(ctx, actx context.Context, op string, newReq func(context.Context) (*http.Request, error)) (reply, *attemptError) {
	req, err := newReq(actx)
	if err != nil {
		return reply{}, &attemptError{err: fmt.Errorf("epic: %s: build request: %w", op, err), outcome: outcomeError}
	}
	resp, err := c.cfg.HTTPClient.Do(req)
	if err != nil {
		return reply{}, c.transportError(ctx, op, err)
	}
	defer resp.Body.Close()
	body, err := readBody(resp)
	if errors.Is(err, io.ErrUnexpectedEOF) && ctx.Err() == nil && actx.Err() == nil {
		// The connection ended before the Content-Length promised: half a Bundle is not data,
		// whatever the status said (a proxy or Epic dying mid-response).
		return reply{}, &attemptError{
			err:     &FHIRError{Status: resp.StatusCode, Op: op, kind: ErrBadResponse, detail: "response body cut off"},
			outcome: outcomeBadResponse, counts: true,
		}
	}
	if err != nil {
		return reply{}, c.transportError(ctx, op, err)
	}
	if len(body) > maxBody {
		return reply{}, &attemptError{
			err:     &FHIRError{Status: resp.StatusCode, Op: op, kind: ErrBadResponse, detail: "response body over 64 MiB"},
			outcome: outcomeBadResponse, counts: true,
		}
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: body}, nil
}

// transportError classifies a failed exchange: the caller's cancellation or deadline (not
// Epic's fault, so it does not count for the breaker), our per-request timeout, or a connection
// failure. *url.Error is unwrapped because its message quotes the URL, which can hold an MRN.
func (c *Client) transportError(ctx context.Context, op string, err error) *attemptError {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err
	}
	switch {
	case errors.Is(ctx.Err(), context.Canceled):
		return &attemptError{err: fmt.Errorf("epic: %s: %w", op, context.Canceled), outcome: outcomeCanceled}
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return &attemptError{err: &kindError{op, ErrTimeout, fmt.Errorf("caller deadline passed (%w)", context.DeadlineExceeded)}, outcome: outcomeTimeout}
	}
	var nerr net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &nerr) && nerr.Timeout()) {
		return &attemptError{
			err:     &kindError{op, ErrTimeout, fmt.Errorf("no answer within %s", c.cfg.RequestTimeout)},
			outcome: outcomeTimeout, counts: true,
		}
	}
	return &attemptError{err: &kindError{op, ErrUpstream, err}, outcome: outcomeError, counts: true}
}

// isMarkup reports an HTML or XML body: Epic answers XML without the right Accept header and
// IIS answers HTML for unknown paths.
func isMarkup(body []byte) bool {
	b := bytes.TrimLeft(body, " \t\r\n\ufeff")
	return len(b) > 0 && b[0] == '<'
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// readBody reads at most maxBody+1 bytes of the body, into a buffer sized from Content-Length when
// Epic sends one (a Bundle is often hundreds of KB: growing a buffer step by step copies it
// several times).
func readBody(resp *http.Response) ([]byte, error) {
	var buf bytes.Buffer
	if n := resp.ContentLength; n > 0 && n <= maxBody {
		buf.Grow(int(n) + bytes.MinRead) // ReadFrom wants MinRead spare bytes to detect EOF without growing
	}
	_, err := buf.ReadFrom(io.LimitReader(resp.Body, maxBody+1))
	return buf.Bytes(), err
}
