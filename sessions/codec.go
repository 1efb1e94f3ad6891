package sessions

import (
	"maps"
	"sync"
	"time"

	"github.com/alexedwards/scs/v2"
)

// tolerantCodec turns undecodable session data (written by an older
// Chartside, or damaged) into an already-expired empty session. scs would
// otherwise fail every request carrying that cookie with a 500; this way the
// middleware destroys the record and the user just signs in again.
type tolerantCodec struct{ scs.Codec }

func (c tolerantCodec) Decode(b []byte) (time.Time, map[string]any, error) {
	deadline, values, err := c.Codec.Decode(b)
	if err != nil {
		return time.Time{}, map[string]any{}, nil
	}
	return deadline, values, nil
}

// memoCodec remembers decoded sessions by their encoded bytes. A browser sends the same session on
// every request until it is next saved (at most once per activity granularity), and decoding it
// with gob was half of a session lookup's CPU under load (BENCHMARKS.md). Only the decoding is
// remembered: every request still finds its session in the store, so a session deleted there
// (sign-out, expiry, an administrator) is gone at once. Each Decode returns its own map, which scs
// may change; the values in it are shared, so only sessions whose values are all strings, numbers
// or bools (everything Chartside stores) are remembered.
type memoCodec struct {
	scs.Codec
	mu   sync.Mutex
	memo map[string]decodedSession
}

type decodedSession struct {
	deadline time.Time
	values   map[string]any
}

// memoMax bounds the memo: well over one session per signed-in browser of a busy replica. When it
// is full it starts again empty.
const memoMax = 4096

func newMemoCodec(c scs.Codec) *memoCodec {
	return &memoCodec{Codec: c, memo: map[string]decodedSession{}}
}

func (c *memoCodec) Decode(b []byte) (time.Time, map[string]any, error) {
	c.mu.Lock()
	d, ok := c.memo[string(b)]
	c.mu.Unlock()
	if ok {
		return d.deadline, maps.Clone(d.values), nil
	}
	deadline, values, err := c.Codec.Decode(b)
	if err != nil || !immutableValues(values) {
		return deadline, values, err
	}
	c.mu.Lock()
	if len(c.memo) >= memoMax {
		clear(c.memo)
	}
	c.memo[string(b)] = decodedSession{deadline: deadline, values: maps.Clone(values)}
	c.mu.Unlock()
	return deadline, values, nil
}

// immutableValues reports whether every value is a string, number or bool.
func immutableValues(values map[string]any) bool {
	for _, v := range values {
		switch v.(type) {
		case string, bool, int, int64, float64:
		default:
			return false
		}
	}
	return true
}
