package epic

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// checkMRN is searched by Check: a value no hospital uses, so the search exercises the token,
// scopes and MRN system without touching a real patient.
const checkMRN = "CHARTSIDE-CHECK-0000"

// Check runs the chain `web check` reports on: signing key, token URL discovery, token
// exchange, one harmless search (an MRN that matches nobody) and, when knownMRN is given, a search
// for that test patient (a count, never who). It prints each step's result
// to w and, on failure, the likely fix. It prints no patient data, tokens or assertions. The
// error is the first failure.
func (c *Client) Check(ctx context.Context, w io.Writer, knownMRN string) error {
	var first error
	step := func(name string, err error, fixes ...string) bool {
		if err == nil {
			return true
		}
		fmt.Fprintf(w, "FAIL %s: %v\n", name, err)
		for _, f := range fixes {
			fmt.Fprintf(w, "     fix: %s\n", f)
		}
		if first == nil {
			first = fmt.Errorf("epic: check %s: %w", name, err)
		}
		return false
	}

	k := c.signingKey()
	fmt.Fprintf(w, "ok   key: %d configured; signing with %s kid=%s\n", len(c.cfg.Keys), k.Alg(), k.KID())
	if c.cfg.JWKSURL != "" {
		if step("jwks", c.checkJWKS(ctx, k.KID()),
			"serve /.well-known/jwks.json at EPIC_JWKS_URL, reachable by Epic over TLS without authentication",
			"make sure the published set holds the signing key (the newest configured key)") {
			fmt.Fprintf(w, "ok   jwks: %s publishes the signing key (the JWK Set URL registered with Epic must be this one)\n", c.cfg.JWKSURL)
		}
	} else {
		fmt.Fprintf(w, "     no JWK Set URL configured: Epic now requires one for backend apps (set EPIC_JWKS_URL)\n")
	}

	configured := c.cfg.TokenURL != ""
	tokenURL, err := c.resolveTokenURL(ctx)
	if !step("discovery", err,
		"check EPIC_FHIR_BASE_URL (it ends in /api/FHIR/R4) and that this server can reach Epic",
		"or set EPIC_TOKEN_URL to skip discovery") {
		return first
	}
	how := "discovered from .well-known/smart-configuration"
	if configured {
		how = "configured"
	}
	fmt.Fprintf(w, "ok   token URL: %s (%s)\n", tokenURL, how)

	// Force a fresh exchange so the check proves the credentials work now.
	c.mu.Lock()
	c.token = ""
	c.mu.Unlock()
	if _, err := c.accessToken(ctx); err != nil {
		var te *TokenError
		var causes []string
		if errors.As(err, &te) {
			causes = te.Causes
			te = &TokenError{Status: te.Status, Code: te.Code, Description: te.Description, Err: te.Err}
			err = te // causes are printed as fixes below, not twice
		}
		step("token", err, causes...)
		return first
	}
	c.mu.Lock()
	until, scope := c.tokenUntil, c.tokenScope
	c.mu.Unlock()
	fmt.Fprintf(w, "ok   token: obtained, usable until %s, %d scopes granted\n", until.UTC().Format("15:04:05 MST"), len(strings.Fields(scope)))

	res, err := c.SearchPatientsByMRN(ctx, checkMRN)
	fixes := []string{"check that the app has the Patient.Search (R4) API"}
	if errors.Is(err, ErrUpstream) {
		fixes = append(fixes, "check EPIC_MRN_SYSTEM: the MRN identifier system (urn:oid:...) or Epic ID type (MRN)")
	}
	if !step("search", err, fixes...) {
		return first
	}
	fmt.Fprintf(w, "ok   search: Patient?identifier=%s|… accepted (%d patients, as expected for a test MRN no one has)\n", url.QueryEscape(c.cfg.MRNSystem), len(res.Items))
	// Epic's notes on the search (OperationOutcome entries: "no patients found" and the like) are
	// its catalogued messages about a made-up MRN, not patient data: print them, so a count of
	// "warnings" does not leave IT guessing.
	for _, wa := range res.Warnings {
		fmt.Fprintf(w, "     Epic's note: %s %s: %s\n", wa.Severity, wa.Code, wa.Text)
	}
	if knownMRN != "" {
		// The made-up MRN matches no one whatever the MRN system is; a known test patient's MRN
		// shows the system is the hospital's. How many patients it finds is printed, never who.
		res, err := c.SearchPatientsByMRN(ctx, knownMRN)
		if err == nil && len(res.Items) == 0 {
			err = errors.New("no patient has the MRN given")
		}
		if step("MRN search", err, "check EPIC_MRN_SYSTEM (the MRN identifier system, urn:oid:..., or Epic ID type, e.g. MRN) with the Epic analysts, and the MRN itself") {
			fmt.Fprintf(w, "ok   MRN search: %d patient(s) found for the MRN given (who is not shown)\n", len(res.Items))
		}
	}
	if first != nil {
		fmt.Fprintln(w, "some checks failed")
		return first
	}
	if knownMRN == "" {
		fmt.Fprintln(w, "all checks passed, except the MRN system, which was not checked: the made-up MRN matches no one whatever")
		fmt.Fprintln(w, "EPIC_MRN_SYSTEM says; run `web check --mrn <a test patient's MRN>` to check it")
		return nil
	}
	fmt.Fprintln(w, "all checks passed")
	return nil
}

// checkJWKS fetches the configured JWK Set URL (as Epic will) and looks for the signing kid.
func (c *Client) checkJWKS(ctx context.Context, kid string) error {
	r, aerr := c.send(ctx, OpJWKS, func(ctx context.Context) (*http.Request, error) {
		return http.NewRequestWithContext(ctx, http.MethodGet, c.cfg.JWKSURL, nil)
	})
	if aerr != nil {
		return aerr.err
	}
	if r.status != http.StatusOK {
		return fmt.Errorf("GET returned %d", r.status)
	}
	var set struct {
		Keys []struct {
			Kid string `json:"kid"`
		} `json:"keys"`
	}
	if err := json.Unmarshal(r.body, &set); err != nil {
		return fmt.Errorf("not a JWK Set: %w", err)
	}
	kids := make([]string, 0, len(set.Keys))
	for _, k := range set.Keys {
		kids = append(kids, k.Kid)
	}
	if !slices.Contains(kids, kid) {
		return fmt.Errorf("signing key kid=%s is not in the published set (%d keys)", kid, len(kids))
	}
	return nil
}
