-- Chartside schema, version 1 (SQLite).

-- Staff accounts. Usernames are stored lowercased; password_hash is a PHC string.
CREATE TABLE staff_accounts (
	id            INTEGER PRIMARY KEY AUTOINCREMENT,
	username      TEXT    NOT NULL UNIQUE,
	password_hash TEXT    NOT NULL,
	role          TEXT    NOT NULL CHECK (role IN ('clinician', 'admin')),
	disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
	created_at    TEXT    NOT NULL,
	updated_at    TEXT    NOT NULL,
	last_sign_in  TEXT
);

-- Sign-in throttling counters, shared by every process using this database.
-- key_hash is a SHA-256 of the username or client address so mistyped
-- passwords entered as usernames are not kept in clear. Times are unix ms.
CREATE TABLE login_throttle (
	scope        TEXT    NOT NULL CHECK (scope IN ('account', 'address')),
	key_hash     TEXT    NOT NULL,
	failures     INTEGER NOT NULL,
	window_start INTEGER NOT NULL,
	last_failure INTEGER NOT NULL,
	PRIMARY KEY (scope, key_hash)
);
CREATE INDEX login_throttle_last_failure_idx ON login_throttle (last_failure);

-- The access audit trail: an append-only hash chain. seq is assigned by the
-- appender (previous seq + 1) under the database write lock, so gaps mean
-- deletion.
CREATE TABLE audit_log (
	seq         INTEGER PRIMARY KEY,
	at          TEXT    NOT NULL,
	username    TEXT    NOT NULL,
	action      TEXT    NOT NULL,
	patient_id  TEXT    NOT NULL DEFAULT '',
	mrn         TEXT    NOT NULL DEFAULT '',
	outcome     TEXT    NOT NULL DEFAULT '',
	client_addr TEXT    NOT NULL DEFAULT '',
	request_id  TEXT    NOT NULL DEFAULT '',
	detail      TEXT    NOT NULL DEFAULT '',
	prev_hash   TEXT    NOT NULL,
	hash        TEXT    NOT NULL
);
CREATE INDEX audit_log_at_idx ON audit_log (at);
CREATE INDEX audit_log_username_idx ON audit_log (username, seq);
CREATE INDEX audit_log_patient_idx ON audit_log (patient_id, seq);

-- Append-only at the database level too: ordinary code paths cannot rewrite
-- history. Someone able to drop these triggers can still edit rows, which is
-- what the hash chain then exposes.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
	SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
	SELECT RAISE(ABORT, 'audit_log is append-only');
END;

-- scs session store, laid out exactly as github.com/alexedwards/scs/sqlite3store expects.
CREATE TABLE sessions (
	token  TEXT PRIMARY KEY,
	data   BLOB NOT NULL,
	expiry REAL NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);
