package sessions

import (
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/alexedwards/scs/v2"
)

// Cookie names. Browsers only accept a "__Host-" cookie that is Secure, has
// Path=/ and no Domain, which pins the session to this exact origin; over
// plain HTTP (local development, the sandbox on localhost) the prefix would
// make the browser drop the cookie, so the plain name is used there.
const (
	CookieName       = "chartside"
	SecureCookieName = "__Host-chartside"
)

// Defaults used when Options leaves a duration at zero. cmd/web normally
// decides these (a shorter idle timeout in kiosk mode).
const (
	DefaultIdleTimeout = 15 * time.Minute
	DefaultLifetime    = 12 * time.Hour
)

// Options configures a Manager.
type Options struct {
	// IdleTimeout signs a user out after this long without a request that
	// passes through Middleware. Chartside enforces it itself from the last
	// activity kept in the session (see activity.go), which may be up to one
	// granularity stale: the sign-out can come that much early, never late.
	IdleTimeout time.Duration
	// Lifetime is the absolute limit of a session, however active.
	Lifetime time.Duration
	// Secure is set when Chartside is reached over HTTPS: the cookie becomes
	// "__Host-chartside" with the Secure attribute.
	Secure bool
	// Kiosk makes the cookie non-persistent (no Expires/Max-Age) so closing
	// the browser on a shared workstation ends the session.
	Kiosk bool
	// Logger receives store failures that happen while the response is
	// being written, when they can no longer become an error page. Nil
	// discards them.
	Logger *slog.Logger
	// Now replaces time.Now for the idle and lifetime checks and the last
	// activity stamp; tests use it to move the clock instead of sleeping.
	Now func() time.Time
}

// Manager loads and saves sessions and answers questions about the current
// one. It is safe for concurrent use.
type Manager struct {
	scs         *scs.SessionManager
	store       scs.Store
	idle        time.Duration
	granularity time.Duration
	lifetime    time.Duration
	kiosk       bool
	now         func() time.Time
	log         *slog.Logger
	crossOrigin *http.CrossOriginProtection
	refreshes   *refreshes
}

// New returns a Manager keeping sessions in store.
func New(store scs.Store, opts Options) *Manager {
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = DefaultIdleTimeout
	}
	if opts.Lifetime <= 0 {
		opts.Lifetime = DefaultLifetime
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}

	sm := scs.New()
	// scs's own IdleTimeout stays 0: with it set, scs's cookie expiry would
	// follow activity, and our middleware sends the cookie only when the
	// token changes. The idle timeout is ours (activity.go), and idleStore
	// gives each record the matching store expiry: one idle timeout after its
	// last save, at most the absolute deadline (which the cookie carries).
	sm.Store = idleStore{store: store, idle: opts.IdleTimeout, now: opts.Now}
	sm.Lifetime = opts.Lifetime
	// Only a hash of each token reaches the database, so a copy of the
	// sessions table (a backup, a replica) holds no usable cookies.
	sm.HashTokenInStore = true
	sm.Codec = newMemoCodec(tolerantCodec{scs.GobCodec{}})
	sm.Cookie.Name = CookieName
	if opts.Secure {
		sm.Cookie.Name = SecureCookieName
	}
	sm.Cookie.Secure = opts.Secure
	sm.Cookie.HttpOnly = true
	sm.Cookie.Path = "/"
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Persist = !opts.Kiosk

	g := activityGranularity(opts.IdleTimeout)
	return &Manager{
		scs:         sm,
		store:       store,
		idle:        opts.IdleTimeout,
		granularity: g,
		lifetime:    opts.Lifetime,
		kiosk:       opts.Kiosk,
		now:         opts.Now,
		log:         opts.Logger,
		crossOrigin: http.NewCrossOriginProtection(),
		refreshes:   newRefreshes(g),
	}
}

// CookieName returns the name of the session cookie this Manager sets.
func (m *Manager) CookieName() string { return m.scs.Cookie.Name }

// IdleTimeout returns the configured idle timeout.
func (m *Manager) IdleTimeout() time.Duration { return m.idle }

// GuaranteedIdle returns how long a session is sure to stay signed in after
// any request that passed through Middleware: the idle timeout less one
// activity granularity, because the last activity a request leaves behind
// may be that much older than the request. A browser counting down from its
// last request (the kiosk countdown, the sign-in page's staleness) must count
// from this, not from IdleTimeout, or it would trust a session the server has
// already ended.
func (m *Manager) GuaranteedIdle() time.Duration { return m.idle - m.granularity }

// Kiosk reports whether sessions are configured for shared workstations.
func (m *Manager) Kiosk() bool { return m.kiosk }
