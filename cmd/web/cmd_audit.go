package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/chartside/chartside/audit"
)

const auditUsage = `usage: web audit <command> [flags]

commands:
  verify [--expect SEQ:HASH]... [--anchors FILE]
              check the whole hash chain; exits non-zero and names the first
              broken record if any record was edited, reordered or deleted
  export --since DATE [--until DATE] [--format csv|jsonl]
         [--username U] [--mrn MRN] [--patient FHIR-ID] [--action A]
              write matching records, oldest first, to standard output

verify prints "audit trail OK: N records, last hash H". The hash is plain
SHA-256, so whoever can write the database can rewrite a record and recompute
every later hash, or cut records off the end, and verify alone still passes.
Keep that line somewhere the database's administrators cannot write (daily,
say); --expect N:H, or --anchors with a file of such lines, then fails if
record N no longer has hash H (rewritten) or is gone (cut off).

DATE is YYYY-MM-DD (UTC) or an RFC 3339 time. --since is inclusive; a date
given to --until includes that whole day, a time is exclusive. Each export is
itself recorded in the audit trail.
`

// runAudit is `web audit …`: verify or export the access audit trail. args
// start after "audit".
func runAudit(ctx context.Context, trail *audit.Log, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, auditUsage)
		return &usageError{"audit: missing command (verify, export)"}
	}
	switch sub, rest := args[0], args[1:]; sub {
	case "verify":
		return auditVerify(ctx, trail, rest, stdout, stderr)
	case "export":
		return auditExport(ctx, trail, rest, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, auditUsage)
		return nil
	default:
		fmt.Fprint(stderr, auditUsage)
		return &usageError{fmt.Sprintf("audit: unknown command %q", sub)}
	}
}

func auditVerify(ctx context.Context, trail *audit.Log, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("audit verify", stderr)
	var anchors []audit.Anchor
	fs.Func("expect", "SEQ:HASH: record SEQ must still have HASH (repeatable)", func(s string) error {
		a, err := audit.ParseAnchor(s)
		anchors = append(anchors, a)
		return err
	})
	anchorsFile := fs.String("anchors", "", "file of saved verify output lines (\"N records, last hash H\") or SEQ:HASH lines, each checked as --expect")
	pos, err := parseFlags(fs, args)
	if err != nil || len(pos) > 0 {
		return flagError(err, "audit verify takes no arguments", pos)
	}
	if *anchorsFile != "" {
		saved, err := readAnchorsFile(*anchorsFile)
		if err != nil {
			return &usageError{"audit verify: --anchors: " + err.Error()}
		}
		anchors = append(anchors, saved...)
	}
	res, err := trail.Verify(ctx, anchors...)
	if err != nil {
		return fmt.Errorf("audit verify: %w", err)
	}
	if !res.OK {
		fmt.Fprintf(stdout, "audit trail BROKEN at record %d: %s\n", res.FirstBroken, res.Reason)
		fmt.Fprint(stdout, brokenAdvice)
		return fmt.Errorf("audit verify: first broken record %d: %s: %w", res.FirstBroken, res.Reason, audit.ErrChainBroken)
	}
	if res.Records == 0 {
		fmt.Fprintln(stdout, "audit trail is empty")
		return nil
	}
	// This line, kept where the database's administrators cannot write, is what --anchors reads back.
	fmt.Fprintf(stdout, "audit trail OK: %d records, last hash %s\n", res.Records, res.LastHash)
	if res.Anchors > 0 {
		fmt.Fprintf(stdout, "saved anchors: %d checked, all match\n", res.Anchors)
	}
	return nil
}

// brokenAdvice is what IT should do once verify finds the trail altered: the
// evidence is the database as it is now, and the people to tell are not the
// ones who can edit it.
const brokenAdvice = `what to do:
  - change nothing in the database: do not delete, re-hash or repair records;
    copy the database (or the SQLite file) as it is and keep the copy safe
  - compare the records from the broken one on (for a saved anchor that no
    longer matches, the records named above) with your latest audit export
    or backup (web audit export --since DATE) to see what was changed
  - report it to your security or privacy officer as possible tampering, and
    check who had write access to the database
`

func auditExport(ctx context.Context, trail *audit.Log, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("audit export", stderr)
	since := fs.String("since", "", "first day or time to include (required)")
	until := fs.String("until", "", "last day to include, or the time to stop before")
	format := fs.String("format", audit.FormatCSV, "csv or jsonl")
	username := fs.String("username", "", "only this staff username")
	patient := fs.String("patient", "", "only this patient (FHIR id)")
	mrn := fs.String("mrn", "", "only records of this MRN (as recorded: lookups, and chart views since the MRN was known)")
	action := fs.String("action", "", "only this action ("+strings.Join(audit.Actions(), ", ")+")")
	pos, err := parseFlags(fs, args)
	if err != nil || len(pos) > 0 {
		return flagError(err, "audit export takes no positional arguments", pos)
	}
	if *since == "" {
		return &usageError{"audit export: --since is required (e.g. --since 2026-01-01)"}
	}
	f := audit.Filter{Username: *username, PatientID: *patient, MRN: *mrn, Action: *action}
	if f.From, err = parseWhen(*since, false); err != nil {
		return &usageError{"audit export: --since: " + err.Error()}
	}
	if *until != "" {
		if f.To, err = parseWhen(*until, true); err != nil {
			return &usageError{"audit export: --until: " + err.Error()}
		}
		if !f.To.After(f.From) {
			return &usageError{"audit export: --until must be after --since"}
		}
	}
	if *format != audit.FormatCSV && *format != audit.FormatJSONL {
		return &usageError{"audit export: --format must be csv or jsonl"}
	}
	if *action != "" && !slices.Contains(audit.Actions(), *action) {
		return &usageError{fmt.Sprintf("audit export: --action %q is not one of %s", *action, strings.Join(audit.Actions(), ", "))}
	}
	// The export holds patient identifiers, so it is recorded first and
	// refused if it cannot be.
	detail := fmt.Sprintf("export format=%s since=%s", *format, f.From.Format(time.RFC3339))
	if !f.To.IsZero() {
		detail += " until=" + f.To.Format(time.RFC3339)
	}
	for _, kv := range [][2]string{{"username", f.Username}, {"mrn", f.MRN}, {"patient", f.PatientID}, {"action", f.Action}} {
		if kv[1] != "" {
			detail += " " + kv[0] + "=" + kv[1]
		}
	}
	if err := trail.Record(ctx, audit.Entry{Username: "cli", Action: audit.ActionAuditExport, Outcome: audit.OutcomeOK,
		PatientID: f.PatientID, MRN: f.MRN, Detail: detail}); err != nil {
		return fmt.Errorf("audit export: not exporting, the export could not be recorded: %w", err)
	}
	if err := trail.Export(ctx, stdout, f, *format); err != nil {
		return fmt.Errorf("audit export: %w", err)
	}
	return nil
}

// parseWhen reads YYYY-MM-DD (UTC midnight; with endOfDay, the midnight
// after, so the day is included) or an RFC 3339 time.
func parseWhen(s string, endOfDay bool) (time.Time, error) {
	if d, err := time.Parse(time.DateOnly, s); err == nil {
		if endOfDay {
			d = d.AddDate(0, 0, 1)
		}
		return d, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, errors.New("want YYYY-MM-DD or an RFC 3339 time such as 2026-01-31T18:00:00Z")
	}
	return t.UTC(), nil
}
