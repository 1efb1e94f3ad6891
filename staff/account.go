package staff

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Role is what a staff member may do in Chartside.
type Role string

// Roles.
const (
	RoleClinician Role = "clinician" // looks up patients and views charts
	RoleAdmin     Role = "admin"     // also reads the audit trail
)

// ParseRole returns the Role named s, or ErrInvalidRole.
func ParseRole(s string) (Role, error) {
	switch r := Role(strings.ToLower(strings.TrimSpace(s))); r {
	case RoleClinician, RoleAdmin:
		return r, nil
	default:
		return "", fmt.Errorf("staff: role %q: %w", s, ErrInvalidRole)
	}
}

// Account is a staff account as the rest of Chartside sees it; the password
// hash never leaves this package.
type Account struct {
	ID         int64
	Username   string
	Role       Role
	Disabled   bool
	CreatedAt  time.Time
	LastSignIn *time.Time // nil until the first successful sign-in
	// SessionsValidAfter ends every session signed in before it (a password
	// reset or a disable sets it to that moment): zero when never set.
	SessionsValidAfter time.Time
}

// Errors returned by Store methods.
var (
	ErrNotFound        = errors.New("staff: account not found")
	ErrExists          = errors.New("staff: username already taken")
	ErrInvalidUsername = errors.New("staff: username must be 1-64 characters: letters, digits, '.', '_', '-', '@', starting with a letter or digit")
	ErrInvalidRole     = errors.New("staff: role must be clinician or admin")
	ErrWeakPassword    = fmt.Errorf("staff: password must be at least %d characters", MinPasswordLength)
	ErrPasswordTooLong = fmt.Errorf("staff: password must be at most %d bytes", MaxPasswordBytes)
	// ErrInvalidCredentials is the one answer for an unknown username, a
	// wrong password and a disabled account, so sign-in reveals nothing
	// about which accounts exist.
	ErrInvalidCredentials = errors.New("staff: invalid username or password")
	// ErrThrottled matches every *ThrottledError with errors.Is.
	ErrThrottled = errors.New("staff: too many failed sign-in attempts")
)

// Password length rules. The upper bound only stops absurd inputs; long
// passphrases are welcome.
const (
	MinPasswordLength = 12   // characters (runes)
	MaxPasswordBytes  = 1024 // bytes
)

// DemoUsername and DemoPassword are the sandbox-only demo clinician, shown
// on the sign-in page when Chartside runs against its embedded Epic sandbox.
const (
	DemoUsername = "demo"
	DemoPassword = "chartside-demo"
)

// NormalizeUsername trims and lowercases a username as typed, so sign-in is
// case-insensitive and "Alice " is "alice".
func NormalizeUsername(s string) string {
	return strings.ToLower(strings.TrimSpace(s))
}

// validUsername reports whether a normalised username may be used.
func validUsername(name string) bool {
	if len(name) == 0 || len(name) > 64 || reservedUsername(name) {
		return false
	}
	for i, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
		case i > 0 && (r == '.' || r == '_' || r == '-' || r == '@'):
		default:
			return false
		}
	}
	return true
}

// reservedUsername reports names that appear in the audit trail as actors
// that are not staff ("cli" is how command-line account changes are
// recorded), so no account may take them.
func reservedUsername(name string) bool {
	return name == "cli" || name == "system"
}

// checkPassword enforces the length rules.
func checkPassword(pw string) error {
	if len(pw) > MaxPasswordBytes {
		return ErrPasswordTooLong
	}
	if utf8.RuneCountInString(pw) < MinPasswordLength {
		return ErrWeakPassword
	}
	return nil
}
