-- /dispute wizard sessions: the engine's state as JSON, owned by one user, resumable after restarts.
CREATE TABLE dispute_sessions (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL,
    state       TEXT NOT NULL,                -- the engine session as JSON
    status      TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'finished', 'cancelled')),
    revision    INTEGER NOT NULL DEFAULT 0,   -- bumped on every save: concurrent clicks can't overwrite
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX dispute_sessions_user ON dispute_sessions (user_id, status, updated_at DESC);
CREATE INDEX dispute_sessions_updated ON dispute_sessions (updated_at);
