package epic

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/sync/singleflight"
)

// tokenMarginMax is how long before expiry a token stops being used, so that a request started
// just before expiry does not arrive with a dead token. Short-lived tokens use a fifth of their
// lifetime instead.
const tokenMarginMax = 60 * time.Second

// tokenResponse is the OAuth token response. expires_in is a json.Number because some servers
// send it as a string.
type tokenResponse struct {
	AccessToken string      `json:"access_token"`
	TokenType   string      `json:"token_type"`
	ExpiresIn   json.Number `json:"expires_in"`
	Scope       string      `json:"scope"`
}

// oauthError is the OAuth error body. Epic sends error_description as null.
type oauthError struct {
	Error       string  `json:"error"`
	Description *string `json:"error_description"`
}

// accessToken returns a cached token or fetches one. However many requests wait, one exchange
// runs at a time (singleflight); it runs detached from the caller's cancellation so that a
// cancelled page load does not waste the exchange for everyone else waiting on it.
func (c *Client) accessToken(ctx context.Context) (string, error) {
	if tok, ok := c.cachedToken(); ok {
		return tok, nil
	}
	select {
	case res := <-c.joinExchange(ctx):
		if res.Err != nil {
			return "", res.Err
		}
		return res.Val.(string), nil
	case <-ctx.Done():
		return "", c.ctxError(OpToken, ctx.Err())
	}
}

// joinExchange joins the token exchange in flight or starts one, and returns where its result will
// arrive. The exchange is detached from ctx's cancellation and bounded by twice the request
// timeout (discovery, then the token request).
func (c *Client) joinExchange(ctx context.Context) <-chan singleflight.Result {
	return c.tokenGroup.DoChan("token", func() (any, error) {
		// Re-check: an exchange that finished just before this one started has filled the cache.
		if tok, ok := c.cachedToken(); ok {
			return tok, nil
		}
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*c.cfg.RequestTimeout)
		defer cancel()
		defer context.AfterFunc(c.stopping, cancel)() // Shutdown cancels it
		return c.fetchToken(fctx)
	})
}

func (c *Client) cachedToken() (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token != "" && c.now().Before(c.tokenUntil) {
		return c.token, true
	}
	return "", false
}

// invalidateToken drops tok from the cache if it is still the cached token (another request may
// already have replaced it after the same 401).
func (c *Client) invalidateToken(tok string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token == tok {
		c.token = ""
	}
}

// fetchToken exchanges a fresh client assertion (new jti) for an access token and caches it.
func (c *Client) fetchToken(ctx context.Context) (string, error) {
	finished := make(chan struct{})
	c.mu.Lock()
	c.tokenTried, c.tokenRunning = c.now(), finished
	c.mu.Unlock()
	tok, until, scope, err := c.exchangeToken(ctx)
	if err != nil && c.stopping.Err() != nil {
		// Shutdown began while the exchange ran (see Client.Shutdown): whatever it ended with is
		// not Epic's verdict on the credentials. Shutdown's cancellation reaches the HTTP request
		// asynchronously, so the sandbox's refusal (the JWK Set it fetches from this process's
		// closing listener is gone) can arrive before it.
		err = errShuttingDown
	}
	c.mu.Lock()
	c.tokenDone, c.tokenRunning = true, nil
	if err != nil {
		c.tokenErr = err
	} else {
		c.token, c.tokenUntil, c.tokenScope, c.tokenErr = tok, until, scope, nil
	}
	c.mu.Unlock()
	close(finished)
	if err == errShuttingDown {
		c.cfg.Hooks.tokenRefresh(outcomeCanceled)
		c.cfg.Logger.InfoContext(ctx, "epic: token exchange cancelled: Chartside is shutting down")
		return "", err
	}
	if err != nil {
		var te *TokenError
		outcome := outcomeError
		if errors.Is(err, ErrTimeout) {
			outcome = outcomeTimeout
		} else if errors.As(err, &te) && te.Status == 0 && te.Err != nil && errors.Is(te.Err, ErrBadResponse) {
			outcome = outcomeBadResponse
		}
		c.cfg.Hooks.tokenRefresh(outcome)
		c.cfg.Logger.WarnContext(ctx, "epic: token exchange failed", "error", err.Error())
		return "", err
	}
	c.cfg.Hooks.tokenRefresh(outcomeOK)
	c.cfg.Logger.InfoContext(ctx, "epic: token refreshed", "valid_until", until.UTC().Format(time.RFC3339))
	return tok, nil
}

// errShuttingDown is a token exchange that failed after Shutdown.
var errShuttingDown = fmt.Errorf("epic: token exchange cancelled: Chartside is shutting down: %w", context.Canceled)

func (c *Client) exchangeToken(ctx context.Context) (tok string, until time.Time, scope string, err error) {
	tokenURL, err := c.resolveTokenURL(ctx)
	if err != nil {
		return "", time.Time{}, "", &TokenError{Err: err, Causes: []string{
			"the token URL could not be discovered: set EPIC_TOKEN_URL, or check EPIC_FHIR_BASE_URL and that Epic is reachable"}}
	}
	now := c.now()
	assertion, err := newAssertion(assertionParams{
		clientID: c.cfg.ClientID, tokenURL: tokenURL, jku: c.cfg.JWKSURL, key: c.signingKey(),
	}, now)
	if err != nil {
		return "", time.Time{}, "", &TokenError{Err: err}
	}
	form := url.Values{
		"grant_type":            {"client_credentials"},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
		"client_assertion":      {assertion},
	}
	if c.cfg.Scope != "" {
		form.Set("scope", c.cfg.Scope)
	}
	body := form.Encode()
	r, aerr := c.send(ctx, OpToken, func(ctx context.Context) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, tokenURL, strings.NewReader(body))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept", "application/json")
		return req, nil
	})
	if aerr != nil {
		return "", time.Time{}, "", &TokenError{Err: aerr.err, Causes: []string{"Epic's token endpoint is unreachable or slow; check the network path and EPIC_TOKEN_URL"}}
	}
	if r.status != http.StatusOK {
		return "", time.Time{}, "", tokenFailure(r)
	}
	var tr tokenResponse
	if isMarkup(r.body) || json.Unmarshal(r.body, &tr) != nil {
		return "", time.Time{}, "", &TokenError{Status: r.status, Err: fmt.Errorf("%w: token response is not JSON", ErrBadResponse),
			Causes: []string{"the token URL is not Epic's OAuth token endpoint"}}
	}
	if tr.AccessToken == "" || !strings.EqualFold(tr.TokenType, "bearer") {
		return "", time.Time{}, "", &TokenError{Status: r.status, Err: fmt.Errorf("%w: token response lacks a bearer access_token", ErrBadResponse)}
	}
	secs, err := tr.ExpiresIn.Int64()
	if err != nil || secs <= 0 {
		secs = 300 // Epic always sends expires_in; if not, assume a short life and refresh early
	}
	life := time.Duration(secs) * time.Second
	margin := min(tokenMarginMax, life/5)
	// The lifetime counts from when Epic issued it, which is no earlier than when we asked.
	return tr.AccessToken, now.Add(life - margin), tr.Scope, nil
}

// tokenFailure turns a non-200 token response into a TokenError with likely causes.
func tokenFailure(r reply) *TokenError {
	te := &TokenError{Status: r.status}
	var oe oauthError
	if !isMarkup(r.body) && json.Unmarshal(r.body, &oe) == nil {
		te.Code = oe.Error
		if oe.Description != nil {
			te.Description = *oe.Description
		}
	}
	te.Causes = tokenCauses(te.Code, r.status)
	return te
}

// tokenCauses lists what usually produces each error with Epic (shared/EPIC.md, section 7).
func tokenCauses(code string, status int) []string {
	switch code {
	case "invalid_client":
		return []string{
			"wrong client ID (Epic issues separate non-production and production IDs)",
			"aud is not exactly the token URL (a proxy in between, or the wrong EPIC_TOKEN_URL)",
			"the signing key is not in the JWK Set registered with Epic (check the kid at /.well-known/jwks.json)",
			"an EC key (ES384, web keygen's default) with no JWK Set URL registered: Epic takes EC keys only from a JWK Set URL; for an uploaded public key use RSA (web keygen --type rsa)",
			"Epic has not synced the app or key yet: wait up to an hour after registering or changing it",
			"this server's clock is off (exp/iat are checked with no leeway): check NTP",
		}
	case "unauthorized_client":
		return []string{
			"the client ID is not mapped to a background user in this Epic environment: ask the organisation's Epic security coordinator",
			"the app is not activated for this environment",
		}
	case "invalid_grant":
		return []string{
			"the assertion was rejected: clock skew, or exp more than 5 minutes ahead",
			"the key or algorithm does not match the registered key",
		}
	case "invalid_request":
		return []string{"the token request was malformed, often by a proxy or a wrong token URL"}
	case "invalid_scope":
		return []string{"EPIC_SCOPE asks for scopes the app is not registered for: clear it or add the APIs to the app"}
	}
	switch {
	case status == http.StatusNotFound:
		return []string{"the token URL is wrong"}
	case status >= 500:
		return []string{"Epic's token endpoint is failing; try again later"}
	}
	return []string{"unexpected answer from the token endpoint; check EPIC_TOKEN_URL"}
}
