package sessions

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"
)

// sessionContext is a request context with a fresh, unsaved session, as
// Middleware would give a handler to a browser without a cookie. Nothing here
// reaches the store, so the Managers below have none.
func sessionContext(t testing.TB, m *Manager) context.Context {
	t.Helper()
	ctx, err := m.scs.Load(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	return context.WithValue(ctx, stateKey{}, &requestState{})
}

func TestSealOpensOnlyInItsSession(t *testing.T) {
	m := New(nil, Options{})
	ctx, other := sessionContext(t, m), sessionContext(t, m)
	const plain = "eGkZ3.ab-12|2023-06-02"

	sealed, err := m.Seal(ctx, plain)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(sealed, "eGkZ3") || strings.Contains(sealed, "2023") || strings.ContainsAny(sealed, "=+/") {
		t.Errorf("sealed %q shows its plaintext or is not unpadded base64url", sealed)
	}
	if got, ok := m.Open(ctx, sealed); !ok || got != plain {
		t.Errorf("Open(Seal(%q)) = %q, %v", plain, got, ok)
	}
	again, _ := m.Seal(ctx, plain)
	if again == sealed {
		t.Error("sealing the same value twice gave the same string (nonce reused)")
	}
	if got, ok := m.Open(ctx, again); !ok || got != plain {
		t.Errorf("second seal opens to %q, %v", got, ok)
	}
	// Seal created the secret CSRFToken uses; the CSRF token still validates.
	if tok := m.CSRFToken(ctx); !m.validCSRF(ctx, tok) {
		t.Error("CSRF token invalid after Seal created the secret")
	}

	raw, _ := base64.RawURLEncoding.DecodeString(sealed)
	flipped := append([]byte(nil), raw...)
	flipped[len(flipped)/2] ^= 1
	refused := map[string]string{
		"another session": sealed,
		"tampered":        base64.RawURLEncoding.EncodeToString(flipped),
		"truncated":       sealed[:len(sealed)-2],
		"not base64":      sealed[:10] + "!" + sealed[11:],
		"padded":          sealed + "==",
		"empty":           "",
		"too short":       "AAAA",
		"too long":        strings.Repeat("A", maxSealedLen+4),
		"plaintext as-is": plain,
	}
	for name, s := range refused {
		c := ctx
		if name == "another session" {
			c = other
		}
		if got, ok := m.Open(c, s); ok {
			t.Errorf("%s: opened to %q", name, got)
		}
	}
	if _, ok := m.Open(context.Background(), sealed); ok {
		t.Error("opened without a session")
	}
	if _, err := m.Seal(context.Background(), plain); err == nil {
		t.Error("sealed without a session")
	}
}

// Open must not give a session a secret: a stranger's URL would otherwise
// write to the store.
func TestOpenCreatesNoSecret(t *testing.T) {
	m := New(nil, Options{})
	ctx := sessionContext(t, m)
	if _, ok := m.Open(ctx, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"); ok {
		t.Fatal("opened garbage")
	}
	if m.scs.Exists(ctx, keyCSRF) || stateMust(t, ctx).dirty {
		t.Error("Open created a secret")
	}
}

func stateMust(t *testing.T, ctx context.Context) *requestState {
	t.Helper()
	st, ok := stateFrom(ctx)
	if !ok {
		t.Fatal("no request state")
	}
	return st
}

// BenchmarkSeal is the cost of one sealed link: a timeline renders one per encounter.
func BenchmarkSeal(b *testing.B) {
	m := New(nil, Options{})
	ctx := sessionContext(b, m)
	const plain = "e0c2XnB5KTpLn6hEyzO0n3dQXJSEyT6vLb7IV.SE8jt43|2023-06-02"
	for b.Loop() {
		if _, err := m.Seal(ctx, plain); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpen is the cost a drill-down pays to read its link.
func BenchmarkOpen(b *testing.B) {
	m := New(nil, Options{})
	ctx := sessionContext(b, m)
	sealed, err := m.Seal(ctx, "e0c2XnB5KTpLn6hEyzO0n3dQXJSEyT6vLb7IV.SE8jt43|2023-06-02")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, ok := m.Open(ctx, sealed); !ok {
			b.Fatal("does not open")
		}
	}
}
