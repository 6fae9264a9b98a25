//! The platforms' health: each Link attempt an owner started here and how it ended
//! (`link_attempts`), and which platforms are judged degraded (`platform_health`). Written only
//! by `crate::facts`, in the transaction of the fact that ended an attempt.

use super::{unix_now, Db, Tx};

/// How a Link attempt ended, as Codat reported it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// The connection became `Linked`.
    Linked,
    /// The platform failed (a 5xx data connection error after the attempt began).
    Failed,
}

impl AttemptOutcome {
    fn as_str(self) -> &'static str {
        match self {
            Self::Linked => "linked",
            Self::Failed => "failed",
        }
    }
}

/// How many businesses' attempts at one platform ended each way over a period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct Tally {
    /// Businesses with an attempt that failed.
    pub failed: i64,
    /// Businesses with an attempt that linked.
    pub linked: i64,
}

/// One platform's attempts over the last hour and day, and since when it is degraded.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PlatformHealthRow {
    /// The platform's key.
    pub platform_key: String,
    /// Businesses whose attempt failed in the last hour.
    pub failed_hour: i64,
    /// Businesses whose attempt linked in the last hour.
    pub linked_hour: i64,
    /// Businesses whose attempt failed in the last day.
    pub failed_day: i64,
    /// Businesses whose attempt linked in the last day.
    pub linked_day: i64,
    /// Since when it is judged degraded (Unix seconds); none while healthy.
    pub degraded_since: Option<i64>,
}

const TALLY: &str = "COUNT(DISTINCT CASE WHEN outcome = 'failed' THEN merchant_id END) AS failed, \
                     COUNT(DISTINCT CASE WHEN outcome = 'linked' THEN merchant_id END) AS linked";

impl Tx {
    /// An owner started (or restarted) a Link attempt for a connection to `platform_key`.
    pub async fn start_link_attempt(
        &mut self,
        connection_id: &str,
        merchant_id: &str,
        platform_key: &str,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO link_attempts (connection_id, merchant_id, platform_key, started_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (connection_id) DO UPDATE SET \
             platform_key = excluded.platform_key, started_at = excluded.started_at, outcome = NULL, ended_at = NULL",
        )
        .bind(connection_id)
        .bind(merchant_id)
        .bind(platform_key)
        .bind(unix_now())
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    /// Ends the connection's open attempt with `outcome`, when it began no later than
    /// `happened_at` (Unix seconds): its platform when this call ended it (once across servers).
    /// An attempt that failed and then linked after all (the owner tried again) counts as linked.
    pub async fn end_link_attempt(
        &mut self,
        connection_id: &str,
        outcome: AttemptOutcome,
        happened_at: i64,
    ) -> Result<Option<String>, sqlx::Error> {
        sqlx::query_scalar(
            "UPDATE link_attempts SET outcome = $1, ended_at = $2 \
             WHERE connection_id = $3 AND started_at <= $4 \
             AND (outcome IS NULL OR (outcome = 'failed' AND $1 = 'linked')) RETURNING platform_key",
        )
        .bind(outcome.as_str())
        .bind(unix_now())
        .bind(connection_id)
        .bind(happened_at)
        .fetch_optional(&mut *self.inner)
        .await
    }

    /// How the attempts at `platform_key` that ended since `since` went, in businesses.
    pub async fn platform_tally(&mut self, platform_key: &str, since: i64) -> Result<Tally, sqlx::Error> {
        sqlx::query_as(&format!(
            "SELECT {TALLY} FROM link_attempts WHERE platform_key = $1 AND ended_at >= $2"
        ))
        .bind(platform_key)
        .bind(since)
        .fetch_one(&mut *self.inner)
        .await
    }

    /// Since when `platform_key` is judged degraded, as this transaction sees it.
    pub async fn degraded_since(&mut self, platform_key: &str) -> Result<Option<i64>, sqlx::Error> {
        let since: Option<Option<i64>> =
            sqlx::query_scalar("SELECT degraded_since FROM platform_health WHERE platform_key = $1")
                .bind(platform_key)
                .fetch_optional(&mut *self.inner)
                .await?;
        Ok(since.flatten())
    }

    /// Judges `platform_key` degraded (`true`) or healthy: true when this call changed it (once
    /// across servers).
    pub async fn set_platform_degraded(
        &mut self,
        platform_key: &str,
        degraded: bool,
    ) -> Result<bool, sqlx::Error> {
        let now = unix_now();
        let query = if degraded {
            "INSERT INTO platform_health (platform_key, degraded_since, changed_at) VALUES ($1, $2, $2) \
             ON CONFLICT (platform_key) DO UPDATE SET degraded_since = excluded.degraded_since, \
             changed_at = excluded.changed_at WHERE platform_health.degraded_since IS NULL"
        } else {
            "UPDATE platform_health SET degraded_since = NULL, changed_at = $2 \
             WHERE platform_key = $1 AND degraded_since IS NOT NULL"
        };
        let changed =
            sqlx::query(query).bind(platform_key).bind(now).execute(&mut *self.inner).await?.rows_affected();
        Ok(changed == 1)
    }
}

impl Db {
    /// The platforms judged degraded now.
    pub async fn degraded_platforms(&self) -> Result<Vec<String>, sqlx::Error> {
        sqlx::query_scalar("SELECT platform_key FROM platform_health WHERE degraded_since IS NOT NULL")
            .fetch_all(&self.pool)
            .await
    }

    /// Every platform with an attempt that ended in the last day or judged degraded, by key.
    pub async fn platform_health(&self) -> Result<Vec<PlatformHealthRow>, sqlx::Error> {
        let now = unix_now();
        sqlx::query_as(
            "SELECT k.platform_key AS platform_key, \
             COUNT(DISTINCT CASE WHEN a.outcome = 'failed' AND a.ended_at >= $1 THEN a.merchant_id END) AS failed_hour, \
             COUNT(DISTINCT CASE WHEN a.outcome = 'linked' AND a.ended_at >= $1 THEN a.merchant_id END) AS linked_hour, \
             COUNT(DISTINCT CASE WHEN a.outcome = 'failed' THEN a.merchant_id END) AS failed_day, \
             COUNT(DISTINCT CASE WHEN a.outcome = 'linked' THEN a.merchant_id END) AS linked_day, \
             MAX(h.degraded_since) AS degraded_since \
             FROM (SELECT platform_key FROM link_attempts WHERE ended_at >= $2 \
                   UNION SELECT platform_key FROM platform_health WHERE degraded_since IS NOT NULL) k \
             LEFT JOIN link_attempts a ON a.platform_key = k.platform_key AND a.ended_at >= $2 \
             LEFT JOIN platform_health h ON h.platform_key = k.platform_key \
             GROUP BY k.platform_key ORDER BY k.platform_key",
        )
        .bind(now - crate::platform_health::WINDOW)
        .bind(now - DAY)
        .fetch_all(&self.pool)
        .await
    }

    /// Forgets attempts begun more than a day ago.
    pub async fn forget_old_link_attempts(&self) -> Result<u64, sqlx::Error> {
        Ok(sqlx::query("DELETE FROM link_attempts WHERE started_at < $1")
            .bind(unix_now() - DAY)
            .execute(&self.pool)
            .await?
            .rows_affected())
    }
}

/// How long attempts are kept and counted for the status API.
const DAY: i64 = 24 * 60 * 60;
