-- Eggs: the templates game servers are made from (Pelican's egg files,
-- normalized). The whole normalized definition is one JSON document;
-- uuid, name, author and description are copied out of it for listing and
-- for the egg's identity within its organization.

CREATE TABLE eggs (
    id           TEXT PRIMARY KEY,           -- Flamingo's id (a UUID)
    org_id       TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    uuid         TEXT NOT NULL,              -- the egg's own UUID, as in its file
    name         TEXT NOT NULL,
    author       TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    definition   TEXT NOT NULL,              -- JSON: game::egg::EggDefinition
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    UNIQUE (org_id, uuid)
);
CREATE INDEX eggs_by_org ON eggs (org_id, name, id);
