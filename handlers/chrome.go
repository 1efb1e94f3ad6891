package handlers

import (
	"github.com/labstack/echo/v4"

	"github.com/chartside/chartside/views"
)

// kioskWarnSeconds is how long before the idle timeout the kiosk countdown appears.
const kioskWarnSeconds = 30

// page builds the shell's view model for the current request: sandbox banner, the signed-in user
// with the Sign out control, the CSRF token htmx sends, and the kiosk countdown's timing.
func (s *Server) page(c echo.Context, title string) views.Page {
	p := views.Page{
		Title:   title,
		Sandbox: s.settings.Sandbox,
	}
	if s.sessions == nil {
		return p
	}
	ctx := c.Request().Context()
	if u, ok := s.sessions.User(ctx); ok {
		p.User = &views.User{Username: u.Username, IsAdmin: u.Role == "admin"}
		p.CSRFToken = s.sessions.CSRFToken(ctx)
	}
	if s.settings.Kiosk {
		p.Kiosk = views.Kiosk{
			Enabled:     true,
			IdleSeconds: int(s.sessions.GuaranteedIdle().Seconds()),
			WarnSeconds: kioskWarnSeconds,
		}
	}
	return p
}
