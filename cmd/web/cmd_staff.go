package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/user"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/chartside/chartside/audit"
	"github.com/chartside/chartside/staff"
)

const staffUsage = `usage: web staff <command> [flags]

commands:
  add --username U --role clinician|admin [--password-stdin]
                                  create an account
  list                            list accounts, one a line, columns separated
                                  by a tab (for scripts: cut -f1 is the username)
  disable U                       stop U from signing in (the account is kept)
  enable U                        let a disabled account sign in again
  reset-password U [--password-stdin]
                                  set a new password and clear U's sign-in lock
  set-role U clinician|admin      change U's role; ends U's open sessions, so
                                  the new role applies from U's next sign-in

disable, reset-password and set-role end U's open sessions: U's next request
is signed out. Passwords are at least 12 characters. With --password-stdin the first line of
standard input is the password (for scripts: printf '%s\n' "$PW" | web staff …).
Without it, web prompts only when standard input is a terminal.
Every change is written to the audit trail as user "cli".
`

// runStaff is `web staff …`: account management for IT, scriptable and
// audited. args start after "staff".
func runStaff(ctx context.Context, store *staff.Store, trail *audit.Log, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		io.WriteString(stderr, staffUsage)
		return &usageError{"staff: missing command (add, list, disable, enable, reset-password, set-role)"}
	}
	c := staffCmd{store: store, trail: trail, stdin: stdin, stdout: stdout, stderr: stderr}
	switch sub, rest := args[0], args[1:]; sub {
	case "add":
		return c.add(ctx, rest)
	case "list":
		return c.list(ctx, rest)
	case "disable":
		return c.setDisabled(ctx, rest, true)
	case "enable":
		return c.setDisabled(ctx, rest, false)
	case "reset-password":
		return c.resetPassword(ctx, rest)
	case "set-role":
		return c.setRole(ctx, rest)
	case "help", "-h", "--help":
		io.WriteString(stdout, staffUsage)
		return nil
	default:
		io.WriteString(stderr, staffUsage)
		return &usageError{fmt.Sprintf("staff: unknown command %q", sub)}
	}
}

type staffCmd struct {
	store          *staff.Store
	trail          *audit.Log
	stdin          io.Reader
	stdout, stderr io.Writer
}

func (c staffCmd) add(ctx context.Context, args []string) error {
	fs := newFlagSet("staff add", c.stderr)
	username := fs.String("username", "", "the new account's username")
	roleName := fs.String("role", "", "clinician or admin")
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	pos, err := parseFlags(fs, args)
	if err != nil || len(pos) > 0 {
		return flagError(err, "staff add takes no positional arguments", pos)
	}
	if *username == "" || *roleName == "" {
		return &usageError{"staff add: --username and --role are required"}
	}
	role, err := staff.ParseRole(*roleName)
	if err != nil {
		return &usageError{"staff add: --role must be clinician or admin"}
	}
	if staff.NormalizeUsername(*username) == staff.DemoUsername {
		// Sandbox mode owns this account (published password); a server on a real Epic refuses
		// it at sign-in and deletes it at start-up.
		return &usageError{fmt.Sprintf("staff add: %q is reserved for the sandbox's demo account: choose another username", staff.DemoUsername)}
	}
	pw, err := c.password(*fromStdin)
	if err != nil {
		return err
	}
	acct, err := c.store.Add(ctx, *username, pw, role)
	name := staff.NormalizeUsername(*username)
	if err := c.audit(ctx, fmt.Sprintf("staff add username=%s role=%s", name, role), err); err != nil {
		return err
	}
	if err != nil {
		return fmt.Errorf("staff add %s: %w", name, err)
	}
	fmt.Fprintf(c.stdout, "added %s (%s, id %d)\n", acct.Username, acct.Role, acct.ID)
	return nil
}

func (c staffCmd) list(ctx context.Context, args []string) error {
	fs := newFlagSet("staff list", c.stderr)
	pos, err := parseFlags(fs, args)
	if err != nil || len(pos) > 0 {
		return flagError(err, "staff list takes no arguments", pos)
	}
	accounts, err := c.store.List(ctx)
	if err != nil {
		return fmt.Errorf("staff list: %w", err)
	}
	// Real tabs, not padding: scripts split the columns on them (cut -f, awk -F'\t').
	tw := bufio.NewWriter(c.stdout)
	fmt.Fprintln(tw, "USERNAME\tROLE\tSTATUS\tCREATED\tLAST SIGN-IN")
	for _, a := range accounts {
		status, last := "active", "never"
		if a.Disabled {
			status = "disabled"
		}
		if a.LastSignIn != nil {
			last = a.LastSignIn.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", a.Username, a.Role, status, a.CreatedAt.UTC().Format(time.RFC3339), last)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("staff list: %w", err)
	}
	return nil
}

func (c staffCmd) setDisabled(ctx context.Context, args []string, disabled bool) error {
	verb := map[bool]string{true: "disable", false: "enable"}[disabled]
	fs := newFlagSet("staff "+verb, c.stderr)
	pos, err := parseFlags(fs, args)
	if err != nil || len(pos) != 1 {
		return flagError(err, "staff "+verb+" takes exactly one username", pos)
	}
	name := staff.NormalizeUsername(pos[0])
	if disabled {
		err = c.store.Disable(ctx, name)
	} else {
		err = c.store.Enable(ctx, name)
	}
	if err := c.audit(ctx, fmt.Sprintf("staff %s username=%s", verb, name), err); err != nil {
		return err
	}
	if err != nil {
		return fmt.Errorf("staff %s %s: %w", verb, name, err)
	}
	fmt.Fprintf(c.stdout, "%sd %s\n", verb, name)
	return nil
}

func (c staffCmd) resetPassword(ctx context.Context, args []string) error {
	fs := newFlagSet("staff reset-password", c.stderr)
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	pos, err := parseFlags(fs, args)
	if err != nil || len(pos) != 1 {
		return flagError(err, "staff reset-password takes exactly one username", pos)
	}
	name := staff.NormalizeUsername(pos[0])
	pw, err := c.password(*fromStdin)
	if err != nil {
		return err
	}
	err = c.store.ResetPassword(ctx, name, pw)
	if err := c.audit(ctx, "staff reset-password username="+name, err); err != nil {
		return err
	}
	if err != nil {
		return fmt.Errorf("staff reset-password %s: %w", name, err)
	}
	fmt.Fprintf(c.stdout, "password reset for %s\n", name)
	return nil
}

func (c staffCmd) setRole(ctx context.Context, args []string) error {
	fs := newFlagSet("staff set-role", c.stderr)
	pos, err := parseFlags(fs, args)
	if err != nil || len(pos) != 2 {
		return flagError(err, "staff set-role takes a username and a role (clinician or admin)", pos)
	}
	name := staff.NormalizeUsername(pos[0])
	role, err := staff.ParseRole(pos[1])
	if err != nil {
		return &usageError{"staff set-role: the role must be clinician or admin"}
	}
	if name == staff.DemoUsername {
		// The sandbox makes it a clinician again at every start.
		return &usageError{fmt.Sprintf("staff set-role: %q is the sandbox's demo account, always a clinician", staff.DemoUsername)}
	}
	previous, err := c.store.SetRole(ctx, name, role)
	detail := fmt.Sprintf("staff set-role username=%s role=%s", name, role)
	if previous != "" {
		detail += " previous=" + string(previous)
	}
	if err := c.audit(ctx, detail, err); err != nil {
		return err
	}
	if err != nil {
		return fmt.Errorf("staff set-role %s: %w", name, err)
	}
	if previous == role {
		fmt.Fprintf(c.stdout, "%s is already %s (nothing changed)\n", name, role)
		return nil
	}
	fmt.Fprintf(c.stdout, "%s is now %s (was %s); their open sessions are ended\n", name, role, previous)
	return nil
}

// audit records an account change made from the command line, with the
// outcome of the change. The change itself has already happened (or
// failed); if it cannot be recorded, the command fails so IT notices.
func (c staffCmd) audit(ctx context.Context, detail string, changeErr error) error {
	e := audit.Entry{Username: "cli", Action: audit.ActionAccountChange, Outcome: audit.OutcomeOK, Detail: detail}
	if u, err := user.Current(); err == nil {
		// Who ran the command on the host is the accountability the
		// "cli" actor otherwise lacks.
		e.Detail += " os_user=" + u.Username
	}
	if changeErr != nil {
		e.Outcome = audit.OutcomeFailed
		// Store errors are fixed sentinel texts or database errors; neither
		// carries the password.
		e.Detail += " error=" + changeErr.Error()
	}
	if err := c.trail.Record(ctx, e); err != nil {
		if changeErr == nil {
			return fmt.Errorf("account change applied but NOT recorded in the audit trail: %w", err)
		}
		return fmt.Errorf("audit: %w", err)
	}
	return nil
}

// password obtains a new password: from the first line of stdin with
// --password-stdin, else by prompting without echo, but only when stdin is a
// terminal, so scripts never hang on a prompt.
func (c staffCmd) password(fromStdin bool) (string, error) {
	if fromStdin {
		line, err := bufio.NewReader(c.stdin).ReadString('\n')
		if err != nil && !(errors.Is(err, io.EOF) && line != "") {
			return "", errors.New("--password-stdin: no password on standard input")
		}
		pw := strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
		if pw == "" {
			return "", errors.New("--password-stdin: the first line of standard input is empty")
		}
		return pw, nil
	}
	f, ok := c.stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return "", &usageError{"no password given: use --password-stdin and pipe it in (web never prompts when stdin is not a terminal)"}
	}
	fmt.Fprint(c.stderr, "New password: ")
	first, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(c.stderr)
	if err != nil {
		return "", fmt.Errorf("read password: %w", err)
	}
	fmt.Fprint(c.stderr, "Repeat password: ")
	second, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(c.stderr)
	if err != nil {
		return "", fmt.Errorf("read password: %w", err)
	}
	if string(first) != string(second) {
		return "", errors.New("the passwords do not match")
	}
	return string(first), nil
}

// newFlagSet returns a FlagSet that reports errors instead of exiting.
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// parseFlags parses flags placed before, between or after positional
// arguments (`reset-password alice --password-stdin`), which flag.Parse
// alone stops at, and returns the positional arguments.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		rest := fs.Args()
		if len(rest) < len(args) && args[len(args)-len(rest)-1] == "--" {
			// Everything after "--" is positional.
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// flagError turns a flag parse failure or wrong positional arguments into a
// usage error; -h is not an error.
func flagError(err error, msg string, pos []string) error {
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return &usageError{err.Error()}
	}
	return &usageError{fmt.Sprintf("%s (got %q)", msg, pos)}
}
