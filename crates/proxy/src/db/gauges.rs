//! What `/metrics` reads from storage at each scrape: the same figures on every server sharing
//! the database.

use super::{unix_now, Db};
use std::time::Duration;

/// Storage's figures for the operator.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StoredGauges {
    /// Deliveries to the lender's endpoints not yet acknowledged nor failed.
    pub undelivered: i64,
    /// Seconds since the oldest of them was stored (0 with none).
    pub oldest_undelivered_seconds: i64,
    /// Codat webhooks stored and not yet processed.
    pub unprocessed_webhooks: i64,
    /// Sessions neither expired nor idle.
    pub live_sessions: i64,
}

impl Db {
    /// The figures, with sessions counted as live when used within `idle`.
    pub async fn stored_gauges(&self, idle: Duration) -> Result<StoredGauges, sqlx::Error> {
        let now = unix_now();
        let (undelivered, oldest): (i64, Option<i64>) = sqlx::query_as(
            "SELECT COUNT(*), MIN(created_at) FROM lender_deliveries WHERE status = 'pending'",
        )
        .fetch_one(&self.pool)
        .await?;
        let (unprocessed_webhooks,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM webhook_events WHERE processed_at IS NULL")
                .fetch_one(&self.pool)
                .await?;
        let (live_sessions,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM sessions WHERE expires_at > $1 AND last_seen_at > $2")
                .bind(now)
                .bind(now - idle.as_secs() as i64)
                .fetch_one(&self.pool)
                .await?;
        Ok(StoredGauges {
            undelivered,
            oldest_undelivered_seconds: oldest.map_or(0, |created| (now - created).max(0)),
            unprocessed_webhooks,
            live_sessions,
        })
    }

    /// Connections of the pool in use, and its size.
    pub fn pool_usage(&self) -> (u32, u32) {
        let size = self.pool.size();
        (size.saturating_sub(self.pool.num_idle() as u32), size)
    }
}
