package epic

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

func setTokenStatus(env *testEnv, status int) {
	env.epic.mu.Lock()
	defer env.epic.mu.Unlock()
	env.epic.tokenStatus = status
}

// checkAll runs n CheckTokens at once, as HAProxy's probes and metric scrapes do, and returns
// their errors.
func checkAll(c *Client, n int) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { errs[i] = c.CheckToken(context.Background()) })
	}
	wg.Wait()
	return errs
}

// TestCheckTokenKeepsStateCurrent: the token state /readyz reports follows Epic without any user
// request. A client that has never exchanged does not report ok: the check exchanges. A failure is
// reported, and retried at most once per TokenCheckInterval however many checks arrive; once
// Epic's token endpoint recovers, the next due check exchanges and reports it, and its token
// serves the next user request.
func TestCheckTokenKeepsStateCurrent(t *testing.T) {
	env := newEnv(t, nil)
	env.epic.setFHIR(okPatientSearch(t))
	setTokenStatus(env, 503)
	tokens := func() int { n, _ := env.epic.counts(); return n }

	var te *TokenError
	if err := env.client.CheckToken(context.Background()); !errors.As(err, &te) || te.Status != 503 {
		t.Fatalf("fresh client, token endpoint failing: CheckToken = %v, want the 503 TokenError", err)
	}
	if tokens() != 1 {
		t.Fatalf("token requests = %d, want 1 (the check's own exchange)", tokens())
	}

	// Within the interval: the failure, from memory, for every check.
	for i, err := range checkAll(env.client, 20) {
		if !errors.As(err, &te) {
			t.Fatalf("check %d within the interval = %v, want the TokenError", i, err)
		}
	}
	setTokenStatus(env, 0) // Epic's token endpoint recovers
	env.clock.Advance(DefaultTokenCheckInterval - time.Second)
	if err := env.client.CheckToken(context.Background()); !errors.As(err, &te) {
		t.Errorf("a second before the interval ends: CheckToken = %v, want the last failure", err)
	}
	if tokens() != 1 {
		t.Fatalf("token requests within the interval = %d, want 1", tokens())
	}

	// The interval has passed: one exchange for all the checks, and the recovery shows.
	env.clock.Advance(time.Second)
	checkAll(env.client, 20)
	if tokens() != 2 {
		t.Errorf("token requests after the interval = %d, want 2 (one more, shared by every check)", tokens())
	}
	if err := env.client.CheckToken(context.Background()); err != nil {
		t.Errorf("after Epic recovered: CheckToken = %v, want nil", err)
	}
	if err := env.client.TokenStatus(); err != nil {
		t.Errorf("after Epic recovered: TokenStatus = %v, want nil", err)
	}
	// The check's token serves users: no exchange for the next search, none for later checks.
	if _, err := env.client.SearchPatientsByMRN(context.Background(), "203713"); err != nil {
		t.Fatal(err)
	}
	env.clock.Advance(time.Hour - 2*time.Minute)
	checkAll(env.client, 5)
	if tokens() != 2 {
		t.Errorf("token requests while a valid token is cached = %d, want 2", tokens())
	}
}

// TestCheckTokenAnswersQuickly: a token endpoint that hangs does not hold a health check for
// longer than tokenCheckWait; the check says no exchange has finished, and the exchange goes on.
func TestCheckTokenAnswersQuickly(t *testing.T) {
	env := newEnv(t, nil)
	gate := make(chan struct{})
	env.epic.mu.Lock()
	env.epic.tokenGate = gate
	env.epic.mu.Unlock()
	defer close(gate)

	start := time.Now()
	err := env.client.CheckToken(context.Background())
	if took := time.Since(start); took > tokenCheckWait+time.Second {
		t.Errorf("CheckToken took %v with the token endpoint hanging", took)
	}
	if !errors.Is(err, errTokenPending) {
		t.Errorf("CheckToken = %v, want errTokenPending", err)
	}
	// A check while that exchange runs waits for it too (bounded), rather than starting another.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := env.client.CheckToken(ctx); !errors.Is(err, errTokenPending) {
		t.Errorf("second CheckToken = %v, want errTokenPending", err)
	}
	if n, _ := env.epic.counts(); n != 1 {
		t.Errorf("token requests = %d, want 1", n)
	}
}
