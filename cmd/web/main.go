// Command web is Chartside: the dashboard server and the tools IT needs to run it.
//
//	web [serve]        start the dashboard (the default)
//	web sandbox        run the embedded Epic sandbox on its own
//	web check          test the whole chain to the configured Epic and explain failures
//	web keygen         create a signing key and print its public JWK
//	web staff …        manage staff accounts
//	web audit …        verify or export the access audit trail
//	web healthcheck    probe /healthz (used by the container HEALTHCHECK)
//	web bench          benchmark lookups against the sandbox (see BENCHMARKS.md)
//
// Configuration is read from environment variables once, in config.go.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "web:", err)
		os.Exit(exitCode(err))
	}
}
