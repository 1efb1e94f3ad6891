package bench

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/chartside/chartside/epic/sandbox"
)

// Upstream is the embedded Epic sandbox on a loopback port of the driver's process: both clients
// reach it over real HTTP, and its counters measure what each of them asked for.
type Upstream struct {
	Sandbox  *sandbox.Sandbox
	TokenURL string
	FHIRBase string
	srv      *http.Server
	done     chan error
}

// StartUpstream builds the sandbox (generated population of the given size, seed 1) and serves it
// on 127.0.0.1.
func StartUpstream(patients int, log *slog.Logger) (*Upstream, error) {
	sb, err := sandbox.New(sandbox.Options{Patients: patients, Logger: log})
	if err != nil {
		return nil, fmt.Errorf("bench: sandbox: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("bench: sandbox: %w", err)
	}
	u := &Upstream{
		Sandbox:  sb,
		TokenURL: "http://" + ln.Addr().String() + sandbox.TokenPath,
		FHIRBase: "http://" + ln.Addr().String() + sandbox.FHIRBasePath,
		srv:      &http.Server{Handler: sb.Handler(), ReadHeaderTimeout: 10 * time.Second},
		done:     make(chan error, 1),
	}
	go func() { u.done <- u.srv.Serve(ln) }()
	return u, nil
}

// SetLatency sets the delay the sandbox adds to every request (token, discovery and FHIR).
func (u *Upstream) SetLatency(d time.Duration) { u.Sandbox.Faults().SetLatency(d) }

// Close stops the sandbox's server.
func (u *Upstream) Close(ctx context.Context) error {
	err := u.srv.Shutdown(ctx)
	if serr := <-u.done; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	if err != nil {
		return fmt.Errorf("bench: sandbox: %w", err)
	}
	return nil
}

// Usage is the upstream traffic between two Stats snapshots.
type Usage struct {
	Token int64 // token endpoint requests
	FHIR  int64 // FHIR requests (metadata and discovery included)
}

// Total is every upstream request.
func (u Usage) Total() int64 { return u.Token + u.FHIR }

// delta returns the traffic from a to b.
func delta(a, b sandbox.Stats) Usage {
	return Usage{Token: b.TokenRequests - a.TokenRequests, FHIR: b.FHIRRequests - a.FHIRRequests}
}
