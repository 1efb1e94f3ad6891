package handlers

import (
	"errors"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/labstack/echo/v4"
)

// staticFile handles GET /static/*: the embedded assets. No directory listings and no source maps;
// assets are public (no session), which also means fetching them never extends an idle session.
func (s *Server) staticFile(c echo.Context) error {
	name := path.Clean(strings.TrimPrefix(c.Param("*"), "/"))
	if name == "." || strings.HasSuffix(name, ".map") || strings.HasSuffix(name, ".md") {
		return echo.ErrNotFound
	}
	st, err := fs.Stat(s.static, name)
	if err != nil || st.IsDir() {
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return echo.ErrNotFound
	}
	// Short public caching with revalidation: assets change only on upgrade, and a kiosk fleet
	// picks up a new build within minutes.
	c.Response().Header().Set("Cache-Control", "public, max-age=300")
	http.ServeFileFS(c.Response(), c.Request(), s.static, name)
	return nil
}

// favicon handles GET /favicon.ico, which browsers request on their own: an empty answer instead
// of a 404, so the request is not an error in every page's console and log.
func (s *Server) favicon(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "public, max-age=86400")
	return c.NoContent(http.StatusNoContent)
}
