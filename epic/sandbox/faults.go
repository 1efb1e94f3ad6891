package sandbox

import (
	"strings"
	"sync"
	"time"
)

// FaultKind names one way an upstream request can fail on purpose.
type FaultKind int

// The failure modes a test or benchmark can inject. Epic itself has never been seen to send 429
// (EPIC.md §5), but proxies in front of it do, and the client must cope.
const (
	FaultTooManyRequests FaultKind = iota + 1 // 429 with Retry-After
	FaultServerError                          // 500 OperationOutcome
	FaultUnavailable                          // 503 HTML page, like IIS when the app pool is down
	FaultRevoked                              // revokes every token, then 401 like an expired token
	FaultTruncated                            // the real response, cut off half way
	FaultHTMLError                            // 200-less HTML error page where JSON was expected
)

// Fault is one injected failure.
type Fault struct {
	Kind FaultKind
	// RetryAfter is sent as the Retry-After header (whole seconds) for FaultTooManyRequests;
	// zero means 1 second.
	RetryAfter time.Duration
}

// String names the fault kind for logs and flags.
func (k FaultKind) String() string {
	switch k {
	case FaultTooManyRequests:
		return "429"
	case FaultServerError:
		return "500"
	case FaultUnavailable:
		return "503"
	case FaultRevoked:
		return "401"
	case FaultTruncated:
		return "truncated"
	case FaultHTMLError:
		return "html"
	}
	return "unknown"
}

// ParseFaultKind reads the names printed by FaultKind.String ("429", "500", "503", "401",
// "truncated", "html").
func ParseFaultKind(s string) (FaultKind, bool) {
	for k := FaultTooManyRequests; k <= FaultHTMLError; k++ {
		if k.String() == s {
			return k, true
		}
	}
	return 0, false
}

// Faults holds the failures armed on a Sandbox. It is safe for concurrent use; tests arm it while
// requests are in flight.
type Faults struct {
	mu        sync.Mutex
	latency   time.Duration
	tokenDown bool
	pending   []pendingFault
	revoke    func() // set by the Sandbox: drops every issued token
}

type pendingFault struct {
	prefix string
	left   int
	fault  Fault
}

// SetLatency adds d before every request is answered (token endpoint included).
func (f *Faults) SetLatency(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.latency = d
}

// FailNext makes the next n requests whose path starts with pathPrefix fail with fault. A prefix
// without a leading slash is taken relative to the FHIR base, so "Observation" means
// FHIRBasePath+"/Observation". Several armed faults are consumed in the order they were armed.
func (f *Faults) FailNext(pathPrefix string, n int, fault Fault) {
	if n <= 0 {
		return
	}
	if !strings.HasPrefix(pathPrefix, "/") {
		pathPrefix = FHIRBasePath + "/" + pathPrefix
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pending = append(f.pending, pendingFault{prefix: pathPrefix, left: n, fault: fault})
}

// SetTokenDown makes the token endpoint answer 503 until it is set back to false.
func (f *Faults) SetTokenDown(down bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tokenDown = down
}

// RevokeAllTokens invalidates every access token issued so far, as when Epic's background user is
// disabled; the next FHIR call with an old token gets 401.
func (f *Faults) RevokeAllTokens() {
	if f.revoke != nil {
		f.revoke()
	}
}

// Reset clears latency, armed faults and the token-down switch. Issued tokens stay valid.
func (f *Faults) Reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.latency = 0
	f.tokenDown = false
	f.pending = nil
}

// take returns the fault armed for path, consuming one use of it.
func (f *Faults) take(path string) (Fault, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.pending {
		p := &f.pending[i]
		if !strings.HasPrefix(path, p.prefix) {
			continue
		}
		fault := p.fault
		p.left--
		if p.left == 0 {
			f.pending = append(f.pending[:i], f.pending[i+1:]...)
		}
		return fault, true
	}
	return Fault{}, false
}

func (f *Faults) currentLatency() time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.latency
}

func (f *Faults) isTokenDown() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.tokenDown
}
