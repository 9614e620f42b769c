-- Schedules per game server (issue 16 item 1): a 5-field cron expression,
-- ordered tasks, and every run with its outcome. The server's timer (a
-- Durable Object alarm, see durable-state/src/timer.rs) wakes at the
-- earliest `next_run_at` of its enabled schedules or `next_task_at` of its
-- running runs.

CREATE TABLE schedules (
    id                TEXT PRIMARY KEY,
    server_id         TEXT NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
    name              TEXT NOT NULL,
    cron              TEXT NOT NULL,                 -- minute hour day-of-month month day-of-week
    enabled           INTEGER NOT NULL DEFAULT 1,
    only_when_online  INTEGER NOT NULL DEFAULT 0,
    next_run_at       TEXT,                          -- RFC 3339; NULL while disabled
    last_run_id       TEXT,                          -- the newest run (schedule_runs.id)
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
CREATE INDEX schedules_by_server ON schedules (server_id, created_at);

CREATE TABLE schedule_tasks (
    id                   TEXT PRIMARY KEY,
    schedule_id          TEXT NOT NULL REFERENCES schedules (id) ON DELETE CASCADE,
    sequence             INTEGER NOT NULL,           -- 1, 2, ...: the order they run in
    action               TEXT NOT NULL CHECK (action IN ('command', 'power', 'backup')),
    payload              TEXT NOT NULL DEFAULT '',   -- the command, the power signal, or the backup's ignored files
    delay_seconds        INTEGER NOT NULL DEFAULT 0, -- after the task before it (or the run's start)
    continue_on_failure  INTEGER NOT NULL DEFAULT 0,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
);
CREATE INDEX schedule_tasks_in_order ON schedule_tasks (schedule_id, sequence);

CREATE TABLE schedule_runs (
    id            TEXT PRIMARY KEY,
    schedule_id   TEXT NOT NULL REFERENCES schedules (id) ON DELETE CASCADE,
    server_id     TEXT NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
    trigger       TEXT NOT NULL CHECK (trigger IN ('cron', 'manual')),
    due_at        TEXT NOT NULL,                     -- when it was meant to start
    started_at    TEXT NOT NULL,                     -- when Flamingo looked at it
    finished_at   TEXT,
    status        TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'skipped', 'missed')),
    reason        TEXT,                              -- why it was skipped, missed or failed
    next_task     INTEGER NOT NULL DEFAULT 0,        -- index of the next task to run (running only)
    next_task_at  TEXT,                              -- when it is due (running only)
    results       TEXT NOT NULL DEFAULT '[]'         -- JSON: [{task_id, sequence, action, status, error?, at}]
);
CREATE INDEX schedule_runs_by_schedule ON schedule_runs (schedule_id, started_at);
CREATE INDEX schedule_runs_running ON schedule_runs (server_id, status, next_task_at);
