package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestHelpPrintsUsage: an IT engineer's first `web --help` or `web serve --help` prints what the
// command does and exits 0, instead of starting a server or failing with "takes no arguments".
func TestHelpPrintsUsage(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--help"}, "usage: web [command]"},
		{[]string{"-h"}, "usage: web [command]"},
		{[]string{"help"}, "usage: web [command]"},
		{[]string{"serve", "--help"}, "EPIC_FHIR_BASE_URL"},
		{[]string{"serve", "-h"}, "usage: web [serve]"},
		{[]string{"check", "--help"}, "usage: web check"},
		{[]string{"healthcheck", "--help"}, "usage: web healthcheck"},
		{[]string{"keygen", "--help"}, "-out"},
		{[]string{"sandbox", "--help"}, "-latency"},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var out bytes.Buffer
			// A command that ran instead of printing its usage would fail here (no database, no
			// configuration) or serve until this context ends.
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			err := run(ctx, tc.args, func(string) string { return "" }, strings.NewReader(""), &out, &out)
			if err != nil {
				t.Fatalf("error %v; want usage and exit 0", err)
			}
			if !strings.Contains(out.String(), tc.want) {
				t.Errorf("output does not contain %q:\n%s", tc.want, out.String())
			}
		})
	}
}

// TestStaffAndAuditHelpOpenNoDatabase: `web staff --help` (or no subcommand) printed its usage only
// after opening and migrating the database, so asking for help in a home directory created ./data
// with an empty Chartside database in it.
func TestStaffAndAuditHelpOpenNoDatabase(t *testing.T) {
	dataDir := t.TempDir() + "/data"
	for _, args := range [][]string{{"staff", "--help"}, {"staff", "help"}, {"audit", "-h"}, {"staff"}, {"audit"}} {
		var out bytes.Buffer
		err := run(context.Background(), args, func(k string) string { return map[string]string{"DATA_DIR": dataDir}[k] }, strings.NewReader(""), &out, &out)
		if len(args) == 1 && exitCode(err) != 2 || len(args) == 2 && err != nil {
			t.Errorf("%q: error %v", args, err)
		}
		if !strings.Contains(out.String(), "usage: web "+args[0]) {
			t.Errorf("%q printed no usage:\n%s", args, out.String())
		}
		if _, err := os.Stat(dataDir); err == nil {
			t.Fatalf("%q created DATA_DIR", args)
		}
	}
}

// TestSubcommandHelpOpensNoDatabase: `web staff add --help`, `web audit verify -h` and a mistyped
// subcommand opened (and for staff, migrated) the database before reading the command line: in a
// home directory that created ./data with an empty Chartside database, against production it
// migrated the production schema to print a usage, and with the database down it failed with the
// connection error instead of the usage.
func TestSubcommandHelpOpensNoDatabase(t *testing.T) {
	dataDir := t.TempDir() + "/data"
	for _, env := range []map[string]string{
		{"DATA_DIR": dataDir},
		{"DATABASE_URL": "postgres://chartside:s3cret@127.0.0.1:1/chartside?sslmode=disable"}, // nothing listens there
	} {
		for _, args := range [][]string{
			{"staff", "add", "--help"}, {"staff", "list", "-h"}, {"staff", "set-role", "--help"},
			{"staff", "reset-password", "jdoe", "--help"}, {"audit", "verify", "--help"}, {"audit", "export", "-help"},
			{"staff", "remove", "jdoe"}, {"audit", "check"},
		} {
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), args, func(k string) string { return env[k] }, strings.NewReader(""), &stdout, &stderr)
			unknown := !slices.Contains(subcommands[args[0]], args[1])
			if unknown && exitCode(err) != 2 || !unknown && err != nil {
				t.Errorf("%q with %v: error %v", args, env, err)
			}
			if out := stdout.String() + stderr.String(); !strings.Contains(out, "sage") {
				t.Errorf("%q printed no usage:\n%s", args, out)
			}
			if _, err := os.Stat(dataDir); err == nil {
				t.Fatalf("%q created DATA_DIR", args)
			}
		}
	}
}

// TestCommandsRefuseStrayArguments: a typo is a usage error (exit 2) that names the help, not a
// command run as if the argument were not there.
func TestCommandsRefuseStrayArguments(t *testing.T) {
	for _, args := range [][]string{{"serve", "--port=80"}, {"check", "now"}, {"healthcheck", "x"}, {"--listen=:80"}} {
		var out bytes.Buffer
		err := run(context.Background(), args, func(string) string { return "" }, strings.NewReader(""), &out, &out)
		if err == nil || exitCode(err) != 2 || !strings.Contains(err.Error(), "--help lists them") {
			t.Errorf("%q: error %v (exit %d); want a usage error pointing at --help", args, err, exitCode(err))
		}
	}
}

// TestServeHelpListsEverySetting keeps `web serve --help` and README.md's Configuration table in
// step with the variables Chartside actually reads: a setting added to loadConfig (or the collector
// settings) but not documented fails, and so does documentation of a setting no longer read.
func TestServeHelpListsEverySetting(t *testing.T) {
	read := map[string]bool{}
	record := func(name string) string {
		if secret := strings.TrimSuffix(name, "_FILE"); secretVars[secret] {
			name = secret // NAME_FILE is the secret NAME given as a file
		}
		read[name] = true
		return ""
	}
	if _, err := loadConfig(record); err != nil {
		t.Fatal(err)
	}
	applyGCSettings(record, true, slog.New(slog.NewTextHandler(io.Discard, nil)))()
	want := sortedKeys(read)

	helpVars := names(t, regexp.MustCompile(`(?m)^  ([A-Z][A-Z0-9_]+) `), serveUsage)
	if !slices.Equal(helpVars, want) {
		t.Errorf("web serve --help lists %v\nChartside reads %v", helpVars, want)
	}

	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	section, _, _ := strings.Cut(string(readme), "\n## How the code is laid out")
	_, section, ok := strings.Cut(section, "\n## Configuration\n")
	if !ok {
		t.Fatal("README.md has no Configuration section")
	}
	var rows strings.Builder
	for line := range strings.Lines(section) {
		if strings.HasPrefix(line, "| `") {
			first, _, _ := strings.Cut(line[1:], "|") // the variable column only
			rows.WriteString(first + "\n")
		}
	}
	readmeVars := names(t, regexp.MustCompile("`([A-Z][A-Z0-9_]+)`"), rows.String())
	if !slices.Equal(readmeVars, want) {
		t.Errorf("README.md Configuration lists %v\nChartside reads %v", readmeVars, want)
	}
}

func names(t *testing.T, re *regexp.Regexp, text string) []string {
	t.Helper()
	set := map[string]bool{}
	for _, m := range re.FindAllStringSubmatch(text, -1) {
		set[m[1]] = true
	}
	if len(set) == 0 {
		t.Fatalf("no variable names found by %v", re)
	}
	return sortedKeys(set)
}

func sortedKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
