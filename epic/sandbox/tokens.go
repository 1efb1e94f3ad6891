package sandbox

import (
	"crypto/rand"
	"encoding/base64"
	"sync"
	"time"
)

// accessTokens holds the opaque access tokens issued so far. Epic says not to rely on its token
// format, so the sandbox issues random strings that carry nothing and must be looked up.
type accessTokens struct {
	mu     sync.Mutex
	tokens map[string]issuedToken
}

type issuedToken struct {
	client  string
	expires time.Time
}

// issue mints a token for client. The length is in the range of what the Epic sandbox hands out
// (about a kilobyte was observed), so clients do not get away with small fixed buffers.
func (t *accessTokens) issue(client string, now time.Time, life time.Duration) string {
	buf := make([]byte, 384)
	_, _ = rand.Read(buf) // crypto/rand.Read never returns an error
	tok := base64.RawURLEncoding.EncodeToString(buf)
	t.mu.Lock()
	defer t.mu.Unlock()
	for k, v := range t.tokens {
		if !now.Before(v.expires) {
			delete(t.tokens, k)
		}
	}
	t.tokens[tok] = issuedToken{client: client, expires: now.Add(life)}
	return tok
}

// valid reports whether tok was issued, is unexpired and has not been revoked.
func (t *accessTokens) valid(tok string, now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	it, ok := t.tokens[tok]
	return ok && now.Before(it.expires)
}

func (t *accessTokens) revokeAll() {
	t.mu.Lock()
	defer t.mu.Unlock()
	clear(t.tokens)
}
