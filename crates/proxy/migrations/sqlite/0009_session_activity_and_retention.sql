-- A session also ends after a while unused (the idle timeout), not only at its expiry.
ALTER TABLE sessions ADD COLUMN last_seen_at INTEGER NOT NULL DEFAULT 0;
UPDATE sessions SET last_seen_at = CAST(strftime('%s', 'now') AS INTEGER);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

-- When a merchant first had a connection past "pending": merchants that never did are removed
-- (with their Codat company) once the retention period has passed.
ALTER TABLE merchants ADD COLUMN first_linked_at INTEGER;
UPDATE merchants SET first_linked_at = created_at
    WHERE id IN (SELECT merchant_id FROM connections WHERE status <> 'PendingAuth');
CREATE INDEX webhook_events_by_age ON webhook_events (received_at);
