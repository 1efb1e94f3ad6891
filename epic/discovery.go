package epic

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/chartside/chartside/epic/fhir"
)

// smartConfiguration is the part of .well-known/smart-configuration the client uses.
type smartConfiguration struct {
	TokenEndpoint               string   `json:"token_endpoint"`
	TokenEndpointAuthMethods    []string `json:"token_endpoint_auth_methods_supported"`
	TokenEndpointAuthSigningAlg []string `json:"token_endpoint_auth_signing_alg_values_supported"`
}

// resolveTokenURL returns the configured token URL, else discovers it once and caches it:
// first from smart-configuration, then from the CapabilityStatement's oauth-uris extension
// (Epic before August 2021). Both send Epic-Client-ID, which lets Epic return per-client endpoints.
func (c *Client) resolveTokenURL(ctx context.Context) (string, error) {
	c.mu.Lock()
	u := c.tokenURL
	c.mu.Unlock()
	if u != "" {
		return u, nil
	}
	u, err := c.discoverTokenURL(ctx)
	if err != nil {
		return "", err
	}
	c.mu.Lock()
	c.tokenURL = u
	c.mu.Unlock()
	return u, nil
}

func (c *Client) discoverTokenURL(ctx context.Context) (string, error) {
	var sc smartConfiguration
	err := c.getDiscovery(ctx, "/.well-known/smart-configuration", "application/json", &sc)
	if err == nil && sc.TokenEndpoint != "" {
		return sc.TokenEndpoint, checkURL(sc.TokenEndpoint)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, ErrTimeout) {
		return "", err
	}
	var cs fhir.CapabilityStatement
	if merr := c.getDiscovery(ctx, "/metadata", "application/fhir+json", &cs); merr == nil {
		if tok := cs.OAuthURI("token"); tok != "" {
			return tok, checkURL(tok)
		}
	}
	if err == nil {
		err = &FHIRError{Op: OpDiscovery, kind: ErrBadResponse, detail: "no token_endpoint in smart-configuration or metadata"}
	}
	return "", err
}

// getDiscovery GETs a discovery document (no token: these endpoints are public).
func (c *Client) getDiscovery(ctx context.Context, path, accept string, v any) error {
	target := c.cfg.FHIRBaseURL + path
	r, aerr := c.send(ctx, OpDiscovery, func(ctx context.Context) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Accept", accept)
		req.Header.Set("Epic-Client-ID", c.cfg.ClientID)
		return req, nil
	})
	if aerr != nil {
		return aerr.err
	}
	if r.status != http.StatusOK {
		return statusError(OpDiscovery, r)
	}
	if isMarkup(r.body) {
		return &FHIRError{Status: r.status, Op: OpDiscovery, kind: ErrBadResponse, detail: strings.TrimPrefix(path, "/") + " is XML/HTML"}
	}
	if err := json.Unmarshal(r.body, v); err != nil {
		return &FHIRError{Status: r.status, Op: OpDiscovery, kind: ErrBadResponse, detail: fmt.Sprintf("%s: invalid JSON: %v", strings.TrimPrefix(path, "/"), err)}
	}
	return nil
}
