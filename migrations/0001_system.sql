-- Health probes: /api/health writes and reads this row to prove D1 answers
-- and that migrations have been applied.
CREATE TABLE health_probe (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    checks      INTEGER NOT NULL,
    checked_at  TEXT NOT NULL
);
