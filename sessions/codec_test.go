package sessions

import (
	"reflect"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"
)

// TestMemoCodec: a session decoded again from the same bytes comes from the memo, as an equal
// map of its own (scs changes it in place); other bytes decode afresh; sessions holding
// anything but plain values are never remembered.
func TestMemoCodec(t *testing.T) {
	gob := scs.GobCodec{}
	deadline := time.Date(2026, 11, 22, 20, 0, 0, 0, time.UTC)
	plain := map[string]any{keyUserID: int64(7), keyUsername: "nurse", keyRole: "clinician", keyCSRF: "s3cret",
		keyLastSeen: int64(1), keyExpiredNotice: true}
	b, err := gob.Encode(deadline, plain)
	if err != nil {
		t.Fatal(err)
	}
	c := newMemoCodec(tolerantCodec{gob})
	for i := range 3 {
		d, v, err := c.Decode(b)
		if err != nil || !d.Equal(deadline) || !reflect.DeepEqual(v, plain) {
			t.Fatalf("decode %d: %v, %v, %v; want %v, %v", i, d, v, err, deadline, plain)
		}
		v[keyUsername] = "changed by the request" // must not reach the next decode
		delete(v, keyRole)
	}
	if len(c.memo) != 1 {
		t.Errorf("memo holds %d sessions, want 1", len(c.memo))
	}

	other, _ := gob.Encode(deadline, map[string]any{keyUsername: "doctor"})
	if _, v, _ := c.Decode(other); v[keyUsername] != "doctor" {
		t.Errorf("other bytes decoded to %v", v)
	}

	mutable, err := gob.Encode(deadline, map[string]any{"list": []string{"a"}})
	if err != nil {
		t.Fatal(err)
	}
	before := len(c.memo)
	if _, v, _ := c.Decode(mutable); !reflect.DeepEqual(v["list"], []string{"a"}) {
		t.Errorf("slice value decoded to %v", v)
	}
	if len(c.memo) != before {
		t.Error("a session with a slice value was remembered")
	}

	// Damaged data stays an expired, empty session (tolerantCodec), memo or not.
	for range 2 {
		if d, v, err := c.Decode([]byte("not gob")); err != nil || !d.IsZero() || len(v) != 0 {
			t.Errorf("damaged: %v, %v, %v", d, v, err)
		}
	}
}
