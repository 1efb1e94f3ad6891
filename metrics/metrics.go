// Package metrics exposes Chartside's Prometheus metrics: HTTP requests by route and status, upstream
// Epic calls by operation and outcome, token refreshes and whether a token can be had, the Epic
// circuit breakers (open or not, and how often they opened) per FHIR resource type, and active
// sessions. Labels are route templates and fixed vocabularies only — never patient data, usernames
// or raw paths.
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics owns a private registry, so tests and several servers in one process never collide.
type Metrics struct {
	reg           *prometheus.Registry
	requests      *prometheus.CounterVec
	duration      *prometheus.HistogramVec
	upstream      *prometheus.CounterVec
	upstreamTime  *prometheus.HistogramVec
	tokenRefresh  *prometheus.CounterVec
	auditFailures prometheus.Counter
}

// New registers Chartside's metrics plus the Go runtime and process collectors.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "chartside_http_requests_total",
			Help: "HTTP requests served, by route template, method and status code.",
		}, []string{"route", "method", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "chartside_http_request_duration_seconds",
			Help:    "HTTP request latency by route template and method.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "method"}),
		upstream: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "chartside_epic_requests_total",
			Help: "Requests to Epic, by operation and outcome.",
		}, []string{"operation", "outcome"}),
		upstreamTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "chartside_epic_request_duration_seconds",
			Help:    "Latency of requests to Epic, by operation.",
			Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"operation"}),
		tokenRefresh: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "chartside_epic_token_refreshes_total",
			Help: "Access-token exchanges with Epic's token endpoint, by outcome.",
		}, []string{"outcome"}),
		auditFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "chartside_audit_write_failures_total",
			Help: "Audit records that could not be written (the patient data was then withheld).",
		}),
	}
	m.reg.MustRegister(m.requests, m.duration, m.upstream, m.upstreamTime, m.tokenRefresh, m.auditFailures,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the registry in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// ObserveRequest records one served HTTP request. route must be a template, never a raw path.
func (m *Metrics) ObserveRequest(route, method string, status int, d time.Duration) {
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(route, method).Observe(d.Seconds())
}

// ObserveUpstream records one request to Epic; it matches epic.Hooks.Request.
func (m *Metrics) ObserveUpstream(op, outcome string, d time.Duration) {
	m.upstream.WithLabelValues(op, outcome).Inc()
	m.upstreamTime.WithLabelValues(op).Observe(d.Seconds())
}

// TokenRefresh records one token exchange; it matches epic.Hooks.TokenRefresh.
func (m *Metrics) TokenRefresh(outcome string) {
	m.tokenRefresh.WithLabelValues(outcome).Inc()
}

// AuditFailure records an audit write that failed (and so withheld data).
func (m *Metrics) AuditFailure() { m.auditFailures.Inc() }

// EpicToken registers a gauge whose value is read from f at scrape time: 1 when Chartside can get
// an access token from Epic, 0 when it cannot (or has not yet). Alert on it rather than on
// /readyz, which does not fail for Epic.
func (m *Metrics) EpicToken(f func() float64) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "chartside_epic_token_ok",
		Help: "1 when Chartside holds a valid Epic access token or its last token exchange succeeded, 0 when the last exchange failed or none has finished yet.",
	}, f))
}

// ActiveSessions registers a gauge whose value is read from f at scrape time.
func (m *Metrics) ActiveSessions(f func() float64) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "chartside_active_sessions",
		Help: "Staff sessions that are currently signed in and not expired.",
	}, f))
}
