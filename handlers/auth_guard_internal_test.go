package handlers

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/chartside/chartside/db"
	"github.com/chartside/chartside/db/dbtest"
	"github.com/chartside/chartside/sessions"
)

// TestRequireAdmin checks the admin guard on its own route, through the real stack: anonymous
// users go to sign-in, clinicians get 403, admins get through.
func TestRequireAdmin(t *testing.T) {
	tests := []struct {
		name       string
		role       string // "" for not signed in
		hx         bool
		wantStatus int
		wantHeader string // Location or HX-Redirect
	}{
		{"anonymous", "", false, http.StatusSeeOther, "/signin?next=%2F__admin"},
		{"anonymous htmx", "", true, http.StatusOK, "/signin"},
		{"clinician", "clinician", false, http.StatusForbidden, ""},
		{"admin", "admin", false, http.StatusOK, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mgr := sessions.New(sessions.NewSQLStore(dbtest.New(t, db.SQLite)), sessions.Options{})
			s := NewServer(Deps{Sessions: mgr})
			e := s.Routes()
			e.POST("/__signin", func(c echo.Context) error {
				return mgr.SignIn(c.Request().Context(), 1, "someone", c.QueryParam("role"))
			}, mgr.Middleware())
			e.GET("/__admin", func(c echo.Context) error { return c.String(http.StatusOK, "admin page") },
				mgr.Middleware(), s.requireUser, s.requireAdmin)

			var cookies []*http.Cookie
			if tt.role != "" {
				rec := httptest.NewRecorder()
				e.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/__signin?role="+tt.role, nil))
				cookies = rec.Result().Cookies()
			}
			req := httptest.NewRequest(http.MethodGet, "/__admin", nil)
			for _, ck := range cookies {
				req.AddCookie(ck)
			}
			if tt.hx {
				req.Header.Set("HX-Request", "true")
			}
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, req)
			if rec.Code != tt.wantStatus {
				t.Fatalf("status %d, want %d", rec.Code, tt.wantStatus)
			}
			got := rec.Header().Get("Location")
			if tt.hx {
				got = rec.Header().Get("HX-Redirect")
			}
			if got != tt.wantHeader {
				t.Errorf("redirect = %q, want %q", got, tt.wantHeader)
			}
		})
	}
}
