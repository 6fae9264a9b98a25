-- One-time tickets an embedded page names in its event stream's address (an EventSource cannot
-- send headers), so the session token itself never appears in a URL or an access log. A hash
-- of each is stored; a ticket is used once and lasts a minute.
CREATE TABLE stream_tickets (
    ticket_hash  TEXT PRIMARY KEY NOT NULL,
    session_hash TEXT NOT NULL,
    expires_at   BIGINT NOT NULL
);
