-- Wings nodes behind NAT: a node reached through one of the organization's
-- tunnel hosts. Its Wings machine keeps `ssh -R` open to that host for two
-- names reserved here: `name` (HTTP(S), Wings' API, served as
-- `<name>.<tunnel_domain>`) and the TCP port `sftp_port` (Wings' SFTP, served
-- as `tcp-<sftp_port>`). Only the node's own SSH key (`key_fingerprint`,
-- enrolled by Wings with its node token) may bind them, and that key may bind
-- nothing else. Tunnel names are unique per organization across this table
-- and `tunnel_names` (the writes check the other table in the same statement).

CREATE TABLE node_tunnels (
    node_id          TEXT PRIMARY KEY REFERENCES nodes (id) ON DELETE CASCADE,
    org_id           TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    host_id          TEXT NOT NULL REFERENCES tunnel_hosts (id) ON DELETE CASCADE,
    name             TEXT NOT NULL,           -- a DNS label
    sftp_port        INTEGER NOT NULL CHECK (sftp_port BETWEEN 1 AND 65535),
    api_url          TEXT NOT NULL,           -- the origin Flamingo calls Wings at, no trailing slash
    ssh_host         TEXT NOT NULL,           -- the host's public SSH address when the tunnel was set up
    ssh_port         INTEGER NOT NULL CHECK (ssh_port BETWEEN 1 AND 65535),
    tunnel_domain    TEXT NOT NULL,
    key_fingerprint  TEXT UNIQUE,             -- `SHA256:...` of the Wings machine's key, once enrolled
    public_key       TEXT,                    -- `<algorithm> <base64>`
    key_enrolled_at  TEXT,
    created_at       TEXT NOT NULL,
    UNIQUE (org_id, name),
    UNIQUE (host_id, sftp_port)
);
CREATE INDEX node_tunnels_by_host ON node_tunnels (host_id);
