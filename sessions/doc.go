// Package sessions keeps a signed-in clinician's state between requests.
//
// It wraps scs (github.com/alexedwards/scs/v2) with what Chartside needs on
// top: a native echo middleware that writes exactly one Set-Cookie whatever
// path the request takes, typed accessors so handlers never spell a session
// key, a per-session CSRF synchronizer token with a cross-site check, and a
// short-lived marker that lets the sign-in page tell "your session expired"
// apart from "you never signed in".
//
// The idle timeout is enforced here, on the server: the store drops a session
// once its expiry passes, and the middleware also checks the last-seen time it
// keeps inside the session so a store whose clock disagrees with ours (a
// PostgreSQL server, a Redis TTL) cannot keep an idle session alive. Only
// requests that pass through Middleware extend a session, so static assets
// must be served outside it.
package sessions
