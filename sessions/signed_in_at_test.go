package sessions

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/labstack/echo/v4"
)

// TestSignedInAt: SignIn records the sign-in time by the Manager's clock and User returns it on
// later requests, through each real store and the memo codec; a session saved before the key
// existed reads as zero; SignOutRevoked leaves NoticeRevoked for the next page, once.
func TestSignedInAt(t *testing.T) {
	for _, sc := range storeCases() {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			st := sc.open(t)
			h := newHarness(t, st, Options{})
			g := h.e.Group("", h.m.Middleware(), h.m.CSRF())
			g.GET("/signed-in-at", func(c echo.Context) error {
				u, ok := h.m.User(c.Request().Context())
				if !ok {
					return c.String(http.StatusOK, "anonymous")
				}
				if u.SignedInAt.IsZero() {
					return c.String(http.StatusOK, "zero")
				}
				return c.String(http.StatusOK, strconv.FormatInt(u.SignedInAt.UnixNano(), 10))
			})
			g.POST("/signout-revoked", func(c echo.Context) error {
				if err := h.m.SignOutRevoked(c.Request().Context()); err != nil {
					return err
				}
				return c.Redirect(http.StatusSeeOther, "/ended")
			})
			g.GET("/ended", func(c echo.Context) error {
				return c.String(http.StatusOK, string(h.m.PopEndedNotice(c.Request().Context())))
			})

			b := h.browser(t)
			signedIn := h.clock.Now()
			b.signIn()
			h.clock.Advance(5 * time.Minute)
			want := strconv.FormatInt(signedIn.UnixNano(), 10)
			for i := range 2 { // the second read comes from the memo codec
				if got := body(t, b.do(http.MethodGet, "/signed-in-at", nil, nil)); got != want {
					t.Errorf("read %d: SignedInAt = %q, want %q", i+1, got, want)
				}
			}

			// A session saved before SignedInAt was recorded: the same session without the key.
			// The store holds the token hashed (HashTokenInStore): find the one session record.
			ctx := context.Background()
			all, err := st.(scs.IterableCtxStore).AllCtx(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var key string
			var raw []byte
			for k, v := range all {
				if !strings.HasPrefix(k, markerPrefix) {
					key, raw = k, v
				}
			}
			if key == "" {
				t.Fatalf("no session record among %d", len(all))
			}
			deadline, values, err := h.m.scs.Codec.Decode(raw)
			if err != nil {
				t.Fatal(err)
			}
			delete(values, keySignedInAt)
			old, err := h.m.scs.Codec.Encode(deadline, values)
			if err != nil {
				t.Fatal(err)
			}
			if err := storeCommit(ctx, st, key, old, deadline); err != nil {
				t.Fatal(err)
			}
			if got := body(t, b.do(http.MethodGet, "/signed-in-at", nil, nil)); got != "zero" {
				t.Errorf("session without the key: SignedInAt = %q, want zero", got)
			}

			if res := b.post("/signout-revoked"); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("sign-out = %d %q, want 303", res.StatusCode, body(t, res))
			}
			if got := body(t, b.do(http.MethodGet, "/signed-in-at", nil, nil)); got != "anonymous" {
				t.Errorf("after SignOutRevoked: %q, want anonymous", got)
			}
			for i, want := range []EndedNotice{NoticeRevoked, NoticeNone} {
				if got := EndedNotice(body(t, b.do(http.MethodGet, "/ended", nil, nil))); got != want {
					t.Errorf("ended notice visit %d = %q, want %q", i+1, got, want)
				}
			}
		})
	}
}
