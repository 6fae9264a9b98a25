-- A document on its way to Codat: written before its upload, removed in the transaction that
-- records the document (facts::document_sent). One left behind means the server stopped, or
-- Codat's answer was lost, between the upload and its record; the sweep settles it against
-- Codat's list of the company's files, recording the document or forgetting the attempt.
CREATE TABLE document_uploads (
    id          TEXT PRIMARY KEY NOT NULL,
    merchant_id TEXT NOT NULL REFERENCES merchants (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    name        TEXT NOT NULL,
    size        INTEGER NOT NULL,
    started_at  INTEGER NOT NULL
);
CREATE INDEX document_uploads_by_merchant ON document_uploads (merchant_id, started_at);
