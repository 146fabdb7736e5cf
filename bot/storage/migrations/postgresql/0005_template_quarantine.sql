-- PostgreSQL half of 0005 (see ../0005_template_quarantine.sql).
ALTER TABLE reply_templates ADD COLUMN quarantined TEXT;
