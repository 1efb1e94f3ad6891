package audit

import (
	"testing"
	"time"
)

// The canonical encoding is a storage format: changing it would make every
// existing chain fail Verify. These pinned hashes catch accidental changes.
func TestChainHashIsStable(t *testing.T) {
	e := Entry{
		Time: time.Date(2026, 1, 2, 3, 4, 5, 678901000, time.UTC), Username: "alice", Action: ActionLookup,
		PatientID: "erXuFYUfucBZaryVksYEcMg3", MRN: "203713", Outcome: OutcomeShown,
		ClientAddr: "192.0.2.1", RequestID: "r-1", Detail: "d",
	}
	tests := []struct {
		name string
		seq  int64
		e    Entry
		prev string
		want string
	}{
		{"first", 1, e, GenesisHash, "91bf672dca174985557824608952c2dccfa4f1f7952f418f4a55dabdd637f94d"},
	}
	for _, tt := range tests {
		if got := chainHash(tt.seq, tt.e, tt.prev); got != tt.want {
			t.Errorf("%s: chainHash = %s, want %s", tt.name, got, tt.want)
		}
	}
}

// Moving bytes between adjacent fields must change the hash (the length
// prefixes make the encoding unambiguous).
func TestCanonicalIsUnambiguous(t *testing.T) {
	a := Entry{Username: "ab", Action: "c"}
	b := Entry{Username: "a", Action: "bc"}
	if chainHash(1, a, GenesisHash) == chainHash(1, b, GenesisHash) {
		t.Error("entries differing only in field boundaries hash alike")
	}
	if chainHash(1, a, GenesisHash) == chainHash(2, a, GenesisHash) {
		t.Error("seq is not part of the hash")
	}
}
