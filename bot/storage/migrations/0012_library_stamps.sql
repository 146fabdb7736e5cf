-- One row per server library, raised by every change to its templates (insert, edit, pause,
-- delete) in the same transaction. Search keeps a server's library in memory and checks this one
-- row on each keystroke; 0011 summed the library's versions instead, a scan of up to 500 index
-- entries per keystroke. Derived from reply_templates: `db copy` rebuilds it, never copies it.
CREATE TABLE server_library_stamps (
    guild_id INTEGER PRIMARY KEY,
    revision INTEGER NOT NULL
);
INSERT INTO server_library_stamps (guild_id, revision)
    SELECT owner_id, 1 FROM reply_templates WHERE scope = 'guild' GROUP BY owner_id;

CREATE TRIGGER server_library_stamp_ai AFTER INSERT ON reply_templates WHEN NEW.scope = 'guild' BEGIN
    INSERT OR IGNORE INTO server_library_stamps (guild_id, revision) VALUES (NEW.owner_id, 0);
    UPDATE server_library_stamps SET revision = revision + 1 WHERE guild_id = NEW.owner_id;
END;
CREATE TRIGGER server_library_stamp_au AFTER UPDATE ON reply_templates
WHEN NEW.scope = 'guild' OR OLD.scope = 'guild' BEGIN
    INSERT OR IGNORE INTO server_library_stamps (guild_id, revision)
        SELECT NEW.owner_id, 0 WHERE NEW.scope = 'guild';
    UPDATE server_library_stamps SET revision = revision + 1
        WHERE (guild_id = NEW.owner_id AND NEW.scope = 'guild') OR (guild_id = OLD.owner_id AND OLD.scope = 'guild');
END;
CREATE TRIGGER server_library_stamp_ad AFTER DELETE ON reply_templates WHEN OLD.scope = 'guild' BEGIN
    UPDATE server_library_stamps SET revision = revision + 1 WHERE guild_id = OLD.owner_id;
END;
