-- The receipt of the owner's consent for each connection: what they were shown (its version
-- and the hash of its whole text), in which language, when, and when the connection was later
-- unlinked or removed. Kept with the merchant: a compliance record, not a session's.
CREATE TABLE consent_receipts (
    connection_id TEXT PRIMARY KEY NOT NULL,
    merchant_id   TEXT NOT NULL REFERENCES merchants (id) ON DELETE CASCADE,
    platform_key  TEXT NOT NULL,
    platform_name TEXT NOT NULL,
    source_type   TEXT NOT NULL,
    locale        TEXT NOT NULL,
    version       TEXT NOT NULL,
    text_hash     TEXT NOT NULL,
    data_types    TEXT NOT NULL,
    given_at      INTEGER NOT NULL,
    withdrawn_at  INTEGER,
    withdrawal    TEXT
);
CREATE INDEX consent_receipts_by_merchant ON consent_receipts (merchant_id, given_at);
