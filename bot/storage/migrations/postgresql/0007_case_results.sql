-- PostgreSQL half of 0007 (see ../0007_case_results.sql).
ALTER TABLE dispute_sessions ADD COLUMN result TEXT
    CHECK (result IN ('completed', 'partial_refund', 'cancelled', 'escalated', 'still_open'));
ALTER TABLE dispute_sessions ADD COLUMN result_amount TEXT;
ALTER TABLE dispute_sessions ADD COLUMN closed_at TEXT;
