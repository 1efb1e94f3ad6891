package bench

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"

	"github.com/chartside/chartside/views"
)

// browserConns is how many connections a browser opens to one host (Chrome and Firefox: 6), which
// bounds how many partials load at once.
const browserConns = 6

// Browser is one signed-in clinician's browser: its own cookies and connections, a form post for the
// lookup, then the chart page and, the way htmx does on load, every section placeholder at once.
type Browser struct {
	base   *url.URL
	client *http.Client
	csrf   string
	// Gzip makes LoadChart also report the first view's size gzip-compressed (what it would weigh on
	// the wire with compression). Off under load, where compressing would steal the server's CPU.
	Gzip bool
}

// Chart is one chart load as the browser saw it.
type Chart struct {
	FirstByte time.Duration  // from the request's start to the chart page's first byte
	Complete  time.Duration  // until the last section's body was read
	Requests  int            // HTTP requests to Chartside
	PageBytes int            // the chart page's HTML
	HTMLBytes int            // page and sections together: the whole first view
	Sections  map[string]int // each section's HTML by its element id
	GzipBytes int            // page and sections, each gzip-compressed (only with Browser.Gzip)
}

// StatusError is a response with an unexpected status, or an htmx redirect (HX-Redirect, which
// htmx follows instead of swapping the fragment in: to the sign-in page, typically).
type StatusError struct {
	Method, Path string
	Status       int
	Location     string // Location or HX-Redirect, when there was one
}

func (e *StatusError) Error() string {
	if e.Location != "" {
		return fmt.Sprintf("bench: %s %s: status %d to %s", e.Method, e.Path, e.Status, e.Location)
	}
	return fmt.Sprintf("bench: %s %s: status %d", e.Method, e.Path, e.Status)
}

// NewBrowser returns a signed-out browser for the Chartside at base.
func NewBrowser(base string) (*Browser, error) {
	u, err := url.Parse(base)
	if err != nil {
		return nil, fmt.Errorf("bench: browser: %w", err)
	}
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, fmt.Errorf("bench: browser: %w", err)
	}
	tr := &http.Transport{
		MaxConnsPerHost:     browserConns,
		MaxIdleConnsPerHost: browserConns,
		IdleConnTimeout:     90 * time.Second,
	}
	return &Browser{base: u, client: &http.Client{
		Jar:       jar,
		Transport: tr,
		Timeout:   60 * time.Second,
		// Redirects are part of what is measured, so the browser follows them itself.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}, nil
}

// CloseIdleConnections closes the browser's kept-alive connections (a closed tab).
func (b *Browser) CloseIdleConnections() { b.client.CloseIdleConnections() }

// SignIn loads the sign-in form and posts the credentials; the session cookie is kept in the jar.
func (b *Browser) SignIn(ctx context.Context, username, password string) error {
	body, _, err := b.get(ctx, views.SignInURL, nil, nil)
	if err != nil {
		return err
	}
	tok, err := csrfToken(body)
	if err != nil {
		return fmt.Errorf("bench: sign-in page: %w", err)
	}
	form := url.Values{views.FieldUsername: {username}, views.FieldPassword: {password}, views.FieldCSRF: {tok}}
	resp, err := b.post(ctx, views.SignInURL, form)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusSeeOther {
		return &StatusError{"POST", views.SignInURL, resp.StatusCode, resp.Header.Get("Location")}
	}
	// The session token is renewed at sign-in, so the CSRF token comes from the page that follows.
	body, _, err = b.get(ctx, resp.Header.Get("Location"), nil, nil)
	if err != nil {
		return err
	}
	if b.csrf, err = csrfToken(body); err != nil {
		return fmt.Errorf("bench: lookup page: %w", err)
	}
	return nil
}

// Lookup posts the MRN form and returns the chart URL it redirects to.
func (b *Browser) Lookup(ctx context.Context, mrn string) (string, error) {
	resp, err := b.post(ctx, views.LookupURL, url.Values{views.FieldMRN: {mrn}, views.FieldCSRF: {b.csrf}})
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusSeeOther {
		return "", &StatusError{"POST", views.LookupURL, resp.StatusCode, resp.Header.Get("Location")}
	}
	loc := resp.Header.Get("Location")
	if !strings.HasPrefix(loc, "/chart/") {
		return "", fmt.Errorf("bench: lookup redirected to %q, not a chart", loc)
	}
	return loc, nil
}

// LookupAndLoad is what a clinician waits for: the MRN post, its redirect, the chart page and every
// section. FirstByte and Complete count from the moment the form is submitted.
func (b *Browser) LookupAndLoad(ctx context.Context, mrn string) (Chart, error) {
	start := time.Now()
	chartURL, err := b.Lookup(ctx, mrn)
	if err != nil {
		return Chart{}, err
	}
	c, err := b.load(ctx, chartURL, start)
	c.Requests++
	return c, err
}

// LoadChart loads an already-resolved chart: the page, then every section in parallel.
func (b *Browser) LoadChart(ctx context.Context, chartURL string) (Chart, error) {
	return b.load(ctx, chartURL, time.Now())
}

func (b *Browser) load(ctx context.Context, chartURL string, start time.Time) (Chart, error) {
	c := Chart{Sections: map[string]int{}}
	var firstByte time.Time
	page, _, err := b.get(ctx, chartURL, nil, &firstByte)
	c.Requests++
	if err != nil {
		return c, err
	}
	c.FirstByte = firstByte.Sub(start)
	c.PageBytes, c.HTMLBytes = len(page), len(page)
	if b.Gzip {
		c.GzipBytes += gzipSize(page)
	}
	slots, err := sectionSlots(page)
	if err != nil {
		return c, err
	}
	if len(slots) == 0 {
		return c, fmt.Errorf("bench: chart page has no sections to load")
	}
	// htmx fires every hx-trigger="load" request as soon as the page is processed.
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for _, s := range slots {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h := http.Header{
				"HX-Request":     {"true"},
				"HX-Target":      {s.target},
				"HX-Current-URL": {b.base.ResolveReference(&url.URL{Path: chartURL}).String()},
			}
			body, _, err := b.get(ctx, s.url, h, nil)
			mu.Lock()
			defer mu.Unlock()
			c.Requests++
			c.HTMLBytes += len(body)
			c.Sections[s.target] = len(body)
			if b.Gzip {
				c.GzipBytes += gzipSize(body)
			}
			if err != nil {
				errs = append(errs, err)
			}
		}()
	}
	wg.Wait()
	c.Complete = time.Since(start)
	return c, errors.Join(errs...)
}

// get fetches path and reads the whole body. When firstByte is set it receives the moment the
// response's first byte arrived.
func (b *Browser) get(ctx context.Context, path string, h http.Header, firstByte *time.Time) ([]byte, *http.Response, error) {
	if firstByte != nil {
		ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
			GotFirstResponseByte: func() { *firstByte = time.Now() },
		})
	}
	ref, err := url.Parse(path)
	if err != nil {
		return nil, nil, fmt.Errorf("bench: GET %s: %w", path, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.base.ResolveReference(ref).String(), nil)
	if err != nil {
		return nil, nil, fmt.Errorf("bench: GET %s: %w", path, err)
	}
	req.Header.Set("Accept", "text/html")
	for k, v := range h {
		req.Header[k] = v
	}
	resp, err := b.client.Do(req)
	if err != nil {
		return nil, nil, fmt.Errorf("bench: GET %s: %w", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, resp, fmt.Errorf("bench: GET %s: %w", path, err)
	}
	if hx := resp.Header.Get("HX-Redirect"); resp.StatusCode != http.StatusOK || hx != "" {
		return body, resp, &StatusError{"GET", path, resp.StatusCode, cmp.Or(hx, resp.Header.Get("Location"))}
	}
	return body, resp, nil
}

// post submits a form and drains the answer.
func (b *Browser) post(ctx context.Context, path string, form url.Values) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.base.ResolveReference(&url.URL{Path: path}).String(), strings.NewReader(form.Encode()))
	if err != nil {
		return nil, fmt.Errorf("bench: POST %s: %w", path, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "text/html")
	resp, err := b.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("bench: POST %s: %w", path, err)
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("bench: POST %s: %w", path, err)
	}
	return resp, nil
}

// slot is a section placeholder htmx loads on page load.
type slot struct{ url, target string }

// sectionSlots finds the elements htmx requests as soon as the page loads
// ([hx-get][hx-trigger="load"]). It reads the page's tags without building a document: under load
// the driver shares the machine with the server it measures, and a full parse of every chart page
// was a tenth of the driver's CPU.
func sectionSlots(page []byte) ([]slot, error) {
	z := html.NewTokenizer(bytes.NewReader(page))
	var out []slot
	for {
		switch z.Next() {
		case html.ErrorToken:
			if err := z.Err(); err != io.EOF {
				return nil, fmt.Errorf("bench: chart page: %w", err)
			}
			return out, nil
		case html.StartTagToken, html.SelfClosingTagToken:
			var s slot
			get, load := false, false
			for {
				k, v, more := z.TagAttr()
				switch string(k) {
				case "hx-get":
					s.url, get = string(v), true
				case "hx-trigger":
					load = string(v) == "load"
				case "id":
					s.target = string(v)
				}
				if !more {
					break
				}
			}
			if get && load {
				out = append(out, s)
			}
		}
	}
}

// csrfToken finds the synchronizer token in a page's forms.
func csrfToken(page []byte) (string, error) {
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(page))
	if err != nil {
		return "", err
	}
	tok, ok := doc.Find(`input[name="` + views.FieldCSRF + `"]`).First().Attr("value")
	if !ok || tok == "" {
		return "", fmt.Errorf("no %s field", views.FieldCSRF)
	}
	return tok, nil
}

// gzipSize is len(b) after gzip at the default level.
func gzipSize(b []byte) int {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write(b) // writes to a bytes.Buffer do not fail
	_ = zw.Close()
	return buf.Len()
}
