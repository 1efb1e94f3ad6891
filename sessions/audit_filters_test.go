package sessions

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/labstack/echo/v4"
)

// TestAuditFilters: the audit filters a session keeps come back in the next request of that
// session, in order, and are not seen by another session or from a context without one.
func TestAuditFilters(t *testing.T) {
	h := newHarness(t, sqliteStore(t), Options{})
	want := []AuditFilter{
		{Handle: "h1", Username: "alice", From: "2026-02-01"},
		{Handle: "h2", MRN: "203713", PatientID: "erXuFYUfucBZaryVksYEcMg3", Action: "chart_view", To: "2026-02-02"},
	}
	h.e.POST("/filters", func(c echo.Context) error {
		if err := h.m.PutAuditFilters(c.Request().Context(), want); err != nil {
			return err
		}
		return c.NoContent(http.StatusNoContent)
	}, h.m.Middleware(), h.m.CSRF())
	var got []AuditFilter
	h.e.GET("/filters", func(c echo.Context) error {
		var err error
		got, err = h.m.AuditFilters(c.Request().Context())
		if err != nil {
			return err
		}
		return c.NoContent(http.StatusNoContent)
	}, h.m.Middleware())

	owner, other := h.browser(t), h.browser(t)
	owner.signIn()
	other.signIn()
	if res := owner.post("/filters"); res.StatusCode != http.StatusNoContent {
		t.Fatalf("put: %d %q", res.StatusCode, body(t, res))
	}
	owner.do(http.MethodGet, "/filters", nil, nil)
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("the owner's next request reads %+v, want %+v", got, want)
	}
	other.do(http.MethodGet, "/filters", nil, nil)
	if len(got) != 0 {
		t.Errorf("another session reads %+v, want none", got)
	}
	if _, err := h.m.AuditFilters(context.Background()); !errors.Is(err, ErrNoSession) {
		t.Errorf("without a session: %v, want ErrNoSession", err)
	}
}
