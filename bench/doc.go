// Package bench is Chartside's benchmark driver: it measures the lookup path end to end against the
// embedded Epic sandbox over real HTTP, with added upstream latency like a hospital network to Epic,
// and compares Chartside with the naive tutorial client in one run. It also drives N concurrent
// signed-in clients against a running server for throughput, latency percentiles and memory.
//
// The server under test is started through a Launcher (cmd/web starts its own binary; tests start
// it in-process), configured only through the environment, as an operator would configure it. The
// sandbox runs in the driver's process, so its request counters measure both clients exactly.
package bench
