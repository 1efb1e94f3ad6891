package audit

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Anchor is a record's hash noted outside the database: the "N records, last hash H" that
// `web audit verify` prints, kept somewhere the database's administrators cannot write. The chain
// alone cannot show a rewrite: its hash is public SHA-256, so whoever can write the database can
// edit a record and recompute every later hash into a chain that checks out. An anchor taken
// before the rewrite no longer matches, and one naming a record that is gone shows records cut
// off the end.
type Anchor struct {
	Seq  int64
	Hash string
}

// String is the SEQ:HASH form ParseAnchor reads.
func (a Anchor) String() string { return strconv.FormatInt(a.Seq, 10) + ":" + a.Hash }

var hashRE = regexp.MustCompile(`^[0-9a-f]{64}$`)

// ParseAnchor reads SEQ:HASH (HASH is the record's 64 hex digits).
func ParseAnchor(s string) (Anchor, error) {
	seq, hash, ok := strings.Cut(strings.TrimSpace(s), ":")
	n, err := strconv.ParseInt(seq, 10, 64)
	hash = strings.ToLower(hash)
	if !ok || err != nil || n < 1 || !hashRE.MatchString(hash) {
		return Anchor{}, fmt.Errorf("audit: anchor %q: want SEQ:HASH, a record number and its 64 hex digit hash (from a verify's \"N records, last hash H\": N:H)", s)
	}
	return Anchor{Seq: n, Hash: hash}, nil
}

// sortAnchors returns anchors in record order without repeats, or an error when two name the same
// record with different hashes (one of them was copied wrong) or one is malformed.
func sortAnchors(anchors []Anchor) ([]Anchor, error) {
	out := slices.Clone(anchors)
	for _, a := range out {
		if a.Seq < 1 || !hashRE.MatchString(a.Hash) {
			return nil, fmt.Errorf("audit: anchor %q: want a record number from 1 and a 64 hex digit hash", a)
		}
	}
	slices.SortFunc(out, func(a, b Anchor) int { return int(a.Seq - b.Seq) })
	out = slices.CompactFunc(out, func(a, b Anchor) bool { return a == b })
	for i := 1; i < len(out); i++ {
		if out[i].Seq == out[i-1].Seq {
			return nil, fmt.Errorf("audit: two saved anchors for record %d with different hashes (%s, %s): check which one was copied wrong", out[i].Seq, out[i-1].Hash, out[i].Hash)
		}
	}
	return out, nil
}

// anchorMismatch is why a record whose hash differs from its saved anchor is broken. The chain
// up to it checked out, so its records were rewritten and re-hashed: after the last anchor that
// still matched (afterSeq, 0 when none came before), and up to this one.
func anchorMismatch(saved string, afterSeq, seq int64) string {
	where := fmt.Sprintf("somewhere in records 1 to %d", seq)
	switch {
	case afterSeq+1 == seq:
		where = "in this record"
	case afterSeq > 0:
		where = fmt.Sprintf("somewhere in records %d to %d (record %d still matches its saved anchor)", afterSeq+1, seq, afterSeq)
	}
	return fmt.Sprintf("hash differs from the saved anchor %d:%s: the trail was rewritten and re-hashed by someone able to write the database, %s; compare them with an earlier export", seq, saved, where)
}
