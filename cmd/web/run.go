package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"time"

	"golang.org/x/term"

	"github.com/chartside/chartside/audit"
	"github.com/chartside/chartside/logging"
	"github.com/chartside/chartside/staff"
)

// run is the whole program: main only supplies the process's context, arguments, environment and
// streams, so tests can start Chartside exactly as a user would.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && args[0] != "" && (args[0][0] != '-' || isHelp(args[0])) {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		if done, err := onlyHelp("serve", serveUsage, args, stdout); done {
			return err
		}
		return runServe(ctx, getenv, stdout, stderr)
	case "healthcheck":
		if done, err := onlyHelp("healthcheck", healthcheckUsage, args, stdout); done {
			return err
		}
		return runHealthcheck(ctx, getenv, stdout)
	case "sandbox":
		return runSandbox(ctx, args, stdout, stderr)
	case "keygen":
		return runKeygen(args, stdout, stderr)
	case "bench":
		return runBench(ctx, args, stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	var checkOpts checkOptions
	if cmd == "check" {
		opts, done, err := parseCheckArgs(args, stdout, stderr)
		if done {
			return err
		}
		checkOpts = opts
	}
	// The remaining commands share configuration and, for staff/audit, the database.
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)
	switch cmd {
	case "check":
		return runCheck(ctx, cfg, log, checkOpts, stdout)
	case "staff", "audit":
		if usageOnly(cmd, args) {
			// Usage needs no database: asking for it, or mistyping the subcommand, must not create
			// DATA_DIR, migrate anything or fail because the database is down.
			if cmd == "audit" {
				return runAudit(ctx, nil, args, stdout, stderr)
			}
			return runStaff(ctx, nil, nil, args, stdin, stdout, stderr)
		}
		open := openDatabase
		if readsOnly(cmd, args) {
			open = openDatabaseToRead
		}
		database, err := open(ctx, cfg)
		if err != nil {
			return err
		}
		defer database.Close()
		trail := audit.New(database, time.Now)
		if cmd == "audit" {
			return runAudit(ctx, trail, args, stdout, stderr)
		}
		return runStaff(ctx, staff.NewStore(database, time.Now), trail, args, stdin, stdout, stderr)
	default:
		fmt.Fprint(stderr, usage)
		return &usageError{fmt.Sprintf("unknown command %q", cmd)}
	}
}

const usage = `usage: web [command] [flags]

commands:
  serve          start the dashboard (default)
  sandbox        run the embedded Epic sandbox on its own
  check          test the chain to the configured Epic (key, discovery, token, search)
  keygen         create a signing key for Epic and print its public JWK
  staff          manage staff accounts (add, list, disable, enable, reset-password, set-role)
  audit          verify or export the access audit trail
  healthcheck    exit 0 when the local server answers /healthz
  bench          measure lookups against the sandbox: naive flow vs Chartside, load, memory

Each command takes --help. Configuration comes from environment variables: web serve --help
lists them, README.md explains them.
`

// readsOnly reports whether `web cmd args…` only reads the database, so it opens it without
// migrating: a role allowed only to read can run it (audit export still appends its own audit
// record, so its role needs the right to add to audit_log).
func readsOnly(cmd string, args []string) bool {
	if len(args) == 0 {
		return false
	}
	switch cmd + " " + args[0] {
	case "audit verify", "audit export", "staff list":
		return true
	}
	return false
}

// subcommands are the staff and audit commands' own commands.
var subcommands = map[string][]string{
	"staff": {"add", "list", "disable", "enable", "reset-password", "set-role"},
	"audit": {"verify", "export"},
}

// usageOnly reports whether `web cmd args…` (staff or audit) can only print a usage: no subcommand,
// help, an unknown subcommand, or a help flag anywhere before "--" (`web staff add --help`).
func usageOnly(cmd string, args []string) bool {
	if len(args) == 0 || args[0] == "help" || !slices.Contains(subcommands[cmd], args[0]) {
		return true
	}
	for _, a := range args[1:] {
		if a == "--" {
			break
		}
		if isHelp(a) {
			return true
		}
	}
	return false
}

func isHelp(arg string) bool { return arg == "-h" || arg == "-help" || arg == "--help" }

// onlyHelp is for the commands configured by the environment alone. With no arguments the command
// runs (done is false). A lone --help prints its usage; anything else is a usage error; either way
// the command is done.
func onlyHelp(cmd, help string, args []string, stdout io.Writer) (done bool, err error) {
	switch {
	case len(args) == 0:
		return false, nil
	case len(args) == 1 && isHelp(args[0]):
		fmt.Fprint(stdout, help)
		return true, nil
	}
	return true, &usageError{fmt.Sprintf("%s takes no arguments (got %q); configure it with environment variables (web %s --help lists them)", cmd, args[0], cmd)}
}

// usageError marks a mistake in the command line (exit code 2, like flag.ExitOnError).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func exitCode(err error) int {
	var ue *usageError
	if errors.As(err, &ue) {
		return 2
	}
	return 1
}

// newLogger writes JSON when stderr is not a terminal (log collectors) and text when a person watches.
func newLogger(cfg Config, stderr io.Writer) *slog.Logger {
	format := cfg.LogFormat
	if format == "" {
		format = "json"
		if f, ok := stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			format = "text"
		}
	}
	return logging.New(stderr, format, cfg.LogLevel)
}
