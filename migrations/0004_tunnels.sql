-- Self-hosted SSH reverse tunnels, the edge side: tunnel hosts enrolled into
-- an organization, and users' SSH public keys. Secrets are stored only as
-- SHA-256 hashes: the one-time enrollment token and the host's long-lived
-- credential (`fth_...`).

CREATE TABLE tunnel_hosts (
    id                     TEXT PRIMARY KEY,
    org_id                 TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name                   TEXT NOT NULL,
    enrollment_hash        TEXT NOT NULL UNIQUE,
    enrollment_expires_at  TEXT NOT NULL,
    credential_hash        TEXT UNIQUE,      -- set once, by enrolling
    hostname               TEXT,             -- as the host reported it
    version                TEXT,             -- tunnel-host version it reported
    created_at             TEXT NOT NULL,
    enrolled_at            TEXT,
    last_seen_at           TEXT
);
CREATE INDEX tunnel_hosts_by_org ON tunnel_hosts (org_id, created_at);

-- One row per key; a key (by fingerprint) belongs to at most one user.
CREATE TABLE ssh_keys (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    algorithm    TEXT NOT NULL,              -- e.g. ssh-ed25519
    public_key   TEXT NOT NULL,              -- `<algorithm> <base64>`, no comment
    fingerprint  TEXT NOT NULL UNIQUE,       -- `SHA256:<base64>`, as ssh-keygen -l prints it
    created_at   TEXT NOT NULL
);
CREATE INDEX ssh_keys_by_user ON ssh_keys (user_id, created_at);
