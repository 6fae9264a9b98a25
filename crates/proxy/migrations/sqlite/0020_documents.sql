-- Documents an owner sent instead of linking a platform of a kind the lender takes them for.
-- The bytes are at Codat (its Files API); this is what was sent, when, and for which kind, so
-- readiness and the lender's events follow from it (Codat sends no webhook for an upload).
CREATE TABLE documents (
    id            TEXT PRIMARY KEY NOT NULL,
    merchant_id   TEXT NOT NULL REFERENCES merchants (id) ON DELETE CASCADE,
    kind          TEXT NOT NULL,
    name          TEXT NOT NULL,
    size          INTEGER NOT NULL,
    connection_id TEXT NOT NULL,
    sent_at       INTEGER NOT NULL
);
CREATE INDEX documents_by_merchant ON documents (merchant_id, sent_at);
