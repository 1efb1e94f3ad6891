-- Chartside schema, version 1 (PostgreSQL).

-- Staff accounts. Usernames are stored lowercased; password_hash is a PHC string.
CREATE TABLE staff_accounts (
	id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	username      TEXT        NOT NULL UNIQUE,
	password_hash TEXT        NOT NULL,
	role          TEXT        NOT NULL CHECK (role IN ('clinician', 'admin')),
	disabled      BOOLEAN     NOT NULL DEFAULT FALSE,
	created_at    TIMESTAMPTZ NOT NULL,
	updated_at    TIMESTAMPTZ NOT NULL,
	last_sign_in  TIMESTAMPTZ
);

-- Sign-in throttling counters, shared by every replica.
-- key_hash is a SHA-256 of the username or client address so mistyped
-- passwords entered as usernames are not kept in clear. Times are unix ms.
CREATE TABLE login_throttle (
	scope        TEXT   NOT NULL CHECK (scope IN ('account', 'address')),
	key_hash     TEXT   NOT NULL,
	failures     BIGINT NOT NULL,
	window_start BIGINT NOT NULL,
	last_failure BIGINT NOT NULL,
	PRIMARY KEY (scope, key_hash)
);
CREATE INDEX login_throttle_last_failure_idx ON login_throttle (last_failure);

-- The access audit trail: an append-only hash chain. seq is assigned by the
-- appender (previous seq + 1) while holding a table lock, so gaps mean
-- deletion.
CREATE TABLE audit_log (
	seq         BIGINT      PRIMARY KEY,
	at          TIMESTAMPTZ NOT NULL,
	username    TEXT        NOT NULL,
	action      TEXT        NOT NULL,
	patient_id  TEXT        NOT NULL DEFAULT '',
	mrn         TEXT        NOT NULL DEFAULT '',
	outcome     TEXT        NOT NULL DEFAULT '',
	client_addr TEXT        NOT NULL DEFAULT '',
	request_id  TEXT        NOT NULL DEFAULT '',
	detail      TEXT        NOT NULL DEFAULT '',
	prev_hash   TEXT        NOT NULL,
	hash        TEXT        NOT NULL
);
CREATE INDEX audit_log_at_idx ON audit_log (at);
CREATE INDEX audit_log_username_idx ON audit_log (username, seq);
CREATE INDEX audit_log_patient_idx ON audit_log (patient_id, seq);

-- Append-only at the database level too: ordinary code paths cannot rewrite
-- history. A superuser or the table owner can disable the trigger and edit
-- rows, which is what the hash chain then exposes.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
	FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- scs session store, laid out exactly as github.com/alexedwards/scs/pgxstore expects.
CREATE TABLE sessions (
	token  TEXT        PRIMARY KEY,
	data   BYTEA       NOT NULL,
	expiry TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);
