package sandbox

import (
	"bytes"
	"net/http"
	"strconv"
	"time"
)

// recorder captures a response so a fault can mangle it before it is sent.
type recorder struct {
	header http.Header
	code   int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }
func (r *recorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
}

// serveFault answers r with the injected fault f; next is the real handler, used by the faults that
// start from a real response.
func (s *Sandbox) serveFault(w http.ResponseWriter, r *http.Request, f Fault, next http.Handler) {
	switch f.Kind {
	case FaultTooManyRequests:
		secs := int(f.RetryAfter.Round(time.Second) / time.Second)
		if secs <= 0 {
			secs = 1
		}
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		writeOutcome(w, r, http.StatusTooManyRequests, issue("error", "throttled", "", "", "Too many requests. Try again later."))
	case FaultServerError:
		writeOutcome(w, r, http.StatusInternalServerError, issue("fatal", "exception", "", "", "An unexpected internal error has occurred."))
	case FaultUnavailable:
		writeHTMLError(w, http.StatusServiceUnavailable, "503 - Service Unavailable")
	case FaultRevoked:
		s.tokens.revokeAll()
		writeInvalidToken(w)
	case FaultHTMLError:
		writeHTMLError(w, http.StatusInternalServerError, "500 - Internal server error.")
	case FaultTruncated:
		// Produce the real response, then send its headers with the full Content-Length and only
		// half the body: the client sees an unexpected EOF mid-JSON.
		rec := &recorder{header: http.Header{}}
		next.ServeHTTP(rec, r)
		if rec.code == 0 {
			rec.code = http.StatusOK
		}
		body := rec.body.Bytes()
		for k, v := range rec.header {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(rec.code)
		_, _ = w.Write(body[:len(body)/2])
	default:
		writeHTMLError(w, http.StatusInternalServerError, "500 - Internal server error.")
	}
}
