-- PostgreSQL half of 0008 (see ../0008_case_guild.sql).
ALTER TABLE dispute_sessions ADD COLUMN guild_id BIGINT;
CREATE INDEX dispute_sessions_guild_result ON dispute_sessions (guild_id, result) WHERE guild_id IS NOT NULL;
