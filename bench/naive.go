package bench

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Naive is the client Epic's tutorials teach: plain net/http and golang-jwt, a new token for every
// lookup, and every search one after another. It is the baseline Chartside is compared with, so it
// is written the way such code usually is, not made deliberately slow: it reuses connections and
// asks for JSON.
type Naive struct {
	TokenURL  string
	FHIRBase  string
	ClientID  string
	MRNSystem string
	key       *rsa.PrivateKey
	kid       string
	http      *http.Client
}

// NaiveResult is one naive lookup: when the patient was known (the earliest a banner could be
// shown), when everything was fetched, and what was found.
type NaiveResult struct {
	FirstByte    time.Duration
	Complete     time.Duration
	Encounters   int
	Observations int
}

// NewNaive creates a naive client with its own RSA key; JWKS returns the key set to register.
func NewNaive(tokenURL, fhirBase, clientID, mrnSystem string) (*Naive, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("naive: key: %w", err)
	}
	return &Naive{
		TokenURL: tokenURL, FHIRBase: fhirBase, ClientID: clientID, MRNSystem: mrnSystem,
		key: key, kid: "naive-1",
		http: &http.Client{Timeout: 60 * time.Second},
	}, nil
}

// JWKS is the client's public key set, for registering it with the sandbox.
func (n *Naive) JWKS() []byte {
	pub := n.key.PublicKey
	set := map[string]any{"keys": []map[string]string{{
		"kty": "RSA", "kid": n.kid, "alg": "RS384", "use": "sig",
		"n": base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
	}}}
	b, _ := json.Marshal(set) // a map of strings cannot fail to marshal
	return b
}

// CloseIdleConnections drops kept-alive connections (between measurements).
func (n *Naive) CloseIdleConnections() { n.http.CloseIdleConnections() }

// Lookup does the tutorial flow for one MRN: token, Patient search, Encounter search, then one
// Observation search per encounter (vital signs and laboratory, the category Epic requires),
// following next links, all sequentially.
func (n *Naive) Lookup(ctx context.Context, mrn string) (NaiveResult, error) {
	var res NaiveResult
	start := time.Now()
	tok, err := n.token(ctx)
	if err != nil {
		return res, err
	}
	var patients []struct {
		ID string `json:"id"`
	}
	if err := n.search(ctx, tok, "Patient", url.Values{"identifier": {n.MRNSystem + "|" + mrn}}, &patients); err != nil {
		return res, err
	}
	if len(patients) != 1 {
		return res, fmt.Errorf("naive: patient search: %d matches, want 1", len(patients))
	}
	res.FirstByte = time.Since(start)
	id := patients[0].ID

	var encounters []struct {
		ID     string `json:"id"`
		Period struct {
			Start string `json:"start"`
			End   string `json:"end"`
		} `json:"period"`
	}
	if err := n.search(ctx, tok, "Encounter", url.Values{"patient": {id}}, &encounters); err != nil {
		return res, err
	}
	res.Encounters = len(encounters)
	for _, e := range encounters {
		q := url.Values{"patient": {id}, "encounter": {e.ID}, "category": {"vital-signs,laboratory"}}
		// Epic does not filter Observation by encounter everywhere (the sandbox ignores it), so the
		// tutorial code also bounds the search to the encounter's days; without that every search
		// would return the whole history, which would flatter Chartside.
		if d := day(e.Period.Start); d != "" {
			q["date"] = append(q["date"], "ge"+d)
			end := day(e.Period.End)
			if end == "" {
				end = d
			}
			q["date"] = append(q["date"], "le"+end)
		}
		var obs []json.RawMessage
		if err := n.search(ctx, tok, "Observation", q, &obs); err != nil {
			return res, err
		}
		res.Observations += len(obs)
	}
	res.Complete = time.Since(start)
	return res, nil
}

// day is the calendar day of a FHIR dateTime ("2024-05-01T10:00:00Z" -> "2024-05-01").
func day(dt string) string {
	if len(dt) < 10 {
		return ""
	}
	return dt[:10]
}

// token exchanges a fresh client assertion for an access token, as the tutorials do every time.
func (n *Naive) token(ctx context.Context) (string, error) {
	now := time.Now()
	claims := jwt.MapClaims{
		"iss": n.ClientID, "sub": n.ClientID, "aud": n.TokenURL,
		"jti": rand.Text(), "exp": now.Add(4 * time.Minute).Unix(), "iat": now.Unix(), "nbf": now.Unix(),
	}
	t := jwt.NewWithClaims(jwt.SigningMethodRS384, claims)
	t.Header["kid"] = n.kid
	assertion, err := t.SignedString(n.key)
	if err != nil {
		return "", fmt.Errorf("naive: sign assertion: %w", err)
	}
	form := url.Values{
		"grant_type":            {"client_credentials"},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
		"client_assertion":      {assertion},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, n.TokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", fmt.Errorf("naive: token: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	var body struct {
		AccessToken string `json:"access_token"`
	}
	if err := n.do(req, &body); err != nil {
		return "", fmt.Errorf("naive: token: %w", err)
	}
	if body.AccessToken == "" {
		return "", fmt.Errorf("naive: token: no access_token in the answer")
	}
	return body.AccessToken, nil
}

// search runs one FHIR search and follows every next link, appending each entry's resource to out
// (a pointer to a slice).
func (n *Naive) search(ctx context.Context, tok, resourceType string, q url.Values, out any) error {
	next := n.FHIRBase + "/" + resourceType + "?" + q.Encode()
	var all []json.RawMessage
	for next != "" {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, next, nil)
		if err != nil {
			return fmt.Errorf("naive: %s search: %w", resourceType, err)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Accept", "application/fhir+json")
		var b struct {
			Link []struct {
				Relation string `json:"relation"`
				URL      string `json:"url"`
			} `json:"link"`
			Entry []struct {
				Resource json.RawMessage `json:"resource"`
				Search   struct {
					Mode string `json:"mode"`
				} `json:"search"`
			} `json:"entry"`
		}
		if err := n.do(req, &b); err != nil {
			return fmt.Errorf("naive: %s search: %w", resourceType, err)
		}
		next = ""
		for _, l := range b.Link {
			if l.Relation == "next" {
				next = l.URL
			}
		}
		for _, e := range b.Entry {
			if e.Search.Mode != "outcome" {
				all = append(all, e.Resource)
			}
		}
	}
	raw, err := json.Marshal(all)
	if err != nil {
		return fmt.Errorf("naive: %s search: %w", resourceType, err)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("naive: %s search: %w", resourceType, err)
	}
	return nil
}

func (n *Naive) do(req *http.Request, v any) error {
	resp, err := n.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return json.Unmarshal(body, v)
}
