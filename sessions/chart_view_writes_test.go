package sessions

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// parallelGets sends n GETs for target at once with the given session cookie, as htmx loads a
// chart's sections, and returns the responses.
func parallelGets(h *harness, cookie, target string, n int) []*http.Response {
	out := make([]*http.Response, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			req := httptest.NewRequest(http.MethodGet, target, nil)
			req.AddCookie(&http.Cookie{Name: h.m.CookieName(), Value: cookie})
			rec := httptest.NewRecorder()
			h.e.ServeHTTP(rec, req)
			out[i] = rec.Result()
		})
	}
	wg.Wait()
	return out
}

// chartViewSections is how many htmx sections a chart page loads in parallel after the page itself
// (encounters, vitals strip, vitals, labs, social): a chart view is 6 requests.
const chartViewSections = 5

// TestChartViewStoreWrites counts the session-store writes and session Set-Cookie headers of chart
// views as a browser makes them — the page, then its sections in parallel — by a signed-in user
// with the default 15 min idle timeout, on every store, at several paces of work. Run with -v for
// the figures (BENCHMARKS.md). Each view must write at most once and send no cookie; a steady user
// writes about once per activity granularity (45 s), whatever the pace.
func TestChartViewStoreWrites(t *testing.T) {
	const views = 40
	paces := []time.Duration{0, 10 * time.Second, 30 * time.Second, time.Minute, 5 * time.Minute}
	for _, sc := range storeCases() {
		t.Run(sc.name, func(t *testing.T) {
			for _, pace := range paces {
				st := recording(sc.open(t))
				h := newHarness(t, st, Options{})
				b := h.browser(t)
				b.signIn()
				var writes, cookies, maxPerView int64
				var elapsed time.Duration
				for range views {
					h.clock.Advance(pace)
					w := st.writes()
					start := time.Now()
					responses := []*http.Response{b.do(http.MethodGet, "/me", nil, nil)}
					responses = append(responses, parallelGets(h, b.cookie, "/me", chartViewSections)...)
					elapsed += time.Since(start)
					for _, res := range responses {
						if res.StatusCode != http.StatusOK {
							t.Fatalf("pace %v: /me = %d", pace, res.StatusCode)
						}
						cookies += int64(len(sessionCookies(res, h.m.CookieName())))
					}
					n := st.writes() - w
					writes += n
					maxPerView = max(maxPerView, n)
				}
				t.Logf("%-8s a chart view every %-5v: %d views (%d requests): %d store writes (%.2f per view, at most %d in one), %d session Set-Cookie; %.2f ms per view",
					sc.name, pace, views, views*(1+chartViewSections), writes, float64(writes)/views, maxPerView, cookies,
					float64(elapsed.Microseconds())/1000/views)
				if maxPerView > 1 {
					t.Errorf("pace %v: a chart view wrote the session %d times, want at most once", pace, maxPerView)
				}
				if cookies != 0 {
					t.Errorf("pace %v: %d session Set-Cookie headers, want none (the token never changed)", pace, cookies)
				}
			}
		})
	}
}
