// Package audit keeps Chartside's access trail: who looked at which patient,
// when, from where, and with what outcome.
//
// Epic sees only Chartside's system account, so this trail is the hospital's
// only record of which clinician opened a chart. It is append-only and
// tamper-evident: every record carries a SHA-256 hash over its own canonical
// encoding and the previous record's hash, so editing, reordering or deleting
// a record breaks the chain from that point on, and Verify names the first
// broken record. The hash has no secret, so whoever can write the database can
// also recompute every later hash, or cut records off the end, and leave a
// chain that checks out: anchors (a record's seq and hash noted outside the
// database, see Anchor) are what expose that. The append is serialised in the database (SQLite's write
// lock, a PostgreSQL table lock), never only in process memory, so several
// replicas writing at once still build one valid chain. Within a process,
// concurrent appends share one transaction (group commit, see batch.go), so
// that lock and its fsync are paid once per batch rather than per record.
//
// Callers record BEFORE showing data and fail closed: if Record returns an
// error, the data must not be shown.
package audit
