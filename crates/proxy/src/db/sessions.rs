//! Sessions: a hash of each token, its merchant, a fixed expiry and the last time it was used.

use super::{unix_now, Db, Merchant};
use std::time::Duration;

/// A live session as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredSession {
    /// The session's merchant.
    #[sqlx(flatten)]
    pub merchant: Merchant,
    /// When the session ends at the latest (Unix seconds).
    pub expires_at: i64,
    /// When it was last marked used (Unix seconds).
    pub last_seen_at: i64,
}

/// What a session carries beyond its merchant: where "Done" returns when a lender's one-time
/// link started it, and what the lender asked of the grid for it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionExtras {
    /// The lender's return URL.
    pub return_url: Option<String>,
    /// Platforms shown first, in order (Codat keys).
    pub featured_platforms: Vec<String>,
    /// The platform the page opens at (a Codat key).
    pub opening_platform: Option<String>,
    /// The hand-off whose link started the session: someone the owner asked to link for the
    /// business, whose consent receipts say so.
    pub handoff_id: Option<String>,
}

impl SessionExtras {
    /// The featured keys as stored: comma-separated (a key has no comma), none as NULL.
    pub(super) fn featured_text(&self) -> Option<String> {
        (!self.featured_platforms.is_empty()).then(|| self.featured_platforms.join(","))
    }

    pub(super) fn from_row((return_url, featured, opening_platform, handoff_id): ExtrasRow) -> Self {
        let featured_platforms =
            featured.iter().flat_map(|text| text.split(',')).filter(|key| !key.is_empty()).map(str::to_owned);
        // A link made for a session without one stores no return URL as empty.
        let return_url = return_url.filter(|url| !url.is_empty());
        Self { return_url, featured_platforms: featured_platforms.collect(), opening_platform, handoff_id }
    }
}

/// The stored columns of [`SessionExtras`]: return URL, featured platforms, opening platform,
/// hand-off.
pub(super) type ExtrasRow = (Option<String>, Option<String>, Option<String>, Option<String>);

/// A session is marked used at most this often: the idle timeout is minutes long, and a lookup
/// of a session marked lately costs no write.
const MARK_USED_EVERY: i64 = 60;

impl Db {
    /// Starts a session for a merchant, valid for `lifetime`.
    pub async fn insert_session(
        &self,
        token_hash: &str,
        merchant_id: &str,
        lifetime: Duration,
    ) -> Result<(), sqlx::Error> {
        self.insert_session_with(token_hash, merchant_id, lifetime, &SessionExtras::default()).await
    }

    /// Starts a session for a merchant, valid for `lifetime`, carrying `extras`.
    pub async fn insert_session_with(
        &self,
        token_hash: &str,
        merchant_id: &str,
        lifetime: Duration,
        extras: &SessionExtras,
    ) -> Result<(), sqlx::Error> {
        let now = unix_now();
        sqlx::query(
            "INSERT INTO sessions (token_hash, merchant_id, expires_at, last_seen_at, return_url, \
             featured_platforms, opening_platform, handoff_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(token_hash)
        .bind(merchant_id)
        .bind(now + lifetime.as_secs() as i64)
        .bind(now)
        .bind(extras.return_url.as_deref())
        .bind(extras.featured_text())
        .bind(extras.opening_platform.as_deref())
        .bind(extras.handoff_id.as_deref())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// What the session carries beyond its merchant (nothing for an unknown one).
    pub async fn session_extras(&self, token_hash: &str) -> Result<SessionExtras, sqlx::Error> {
        let row: Option<ExtrasRow> = sqlx::query_as(
            "SELECT return_url, featured_platforms, opening_platform, handoff_id FROM sessions \
             WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(SessionExtras::from_row).unwrap_or_default())
    }

    /// The session, if it has not expired and was used within `idle`; marks it used now.
    pub async fn use_session(
        &self,
        token_hash: &str,
        idle: Duration,
    ) -> Result<Option<StoredSession>, sqlx::Error> {
        let now = unix_now();
        let session = self.live_session(token_hash, idle, now).await?;
        if session.as_ref().is_some_and(|session| now - session.last_seen_at >= MARK_USED_EVERY) {
            sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
                .bind(now)
                .bind(token_hash)
                .execute(&self.pool)
                .await?;
        }
        Ok(session)
    }

    /// The session, if it has not expired and was used within `idle`, without marking it used
    /// (an open event stream is not activity).
    pub async fn peek_session(
        &self,
        token_hash: &str,
        idle: Duration,
    ) -> Result<Option<StoredSession>, sqlx::Error> {
        self.live_session(token_hash, idle, unix_now()).await
    }

    async fn live_session(
        &self,
        token_hash: &str,
        idle: Duration,
        now: i64,
    ) -> Result<Option<StoredSession>, sqlx::Error> {
        sqlx::query_as(
            "SELECT m.id, m.business_name, m.email, m.company_id, s.expires_at, s.last_seen_at FROM sessions s \
             JOIN merchants m ON m.id = s.merchant_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $3",
        )
        .bind(token_hash)
        .bind(now)
        .bind(now - idle.as_secs() as i64)
        .fetch_optional(&self.pool)
        .await
    }

    /// Ends a session; answers its merchant's id, or `None` when there was no such session.
    pub async fn delete_session(&self, token_hash: &str) -> Result<Option<String>, sqlx::Error> {
        sqlx::query_scalar("DELETE FROM sessions WHERE token_hash = $1 RETURNING merchant_id")
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::tests::db_with_merchant;

    const HOUR: Duration = Duration::from_secs(3600);

    #[tokio::test]
    async fn an_expired_session_has_no_merchant() {
        let (db, _dir) = db_with_merchant().await;
        db.insert_session("live", "m1", Duration::from_secs(60)).await.unwrap();
        db.insert_session("dead", "m1", Duration::ZERO).await.unwrap();
        assert!(db.use_session("live", HOUR).await.unwrap().is_some());
        assert!(db.use_session("dead", HOUR).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn a_session_unused_for_the_idle_time_has_ended_and_use_keeps_one_alive() {
        let (db, _dir) = db_with_merchant().await;
        db.insert_session("s", "m1", HOUR).await.unwrap();
        let set_last_seen = |seconds_ago: i64| {
            sqlx::query("UPDATE sessions SET last_seen_at = $1")
                .bind(unix_now() - seconds_ago)
                .execute(&db.pool)
        };
        set_last_seen(600).await.unwrap();
        assert!(db.peek_session("s", Duration::from_secs(300)).await.unwrap().is_none(), "idle too long");
        assert!(db.peek_session("s", Duration::from_secs(900)).await.unwrap().is_some());
        assert!(db.use_session("s", Duration::from_secs(900)).await.unwrap().is_some());
        assert!(db.peek_session("s", Duration::from_secs(300)).await.unwrap().is_some(), "used just now");
    }

    #[tokio::test]
    async fn a_deleted_session_is_gone_and_names_its_merchant_once() {
        let (db, _dir) = db_with_merchant().await;
        db.insert_session("s", "m1", HOUR).await.unwrap();
        assert_eq!(db.delete_session("s").await.unwrap().as_deref(), Some("m1"));
        assert_eq!(db.delete_session("s").await.unwrap(), None);
        assert!(db.use_session("s", HOUR).await.unwrap().is_none());
    }
}
