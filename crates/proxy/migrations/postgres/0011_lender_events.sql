-- What the lender needs from a merchant (the latest session's requirements, as JSON) and when the
-- merchant last became ready for a decision (every required kind linked and read once).
ALTER TABLE merchants ADD COLUMN requirements TEXT NOT NULL DEFAULT '{}';
ALTER TABLE merchants ADD COLUMN ready_at BIGINT;
CREATE INDEX merchants_by_readiness ON merchants (ready_at, id);

-- A connection's kind, platform and first sighting, for readiness and the status API.
ALTER TABLE connections ADD COLUMN source_type TEXT;
ALTER TABLE connections ADD COLUMN platform_name TEXT;
ALTER TABLE connections ADD COLUMN created_at BIGINT;

-- Where each data type's read stands for a merchant, as Codat last said (webhooks or a look).
CREATE TABLE data_reads (
    merchant_id TEXT NOT NULL REFERENCES merchants (id) ON DELETE CASCADE,
    data_type   TEXT NOT NULL,
    status      TEXT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (merchant_id, data_type)
);

-- Events for the lender's backend, stored before any delivery. The sequence orders a merchant's
-- events; the id is the stable `webhook-id` of every delivery of the event.
CREATE TABLE lender_events (
    seq BIGSERIAL PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    merchant_id TEXT NOT NULL,
    event_type  TEXT NOT NULL,
    body        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

-- One event's delivery to one of the lender's endpoints: pending until the endpoint answers 2xx
-- (delivered) or the retry schedule is spent (failed). A server claims a delivery for a while
-- before sending it, so servers sharing the database send each once.
CREATE TABLE lender_deliveries (
    id               TEXT PRIMARY KEY NOT NULL,
    event_seq        BIGINT NOT NULL REFERENCES lender_events (seq) ON DELETE CASCADE,
    merchant_id      TEXT NOT NULL,
    endpoint         TEXT NOT NULL,
    status           TEXT NOT NULL,
    attempts         BIGINT NOT NULL DEFAULT 0,
    next_attempt_ms  BIGINT NOT NULL,
    claimed_until_ms BIGINT,
    last_status      BIGINT,
    last_error       TEXT,
    delivered_at     BIGINT,
    created_at       BIGINT NOT NULL
);
CREATE INDEX lender_deliveries_due ON lender_deliveries (status, next_attempt_ms);
CREATE INDEX lender_deliveries_by_merchant ON lender_deliveries (merchant_id, endpoint, event_seq);
