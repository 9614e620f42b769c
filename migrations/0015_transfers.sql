-- Server transfers (issue 13): moving a game server from one Wings node of
-- an organization to another, as Pelican's admin "transfer" does. The row is
-- written, and the new allocations on the destination assigned to the server,
-- in one batch before the source node is asked to push its archive; the
-- server keeps running from its old node and allocations until the
-- destination reports success (then the server moves and the old allocations
-- are freed) or the source reports failure (then the new allocations are
-- freed). `status` moves once: pending -> completed | failed | cancelled.
--
-- `outcome_id` is a random value the settling statement writes, so the rest
-- of that batch (freeing allocations, moving the server, activity) runs only
-- when this very batch settled the transfer: a duplicate or late report never
-- undoes another outcome, nor touches a later transfer of the same server.

CREATE TABLE server_transfers (
    id                 TEXT PRIMARY KEY,
    server_id          TEXT NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
    old_node_id        TEXT NOT NULL REFERENCES nodes (id) ON DELETE CASCADE,
    new_node_id        TEXT NOT NULL REFERENCES nodes (id) ON DELETE CASCADE,
    old_allocation_id  TEXT NOT NULL,                 -- the default before
    new_allocation_id  TEXT NOT NULL,                 -- the default after, on new_node_id
    new_additional     TEXT NOT NULL DEFAULT '[]',    -- JSON array of allocation ids on new_node_id
    backups            TEXT NOT NULL DEFAULT '[]',    -- JSON array: the `wings` backups sent along
    status             TEXT NOT NULL DEFAULT 'pending'
                       CHECK (status IN ('pending', 'completed', 'failed', 'cancelled')),
    error              TEXT,                          -- why it failed, as a sentence
    outcome_id         TEXT,                          -- written by the batch that settled it
    created_by         TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at         TEXT NOT NULL,
    finished_at        TEXT
);
-- At most one transfer of a server under way.
CREATE UNIQUE INDEX server_transfers_active ON server_transfers (server_id) WHERE status = 'pending';
CREATE INDEX server_transfers_by_server ON server_transfers (server_id, created_at);
