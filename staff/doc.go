// Package staff keeps Chartside's staff accounts (clinicians and admins),
// checks their passwords and throttles guessing.
//
// Passwords are hashed with argon2id at OWASP's recommended cost and stored
// as PHC strings, so the cost can be raised later and old hashes upgraded at
// the next successful sign-in. Sign-in failures are counted per account and
// per client address in the database, so every replica sees the same
// counters and a guesser cannot spread attempts across replicas.
package staff
