//! Webhooks that were verified but could not be read or acted on: kept with the reason.

use super::{unix_now, Db};
use sqlx::Row;

/// A kept webhook that could not be processed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedWebhook {
    /// The `webhook-id`.
    pub id: String,
    /// Its event type, as far as it could be read.
    pub event_type: String,
    /// Why it could not be processed.
    pub failure: String,
}

impl Db {
    /// Marks a stored webhook as done with, unprocessed, for `reason`.
    pub async fn mark_webhook_failed(&self, id: &str, reason: &str) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE webhook_events SET processed_at = $1, failure = $2 WHERE id = $3")
            .bind(unix_now())
            .bind(reason)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// How many webhooks were kept unprocessed, and the latest few of them.
    pub async fn failed_webhooks(&self, latest: i64) -> Result<(i64, Vec<FailedWebhook>), sqlx::Error> {
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM webhook_events WHERE failure IS NOT NULL")
            .fetch_one(&self.pool)
            .await?;
        let rows = sqlx::query(
            "SELECT id, event_type, failure FROM webhook_events WHERE failure IS NOT NULL \
             ORDER BY received_at DESC, id LIMIT $1",
        )
        .bind(latest)
        .fetch_all(&self.pool)
        .await?;
        let failed = rows
            .into_iter()
            .map(|row| FailedWebhook {
                id: row.get("id"),
                event_type: row.get("event_type"),
                failure: row.get("failure"),
            })
            .collect();
        Ok((count, failed))
    }
}
