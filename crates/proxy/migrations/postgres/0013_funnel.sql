-- Steps of the flow visitors reached, for the lender's funnel: no merchant, session or address,
-- only the step, the kind and platform it concerns, and a zero-result search's text or Link's
-- status code.
CREATE TABLE funnel_events (
    id BIGSERIAL PRIMARY KEY,
    at           BIGINT NOT NULL,
    step         TEXT NOT NULL,
    source_type  TEXT,
    platform_key TEXT,
    detail       TEXT
);
CREATE INDEX funnel_events_by_time ON funnel_events (at);

-- When a merchant's first read finished (counted once in the funnel).
ALTER TABLE merchants ADD COLUMN first_read_at BIGINT;
