-- Chartside schema, version 2 (SQLite).

-- Sessions signed in before this instant are ended at their next check
-- (password reset, disable). NULL until the first reset or disable.
ALTER TABLE staff_accounts ADD COLUMN sessions_valid_after TEXT;
