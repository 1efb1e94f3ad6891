package sandbox

import (
	"net/http"
	"strings"
	"time"
)

// Handler serves everything under /interconnect-fhir-oauth/: the token endpoint, SMART discovery,
// the CapabilityStatement and the FHIR resources. Anything else gets IIS's HTML 404, as on Epic.
func (s *Sandbox) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc(TokenPath, s.tokenEndpoint)
	mux.HandleFunc("GET "+FHIRBasePath+"/.well-known/smart-configuration", s.smartConfiguration)
	mux.HandleFunc("GET "+FHIRBasePath+"/metadata", s.metadata)
	mux.HandleFunc("GET "+OpenIDConfigPath, s.openIDConfiguration)
	mux.Handle("GET "+FHIRBasePath+"/{type}", s.requireToken(http.HandlerFunc(s.search)))
	mux.Handle("POST "+FHIRBasePath+"/{type}/_search", s.requireToken(http.HandlerFunc(s.searchPost)))
	mux.Handle("GET "+FHIRBasePath+"/{type}/{id}", s.requireToken(http.HandlerFunc(s.read)))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeHTMLError(w, http.StatusNotFound, "404 - File or directory not found.")
	})
	return s.instrument(mux)
}

// instrument counts the request, then applies injected latency and faults around next.
func (s *Sandbox) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == TokenPath:
			s.stats.token()
		case strings.HasPrefix(r.URL.Path, FHIRBasePath+"/"):
			rest := strings.TrimPrefix(r.URL.Path, FHIRBasePath+"/")
			kind, _, _ := strings.Cut(rest, "/")
			s.stats.fhir(kind)
		}
		if d := s.faults.currentLatency(); d > 0 {
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		if f, ok := s.faults.take(r.URL.Path); ok {
			s.log.Info("sandbox: injected fault", "path", r.URL.Path, "fault", f.Kind.String())
			s.serveFault(w, r, f, next)
			return
		}
		next.ServeHTTP(w, r)
	})
}
