package sandbox

import (
	"sync"
	"time"
)

// jtiLog remembers assertion ids until their assertion expires; Epic refuses a jti reused before
// exp. After exp the old assertion is dead anyway, so forgetting it then is safe.
type jtiLog struct {
	mu  sync.Mutex
	ids map[string]time.Time // client id + "\x00" + jti → assertion expiry
}

func (l *jtiLog) used(client, jti string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	exp, ok := l.ids[client+"\x00"+jti]
	return ok && now.Before(exp)
}

// record stores jti and reports false if another request recorded it first (two concurrent
// requests with one assertion must not both get a token).
func (l *jtiLog) record(client, jti string, exp, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	key := client + "\x00" + jti
	if old, ok := l.ids[key]; ok && now.Before(old) {
		return false
	}
	for k, e := range l.ids {
		if !now.Before(e) {
			delete(l.ids, k)
		}
	}
	l.ids[key] = exp
	return true
}
