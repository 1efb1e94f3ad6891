package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/chartside/chartside/epic"
)

// runCheck is `web check`: it walks the whole chain to the configured Epic — key, discovery, token,
// one harmless search — printing each step and, on failure, the likely fix. It prints no patient data.
// In sandbox mode it checks the embedded sandbox, which is a quick way to see the chain work.
func runCheck(ctx context.Context, cfg Config, log *slog.Logger, opts checkOptions, stdout io.Writer) error {
	up, err := openUpstream(ctx, cfg, log, nil)
	if err != nil {
		return err
	}
	defer up.stop(context.Background())
	if up.sandbox != nil {
		fmt.Fprintln(stdout, "sandbox mode: checking the embedded Epic sandbox, its JWK Set served on a loopback port for this check only\n(set EPIC_FHIR_BASE_URL to check a real Epic)")
	}
	// Check prints every step itself, a failure with its fixes; the client's own log lines (a WARN
	// for a failed token exchange) would repeat them in log format in the middle of that output.
	up.epic.Logger = slog.New(slog.DiscardHandler)
	client, err := epic.New(up.epic)
	if err != nil {
		return fmt.Errorf("check: %w", err)
	}
	if err := client.Check(ctx, stdout, opts.mrn); err != nil {
		// Check has printed the failure and its likely fixes; repeating Epic's error as the
		// program's last line would only say it twice.
		return errors.New("check failed: see the FAIL line and its fixes above")
	}
	return nil
}

// checkOptions are web check's flags.
type checkOptions struct {
	mrn string // a known (test) patient's MRN: proves EPIC_MRN_SYSTEM finds patients
}

// parseCheckArgs reads web check's flags. done is true when the command should stop: -h printed
// the usage, or the arguments are wrong.
func parseCheckArgs(args []string, stdout, stderr io.Writer) (opts checkOptions, done bool, err error) {
	fs := newFlagSet("check", stderr)
	fs.Usage = func() { fmt.Fprint(stdout, checkUsage) }
	fs.StringVar(&opts.mrn, "mrn", "", "MRN of a known test patient, to check that EPIC_MRN_SYSTEM finds patients")
	pos, err := parseFlags(fs, args)
	if err != nil || len(pos) > 0 {
		return opts, true, flagError(err, "check takes no arguments but --mrn; configure it with environment variables (web check --help lists them)", pos)
	}
	return opts, false, nil
}
