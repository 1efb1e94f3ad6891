package soak

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chartside/chartside/epic/sandbox"
)

// upstream is the embedded Epic sandbox on a loopback port of the driver's process, with an
// injector in front that arms the sandbox's own fault switch for a fraction of Observation searches.
type upstream struct {
	sb       *sandbox.Sandbox
	handler  http.Handler
	fhirBase string
	srv      *http.Server
	done     chan error
	rate     float64

	mu       sync.Mutex
	rnd      *rand.Rand
	injected atomic.Int64
}

func startUpstream(patients int, latency time.Duration, rate float64, seed uint64) (*upstream, error) {
	sb, err := sandbox.New(sandbox.Options{Patients: patients})
	if err != nil {
		return nil, fmt.Errorf("soak: sandbox: %w", err)
	}
	sb.Faults().SetLatency(latency)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("soak: sandbox: %w", err)
	}
	u := &upstream{
		sb:       sb,
		handler:  sb.Handler(),
		fhirBase: "http://" + ln.Addr().String() + sandbox.FHIRBasePath,
		done:     make(chan error, 1),
		rate:     rate,
		rnd:      rand.New(rand.NewPCG(seed, 0x50a4)),
	}
	u.srv = &http.Server{Handler: u, ReadHeaderTimeout: 10 * time.Second}
	go func() { u.done <- u.srv.Serve(ln) }()
	return u, nil
}

// ServeHTTP arms a one-shot 500 OperationOutcome for this Observation search with probability
// rate. Epic's client does not retry a 500, so each injection is one failed search: a section
// message, or a prefetch that the section request fetches again.
func (u *upstream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if u.rate > 0 && strings.HasSuffix(r.URL.Path, "/Observation") && u.roll() {
		u.injected.Add(1)
		u.sb.Faults().FailNext(r.URL.Path, 1, sandbox.Fault{Kind: sandbox.FaultServerError})
	}
	u.handler.ServeHTTP(w, r)
}

func (u *upstream) roll() bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.rnd.Float64() < u.rate
}

func (u *upstream) close(ctx context.Context) error {
	err := u.srv.Shutdown(ctx)
	if serr := <-u.done; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	if err != nil {
		return fmt.Errorf("soak: sandbox: %w", err)
	}
	return nil
}
