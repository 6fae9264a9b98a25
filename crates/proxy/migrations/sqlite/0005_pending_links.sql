-- A Link URL handed to a session, waiting for the owner to come back from Codat. The return is
-- bound to the session and the connection here, on the server, so it does not depend on Codat
-- carrying our own query parameters through the platform's OAuth round trip; a `state` value
-- that does come back must still be this link's. Single use, short-lived.
DROP TABLE link_states;
CREATE TABLE pending_links (
    id            TEXT PRIMARY KEY NOT NULL,
    session_hash  TEXT NOT NULL,
    merchant_id   TEXT NOT NULL REFERENCES merchants (id) ON DELETE CASCADE,
    connection_id TEXT NOT NULL,
    state_hash    TEXT NOT NULL UNIQUE,
    issued_at_ms  INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    used_at       INTEGER
);
CREATE INDEX pending_links_by_session ON pending_links (session_hash, connection_id, issued_at_ms);
