package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
)

// smartConfiguration serves {base}/.well-known/smart-configuration: Epic's captured document with
// the sandbox's own origin. It is JSON whatever the Accept header says, as on Epic, and needs no token.
func (s *Sandbox) smartConfiguration(w http.ResponseWriter, r *http.Request) {
	raw, err := readCapture("smart-configuration-r4-sandbox.json")
	if err != nil {
		writeHTMLError(w, http.StatusInternalServerError, "500 - Internal server error.")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(bytes.ReplaceAll(raw, []byte(epicOrigin), []byte(s.baseURL(r))))
}

// OpenIDConfigPath is where Epic publishes its OpenID Connect discovery document.
const OpenIDConfigPath = "/interconnect-fhir-oauth/oauth2/.well-known/openid-configuration"

// openIDConfiguration serves Epic's captured OpenID configuration with the sandbox's origin.
func (s *Sandbox) openIDConfiguration(w http.ResponseWriter, r *http.Request) {
	raw, err := readCapture("openid-configuration-sandbox.json")
	if err != nil {
		writeHTMLError(w, http.StatusInternalServerError, "500 - Internal server error.")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(bytes.ReplaceAll(raw, []byte(epicOrigin), []byte(s.baseURL(r))))
}

// metadata serves {base}/metadata, Epic's captured CapabilityStatement (with the oauth-uris
// extension pointing at this sandbox), JSON or XML by Accept. No token is needed.
func (s *Sandbox) metadata(w http.ResponseWriter, r *http.Request) {
	raw := s.capability
	writeRaw(w, r, http.StatusOK, bytes.ReplaceAll(raw, []byte(epicOrigin), []byte(s.baseURL(r))))
}

// loadCapability reads the captured CapabilityStatement once, at New, with the resource types it
// lists.
func loadCapability() ([]byte, map[string]bool, error) {
	raw, err := readCapture("metadata-r4-capabilitystatement-sandbox.json")
	if err != nil {
		return nil, nil, err
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return nil, nil, fmt.Errorf("sandbox: capability statement: %w", err)
	}
	var cs struct {
		Rest []struct {
			Resource []struct {
				Type string `json:"type"`
			} `json:"resource"`
		} `json:"rest"`
	}
	if err := json.Unmarshal(raw, &cs); err != nil {
		return nil, nil, fmt.Errorf("sandbox: capability statement: %w", err)
	}
	types := map[string]bool{}
	for _, rest := range cs.Rest {
		for _, res := range rest.Resource {
			types[res.Type] = true
		}
	}
	return buf.Bytes(), types, nil
}

// knownResourceType reports whether Epic's CapabilityStatement lists typ. Unknown types get IIS's
// HTML 404, not a FHIR error, as on Epic.
func (s *Sandbox) knownResourceType(typ string) bool { return s.types[typ] }
