-- Webhooks per organization (issue 16 item 2): endpoints and their
-- deliveries. Deliveries are written when an event is published
-- (edge-api/src/record/events.rs) and sent, retried and given up on by the
-- organization's timer (a Durable Object alarm).

CREATE TABLE webhooks (
    id               TEXT PRIMARY KEY,
    org_id           TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    url              TEXT NOT NULL,
    description      TEXT NOT NULL DEFAULT '',
    events           TEXT NOT NULL,                   -- JSON array: event types, "noun.*" prefixes, or "*"
    format           TEXT NOT NULL DEFAULT 'standard' CHECK (format IN ('standard', 'discord')),
    enabled          INTEGER NOT NULL DEFAULT 1,
    secret           TEXT NOT NULL,                   -- the whsec_ secret, sealed with the instance key
    disabled_reason  TEXT,                            -- set when Flamingo disabled it
    failing_since    TEXT,                            -- the first failure since the last success
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX webhooks_by_org ON webhooks (org_id, enabled);

CREATE TABLE webhook_deliveries (
    id               TEXT PRIMARY KEY,                -- also the webhook-id header, as msg_<id>
    webhook_id       TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    org_id           TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    event            TEXT NOT NULL,
    payload          TEXT NOT NULL,                   -- the Standard Webhooks body: {type, timestamp, data}
    status           TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT,                            -- pending only
    last_attempt_at  TEXT,
    response_status  INTEGER,
    response_ms      INTEGER,
    error            TEXT,
    created_at       TEXT NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (org_id, status, next_attempt_at);
CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries (webhook_id, created_at);
