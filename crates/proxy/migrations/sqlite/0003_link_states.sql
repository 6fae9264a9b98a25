-- The state value sent with each Link URL and expected back on the redirect, binding the
-- return to the session and the connection it was issued for.
CREATE TABLE link_states (
    state_hash    TEXT PRIMARY KEY NOT NULL,
    merchant_id   TEXT NOT NULL REFERENCES merchants (id) ON DELETE CASCADE,
    connection_id TEXT NOT NULL,
    expires_at    INTEGER NOT NULL
);
