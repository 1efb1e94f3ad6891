// Package sessions keeps a signed-in clinician's state between requests.
//
// It wraps scs (github.com/alexedwards/scs/v2) with what Chartside needs on
// top: a native echo middleware that writes at most one Set-Cookie whatever
// path the request takes (and none when the browser's cookie is still right),
// typed accessors so handlers never spell a session
// key, a per-session CSRF synchronizer token with a cross-site check, values
// sealed for the session so patient data stays out of URLs (Seal, Open), and a
// short-lived marker that lets the sign-in page tell "your session expired"
// apart from "you never signed in".
//
// The idle timeout is enforced here, on the server, from a last-activity time
// kept inside the session and refreshed only when it is a little old (see
// activity.go), so an ordinary request neither writes to the store nor sends a
// cookie. The store keeps a session until its absolute lifetime ends (scs's
// own idle timeout is not used). Only requests that pass through Middleware
// count as activity, so static assets must be served outside it. A store that
// cannot be read or written fails the request with ErrStoreUnavailable and
// never signs anyone out.
package sessions
