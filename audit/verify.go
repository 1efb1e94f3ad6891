package audit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/chartside/chartside/db"
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
	// Anchors is how many distinct saved anchors were checked, all matching when OK.
	Anchors int
}

// Verify walks the chain from the first record and checks that sequence
// numbers are contiguous from 1, that each record names its predecessor's
// hash, that each hash matches the record's content, and that each record
// named by a saved anchor still has the anchor's hash. It stops at the first
// broken record. A database error is returned as an error, not as a broken
// chain; so is a malformed or contradictory anchor.
//
// Without anchors, Verify only shows edits made by someone who did not
// recompute the later hashes, and cannot show records cut off the END of the
// trail: the hash is unkeyed SHA-256, so a rewritten and re-hashed chain, or
// a shortened one, checks out. Anchors taken earlier and kept out of the
// database's reach are what expose those.
func (l *Log) Verify(ctx context.Context, anchors ...Anchor) (VerifyResult, error) {
	saved, err := sortAnchors(anchors)
	if err != nil {
		return VerifyResult{}, err
	}
	rows, err := l.db.QueryContext(ctx, "SELECT "+recordColumns+" FROM audit_log ORDER BY seq")
	if err != nil {
		return VerifyResult{}, fmt.Errorf("audit: verify: %w", err)
	}
	defer rows.Close()
	var (
		res      VerifyResult
		prevHash       = GenesisHash
		wantSeq  int64 = 1
		matched  int64 // the last record that matched its saved anchor
	)
	for rows.Next() {
		r, badTime, err := scanVerifyRecord(rows)
		if err != nil {
			return VerifyResult{}, fmt.Errorf("audit: verify: %w", err)
		}
		res.Records++
		reason := check(r, badTime, wantSeq, prevHash)
		if reason == "" && len(saved) > 0 && saved[0].Seq == r.Seq {
			if saved[0].Hash != r.Hash {
				reason = anchorMismatch(saved[0].Hash, matched, r.Seq)
			} else {
				matched = r.Seq
				res.Anchors++
				saved = saved[1:]
			}
		}
		if reason != "" {
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
	if len(saved) > 0 {
		// The chain checks out but ends before a record an anchor names.
		res.FirstBroken = res.Records + 1
		res.Reason = fmt.Sprintf("missing: the trail ends at record %d, but the saved anchor %s names record %d (records cut off the end, or the trail replaced by a shorter one)",
			res.Records, saved[len(saved)-1], saved[len(saved)-1].Seq)
		return res, nil
	}
	res.OK = true
	if res.Records > 0 {
		res.LastHash = prevHash
	}
	return res, nil
}

func check(r Record, badTime string, wantSeq int64, prevHash string) string {
	switch {
	case r.Seq != wantSeq:
		return fmt.Sprintf("sequence gap: expected record %d, found %d (records deleted or renumbered)", wantSeq, r.Seq)
	case r.PrevHash != prevHash:
		return "previous-hash link does not match the preceding record"
	case badTime != "":
		return badTime
	case r.Hash != chainHash(r.Seq, r.Entry, r.PrevHash):
		return "hash does not match the record's content (record edited)"
	default:
		return ""
	}
}

// scanVerifyRecord is scanRecord for Verify. SQLite keeps the time as text, so
// someone editing the file can leave one that is not a time at all; that is a
// tampered record to name, not a failure to read the trail. badTime says why
// the time was rejected ("" when it is a valid time).
func scanVerifyRecord(rows *sql.Rows) (r Record, badTime string, err error) {
	var at any
	err = rows.Scan(&r.Seq, &at, &r.Username, &r.Action, &r.PatientID, &r.MRN, &r.Outcome,
		&r.ClientAddr, &r.RequestID, &r.Detail, &r.PrevHash, &r.Hash)
	if err != nil {
		return Record{}, "", fmt.Errorf("scan record: %w", err)
	}
	var ts db.Timestamp
	if err := ts.Scan(at); err != nil || !ts.Valid {
		shown := fmt.Sprint(at)
		if b, ok := at.([]byte); ok {
			shown = string(b)
		}
		return r, fmt.Sprintf("time %q is not a valid timestamp (record edited)", shown), nil
	}
	r.Time = ts.Time
	return r, "", nil
}
