package soak

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/PuerkitoBio/goquery"
)

// Kinds of request the clients make, as reported.
const (
	kindSignIn    = "sign-in"
	kindLookup    = "lookup"
	kindChart     = "chart page"
	kindSection   = "section"
	kindEncounter = "encounter drill-down"
	kindAnalyte   = "analyte drill-down"
)

// client is one signed-in clinician's browser: its own cookie jar and connections (at most six
// per host, like a browser), htmx's headers on the partial requests.
type client struct {
	base string
	http *http.Client
	csrf string
	rec  *recorder
}

func newClient(base string, rec *recorder) (*client, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, err
	}
	tr := &http.Transport{MaxConnsPerHost: 6, MaxIdleConnsPerHost: 6, IdleConnTimeout: 90 * time.Second}
	return &client{base: base, rec: rec, http: &http.Client{
		Jar:       jar,
		Transport: tr,
		Timeout:   60 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}}, nil
}

func (c *client) close() { c.http.CloseIdleConnections() }

// response is one finished request.
type response struct {
	status int
	header http.Header
	body   []byte
	doc    *goquery.Document
}

// do sends a request, reads the whole body and records its latency and outcome under kind.
// check decides whether a 200 page is a failure shown as a message; any other status than want,
// or a transport error, is an unexpected error.
func (c *client) do(ctx context.Context, kind, method, path string, form url.Values, htmx bool, want int) (*response, error) {
	var body io.Reader
	if form != nil {
		form.Set("csrf_token", c.csrf)
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return nil, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if htmx {
		req.Header.Set("HX-Request", "true")
	}
	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err() // the run ended mid-request: not the server's fault
		}
		c.rec.result(kind, time.Since(start), outcomeError, "transport: "+transportReason(err))
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	elapsed := time.Since(start)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		c.rec.result(kind, elapsed, outcomeError, "reading the body: "+err.Error())
		return nil, err
	}
	r := &response{status: resp.StatusCode, header: resp.Header, body: raw}
	if to := resp.Header.Get("HX-Redirect"); to != "" {
		// htmx's way of sending the browser elsewhere (to the sign-in page when the session is
		// gone): a 200 with no section in it.
		c.rec.result(kind, elapsed, outcomeError, "HX-Redirect to "+to)
		return nil, fmt.Errorf("%s: HX-Redirect to %s", kind, to)
	}
	if resp.StatusCode != want {
		c.rec.result(kind, elapsed, outcomeError, fmt.Sprintf("status %d", resp.StatusCode))
		return nil, fmt.Errorf("%s %s: status %d", method, kind, resp.StatusCode)
	}
	if bytes.Contains(raw, []byte("Something went wrong")) {
		c.rec.result(kind, elapsed, outcomeError, "generic error message")
		return nil, fmt.Errorf("%s: generic error message", kind)
	}
	if want == http.StatusOK {
		if r.doc, err = goquery.NewDocumentFromReader(bytes.NewReader(raw)); err != nil {
			c.rec.result(kind, elapsed, outcomeError, "unparsable HTML")
			return nil, err
		}
		if r.doc.Find(`[data-testid="alert-error"]`).Length() > 0 {
			c.rec.result(kind, elapsed, outcomeMessage, "")
			return r, nil
		}
	}
	c.rec.result(kind, elapsed, outcomeOK, "")
	return r, nil
}

// signIn signs in through the form, as a browser does, and keeps the signed-in page's CSRF token.
func (c *client) signIn(ctx context.Context) error {
	r, err := c.do(ctx, kindSignIn, http.MethodGet, "/signin", nil, false, http.StatusOK)
	if err != nil {
		return err
	}
	c.csrf, _ = r.doc.Find(`form[data-testid="signin-form"] input[name="csrf_token"]`).Attr("value")
	if _, err := c.do(ctx, kindSignIn, http.MethodPost, "/signin", url.Values{"username": {soakUser}, "password": {soakPassword}}, false, http.StatusSeeOther); err != nil {
		return err
	}
	r, err = c.do(ctx, kindSignIn, http.MethodGet, "/", nil, false, http.StatusOK)
	if err != nil {
		return err
	}
	c.csrf, _ = r.doc.Find(`form[action="/signout"] input[name="csrf_token"]`).Attr("value")
	if c.csrf == "" {
		return errors.New("soak: signed-in page has no CSRF token")
	}
	return nil
}

// views counts what one iteration showed, for the audit reconciliation.
type views struct {
	lookups, charts, encounters, analytes int
}

// iteration is one clinician's task: look a patient up, open the chart (the page, then every
// section as htmx loads them, in parallel), expand an encounter and open one vital's trend.
func (c *client) iteration(ctx context.Context, mrn string) (views, error) {
	var v views
	r, err := c.do(ctx, kindLookup, http.MethodPost, "/lookup", url.Values{"mrn": {mrn}}, false, http.StatusSeeOther)
	if err != nil {
		return v, err
	}
	chart := r.header.Get("Location")
	if !strings.HasPrefix(chart, "/chart/") {
		c.rec.note(kindLookup, "redirected to "+chart)
		return v, fmt.Errorf("lookup redirected to %q", chart)
	}
	v.lookups++
	page, err := c.do(ctx, kindChart, http.MethodGet, chart, nil, false, http.StatusOK)
	if err != nil {
		return v, err
	}
	v.charts++
	var slots []string
	page.doc.Find(`[hx-trigger="load"]`).Each(func(_ int, s *goquery.Selection) {
		if u, ok := s.Attr("hx-get"); ok {
			slots = append(slots, u)
		}
	})
	sections := make([]*response, len(slots))
	var wg sync.WaitGroup
	for i, u := range slots {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sections[i], _ = c.do(ctx, kindSection, http.MethodGet, u, nil, true, http.StatusOK)
		}()
	}
	wg.Wait()
	var encURL, analyteURL string
	for _, s := range sections {
		if s == nil {
			continue
		}
		if u, ok := s.doc.Find(`[data-testid="encounter-expand"]`).First().Attr("hx-get"); ok && encURL == "" {
			encURL = u
		}
		if u, ok := s.doc.Find(`[data-testid="vital-tile"] [data-testid="analyte-link"]`).First().Attr("hx-get"); ok && analyteURL == "" {
			analyteURL = u
		}
	}
	if encURL != "" {
		if _, err := c.do(ctx, kindEncounter, http.MethodGet, encURL, nil, true, http.StatusOK); err == nil {
			v.encounters++
		}
	}
	if analyteURL != "" {
		if _, err := c.do(ctx, kindAnalyte, http.MethodGet, analyteURL, nil, true, http.StatusOK); err == nil {
			v.analytes++
		}
	}
	return v, nil
}

// transportReason is a failed request's error without its URL.
func transportReason(err error) string {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		return uerr.Err.Error()
	}
	return err.Error()
}
