package epic

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"
)

// TestDecodeTurn: search pages wait for a decode turn once every CPU is decoding one; small bodies
// (a Patient, a token) never wait, and a caller that gives up stops waiting.
func TestDecodeTurn(t *testing.T) {
	c := newEnv(t, nil).client
	ctx := context.Background()
	var releases []func()
	for range runtime.GOMAXPROCS(0) {
		release, err := c.decodeTurn(ctx, largeBody)
		if err != nil {
			t.Fatal(err)
		}
		releases = append(releases, release)
	}
	if _, err := c.decodeTurn(ctx, largeBody-1); err != nil {
		t.Fatalf("a small body waited for a turn: %v", err)
	}
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := c.decodeTurn(short, largeBody); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("with every turn taken: %v, want the caller's deadline", err)
	}
	got := make(chan error, 1)
	go func() {
		release, err := c.decodeTurn(ctx, 1<<20)
		if err == nil {
			release()
		}
		got <- err
	}()
	releases[0]()
	select {
	case err := <-got:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a released turn was not passed on")
	}
	for _, r := range releases[1:] {
		r()
	}
}
