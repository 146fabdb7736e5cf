-- Per-user rate limits (for example "open a case: 3, then one every 20 s") counted in the database,
-- so that they hold when a user's clicks reach different bot processes: one token bucket per
-- (limit, user). Rows of users idle for a day are purged.
CREATE TABLE cooldowns (
    name        TEXT NOT NULL,                -- the limit, e.g. 'case_from_message'
    user_id     INTEGER NOT NULL,
    tokens      REAL NOT NULL,                -- actions left, refilled over time
    counted_at  TEXT NOT NULL,                -- when tokens was computed (UTC, as to_timestamp writes)
    PRIMARY KEY (name, user_id)
);
CREATE INDEX cooldowns_counted ON cooldowns (counted_at);
