-- Per-server invitations (issue 13 item 5): a new person is invited to one
-- server as a subuser by a single-use link, as people are invited to an
-- organization (0002's `invitations`): only the SHA-256 of the link's token
-- is stored, it expires, and accepting it claims the row (accepted_at,
-- accepted_by) in the same batch that writes the `subusers` row, so exactly
-- one of several racing accepts commits. The email is a note telling pending
-- invitations apart, never checked (emails are not verified).
--
-- The `subuser_invitations` of 0009 held email-matched grants without a
-- token; nothing ever granted from them, and without a token they can never
-- be accepted, so the table is rebuilt empty.

DROP TABLE subuser_invitations;

CREATE TABLE subuser_invitations (
    id           TEXT PRIMARY KEY,
    server_id    TEXT NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
    token_hash   TEXT NOT NULL UNIQUE,
    email        TEXT NOT NULL COLLATE NOCASE,
    permissions  TEXT NOT NULL DEFAULT '[]',   -- JSON array of Pelican permission strings
    created_by   TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    accepted_at  TEXT,
    accepted_by  TEXT REFERENCES users (id) ON DELETE SET NULL
);
-- One pending invitation per server and email.
CREATE UNIQUE INDEX subuser_invitations_pending ON subuser_invitations (server_id, email)
    WHERE accepted_at IS NULL;
