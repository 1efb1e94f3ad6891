//go:build cluster

package deploy_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
)

// clientAddr is the loopback address the test's browsers connect from. It differs from the
// balancer's own address (127.0.0.1, the only TRUSTED_PROXIES entry), so an audit record showing it
// proves the replicas took the client address from HAProxy's X-Forwarded-For.
const clientAddr = "127.0.0.2"

// spoofedAddr is what every request claims in its own X-Forwarded-For; the balancer must drop it.
const spoofedAddr = "203.0.113.66"

// served is one response as the balancer delivered it: which replica answered and the request id
// that the replica's audit record must carry.
type served struct {
	Replica   string
	RequestID string
	Action    string // the audit action the request must have recorded, "" for none
	User      string // the username that record must name
	Status    int
}

// browser is one signed-in staff member: a cookie jar talking HTTPS to the balancer.
type browser struct {
	c    *cluster
	http *http.Client
	csrf string

	mu  sync.Mutex
	log []served
}

func newBrowser(t *testing.T, c *cluster) *browser {
	t.Helper()
	pem, err := os.ReadFile(filepath.Join(c.runDir, "tls", "cert.pem"))
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		t.Fatal("cluster certificate: no PEM certificate")
	}
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	dialer := &net.Dialer{Timeout: 5 * time.Second, LocalAddr: &net.TCPAddr{IP: net.ParseIP(clientAddr)}}
	tr := &http.Transport{
		DialContext:         dialer.DialContext,
		TLSClientConfig:     &tls.Config{RootCAs: roots},
		ForceAttemptHTTP2:   true,
		MaxIdleConnsPerHost: 4,
	}
	t.Cleanup(tr.CloseIdleConnections)
	return &browser{c: c, http: &http.Client{
		Transport: tr,
		Jar:       jar,
		Timeout:   30 * time.Second,
		// Redirects are part of what is checked (sign-in and lookup answer 303).
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// do sends one request through the balancer and notes who served it.
func (b *browser) do(method, path string, form url.Values, action string) (*http.Response, string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, b.c.base+path, body)
	if err != nil {
		return nil, "", err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("X-Forwarded-For", spoofedAddr)
	resp, err := b.http.Do(req)
	if err != nil {
		return nil, "", fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, "", fmt.Errorf("%s %s: read body: %w", method, path, err)
	}
	s := served{Replica: resp.Header.Get("X-Chartside-Replica"), RequestID: resp.Header.Get("X-Request-ID"),
		Action: action, User: b.c.user, Status: resp.StatusCode}
	if form != nil && action == "signin_failed" {
		s.User = form.Get("username")
	}
	b.mu.Lock()
	b.log = append(b.log, s)
	b.mu.Unlock()
	if s.Replica == "" || s.RequestID == "" {
		// HAProxy answering by itself (503 no server, 502 a replica died mid-request) sets neither.
		return resp, string(raw), fmt.Errorf("%s %s: status %d without X-Chartside-Replica or X-Request-ID: not a replica's answer", method, path, resp.StatusCode)
	}
	return resp, string(raw), nil
}

// served returns every response so far.
func (b *browser) served() []served {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]served(nil), b.log...)
}

// csrfFrom reads the session's CSRF token from a page's form.
func csrfFrom(page string) (string, error) {
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(page))
	if err != nil {
		return "", err
	}
	tok, ok := doc.Find(`input[name="csrf_token"]`).First().Attr("value")
	if !ok || tok == "" {
		return "", fmt.Errorf("no csrf_token input on the page")
	}
	return tok, nil
}

// signIn signs in through the balancer and keeps the CSRF token of the signed-in session.
func (b *browser) signIn() error {
	_, page, err := b.do(http.MethodGet, "/signin", nil, "")
	if err != nil {
		return err
	}
	tok, err := csrfFrom(page)
	if err != nil {
		return fmt.Errorf("sign-in page: %w", err)
	}
	resp, _, err := b.do(http.MethodPost, "/signin", url.Values{
		"username": {b.c.user}, "password": {b.c.password}, "csrf_token": {tok},
	}, "signin")
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		return fmt.Errorf("sign in: status %d, Location %q; want 303 to /", resp.StatusCode, resp.Header.Get("Location"))
	}
	return b.home()
}

// failSignIn tries to sign in as user with a wrong password and returns the status and
// Retry-After the balancer delivered.
func (b *browser) failSignIn(user string) (int, string, error) {
	_, page, err := b.do(http.MethodGet, "/signin", nil, "")
	if err != nil {
		return 0, "", err
	}
	tok, err := csrfFrom(page)
	if err != nil {
		return 0, "", fmt.Errorf("sign-in page: %w", err)
	}
	resp, _, err := b.do(http.MethodPost, "/signin", url.Values{
		"username": {user}, "password": {"not the password at all"}, "csrf_token": {tok},
	}, "signin_failed")
	if err != nil {
		return 0, "", err
	}
	return resp.StatusCode, resp.Header.Get("Retry-After"), nil
}

// home loads the lookup page, which must be served to a signed-in user, and refreshes the CSRF
// token from it.
func (b *browser) home() error {
	resp, page, err := b.do(http.MethodGet, "/", nil, "")
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET /: status %d (Location %q); want 200 for a signed-in user", resp.StatusCode, resp.Header.Get("Location"))
	}
	tok, err := csrfFrom(page)
	if err != nil {
		return fmt.Errorf("lookup page: %w", err)
	}
	b.csrf = tok
	return nil
}

// lookup searches mrn and returns the chart path the lookup redirected to.
func (b *browser) lookup(mrn string) (string, error) {
	resp, _, err := b.do(http.MethodPost, "/lookup", url.Values{"mrn": {mrn}, "csrf_token": {b.csrf}}, "lookup")
	if err != nil {
		return "", err
	}
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/chart/") {
		return "", fmt.Errorf("lookup: status %d, Location %q; want 303 to /chart/…", resp.StatusCode, loc)
	}
	return loc, nil
}

// chart opens a chart page and checks it shows a patient banner.
func (b *browser) chart(path string) error {
	resp, page, err := b.do(http.MethodGet, path, nil, "chart_view")
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET chart: status %d (Location %q); want 200", resp.StatusCode, resp.Header.Get("Location"))
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(page))
	if err != nil {
		return err
	}
	if strings.TrimSpace(doc.Find(`[data-testid="banner-name"]`).Text()) == "" {
		return fmt.Errorf("GET chart: no patient name in the banner")
	}
	return nil
}

// section loads one chart section the way htmx does (a fragment). It may land on a replica that
// did not serve the chart page, which then fetches from Epic itself.
func (b *browser) section(chartPath, name string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.c.base+chartPath+"/"+name, nil)
	if err != nil {
		return err
	}
	req.Header.Set("HX-Request", "true")
	resp, err := b.http.Do(req)
	if err != nil {
		return fmt.Errorf("GET section %s: %w", name, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET section %s: status %d; want 200", name, resp.StatusCode)
	}
	return nil
}
