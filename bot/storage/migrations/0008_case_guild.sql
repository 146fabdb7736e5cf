-- Community outcomes: the server a case was started in (only where the bot itself is installed),
-- so /dispute stats can count how cases ended there. NULL for DMs and user-installed use.
ALTER TABLE dispute_sessions ADD COLUMN guild_id INTEGER;
CREATE INDEX dispute_sessions_guild_result ON dispute_sessions (guild_id, result) WHERE guild_id IS NOT NULL;
