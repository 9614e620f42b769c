-- Accounts, organizations, roles, invitations, API keys, rate limits and the
-- audit log. Times are RFC 3339 UTC text with milliseconds (they sort as
-- text); ids are UUIDs; secrets are stored only as SHA-256 hashes (tokens) or
-- sealed with the instance key (TOTP secrets).

-- Exactly one row once first-run setup has happened: its primary key makes a
-- second, concurrent setup fail as a whole.
CREATE TABLE instance (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    setup_at  TEXT NOT NULL
);

CREATE TABLE users (
    id               TEXT PRIMARY KEY,
    email            TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name             TEXT NOT NULL,
    password_hash    TEXT NOT NULL,
    totp_secret      TEXT,            -- sealed; set while enrolling or enrolled
    totp_enabled_at  TEXT,            -- non-null once 2FA is on
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);

CREATE TABLE recovery_codes (
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash  TEXT NOT NULL,
    used_at    TEXT,
    PRIMARY KEY (user_id, code_hash)
);

CREATE TABLE organizations (
    id          TEXT PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE memberships (
    org_id      TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role        TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'operator', 'viewer')),
    created_at  TEXT NOT NULL,
    PRIMARY KEY (org_id, user_id)
);
CREATE INDEX memberships_by_user ON memberships (user_id);

CREATE TABLE invitations (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    token_hash   TEXT NOT NULL UNIQUE,
    role         TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'viewer')),
    email        TEXT COLLATE NOCASE,  -- when set, only this address may join
    created_by   TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    accepted_at  TEXT,
    accepted_by  TEXT REFERENCES users (id) ON DELETE SET NULL,
    revoked_at   TEXT
);
CREATE INDEX invitations_by_org ON invitations (org_id, created_at);

CREATE TABLE api_keys (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    prefix        TEXT NOT NULL,         -- first characters, to recognise a key
    token_hash    TEXT NOT NULL UNIQUE,
    allowed_ips   TEXT NOT NULL DEFAULT '[]',  -- JSON array of IPs/CIDRs; empty: any
    created_at    TEXT NOT NULL,
    last_used_at  TEXT,
    revoked_at    TEXT
);
CREATE INDEX api_keys_by_user ON api_keys (user_id);

-- Fixed-window counters for failed attempts: key is e.g. `login:ip:203.0.113.7`.
CREATE TABLE rate_limits (
    key       TEXT PRIMARY KEY,
    count     INTEGER NOT NULL,
    reset_at  INTEGER NOT NULL            -- ms since the epoch
);

CREATE TABLE audit_log (
    id             TEXT PRIMARY KEY,
    org_id         TEXT REFERENCES organizations (id) ON DELETE CASCADE,
    actor_id       TEXT,
    actor_name     TEXT,
    action         TEXT NOT NULL,         -- e.g. member.invite, tunnel.delete
    resource_type  TEXT,
    resource_id    TEXT,
    metadata       TEXT NOT NULL DEFAULT '{}',
    ip             TEXT,
    created_at     TEXT NOT NULL
);
CREATE INDEX audit_by_org_time ON audit_log (org_id, created_at DESC, id DESC);
