// Package soak is Chartside's soak run: many signed-in clients doing MRN lookups, chart views
// and drill-downs for minutes against a real `web serve` process, which talks over loopback HTTP
// to the embedded Epic sandbox running in the driver's process with added latency and a small
// rate of injected Epic failures.
//
// It reports throughput, latency percentiles, every response that was not what a browser expects
// (anything but the injected failures, each shown as a section message, is an error), the
// server's RSS and goroutines over time (from its /metrics), and reconciles the audit trail with
// the PHI views the clients made. `make soak` runs it; it is not part of `make test`, which runs
// a seconds-long version of the same driver.
package soak
