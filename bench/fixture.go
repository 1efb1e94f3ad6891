package bench

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// Fixture is the sandbox and a running Chartside with one clinician account: what Run measures,
// and what a Go benchmark needs to profile the chart path (see cmd/web BenchmarkChart).
type Fixture struct {
	Upstream *Upstream
	Server   *Server
	User     string // the account's username; the password is benchPassword
}

// StartFixture starts the sandbox (patients generated patients), creates an account and starts
// Chartside through l, pointed at the sandbox like at a real Epic. dir must be new and empty.
func StartFixture(ctx context.Context, l Launcher, dir string, patients int, extraEnv map[string]string) (f *Fixture, err error) {
	up, err := StartUpstream(patients, slog.New(slog.DiscardHandler))
	if err != nil {
		return nil, err
	}
	f = &Fixture{Upstream: up}
	defer func() {
		if err != nil {
			err = errors.Join(err, f.Close())
			f = nil
		}
	}()
	env, err := serverEnv(up, dir, extraEnv)
	if err != nil {
		return f, err
	}
	f.User = benchUserPrefix + strings.ToLower(rand.Text()[:10])
	if err := l.Run(ctx, []string{"staff", "add", "--username", f.User, "--role", "clinician", "--password-stdin"}, env, benchPassword+"\n"); err != nil {
		return f, fmt.Errorf("bench: staff add: %w", err)
	}
	if f.Server, err = l.Serve(ctx, env); err != nil {
		return f, fmt.Errorf("bench: serve: %w", err)
	}
	return f, nil
}

// SignedIn returns a new browser signed in to the fixture's Chartside.
func (f *Fixture) SignedIn(ctx context.Context) (*Browser, error) {
	br, err := NewBrowser(f.Server.URL)
	if err != nil {
		return nil, err
	}
	return br, br.SignIn(ctx, f.User, benchPassword)
}

// Close stops Chartside, then the sandbox.
func (f *Fixture) Close() error {
	var err error
	if f.Server != nil {
		err = f.Server.Stop()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return errors.Join(err, f.Upstream.Close(ctx))
}
