-- Tunnel names reserved for one member: only they may bind `<name>` on the
-- organization's tunnel hosts. Names are DNS labels, unique per organization.

CREATE TABLE tunnel_names (
    org_id      TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_by  TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (org_id, name)
);
CREATE INDEX tunnel_names_by_user ON tunnel_names (user_id);
