package handlers

import (
	"github.com/labstack/echo/v4"

	"github.com/chartside/chartside/views"
)

// page builds the shell's view model for the current request: sandbox banner, and (once sessions are
// wired) the signed-in user, CSRF token and kiosk countdown.
func (s *Server) page(c echo.Context, title string) views.Page {
	return views.Page{
		Title:   title,
		Sandbox: s.settings.Sandbox,
	}
}
