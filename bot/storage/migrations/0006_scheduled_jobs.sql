-- One restart-proof scheduler for everything timed (reminders now; result prompts and purges later).
-- A job is claimed atomically (claimed_by / claimed_until) so that two bot processes on one database
-- never both run it; a claim that outlives its lease (the process died) can be taken again.
CREATE TABLE scheduled_jobs (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL,                -- picks the handler, e.g. 'reminder'
    payload       TEXT NOT NULL DEFAULT '{}',   -- JSON, whatever the handler needs
    due_at        TEXT NOT NULL,                -- UTC, as storage/database.py writes times
    user_id       INTEGER,                      -- whose job it is (NULL: the bot's own housekeeping)
    session_id    INTEGER,                      -- the /dispute case it belongs to, if any
    state         TEXT NOT NULL DEFAULT 'pending'
                  CHECK (state IN ('pending', 'done', 'failed', 'cancelled')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    claimed_by    TEXT,
    claimed_until TEXT,
    last_error    TEXT,                         -- an error id and the exception's type, never user text
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    finished_at   TEXT
);
-- The claim reads pending jobs in due order and stops at the first one not yet due: its cost does
-- not grow with the number of jobs waiting in the future.
CREATE INDEX scheduled_jobs_due ON scheduled_jobs (due_at) WHERE state = 'pending';
CREATE INDEX scheduled_jobs_user ON scheduled_jobs (user_id, state);
CREATE INDEX scheduled_jobs_session ON scheduled_jobs (session_id) WHERE session_id IS NOT NULL;
CREATE INDEX scheduled_jobs_finished ON scheduled_jobs (finished_at) WHERE finished_at IS NOT NULL;
