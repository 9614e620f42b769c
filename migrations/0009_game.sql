-- Game servers on Pelican Wings: the nodes (Wings daemons) of an
-- organization, their allocations (ip:port pairs), the servers on them, the
-- subusers of each server and each server's activity log.
--
-- A node's `token` authenticates Wings to Flamingo and Flamingo to Wings
-- (and keys the JWTs Flamingo signs for it): it is stored sealed with the
-- instance key, bound to the node id; `token_id` is its public half, looked
-- up on every remote API call.

CREATE TABLE nodes (
    id            TEXT PRIMARY KEY,          -- a UUID; the node's `uuid` in config.yml
    org_id        TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    fqdn          TEXT NOT NULL,             -- host name or IP the panel and browsers reach Wings at
    scheme        TEXT NOT NULL CHECK (scheme IN ('http', 'https')),
    daemon_port   INTEGER NOT NULL CHECK (daemon_port BETWEEN 1 AND 65535),
    sftp_port     INTEGER NOT NULL CHECK (sftp_port BETWEEN 1 AND 65535),
    upload_limit  INTEGER NOT NULL CHECK (upload_limit >= 1),  -- MiB
    maintenance   INTEGER NOT NULL DEFAULT 0 CHECK (maintenance IN (0, 1)),
    memory        INTEGER,                   -- MiB the panel may allocate; NULL: no limit
    disk          INTEGER,                   -- MiB the panel may allocate; NULL: no limit
    token_id      TEXT NOT NULL UNIQUE,      -- 16 characters, public
    token_sealed  TEXT NOT NULL,             -- the 64-character token, sealed
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX nodes_by_org ON nodes (org_id, name);

CREATE TABLE allocations (
    id          TEXT PRIMARY KEY,
    node_id     TEXT NOT NULL REFERENCES nodes (id) ON DELETE CASCADE,
    ip          TEXT NOT NULL,
    alias       TEXT,
    port        INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
    notes       TEXT,
    server_id   TEXT REFERENCES servers (id) ON DELETE SET NULL,
    created_at  TEXT NOT NULL,
    UNIQUE (node_id, ip, port)
);
CREATE INDEX allocations_by_node ON allocations (node_id, ip, port);
CREATE INDEX allocations_by_server ON allocations (server_id);

CREATE TABLE servers (
    id                TEXT PRIMARY KEY,      -- a UUIDv4, the server's uuid on Wings
    short_id          TEXT NOT NULL UNIQUE,  -- first 8 characters of id (SFTP user names)
    number            INTEGER NOT NULL UNIQUE,  -- Wings' integer `id` (quotas)
    org_id            TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    owner_id          TEXT REFERENCES users (id) ON DELETE SET NULL,
    node_id           TEXT NOT NULL REFERENCES nodes (id),      -- a node with servers is not deleted
    egg_id            TEXT NOT NULL REFERENCES eggs (id),       -- an egg in use is not deleted (409)
    allocation_id     TEXT NOT NULL,         -- the default allocation (also in allocations.server_id)
    name              TEXT NOT NULL,
    description       TEXT NOT NULL DEFAULT '',
    status            TEXT CHECK (status IN ('installing', 'install_failed', 'reinstall_failed',
                                             'suspended', 'restoring_backup')),
    skip_egg_scripts  INTEGER NOT NULL DEFAULT 0,
    memory            INTEGER NOT NULL CHECK (memory >= 0),     -- MiB, 0 unlimited
    swap              INTEGER NOT NULL CHECK (swap >= -1),      -- MiB, -1 unlimited
    disk              INTEGER NOT NULL CHECK (disk >= 0),       -- MiB, 0 unlimited
    io                INTEGER NOT NULL CHECK (io BETWEEN 10 AND 1000),
    cpu               INTEGER NOT NULL CHECK (cpu >= 0),        -- %, 0 unlimited
    threads           TEXT,                  -- cpuset, e.g. "0-3"
    oom_killer        INTEGER NOT NULL DEFAULT 1,
    image             TEXT NOT NULL,
    startup           TEXT NOT NULL,
    environment       TEXT NOT NULL DEFAULT '{}',  -- JSON object of strings
    container_state   TEXT,                  -- last known: offline, starting, running, stopping
    state_at          TEXT,
    installed_at      TEXT,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
CREATE INDEX servers_by_org ON servers (org_id, name, id);
CREATE INDEX servers_by_node ON servers (node_id, id);
CREATE INDEX servers_by_owner ON servers (owner_id);

CREATE TABLE subusers (
    server_id    TEXT NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    permissions  TEXT NOT NULL DEFAULT '[]',  -- JSON array of Pelican permission strings
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (server_id, user_id)
);
CREATE INDEX subusers_by_user ON subusers (user_id);

-- A subuser invited by an email without an account yet: claimed when that
-- person signs up through the link.
CREATE TABLE subuser_invitations (
    id           TEXT PRIMARY KEY,
    server_id    TEXT NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
    email        TEXT NOT NULL COLLATE NOCASE,
    permissions  TEXT NOT NULL DEFAULT '[]',
    created_by   TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at   TEXT NOT NULL,
    UNIQUE (server_id, email)
);
CREATE INDEX subuser_invitations_by_email ON subuser_invitations (email);

CREATE TABLE server_activity (
    id          TEXT PRIMARY KEY,
    server_id   TEXT NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
    user_id     TEXT,                        -- NULL for system events; not a foreign key (Wings may name any uuid)
    event       TEXT NOT NULL,               -- Wings' names, e.g. server:power.start
    metadata    TEXT NOT NULL DEFAULT '{}',
    ip          TEXT,
    source      TEXT NOT NULL CHECK (source IN ('flamingo', 'wings')),
    created_at  TEXT NOT NULL                -- RFC 3339, when it happened
);
CREATE INDEX server_activity_by_server ON server_activity (server_id, created_at);
