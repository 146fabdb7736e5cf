-- PostgreSQL half of 0001 (see ../0001_meta.sql). Times are stored as text, as on SQLite, so that
-- rows copy between the engines unchanged.
CREATE TABLE meta (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL DEFAULT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
);
