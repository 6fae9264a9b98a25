-- The business at each merchant's accounting platform, as Codat's company information last
-- named it, and from which read of the company data type; with the business named before it
-- when the latest change named another (the owner is told, and the lender hears
-- merchant.connection.identity_changed).
CREATE TABLE company_identities (
    merchant_id         TEXT PRIMARY KEY NOT NULL REFERENCES merchants (id) ON DELETE CASCADE,
    company_name        TEXT NOT NULL,
    registration_number TEXT,
    read_id             TEXT NOT NULL,
    previous_name       TEXT,
    previous_number     TEXT,
    changed_at          INTEGER,
    seen_at             INTEGER NOT NULL
);
