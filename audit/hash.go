package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// GenesisHash is the PrevHash of the first record.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// hashVersion prefixes the canonical encoding so a future change of fields
// can be told apart from tampering.
const hashVersion = "chartside-audit-v1"

// timeLayout is the canonical, fixed-width rendering of a record's time.
const timeLayout = "2006-01-02T15:04:05.000000Z"

// canonical encodes a record's content unambiguously: every field is written
// as its decimal byte length, ':', the bytes and '\n', in this order:
// version tag, previous hash, seq, time (timeLayout, UTC), username, action,
// patient id, MRN, outcome, client address, request id, detail. The record's
// hash is the hex SHA-256 of that. So no choice of field values can
// make two different records encode alike. The sequence number is included
// so records cannot be reordered or renumbered without breaking the chain.
func canonical(seq int64, e Entry, prevHash string) []byte {
	var b strings.Builder
	field := func(s string) {
		b.WriteString(strconv.Itoa(len(s)))
		b.WriteByte(':')
		b.WriteString(s)
		b.WriteByte('\n')
	}
	field(hashVersion)
	field(prevHash)
	field(strconv.FormatInt(seq, 10))
	field(e.Time.UTC().Format(timeLayout))
	field(e.Username)
	field(e.Action)
	field(e.PatientID)
	field(e.MRN)
	field(e.Outcome)
	field(e.ClientAddr)
	field(e.RequestID)
	field(e.Detail)
	return []byte(b.String())
}

// chainHash returns the hex SHA-256 that links a record to its predecessor.
func chainHash(seq int64, e Entry, prevHash string) string {
	sum := sha256.Sum256(canonical(seq, e, prevHash))
	return hex.EncodeToString(sum[:])
}

// sanitize makes every field storable identically on both engines:
// PostgreSQL rejects NUL and invalid UTF-8 in TEXT, so they are replaced
// before hashing rather than failing the record (failing would hide the
// chart from a clinician who merely mistyped).
func sanitize(e Entry) Entry {
	clean := func(s string) string {
		s = strings.ToValidUTF8(s, "\uFFFD")
		return strings.ReplaceAll(s, "\x00", "\uFFFD")
	}
	e.Username = clean(e.Username)
	e.Action = clean(e.Action)
	e.PatientID = clean(e.PatientID)
	e.MRN = clean(e.MRN)
	e.Outcome = clean(e.Outcome)
	e.ClientAddr = clean(e.ClientAddr)
	e.RequestID = clean(e.RequestID)
	e.Detail = clean(e.Detail)
	e.Time = e.Time.UTC().Truncate(time.Microsecond)
	return e
}
