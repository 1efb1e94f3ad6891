package audit

import (
	"context"
	"errors"
	"fmt"
)

// ErrChainBroken is wrapped by callers that turn a failed VerifyResult into
// an error (the CLI does).
var ErrChainBroken = errors.New("audit: chain broken")

// VerifyResult reports a walk of the whole chain.
type VerifyResult struct {
	Records     int64  // records read
	OK          bool   // every record checked out
	FirstBroken int64  // seq of the first record that does not check out (0 when OK)
	Reason      string // why FirstBroken failed
	// LastHash is the hash of the last record when OK: note it somewhere
	// else (a ticket, a log) to be able to detect later truncation.
	LastHash string
}

// Verify walks the chain from the first record and checks that sequence
// numbers are contiguous from 1, that each record names its predecessor's
// hash, and that each hash matches the record's content. It stops at the
// first broken record. A database error is returned as an error, not as a
// broken chain.
//
// A hash chain cannot show that records were cut off the END of the trail;
// exporting or noting the latest hash elsewhere from time to time closes
// that gap.
func (l *Log) Verify(ctx context.Context) (VerifyResult, error) {
	rows, err := l.db.QueryContext(ctx, "SELECT "+recordColumns+" FROM audit_log ORDER BY seq")
	if err != nil {
		return VerifyResult{}, fmt.Errorf("audit: verify: %w", err)
	}
	defer rows.Close()
	var (
		res      VerifyResult
		prevHash       = GenesisHash
		wantSeq  int64 = 1
	)
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return VerifyResult{}, fmt.Errorf("audit: verify: %w", err)
		}
		res.Records++
		if reason := check(r, wantSeq, prevHash); reason != "" {
			res.FirstBroken = r.Seq
			res.Reason = reason
			return res, nil
		}
		prevHash = r.Hash
		wantSeq++
	}
	if err := rows.Err(); err != nil {
		return VerifyResult{}, fmt.Errorf("audit: verify: %w", err)
	}
	res.OK = true
	if res.Records > 0 {
		res.LastHash = prevHash
	}
	return res, nil
}

func check(r Record, wantSeq int64, prevHash string) string {
	switch {
	case r.Seq != wantSeq:
		return fmt.Sprintf("sequence gap: expected record %d, found %d (records deleted or renumbered)", wantSeq, r.Seq)
	case r.PrevHash != prevHash:
		return "previous-hash link does not match the preceding record"
	case r.Hash != chainHash(r.Seq, r.Entry, r.PrevHash):
		return "hash does not match the record's content (record edited)"
	default:
		return ""
	}
}
