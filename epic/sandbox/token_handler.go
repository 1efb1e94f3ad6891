package sandbox

import (
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"strings"
)

// Form values Epic requires on a backend-services token request.
const (
	grantClientCredentials = "client_credentials"
	assertionTypeJWTBearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
)

// grantedScope is what the sandbox grants every client: like Epic, scopes come from the app's
// registration, not from the request, in SMART v2 form.
const grantedScope = "system/Patient.r system/Patient.s system/Encounter.r system/Encounter.s " +
	"system/Observation.r system/Observation.s"

// tokenEndpoint serves POST TokenPath. Malformed requests (wrong method, query string, non-form body)
// get invalid_request as Epic documents; everything about the client and its assertion gets the same
// bare invalid_client, with the precise reason only in the log.
func (s *Sandbox) tokenEndpoint(w http.ResponseWriter, r *http.Request) {
	if s.faults.isTokenDown() {
		writeHTMLError(w, http.StatusServiceUnavailable, "503 - Service Unavailable")
		return
	}
	if bad := malformedTokenRequest(r); bad != "" {
		s.log.Warn("sandbox: token request rejected", "error", "invalid_request", "reason", bad)
		writeOAuthError(w, "invalid_request")
		return
	}
	if err := r.ParseForm(); err != nil {
		s.log.Warn("sandbox: token request rejected", "error", "invalid_request", "reason", "unreadable form body")
		writeOAuthError(w, "invalid_request")
		return
	}
	clientID, err := s.authenticate(r)
	if err != nil && (r.Context().Err() != nil || s.clientStopping.Load()) {
		// The client hung up or is shutting down (Chartside cancels its exchange and closes the
		// listener that serves its JWK Set) while we fetched the key set: nobody is waiting for an
		// answer, and "invalid_client" would read as bad keys. The flag is what makes this certain:
		// the client's hang-up reaches r's context only when the server next reads the connection.
		s.log.Info("sandbox: token request abandoned: the client went away")
		writeHTMLError(w, http.StatusServiceUnavailable, "503 - Service Unavailable")
		return
	}
	if err != nil {
		var rej *rejection
		reason := "internal error"
		if errors.As(err, &rej) {
			reason = rej.reason
		}
		s.log.Warn("sandbox: token request rejected", "error", "invalid_client", "reason", reason)
		writeOAuthError(w, "invalid_client")
		return
	}
	tok := s.tokens.issue(clientID, s.now(), s.opts.TokenLifetime)
	s.stats.issued()
	s.log.Info("sandbox: access token issued", "client_id", clientID, "expires_in", int(s.opts.TokenLifetime.Seconds()))
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": tok,
		"token_type":   "bearer",
		"expires_in":   int(s.opts.TokenLifetime.Seconds()),
		"scope":        grantedScope,
	})
}

// malformedTokenRequest names what makes r a formatting error in Epic's terms, or returns "".
func malformedTokenRequest(r *http.Request) string {
	if r.Method != http.MethodPost {
		return "method " + r.Method + ", want POST"
	}
	if r.URL.RawQuery != "" || r.URL.ForceQuery {
		return "parameters in the query string"
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/x-www-form-urlencoded" {
		return "content type " + r.Header.Get("Content-Type") + ", want application/x-www-form-urlencoded"
	}
	return ""
}

func (s *Sandbox) authenticate(r *http.Request) (string, error) {
	form := r.PostForm
	if g := form.Get("grant_type"); g != grantClientCredentials {
		return "", reject("grant_type %q, want %q", g, grantClientCredentials)
	}
	if t := form.Get("client_assertion_type"); t != assertionTypeJWTBearer {
		return "", reject("client_assertion_type %q, want %q", t, assertionTypeJWTBearer)
	}
	assertion := form.Get("client_assertion")
	if assertion == "" {
		return "", reject("client_assertion missing")
	}
	if len(form["client_assertion"]) > 1 {
		return "", reject("client_assertion given more than once")
	}
	return s.checkAssertion(r.Context(), assertion, s.baseURL(r)+TokenPath)
}

// writeOAuthError writes Epic's token error body: the code and a null description, nothing else.
func writeOAuthError(w http.ResponseWriter, code string) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(http.StatusBadRequest)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": code, "error_description": nil})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeHTMLError writes the kind of IIS page Epic's web servers return outside the FHIR layer.
func writeHTMLError(w http.ResponseWriter, status int, title string) {
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(status)
	title = strings.ReplaceAll(title, "<", "&lt;")
	_, _ = w.Write([]byte(`<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">` +
		"\r\n<html xmlns=\"http://www.w3.org/1999/xhtml\">\r\n<head>\r\n<meta http-equiv=\"Content-Type\" content=\"text/html; charset=iso-8859-1\"/>\r\n<title>" +
		title + "</title>\r\n</head>\r\n<body>\r\n<div id=\"header\"><h1>Server Error</h1></div>\r\n<div id=\"content\">\r\n <div class=\"content-container\"><fieldset>\r\n  <h2>" +
		title + "</h2>\r\n </fieldset></div>\r\n</div>\r\n</body>\r\n</html>\r\n"))
}
