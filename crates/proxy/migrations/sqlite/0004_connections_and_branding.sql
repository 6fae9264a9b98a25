-- Which merchant owns each connection, so an id is checked here before Codat is asked, and the
-- status last seen (from Codat's answers and webhooks).
CREATE TABLE connections (
    id           TEXT PRIMARY KEY NOT NULL,
    merchant_id  TEXT NOT NULL REFERENCES merchants (id) ON DELETE CASCADE,
    platform_key TEXT,
    status       TEXT NOT NULL,
    updated_at   INTEGER NOT NULL
);

CREATE INDEX connections_by_merchant ON connections (merchant_id);

-- The integration grid per source type as Codat gave it, shared by every server and kept across
-- restarts until it is stale.
CREATE TABLE branding_cache (
    source_type TEXT PRIMARY KEY NOT NULL,
    cards       TEXT NOT NULL,
    fetched_at  INTEGER NOT NULL
);
