-- One-time links to the flow that a lender sends by e-mail or SMS (`delivery: "link"`): a hash
-- of each, its merchant, where the owner returns at the end, and when it expires or was used.
CREATE TABLE link_starts (
    code_hash   TEXT PRIMARY KEY NOT NULL,
    merchant_id TEXT NOT NULL REFERENCES merchants (id) ON DELETE CASCADE,
    return_url  TEXT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);

-- Where "Done" sends an owner who came by a link (the latest link opened).
ALTER TABLE merchants ADD COLUMN return_url TEXT;
