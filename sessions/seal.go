package sessions

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"sync"
)

// Seal and Open keep patient data out of URLs (browser history, proxy logs,
// Referer) without remembering anything: a value is encrypted for the current
// session with AES-256-GCM, under a key derived from the session's CSRF secret,
// which every replica reads from the shared session store. A sealed value is
// useless outside the session that sealed it, ends with it (sign-out, expiry,
// a new sign-in replaces the secret), and cannot be altered unnoticed.

// sealInfo separates the sealing key from the CSRF token, which is built from
// the same secret: knowing one says nothing about the other.
const sealInfo = "chartside/sessions: sealed URL values v1"

// maxSealedLen bounds what Open decodes: a URL segment longer than this was
// never produced by Seal for anything Chartside puts in a URL.
const maxSealedLen = 2048

// sealOverhead is the nonce and the tag GCM adds to the plaintext.
const sealOverhead = 12 + 16

// Seal encrypts plaintext for the current session and returns it as unpadded
// base64url, safe in a URL path segment. Every call draws a fresh nonce, so
// the same value sealed twice gives two different strings; both open. The
// session's secret is created on first use, as CSRFToken does.
func (m *Manager) Seal(ctx context.Context, plaintext string) (string, error) {
	st, ok := stateFrom(ctx)
	if !ok {
		return "", ErrNoSession
	}
	secret, err := m.csrfSecret(ctx, st)
	if err != nil {
		return "", fmt.Errorf("sessions: seal: %w", err)
	}
	aead, err := st.sealer.aead(secret)
	if err != nil {
		return "", fmt.Errorf("sessions: seal: %w", err)
	}
	buf := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plaintext)+aead.Overhead())
	if _, err := rand.Read(buf); err != nil {
		return "", fmt.Errorf("sessions: seal: nonce: %w", err)
	}
	buf = aead.Seal(buf, buf, []byte(plaintext), nil)
	return base64.RawURLEncoding.EncodeToString(buf), nil
}

// Open returns what Seal sealed in this session. Anything else — altered,
// truncated, sealed in another session or before the secret was replaced, or
// a context without a session — is false, and never creates a secret.
func (m *Manager) Open(ctx context.Context, sealed string) (string, bool) {
	st, ok := stateFrom(ctx)
	if !ok || len(sealed) > maxSealedLen {
		return "", false
	}
	secret := m.scs.GetString(ctx, keyCSRF)
	if len(secret) != csrfSecretLen {
		return "", false
	}
	raw, err := base64.RawURLEncoding.DecodeString(sealed)
	if err != nil || len(raw) < sealOverhead {
		return "", false
	}
	aead, err := st.sealer.aead(secret)
	if err != nil {
		return "", false
	}
	n := aead.NonceSize()
	plain, err := aead.Open(nil, raw[:n], raw[n:], nil)
	if err != nil {
		return "", false
	}
	return string(plain), true
}

// sealCache keeps the AEAD of one request: a timeline seals a link per
// encounter, and deriving the key for each was most of the cost. It is
// keyed by the secret, which SignIn replaces mid-request.
type sealCache struct {
	mu     sync.Mutex
	secret string
	cached cipher.AEAD
}

func (c *sealCache) aead(secret string) (cipher.AEAD, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cached != nil && c.secret == secret {
		return c.cached, nil
	}
	a, err := sealAEAD(secret)
	if err != nil {
		return nil, err
	}
	c.secret, c.cached = secret, a
	return a, nil
}

// sealAEAD derives the session's sealing key from its CSRF secret (HKDF-SHA256;
// the secret is 256 random bits, so no salt is needed).
func sealAEAD(secret string) (cipher.AEAD, error) {
	key, err := hkdf.Key(sha256.New, []byte(secret), nil, sealInfo, 32)
	if err != nil {
		return nil, fmt.Errorf("derive key: %w", err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("cipher: %w", err)
	}
	return cipher.NewGCM(block)
}
