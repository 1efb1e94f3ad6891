package sessions

import (
	"net/http"
	"testing"
	"time"
)

func TestActivityGranularity(t *testing.T) {
	tests := []struct {
		idle, want time.Duration
	}{
		{15 * time.Minute, 45 * time.Second},
		{3 * time.Minute, 9 * time.Second},
		{12 * time.Second, 600 * time.Millisecond},
		{time.Hour, time.Minute},
		{8 * time.Hour, time.Minute},
	}
	for _, tt := range tests {
		if got := activityGranularity(tt.idle); got != tt.want {
			t.Errorf("activityGranularity(%v) = %v, want %v", tt.idle, got, tt.want)
		}
		m := New(nil, Options{IdleTimeout: tt.idle})
		if got, want := m.GuaranteedIdle(), tt.idle-tt.want; got != want {
			t.Errorf("GuaranteedIdle with idle %v = %v, want %v", tt.idle, got, want)
		}
	}
}

// TestRefreshWritesOncePerGranularity checks, on every store, that requests within the
// granularity write nothing and send no cookie, that the first request after it writes once (still
// no cookie: the token is unchanged), and that parallel requests crossing it write once between
// them.
func TestRefreshWritesOncePerGranularity(t *testing.T) {
	for _, sc := range storeCases() {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			st := recording(sc.open(t))
			h := newHarness(t, st, Options{IdleTimeout: 15 * time.Minute})
			g := h.m.granularity
			b := h.browser(t)
			b.signIn()
			cookie := b.cookie

			quiet := func(what string, res *http.Response) {
				t.Helper()
				if res.StatusCode != http.StatusOK {
					t.Fatalf("%s: /me = %d %q, want 200", what, res.StatusCode, body(t, res))
				}
				if cks := sessionCookies(res, h.m.CookieName()); len(cks) != 0 {
					t.Errorf("%s: Set-Cookie %v, want none", what, res.Header.Values("Set-Cookie"))
				}
			}
			expect := func(what string, res *http.Response, writesBefore, wantWrites int64) {
				t.Helper()
				quiet(what, res)
				if got := st.writes() - writesBefore; got != wantWrites {
					t.Errorf("%s: %d store writes, want %d", what, got, wantWrites)
				}
			}

			w := st.writes()
			for i := range 20 {
				h.clock.Advance((g - time.Millisecond) / 20)
				expect("request within the granularity", b.do(http.MethodGet, "/me", nil, nil), w, 0)
				if i == 10 {
					for _, res := range parallelGets(h, cookie, "/me", 5) {
						expect("parallel requests within the granularity", res, w, 0)
					}
				}
			}

			h.clock.Advance(time.Millisecond) // last activity (the sign-in) is now one granularity old
			w = st.writes()
			expect("first request after the granularity", b.do(http.MethodGet, "/me", nil, nil), w, 1)
			w = st.writes()
			expect("next request", b.do(http.MethodGet, "/me", nil, nil), w, 0)

			h.clock.Advance(g)
			w = st.writes()
			for _, res := range parallelGets(h, cookie, "/me", 6) {
				quiet("parallel requests crossing the granularity", res)
			}
			if got := st.writes() - w; got != 1 {
				t.Errorf("6 parallel requests crossing the granularity: %d store writes, want 1", got)
			}
			if b.cookie != cookie {
				t.Error("the session cookie changed")
			}
		})
	}
}

// TestStoreExpiryFollowsActivity checks, on every store, when a session's store entry expires:
// one idle timeout after each save, so an abandoned session's record (and the patients it had
// open) is gone when the middleware would refuse it anyway — but never after the absolute deadline.
func TestStoreExpiryFollowsActivity(t *testing.T) {
	const idle, lifetime = 15 * time.Minute, 20 * time.Minute
	for _, sc := range storeCases() {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			st := recording(sc.open(t))
			h := newHarness(t, st, Options{IdleTimeout: idle, Lifetime: lifetime})
			b := h.browser(t)
			signedIn := time.Now() // scs sets the deadline by the real clock
			b.signIn()
			if got, want := st.expiry(), h.clock.Now().Add(idle); !got.Equal(want) {
				t.Fatalf("store expiry at sign-in = %v, want one idle timeout later, %v", got, want)
			}
			// A refresh a granularity later pushes the record's expiry back with the activity.
			h.clock.Advance(h.m.granularity)
			w := st.writes()
			if res := b.do(http.MethodGet, "/me", nil, nil); res.StatusCode != http.StatusOK {
				t.Fatalf("/me = %d", res.StatusCode)
			}
			if st.writes() != w+1 {
				t.Fatalf("refresh: %d writes, want 1", st.writes()-w)
			}
			if got, want := st.expiry(), h.clock.Now().Add(idle); !got.Equal(want) {
				t.Errorf("store expiry after a refresh = %v, want %v", got, want)
			}
			// Ten minutes on, the 20-minute lifetime ends before another idle timeout would.
			h.clock.Advance(10 * time.Minute)
			if res := b.do(http.MethodGet, "/me", nil, nil); res.StatusCode != http.StatusOK {
				t.Fatalf("/me = %d", res.StatusCode)
			}
			deadline := signedIn.Add(lifetime)
			if got := st.expiry(); got.Before(deadline) || got.After(deadline.Add(time.Minute)) {
				t.Errorf("store expiry near the end of the lifetime = %v, want the absolute deadline %v", got, deadline)
			}
		})
	}
}

// TestIdleSignOutEarlyNeverLate checks the promise the kiosk countdown relies on, wherever the
// last request falls relative to the last saved activity: the session is alive GuaranteedIdle after
// the last request, and ended by IdleTimeout after it.
func TestIdleSignOutEarlyNeverLate(t *testing.T) {
	const idle = 3 * time.Minute
	g := activityGranularity(idle)
	for _, last := range []time.Duration{0, time.Second, g / 2, g - time.Millisecond, g, g + time.Second, 2*g - time.Millisecond} {
		for _, tt := range []struct {
			after time.Duration // since the last request
			want  int
		}{
			{idle - g, http.StatusOK},
			{idle, http.StatusUnauthorized},
		} {
			h := newHarness(t, sqliteStore(t), Options{IdleTimeout: idle})
			b := h.browser(t)
			b.signIn()
			h.clock.Advance(last)
			if res := b.do(http.MethodGet, "/anon", nil, nil); res.StatusCode != http.StatusOK {
				t.Fatalf("last request %v after sign-in: %d", last, res.StatusCode)
			}
			h.clock.Advance(tt.after)
			res := b.do(http.MethodGet, "/me", nil, nil)
			if res.StatusCode != tt.want {
				t.Errorf("last request %v after sign-in, /me %v later = %d %q, want %d", last, tt.after, res.StatusCode, body(t, res), tt.want)
			}
		}
	}
}

// TestKeepAliveSavesAtOnce checks, on every store, that the keep-alive refreshes the last activity
// even inside the granularity, so the idle timeout counts from it exactly.
func TestKeepAliveSavesAtOnce(t *testing.T) {
	for _, sc := range storeCases() {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			const idle = 3 * time.Minute
			st := recording(sc.open(t))
			h := newHarness(t, st, Options{IdleTimeout: idle, Kiosk: true})
			b := h.browser(t)
			b.signIn()
			h.clock.Advance(h.m.granularity / 2)
			w := st.writes()
			res := b.post("/keepalive")
			if res.StatusCode != http.StatusNoContent {
				t.Fatalf("keepalive = %d %q, want 204", res.StatusCode, body(t, res))
			}
			if got := st.writes() - w; got != 1 {
				t.Errorf("keepalive: %d store writes, want 1", got)
			}
			if cks := sessionCookies(res, h.m.CookieName()); len(cks) != 0 {
				t.Errorf("keepalive: Set-Cookie %v, want none (the token is unchanged)", res.Header.Values("Set-Cookie"))
			}
			// Without the keep-alive's save the session would end half a granularity earlier.
			h.clock.Advance(idle - time.Millisecond)
			if res := b.do(http.MethodGet, "/me", nil, nil); res.StatusCode != http.StatusOK {
				t.Fatalf("/me just under idle after the keepalive = %d, want 200", res.StatusCode)
			}
			h.clock.Advance(idle)
			if got := body(t, b.do(http.MethodGet, "/me", nil, nil)); got != "expired:"+testUsername {
				t.Errorf("/me idle after the last request = %q, want expired", got)
			}
		})
	}
}

// TestStoreFailureKeepsCookie checks, on every store, that a store that cannot be read or written
// answers 503 and leaves the browser's cookie alone (never a new anonymous session), and that the
// next request after the store recovers finds the session as it was.
func TestStoreFailureKeepsCookie(t *testing.T) {
	const idle = 15 * time.Minute
	tests := []struct {
		name       string
		prepare    func(h *harness, b *browser) // before the store fails
		fail       func(st *recordingStore)
		do         func(b *browser) *http.Response
		wantStatus int
		wantClear  bool                           // the one exception: a sign-out still drops the cookie
		recovered  func(t *testing.T, b *browser) // after the store is back
	}{
		{
			name:       "load fails",
			prepare:    func(h *harness, b *browser) { b.signIn() },
			fail:       func(st *recordingStore) { st.failFind.Store(true) },
			do:         func(b *browser) *http.Response { return b.do(http.MethodGet, "/me", nil, nil) },
			wantStatus: http.StatusServiceUnavailable,
			recovered:  wantSignedIn,
		},
		{
			name: "refreshing the last activity fails",
			prepare: func(h *harness, b *browser) {
				b.signIn()
				h.clock.Advance(h.m.granularity)
			},
			fail:       func(st *recordingStore) { st.failCommit.Store(true) },
			do:         func(b *browser) *http.Response { return b.do(http.MethodGet, "/me", nil, nil) },
			wantStatus: http.StatusServiceUnavailable,
			recovered:  wantSignedIn,
		},
		{
			name: "ending an idle session fails",
			prepare: func(h *harness, b *browser) {
				b.signIn()
				h.clock.Advance(idle)
			},
			fail:       func(st *recordingStore) { st.failDelete.Store(true) },
			do:         func(b *browser) *http.Response { return b.do(http.MethodGet, "/me", nil, nil) },
			wantStatus: http.StatusServiceUnavailable,
			recovered: func(t *testing.T, b *browser) {
				// Still reported as an expiry, not as "never signed in".
				if got := body(t, b.do(http.MethodGet, "/me", nil, nil)); got != "expired:"+testUsername {
					t.Errorf("after recovery /me = %q, want expired:%s", got, testUsername)
				}
			},
		},
		{
			name:       "keep-alive fails",
			prepare:    func(h *harness, b *browser) { b.signIn() },
			fail:       func(st *recordingStore) { st.failCommit.Store(true) },
			do:         func(b *browser) *http.Response { return b.post("/keepalive") },
			wantStatus: http.StatusServiceUnavailable,
			recovered: func(t *testing.T, b *browser) {
				if res := b.post("/keepalive"); res.StatusCode != http.StatusNoContent {
					t.Errorf("keepalive after recovery = %d, want 204", res.StatusCode)
				}
				wantSignedIn(t, b)
			},
		},
		{
			name:       "saving an opened patient fails",
			prepare:    func(h *harness, b *browser) { b.signIn() },
			fail:       func(st *recordingStore) { st.failCommit.Store(true) },
			do:         func(b *browser) *http.Response { return b.post("/open") },
			wantStatus: http.StatusServiceUnavailable,
			recovered:  wantSignedIn,
		},
		{
			name:       "saving the sign-in fails",
			prepare:    func(h *harness, b *browser) { b.visitForm() },
			fail:       func(st *recordingStore) { st.failCommit.Store(true) },
			do:         func(b *browser) *http.Response { return b.post("/signin") },
			wantStatus: http.StatusServiceUnavailable,
			recovered: func(t *testing.T, b *browser) {
				b.signIn()
				wantSignedIn(t, b)
			},
		},
		{
			name:       "saving a new visitor's session fails after the page is decided",
			fail:       func(st *recordingStore) { st.failCommit.Store(true) },
			do:         func(b *browser) *http.Response { return b.do(http.MethodGet, "/form", nil, nil) },
			wantStatus: http.StatusOK,
			recovered: func(t *testing.T, b *browser) {
				b.signIn()
				wantSignedIn(t, b)
			},
		},
		{
			name:       "sign-out cannot reach the store",
			prepare:    func(h *harness, b *browser) { b.signIn() },
			fail:       func(st *recordingStore) { st.failDelete.Store(true) },
			do:         func(b *browser) *http.Response { return b.post("/signout") },
			wantStatus: http.StatusServiceUnavailable,
			wantClear:  true,
			recovered: func(t *testing.T, b *browser) {
				if got := body(t, b.do(http.MethodGet, "/me", nil, nil)); got != "anonymous" {
					t.Errorf("after a sign-out during the outage /me = %q, want anonymous", got)
				}
			},
		},
	}
	for _, sc := range storeCases() {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					st := recording(sc.open(t))
					h := newHarness(t, st, Options{IdleTimeout: idle})
					b := h.browser(t)
					if tt.prepare != nil {
						tt.prepare(h, b)
					}
					sent := b.cookie
					tt.fail(st)
					res := tt.do(b)
					if res.StatusCode != tt.wantStatus {
						t.Fatalf("status = %d %q, want %d", res.StatusCode, body(t, res), tt.wantStatus)
					}
					cks := sessionCookies(res, h.m.CookieName())
					switch {
					case tt.wantClear:
						if len(cks) != 1 || cks[0].MaxAge >= 0 {
							t.Errorf("Set-Cookie %v, want one clearing cookie", res.Header.Values("Set-Cookie"))
						}
					case len(cks) != 0:
						t.Errorf("Set-Cookie %v, want none: the browser keeps its cookie", res.Header.Values("Set-Cookie"))
					case b.cookie != sent:
						t.Errorf("cookie changed from %q to %q", sent, b.cookie)
					}
					st.fail(false)
					tt.recovered(t, b)
				})
			}
		})
	}
}

func wantSignedIn(t *testing.T, b *browser) {
	t.Helper()
	if res := b.do(http.MethodGet, "/me", nil, nil); res.StatusCode != http.StatusOK {
		t.Errorf("/me after recovery = %d %q, want 200 signed in", res.StatusCode, body(t, res))
	}
}
