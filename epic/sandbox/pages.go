package sandbox

import (
	"crypto/rand"
	"fmt"
	"sync"
	"time"
)

// pageSessions holds the cached search results that next links point into. Epic's next link carries
// only an opaque sessionID; when the session is gone the client gets error 4113 and must search again.
type pageSessions struct {
	mu       sync.Mutex
	sessions map[string]*pageSession
}

type pageSession struct {
	res     *result
	offset  int
	expires time.Time
}

// open stores a continuation of res at offset and returns its session id, shaped like Epic's
// ("17-677B…").
func (p *pageSessions) open(res *result, offset int, now time.Time, life time.Duration) string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	id := fmt.Sprintf("17-%X", b)
	p.mu.Lock()
	defer p.mu.Unlock()
	for k, s := range p.sessions {
		if !now.Before(s.expires) {
			delete(p.sessions, k)
		}
	}
	p.sessions[id] = &pageSession{res: res, offset: offset, expires: now.Add(life)}
	return id
}

// take returns the session if it exists and has not expired at now.
func (p *pageSessions) take(id string, now time.Time) (*pageSession, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s, ok := p.sessions[id]
	if !ok {
		return nil, false
	}
	if !now.Before(s.expires) {
		delete(p.sessions, id)
		return nil, false
	}
	return s, true
}
