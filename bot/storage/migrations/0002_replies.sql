-- The seller profile, reply templates (built-in, personal, per server) with a full-text index,
-- and per-user usage that ranks autocomplete.
CREATE TABLE profiles (
    user_id          INTEGER PRIMARY KEY,
    display_name     TEXT,
    sign_off         TEXT,
    default_platform TEXT,
    currency         TEXT,
    revision_price   TEXT,
    hourly_rate      TEXT,
    default_tone     TEXT,
    updated_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE reply_templates (
    id          INTEGER PRIMARY KEY,
    scope       TEXT NOT NULL CHECK (scope IN ('builtin', 'user', 'guild')),
    owner_id    INTEGER NOT NULL DEFAULT 0,   -- user id, guild id, or 0 for built-in templates
    name        TEXT NOT NULL,
    title       TEXT NOT NULL,
    category    TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    body        TEXT NOT NULL,
    variables   TEXT NOT NULL DEFAULT '[]',   -- JSON list of declared variables
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (scope, owner_id, name)
);

CREATE VIRTUAL TABLE reply_templates_fts USING fts5(
    name, title, category, body,
    content = 'reply_templates', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
);

CREATE TRIGGER reply_templates_ai AFTER INSERT ON reply_templates BEGIN
    INSERT INTO reply_templates_fts (rowid, name, title, category, body)
    VALUES (new.id, new.name, new.title, new.category, new.body);
END;
CREATE TRIGGER reply_templates_ad AFTER DELETE ON reply_templates BEGIN
    INSERT INTO reply_templates_fts (reply_templates_fts, rowid, name, title, category, body)
    VALUES ('delete', old.id, old.name, old.title, old.category, old.body);
END;
CREATE TRIGGER reply_templates_au AFTER UPDATE ON reply_templates BEGIN
    INSERT INTO reply_templates_fts (reply_templates_fts, rowid, name, title, category, body)
    VALUES ('delete', old.id, old.name, old.title, old.category, old.body);
    INSERT INTO reply_templates_fts (rowid, name, title, category, body)
    VALUES (new.id, new.name, new.title, new.category, new.body);
END;

CREATE TABLE template_usage (
    user_id      INTEGER NOT NULL,
    template_id  INTEGER NOT NULL REFERENCES reply_templates (id) ON DELETE CASCADE,
    uses         INTEGER NOT NULL DEFAULT 0,
    last_used_at TEXT NOT NULL,
    PRIMARY KEY (user_id, template_id)
);
CREATE INDEX template_usage_recent ON template_usage (user_id, last_used_at DESC);
