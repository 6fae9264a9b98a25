-- A merchant is one of the lender's business customers; it owns exactly one Codat company.
CREATE TABLE merchants (
    id            TEXT PRIMARY KEY NOT NULL,
    business_name TEXT NOT NULL,
    email         TEXT NOT NULL,
    company_id    TEXT UNIQUE,
    created_at    BIGINT NOT NULL
);

-- Browser sessions; only a hash of the token is stored, so a database leak cannot replay them.
CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY NOT NULL,
    merchant_id TEXT NOT NULL REFERENCES merchants (id) ON DELETE CASCADE,
    expires_at  BIGINT NOT NULL
);

CREATE INDEX sessions_by_merchant ON sessions (merchant_id);
