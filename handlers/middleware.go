package handlers

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"regexp"
	"runtime/debug"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/chartside/chartside/logging"
)

// requestIDPattern limits ids accepted from a trusted proxy to something safe to log and echo.
var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{8,64}$`)

// requestID gives every request an id, returns it as X-Request-ID and puts it in the request context
// so every log line about the request carries it. An id set by a trusted proxy is kept, so one id
// follows the request through the load balancer's logs and ours.
func (s *Server) requestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id := ""
		if in := c.Request().Header.Get(echo.HeaderXRequestID); in != "" && s.fromTrustedProxy(c) && requestIDPattern.MatchString(in) {
			id = in
		}
		if id == "" {
			var b [12]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		c.Response().Header().Set(echo.HeaderXRequestID, id)
		r := c.Request()
		c.SetRequest(r.WithContext(logging.WithRequestID(r.Context(), id)))
		return next(c)
	}
}

// observe logs one line per request and feeds the request metrics. Errors are handed to the error
// handler here (c.Error), so the logged status is the one the client received.
func (s *Server) observe(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		if err := next(c); err != nil {
			c.Error(err)
		}
		d := time.Since(start)
		route := c.Path() // the template ("/patients/:id"), never the raw path with ids in it
		if route == "" {
			route = "unmatched"
		}
		status := c.Response().Status
		s.metrics.ObserveRequest(route, c.Request().Method, status, d)
		level := slog.LevelInfo
		if route == "/healthz" || route == "/readyz" || route == "/metrics" || strings.HasPrefix(route, "/static") {
			level = slog.LevelDebug
		}
		s.log.LogAttrs(c.Request().Context(), level, "request",
			slog.String("method", c.Request().Method),
			slog.String("route", route),
			slog.Int("status", status),
			slog.Int64("bytes", c.Response().Size),
			slog.Duration("duration", d),
			slog.String("client", c.RealIP()),
		)
		return nil
	}
}

// recoverPanics turns a panic into a 500 with a plain message; the stack goes to the log only.
func (s *Server) recoverPanics(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				s.log.ErrorContext(c.Request().Context(), "panic", slog.String("panic", fmt.Sprint(r)), slog.String("stack", string(debug.Stack())))
				err = echo.NewHTTPError(http.StatusInternalServerError)
			}
		}()
		return next(c)
	}
}

// contentSecurityPolicy allows only Chartside's own scripts and styles: no inline code, no eval
// (htmx is configured for it in views/page.go), no framing, no form posts elsewhere.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

// securityHeaders sets the headers every response carries, errors and fragments included. Dynamic
// responses are no-store by default: almost all of them show patient data or session state, and a
// kiosk's next user must not find them in the cache. Static assets override it.
func (s *Server) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		h.Set("Cache-Control", "no-store")
		if s.settings.Secure {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		return next(c)
	}
}

// formsOnly refuses, with 415, a state-changing request whose body is not a browser form. Every
// Chartside POST is an HTML form or htmx (both urlencoded) or a body-less fetch; echo's binder
// would otherwise also accept JSON or XML, a second input format nobody tests, and a cross-site
// text/plain "form" would reach the CSRF check with a body it cannot read.
func formsOnly(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		ct := r.Header.Get(echo.HeaderContentType)
		if ct == "" && r.ContentLength == 0 {
			return next(c) // nothing to decode: kiosk.js's keep-alive
		}
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != echo.MIMEApplicationForm && mt != echo.MIMEMultipartForm) {
			return echo.ErrUnsupportedMediaType
		}
		return next(c)
	}
}

// fromTrustedProxy reports whether the direct peer is one of TRUSTED_PROXIES.
func (s *Server) fromTrustedProxy(c echo.Context) bool {
	addr, ok := peerAddr(c.Request())
	return ok && s.trusted(addr)
}
