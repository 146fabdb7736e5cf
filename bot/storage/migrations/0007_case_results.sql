-- What happened next: the result a seller records when closing a /dispute case, stored with it.
ALTER TABLE dispute_sessions ADD COLUMN result TEXT
    CHECK (result IN ('completed', 'partial_refund', 'cancelled', 'escalated', 'still_open'));
ALTER TABLE dispute_sessions ADD COLUMN result_amount TEXT;   -- the refund, for partial_refund: "200 USD"
ALTER TABLE dispute_sessions ADD COLUMN closed_at TEXT;
