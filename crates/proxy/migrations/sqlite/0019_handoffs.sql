-- Hand-offs: an owner asked someone else (an accountant, a bookkeeper) to link the business's
-- platforms, with a one-time link that carries the hand-off into the session it starts. The
-- status API shows whom a merchant is waiting on; the lender may revoke a hand-off.
CREATE TABLE handoffs (
    id           TEXT PRIMARY KEY NOT NULL,
    merchant_id  TEXT NOT NULL REFERENCES merchants (id) ON DELETE CASCADE,
    person       TEXT NOT NULL,
    note         TEXT,
    requested_at INTEGER NOT NULL,
    revoked_at   INTEGER
);
CREATE INDEX handoffs_by_merchant ON handoffs (merchant_id, requested_at);
ALTER TABLE link_starts ADD COLUMN handoff_id TEXT;
ALTER TABLE sessions ADD COLUMN handoff_id TEXT;
-- Who agreed, when it was not the owner: the person a hand-off named.
ALTER TABLE consent_receipts ADD COLUMN handoff_person TEXT;
