-- PostgreSQL half of 0012 (see ../0012_library_stamps.sql): one row per server library, raised
-- by every change to its templates in the same transaction.
CREATE TABLE server_library_stamps (
    guild_id BIGINT PRIMARY KEY,
    revision BIGINT NOT NULL
);
INSERT INTO server_library_stamps (guild_id, revision)
    SELECT owner_id, 1 FROM reply_templates WHERE scope = 'guild' GROUP BY owner_id;

CREATE FUNCTION raise_server_library_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.scope = 'guild' THEN
        INSERT INTO server_library_stamps AS s (guild_id, revision) VALUES (OLD.owner_id, 1)
            ON CONFLICT (guild_id) DO UPDATE SET revision = s.revision + 1;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.scope = 'guild'
       AND (TG_OP = 'INSERT' OR OLD.scope <> 'guild' OR OLD.owner_id <> NEW.owner_id) THEN
        INSERT INTO server_library_stamps AS s (guild_id, revision) VALUES (NEW.owner_id, 1)
            ON CONFLICT (guild_id) DO UPDATE SET revision = s.revision + 1;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER server_library_stamp AFTER INSERT OR UPDATE OR DELETE ON reply_templates
    FOR EACH ROW EXECUTE FUNCTION raise_server_library_stamp();
