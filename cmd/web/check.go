package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/chartside/chartside/epic"
)

// runCheck is `web check`: it walks the whole chain to the configured Epic — key, discovery, token,
// one harmless search — printing each step and, on failure, the likely fix. It prints no patient data.
// In sandbox mode it checks the embedded sandbox, which is a quick way to see the chain work.
func runCheck(ctx context.Context, cfg Config, log *slog.Logger, stdout io.Writer) error {
	up, err := openUpstream(ctx, cfg, log, nil)
	if err != nil {
		return err
	}
	defer up.stop(context.Background())
	if up.sandbox != nil {
		fmt.Fprintln(stdout, "sandbox mode: checking the embedded Epic sandbox (set EPIC_FHIR_BASE_URL to check a real Epic)")
	}
	client, err := epic.New(up.epic)
	if err != nil {
		return fmt.Errorf("check: %w", err)
	}
	return client.Check(ctx, stdout)
}
