package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/chartside/chartside/epic/sandbox"
)

// repeated collects a flag given several times.
type repeated []string

func (r *repeated) String() string     { return strings.Join(*r, ",") }
func (r *repeated) Set(v string) error { *r = append(*r, v); return nil }

// runSandbox runs the embedded Epic sandbox on its own:
//
//	web sandbox --addr 127.0.0.1:9090 [--client id=jwks-url-or-file]... [--data DIR] [--seed N]
//	            [--patients N] [--latency 50ms] [--fail PREFIX:KIND[:N[:RETRY_AFTER]]]... [--token-down]
//
// It prints its token URL and FHIR base URL, then the patients worth trying, and serves until ctx is
// cancelled. Rejection reasons are logged to stderr (no PHI: the data is synthetic or Epic's test data).
func runSandbox(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sandbox", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:9090", "address to listen on")
	var clients, fails repeated
	fs.Var(&clients, "client", "register a backend client: id=JWKS-URL or id=JWKS-FILE (repeatable)")
	fs.Var(&fails, "fail", "fail the next N requests under a path prefix: PREFIX:KIND[:N[:RETRY_AFTER]], KIND one of 429, 500, 503, 401, truncated, html (repeatable; e.g. Observation:429:3:2s)")
	data := fs.String("data", "", "directory of FHIR R4 Bundles (e.g. Synthea) to serve instead of generated patients")
	seed := fs.Int64("seed", 1, "generator seed")
	patients := fs.Int("patients", 50, "number of generated patients")
	latency := fs.Duration("latency", 0, "latency added to every request (e.g. 50ms)")
	tokenDown := fs.Bool("token-down", false, "start with the token endpoint answering 503")
	publicURL := fs.String("public-url", "", "scheme://host clients use, when behind a proxy (default: from each request)")
	if err := fs.Parse(args); err != nil {
		return flagError(err, "", nil) // nil for -h: the usage is printed
	}
	if fs.NArg() > 0 {
		return &usageError{"sandbox: unexpected arguments: " + strings.Join(fs.Args(), " ")}
	}

	logger := slog.New(slog.NewTextHandler(stderr, nil))
	sb, err := sandbox.New(sandbox.Options{
		Seed: *seed, Patients: *patients, DataDir: *data, Logger: logger, PublicURL: strings.TrimSuffix(*publicURL, "/"),
	})
	if err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	for _, c := range clients {
		id, keys, err := parseClientFlag(c)
		if err != nil {
			return err
		}
		sb.RegisterClient(id, keys)
	}
	sb.Faults().SetLatency(*latency)
	sb.Faults().SetTokenDown(*tokenDown)
	for _, f := range fails {
		prefix, n, fault, err := parseFailFlag(f)
		if err != nil {
			return err
		}
		sb.Faults().FailNext(prefix, n, fault)
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("sandbox: listen: %w", err)
	}
	base := *publicURL
	if base == "" {
		base = "http://" + ln.Addr().String()
	}
	fmt.Fprintf(stdout, "Epic sandbox listening on %s\n", ln.Addr())
	fmt.Fprintf(stdout, "token URL:     %s%s\n", base, sandbox.TokenPath)
	fmt.Fprintf(stdout, "FHIR base URL: %s%s\n", base, sandbox.FHIRBasePath)
	fmt.Fprintf(stdout, "MRN system:    %s\n", sandbox.MRNSystem)
	if r := sb.LoadReport(); r.Files > 0 {
		fmt.Fprintf(stdout, "loaded %d files: %d patients, mapped %v, skipped %v\n", r.Files, r.Patients, r.Mapped, r.Skipped)
	}
	fmt.Fprintln(stdout, "patients to try (MRN, name, why):")
	for _, l := range sb.Directory() {
		fmt.Fprintf(stdout, "  %-8s %-32s %s\n", l.MRN, l.Name, l.Summary)
	}

	srv := &http.Server{Handler: sb.Handler(), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("sandbox: serve: %w", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return fmt.Errorf("sandbox: shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("sandbox: serve: %w", err)
	}
	return nil
}

// parseClientFlag reads id=JWKS-URL (http or https) or id=JWKS-FILE.
func parseClientFlag(v string) (string, sandbox.ClientKeys, error) {
	id, src, ok := strings.Cut(v, "=")
	if !ok || id == "" || src == "" {
		return "", sandbox.ClientKeys{}, &usageError{fmt.Sprintf("sandbox: --client %q: want id=JWKS-URL or id=JWKS-FILE", v)}
	}
	if strings.HasPrefix(src, "http://") || strings.HasPrefix(src, "https://") {
		return id, sandbox.ClientKeys{JWKSURL: src}, nil
	}
	b, err := os.ReadFile(src)
	if err != nil {
		return "", sandbox.ClientKeys{}, fmt.Errorf("sandbox: --client %s: %w", id, err)
	}
	return id, sandbox.ClientKeys{JWKS: b}, nil
}

// parseFailFlag reads PREFIX:KIND[:N[:RETRY_AFTER]].
func parseFailFlag(v string) (string, int, sandbox.Fault, error) {
	bad := func(why string) (string, int, sandbox.Fault, error) {
		return "", 0, sandbox.Fault{}, &usageError{fmt.Sprintf("sandbox: --fail %q: %s (want PREFIX:KIND[:N[:RETRY_AFTER]])", v, why)}
	}
	parts := strings.Split(v, ":")
	if len(parts) < 2 || len(parts) > 4 || parts[0] == "" {
		return bad("wrong number of fields")
	}
	kind, ok := sandbox.ParseFaultKind(parts[1])
	if !ok {
		return bad("unknown kind " + parts[1])
	}
	n := 1
	if len(parts) > 2 {
		var err error
		if n, err = strconv.Atoi(parts[2]); err != nil || n < 1 {
			return bad("N must be a positive integer")
		}
	}
	f := sandbox.Fault{Kind: kind}
	if len(parts) > 3 {
		d, err := time.ParseDuration(parts[3])
		if err != nil {
			return bad("RETRY_AFTER: " + err.Error())
		}
		f.RetryAfter = d
	}
	return parts[0], n, f, nil
}
