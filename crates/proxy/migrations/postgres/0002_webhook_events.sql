-- Every webhook received, stored before it is acknowledged; the id is unique, so a redelivery
-- or a replay is recognised and processed once.
CREATE TABLE webhook_events (
    id           TEXT PRIMARY KEY NOT NULL,
    event_type   TEXT NOT NULL,
    body         TEXT NOT NULL,
    received_at  BIGINT NOT NULL,
    processed_at BIGINT
);

CREATE INDEX webhook_events_unprocessed ON webhook_events (received_at) WHERE processed_at IS NULL;
