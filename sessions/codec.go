package sessions

import (
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
