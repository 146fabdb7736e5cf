-- A user or server template the sandbox had to stop (time, memory or CPU) is paused until its
-- author edits it: the reason and the moment, NULL when the template is in use.
ALTER TABLE reply_templates ADD COLUMN quarantined TEXT;
