package sessions

import (
	"net/http"
	"testing"
)

func TestCSRF(t *testing.T) {
	tests := []struct {
		name   string
		method string
		header func(b, other *browser) http.Header // request headers (values replace the defaults)
		want   int
	}{
		{"GET needs no token", http.MethodGet, func(b, o *browser) http.Header { return nil }, 200},
		{"valid header token", http.MethodPost, func(b, o *browser) http.Header {
			return http.Header{CSRFHeader: {b.csrf}}
		}, 200},
		{"valid token, Sec-Fetch-Site none (typed URL)", http.MethodPost, func(b, o *browser) http.Header {
			return http.Header{CSRFHeader: {b.csrf}, "Sec-Fetch-Site": {"none"}}
		}, 200},
		{"valid token, same Origin, old browser", http.MethodPost, func(b, o *browser) http.Header {
			return http.Header{CSRFHeader: {b.csrf}, "Sec-Fetch-Site": {""}, "Origin": {"http://example.com"}}
		}, 200},
		{"no token", http.MethodPost, func(b, o *browser) http.Header { return nil }, 403},
		{"garbage token", http.MethodPost, func(b, o *browser) http.Header {
			return http.Header{CSRFHeader: {"AAAA"}}
		}, 403},
		{"raw secret-length token", http.MethodPost, func(b, o *browser) http.Header {
			return http.Header{CSRFHeader: {b.csrf[:len(b.csrf)/2]}}
		}, 403},
		{"token of another session", http.MethodPost, func(b, o *browser) http.Header {
			return http.Header{CSRFHeader: {o.csrf}}
		}, 403},
		{"cross-site with valid token", http.MethodPost, func(b, o *browser) http.Header {
			return http.Header{CSRFHeader: {b.csrf}, "Sec-Fetch-Site": {"cross-site"}}
		}, 403},
		{"same-site subdomain with valid token", http.MethodPost, func(b, o *browser) http.Header {
			return http.Header{CSRFHeader: {b.csrf}, "Sec-Fetch-Site": {"same-site"}}
		}, 403},
		{"foreign Origin, old browser, valid token", http.MethodPost, func(b, o *browser) http.Header {
			return http.Header{CSRFHeader: {b.csrf}, "Sec-Fetch-Site": {""}, "Origin": {"https://evil.example"}}
		}, 403},
		{"DELETE without token", http.MethodDelete, func(b, o *browser) http.Header { return nil }, 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, sqliteStore(t), Options{})
			b, other := h.browser(t), h.browser(t)
			b.signIn()
			other.signIn()
			hdr := tt.header(b, other)
			res := b.do(tt.method, "/action", hdr, nil)
			if res.StatusCode != tt.want {
				t.Errorf("%s /action = %d %q, want %d", tt.method, res.StatusCode, body(t, res), tt.want)
			}
		})
	}
}

// TestCSRFTokensMasked checks each rendering differs (BREACH) while all of
// them stay valid for the session.
func TestCSRFTokensMasked(t *testing.T) {
	h := newHarness(t, sqliteStore(t), Options{})
	b := h.browser(t)
	b.visitForm()
	first := b.csrf
	b.visitForm()
	second := b.csrf
	if first == second {
		t.Fatal("two renderings produced the same token")
	}
	for _, tok := range []string{first, second} {
		b.csrf = tok
		if res := b.post("/action"); res.StatusCode != http.StatusOK {
			t.Errorf("token %q refused: %d", tok, res.StatusCode)
		}
	}
}

func TestCSRFTokenChangesAtSignIn(t *testing.T) {
	h := newHarness(t, sqliteStore(t), Options{})
	b := h.browser(t)
	b.visitForm()
	before := b.csrf
	b.signIn()
	b.csrf = before
	if res := b.post("/action"); res.StatusCode != http.StatusForbidden {
		t.Errorf("pre-sign-in csrf token after sign-in = %d, want 403", res.StatusCode)
	}
}
