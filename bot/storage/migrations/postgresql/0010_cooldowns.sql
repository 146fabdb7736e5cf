-- PostgreSQL half of 0010 (see ../0010_cooldowns.sql).
CREATE TABLE cooldowns (
    name        TEXT NOT NULL,
    user_id     BIGINT NOT NULL,
    tokens      DOUBLE PRECISION NOT NULL,
    counted_at  TEXT NOT NULL,
    PRIMARY KEY (name, user_id)
);
CREATE INDEX cooldowns_counted ON cooldowns (counted_at);
