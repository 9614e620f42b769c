-- Backups of game servers (issue 14 item 3). A row is written before Wings is
-- asked to take the backup, so whatever Wings reports later (even before the
-- create call has returned) finds it. `status` only moves forward:
-- pending -> completed | failed, completed -> restoring -> completed; a
-- backup that never reports is marked failed after a timeout (`error` =
-- 'timeout'), and a late report may still complete it.
--
-- The `s3` adapter: Flamingo starts the multipart upload when Wings asks
-- for part URLs (`upload_id`, `part_size`, `part_count`) and completes or
-- aborts it itself when Wings reports.

CREATE TABLE backups (
    id             TEXT PRIMARY KEY,          -- a UUIDv4, lowercase canonical (Wings refuses others)
    server_id      TEXT NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
    node_id        TEXT NOT NULL,             -- the node asked to take it; only it may report
    name           TEXT NOT NULL,
    ignored        TEXT NOT NULL DEFAULT '',  -- newline-separated patterns, as Pelican
    adapter        TEXT NOT NULL CHECK (adapter IN ('wings', 's3')),
    is_locked      INTEGER NOT NULL DEFAULT 0 CHECK (is_locked IN (0, 1)),
    status         TEXT NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'completed', 'failed', 'restoring')),
    is_successful  INTEGER NOT NULL DEFAULT 0 CHECK (is_successful IN (0, 1)),
    error          TEXT,                      -- why it failed, as a sentence
    checksum       TEXT,                      -- SHA-1 hex, from Wings
    checksum_type  TEXT,                      -- 'sha1'
    size_bytes     INTEGER NOT NULL DEFAULT 0 CHECK (size_bytes >= 0),
    upload_id      TEXT,                      -- S3 multipart upload id
    part_size      INTEGER,                   -- S3 bytes per part
    part_count     INTEGER,                   -- S3 parts handed out
    created_at     TEXT NOT NULL,
    completed_at   TEXT
);
CREATE INDEX backups_by_server ON backups (server_id, created_at);
CREATE INDEX backups_pending ON backups (status, created_at);

-- How many backups (not counting failed ones) a server may keep; 0: none.
ALTER TABLE servers ADD COLUMN backup_limit INTEGER NOT NULL DEFAULT 3 CHECK (backup_limit >= 0);
