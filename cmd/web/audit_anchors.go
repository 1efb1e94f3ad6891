package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"

	"github.com/chartside/chartside/audit"
)

// verifiedLine finds the anchor in a saved `web audit verify` line, wherever it sits in the line
// (a ticket or a log collector may put a date or a host before it).
var verifiedLine = regexp.MustCompile(`\b(\d+) records, last hash ([0-9a-fA-F]+)\b`)

// readAnchorsFile reads the anchors IT kept: lines of saved `web audit verify` output, as they were
// printed, or SEQ:HASH lines. Other lines (comments, the "what to do" of a failed run, an empty
// trail) carry no anchor and are skipped; a line that names a hash but not as verify prints it is
// an error, so a damaged anchor is never skipped silently. A file with no anchor at all is an error
// too.
func readAnchorsFile(path string) ([]audit.Anchor, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, unwrapPathError(err)
	}
	defer f.Close()
	var anchors []audit.Anchor
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		var (
			a   audit.Anchor
			err error
		)
		switch m := verifiedLine.FindStringSubmatch(line); {
		case m != nil:
			a, err = audit.ParseAnchor(m[1] + ":" + m[2])
		case strings.Contains(line, "last hash"):
			err = errors.New(`want "N records, last hash H" as verify prints it`)
		case strings.Contains(line, ":") && !strings.ContainsAny(line, " \t"):
			a, err = audit.ParseAnchor(line)
		default:
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("%s line %d: %w", path, n, err)
		}
		anchors = append(anchors, a)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(anchors) == 0 {
		return nil, fmt.Errorf(`%s holds no anchor (no line "audit trail OK: N records, last hash H" or SEQ:HASH)`, path)
	}
	return anchors, nil
}
