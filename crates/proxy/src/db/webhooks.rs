//! Codat's webhooks as received: stored before they are acknowledged (the id is unique, so a
//! redelivery is processed once), and those that were verified but could not be read or acted
//! on, kept with the reason.

use super::{unix_now, Db};

/// A kept webhook that could not be processed.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct FailedWebhook {
    /// The `webhook-id`.
    pub id: String,
    /// Its event type, as far as it could be read.
    pub event_type: String,
    /// Why it could not be processed.
    pub failure: String,
}

impl Db {
    /// Stores a received webhook; false when one with this id was stored before.
    pub async fn insert_webhook_event(
        &self,
        id: &str,
        event_type: &str,
        body: &str,
    ) -> Result<bool, sqlx::Error> {
        let result = sqlx::query(
            "INSERT INTO webhook_events (id, event_type, body, received_at) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING",
        )
        .bind(id)
        .bind(event_type)
        .bind(body)
        .bind(unix_now())
        .execute(&self.pool)
        .await?;
        Ok(result.rows_affected() == 1)
    }

    /// Marks a stored webhook processed when it had nothing to change.
    pub async fn mark_webhook_processed(&self, id: &str) -> Result<(), sqlx::Error> {
        mark_processed(&self.pool, id).await
    }

    /// Webhooks stored but not yet processed (left by a crash), oldest first: `(id, body)`.
    pub async fn unprocessed_webhook_events(&self) -> Result<Vec<(String, String)>, sqlx::Error> {
        sqlx::query_as("SELECT id, body FROM webhook_events WHERE processed_at IS NULL ORDER BY received_at")
            .fetch_all(&self.pool)
            .await
    }

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
        let failed = sqlx::query_as(
            "SELECT id, event_type, failure FROM webhook_events WHERE failure IS NOT NULL \
             ORDER BY received_at DESC, id LIMIT $1",
        )
        .bind(latest)
        .fetch_all(&self.pool)
        .await?;
        Ok((count, failed))
    }
}

impl super::Tx {
    /// Marks the stored webhook that caused this transaction's change processed, with it.
    pub async fn mark_webhook_processed(&mut self, id: &str) -> Result<(), sqlx::Error> {
        mark_processed(&mut *self.inner, id).await
    }
}

async fn mark_processed<'e>(
    executor: impl sqlx::Executor<'e, Database = sqlx::Any>,
    id: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE webhook_events SET processed_at = $1 WHERE id = $2 AND processed_at IS NULL")
        .bind(unix_now())
        .bind(id)
        .execute(executor)
        .await?;
    Ok(())
}
