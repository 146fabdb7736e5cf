-- Quick replies in progress: a /reply being filled in (page by page), a reply ready to post,
-- a buyer's message picked from "Draft a reply…", or a personal template being written.
-- Kept so buttons and forms keep working after a restart; old rows are purged.
CREATE TABLE reply_drafts (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('fill', 'pick', 'author')),
    state       TEXT NOT NULL,                -- JSON: template id, tone, values, page, typed text…
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX reply_drafts_updated ON reply_drafts (updated_at);
