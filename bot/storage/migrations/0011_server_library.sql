-- Server libraries (issue 14): every change of a server template is a numbered version with its
-- author; suggestions from members; per-day use counts; server settings. Plain SQL on purpose.

-- The version a template is at: a save names the version it started from and fails when another
-- save got there first (optimistic concurrency), so two curators never silently overwrite.
ALTER TABLE reply_templates ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
-- Search keeps a server's library in memory and asks on each keystroke whether it changed (count,
-- sum of versions, newest id, paused): this index answers that without reading the templates.
CREATE INDEX reply_templates_library_stamp ON reply_templates (scope, owner_id, version, quarantined);

-- Kept after the template is deleted (no foreign key): the history outlives it.
CREATE TABLE template_versions (
    template_id  INTEGER NOT NULL,
    version      INTEGER NOT NULL,
    guild_id     INTEGER NOT NULL,
    action       TEXT NOT NULL CHECK (action IN ('create', 'edit', 'rollback', 'delete', 'import', 'suggestion')),
    author_id    INTEGER NOT NULL,
    name         TEXT NOT NULL,
    title        TEXT NOT NULL,
    category     TEXT NOT NULL,
    body         TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    PRIMARY KEY (template_id, version)
);
CREATE INDEX template_versions_guild ON template_versions (guild_id, created_at);

CREATE TABLE template_suggestions (
    id           INTEGER PRIMARY KEY,
    guild_id     INTEGER NOT NULL,
    suggester_id INTEGER NOT NULL,
    template_id  INTEGER,              -- the server template it edits; NULL for a new one
    base_version INTEGER,              -- the version the edit was written against
    name         TEXT NOT NULL,
    title        TEXT NOT NULL,
    category     TEXT NOT NULL,
    body         TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    reason       TEXT,
    decided_by   INTEGER,
    decided_at   TEXT,
    notified     INTEGER NOT NULL DEFAULT 0,
    created_at   TEXT NOT NULL
);
CREATE INDEX template_suggestions_queue ON template_suggestions (guild_id, status, id);
CREATE INDEX template_suggestions_outcome ON template_suggestions (suggester_id, notified);

-- Uses per template and day (UTC), for 7-day, 30-day and all-time counts and stale templates.
CREATE TABLE template_daily_uses (
    template_id  INTEGER NOT NULL REFERENCES reply_templates (id) ON DELETE CASCADE,
    day          TEXT NOT NULL,        -- YYYY-MM-DD
    uses         INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (template_id, day)
);

CREATE TABLE guild_settings (
    guild_id             INTEGER PRIMARY KEY,
    curator_role_id      INTEGER,
    allow_post_here      INTEGER NOT NULL DEFAULT 1,
    allow_share          INTEGER NOT NULL DEFAULT 1,
    feedback_channel_id  INTEGER,
    feedback_channel_kind TEXT CHECK (feedback_channel_kind IN ('forum', 'text')),
    default_platform     TEXT,
    currency             TEXT,
    updated_by           INTEGER,
    updated_at           TEXT NOT NULL
);
