package metrics

import "github.com/prometheus/client_golang/prometheus"

// Circuit is one Epic circuit breaker as read at scrape time: the FHIR resource type it guards,
// whether it is open, and how many times it has opened since the process started.
type Circuit struct {
	Resource string
	Open     bool
	Opened   uint64
}

var (
	circuitOpenDesc = prometheus.NewDesc("chartside_epic_circuit_open",
		"1 while Chartside has stopped asking Epic for this FHIR resource type because its requests kept failing (staff see \"Epic is not responding\"; the log says \"… requests paused\"), until a request succeeds again; 0 when closed.",
		[]string{"resource"}, nil)
	circuitOpenedDesc = prometheus.NewDesc("chartside_epic_circuit_opened_total",
		"Times the circuit breaker for this FHIR resource type opened.",
		[]string{"resource"}, nil)
)

// circuits is a collector that asks for the breakers' state at every scrape, so the epic package
// needs no knowledge of Prometheus and every resource type is listed from the start.
type circuits func() []Circuit

func (f circuits) Describe(ch chan<- *prometheus.Desc) {
	ch <- circuitOpenDesc
	ch <- circuitOpenedDesc
}

func (f circuits) Collect(ch chan<- prometheus.Metric) {
	for _, c := range f() {
		open := 0.0
		if c.Open {
			open = 1
		}
		ch <- prometheus.MustNewConstMetric(circuitOpenDesc, prometheus.GaugeValue, open, c.Resource)
		ch <- prometheus.MustNewConstMetric(circuitOpenedDesc, prometheus.CounterValue, float64(c.Opened), c.Resource)
	}
}

// EpicCircuits registers chartside_epic_circuit_open and chartside_epic_circuit_opened_total,
// labelled by FHIR resource type (never patient data), read from f at scrape time.
func (m *Metrics) EpicCircuits(f func() []Circuit) {
	m.reg.MustRegister(circuits(f))
}
