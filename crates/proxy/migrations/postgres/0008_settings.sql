-- Values a deployment keeps for itself, such as its id: the company tag that keeps two
-- deployments sharing one Codat API key from adopting each other's companies.
CREATE TABLE settings (
    name  TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
