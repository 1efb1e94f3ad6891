package staff

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// HashParams are argon2id cost parameters.
type HashParams struct {
	Memory  uint32 // KiB
	Time    uint32 // iterations
	Threads uint8
	SaltLen uint32 // bytes
	KeyLen  uint32 // bytes
}

// DefaultHashParams returns OWASP's Password Storage Cheat Sheet
// recommendation for argon2id: 19 MiB of memory, 2 iterations, 1 degree of
// parallelism, with a 16-byte salt and a 32-byte key.
func DefaultHashParams() HashParams {
	return HashParams{Memory: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}
}

// maxStoredMemory bounds the memory a stored hash may ask for, so a
// corrupted or hostile row cannot make a sign-in allocate gigabytes.
const maxStoredMemory = 1 << 20 // KiB = 1 GiB

// ErrBadHash reports a stored password hash this package cannot read.
var ErrBadHash = errors.New("staff: malformed password hash")

// hashPassword returns the PHC string for pw:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<key> (unpadded standard base64).
func hashPassword(p HashParams, pw string) (string, error) {
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("staff: salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// parseHash splits a PHC argon2id string into its parameters, salt and key.
func parseHash(phc string) (HashParams, []byte, []byte, error) {
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return HashParams{}, nil, nil, ErrBadHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return HashParams{}, nil, nil, ErrBadHash
	}
	var p HashParams
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return HashParams{}, nil, nil, ErrBadHash
	}
	if p.Memory == 0 || p.Memory > maxStoredMemory || p.Time == 0 || p.Threads == 0 {
		return HashParams{}, nil, nil, ErrBadHash
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil || len(salt) == 0 {
		return HashParams{}, nil, nil, ErrBadHash
	}
	key, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(key) == 0 {
		return HashParams{}, nil, nil, ErrBadHash
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	return p, salt, key, nil
}

// verifyPassword reports whether pw matches the PHC string, comparing in
// constant time, and whether the hash was made with parameters other than
// want (so it should be upgraded).
func verifyPassword(phc, pw string, want HashParams) (ok, stale bool, err error) {
	p, salt, key, err := parseHash(phc)
	if err != nil {
		return false, false, err
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return subtle.ConstantTimeCompare(got, key) == 1, p != want, nil
}

// acquire takes a hashing slot. argon2id deliberately costs ~19 MiB and tens
// of milliseconds per call; bounding concurrent hashes keeps a burst of
// sign-ins from exhausting memory.
func (s *Store) acquire(ctx context.Context) error {
	select {
	case s.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("staff: waiting to hash: %w", ctx.Err())
	}
}

func (s *Store) release() { <-s.slots }

// hash hashes pw under a hashing slot.
func (s *Store) hash(ctx context.Context, pw string) (string, error) {
	if err := s.acquire(ctx); err != nil {
		return "", err
	}
	defer s.release()
	return hashPassword(s.params, pw)
}

// verify checks pw against phc under a hashing slot.
func (s *Store) verify(ctx context.Context, phc, pw string) (ok, stale bool, err error) {
	if err := s.acquire(ctx); err != nil {
		return false, false, err
	}
	defer s.release()
	return verifyPassword(phc, pw, s.params)
}

// dummyHash is verified against when the username is unknown, so unknown
// and known usernames take the same time to refuse.
func (s *Store) dummyHash(ctx context.Context) (string, error) {
	s.dummyMu.Lock()
	defer s.dummyMu.Unlock()
	if s.dummy != "" {
		return s.dummy, nil
	}
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("staff: dummy password: %w", err)
	}
	h, err := s.hash(ctx, base64.RawStdEncoding.EncodeToString(b))
	if err != nil {
		return "", err
	}
	s.dummy = h
	return h, nil
}
