-- Which server watches a company's connections and first sync at Codat while its owner waits,
-- so that servers sharing this database ask Codat once per company, not once each.
CREATE TABLE watch_leases (
    company_id TEXT PRIMARY KEY NOT NULL,
    holder     TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);
