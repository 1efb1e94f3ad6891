package handlers

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"sync"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/chartside/chartside/logging"
	"github.com/chartside/chartside/views"
)

// isFragment is the one rule for htmx partials: a fragment when htmx made the request, except for
// boosted navigation and history restores, which need the whole page.
func isFragment(r *http.Request) bool {
	h := r.Header
	return h.Get("HX-Request") == "true" &&
		h.Get("HX-Boosted") != "true" &&
		h.Get("HX-History-Restore-Request") != "true"
}

var renderBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// render writes page, or fragment when the request asks for one (see isFragment). It renders into a
// buffer first, so a template failure becomes a clean error response instead of half a page, and
// the response carries its length instead of being chunked: one write to the connection fewer per
// response for the server and one read fewer for the browser.
// fragment may be nil for routes that only serve whole pages.
func (s *Server) render(c echo.Context, status int, page, fragment templ.Component) error {
	c.Response().Header().Add("Vary", "HX-Request")
	comp := page
	if fragment != nil && isFragment(c.Request()) {
		comp = fragment
	}
	buf := renderBuffers.Get().(*bytes.Buffer)
	buf.Reset()
	defer renderBuffers.Put(buf)
	ctx := c.Request().Context()
	if err := comp.Render(views.WithReference(ctx, logging.RequestID(ctx)), buf); err != nil {
		return fmt.Errorf("render: %w", err)
	}
	c.Response().Header().Set(echo.HeaderContentLength, strconv.Itoa(buf.Len()))
	return c.HTMLBlob(status, buf.Bytes())
}

// redirect sends the browser to url after a POST: HX-Redirect for htmx (a 3xx would be followed by
// XHR and its body swapped into the page), 303 See Other otherwise.
func redirect(c echo.Context, url string) error {
	if c.Request().Header.Get("HX-Request") == "true" {
		c.Response().Header().Set("HX-Redirect", url)
		return c.NoContent(http.StatusOK)
	}
	return c.Redirect(http.StatusSeeOther, url)
}
