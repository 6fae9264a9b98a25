//! Pending links: a Link URL handed to a session, waiting for the owner to come back.

use super::{unix_now, unix_now_ms, Db};
use sqlx::Row;
use std::time::Duration;

/// A Link URL issued to a session for one connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingLink {
    /// Its row id.
    pub id: String,
    /// Whether it can still take the owner's return.
    pub state: PendingLinkState,
}

/// Where a pending link stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PendingLinkState {
    /// Issued, not used, not expired.
    Waiting,
    /// A return was accepted for it already.
    Used,
    /// Its time ran out.
    Expired,
}

/// A pending link that a return without a session may answer (see
/// [`Db::waiting_link_of_link_session`]).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LinkSessionReturn {
    /// The pending link's row id.
    pub id: String,
    /// Its merchant.
    pub merchant_id: String,
    /// SHA-256 of the `state` value sent out with its Link URL.
    pub state_hash: String,
    /// Where the session's "Done" returns to.
    pub return_url: String,
}

/// What a new pending link records.
#[derive(Debug, Clone, Copy)]
pub struct NewPendingLink<'a> {
    /// SHA-256 of the session token it was issued to.
    pub session_hash: &'a str,
    /// The session's merchant.
    pub merchant_id: &'a str,
    /// The connection the Link URL authorizes.
    pub connection_id: &'a str,
    /// SHA-256 of the `state` value added to the Link URL.
    pub state_hash: &'a str,
    /// How long the return is accepted.
    pub lifetime: Duration,
}

impl Db {
    /// Records a Link URL issued to a session.
    pub async fn insert_pending_link(&self, link: NewPendingLink<'_>) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO pending_links (id, session_hash, merchant_id, connection_id, state_hash, issued_at_ms, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(link.session_hash)
        .bind(link.merchant_id)
        .bind(link.connection_id)
        .bind(link.state_hash)
        .bind(issue_time_ms())
        .bind(unix_now() + link.lifetime.as_secs() as i64)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The pending link a return to this session for this connection answers: the one whose
    /// state value it carries, or, when Codat carried none back, the one issued last.
    pub async fn pending_link(
        &self,
        session_hash: &str,
        connection_id: &str,
        state_hash: Option<&str>,
    ) -> Result<Option<PendingLink>, sqlx::Error> {
        let query = match state_hash {
            Some(state_hash) => sqlx::query(
                "SELECT id, used_at, expires_at FROM pending_links \
                 WHERE session_hash = $1 AND connection_id = $2 AND state_hash = $3",
            )
            .bind(session_hash)
            .bind(connection_id)
            .bind(state_hash),
            None => sqlx::query(
                "SELECT id, used_at, expires_at FROM pending_links WHERE session_hash = $1 AND connection_id = $2 \
                 ORDER BY issued_at_ms DESC, id LIMIT 1",
            )
            .bind(session_hash)
            .bind(connection_id),
        };
        let Some(row) = query.fetch_optional(&self.pool).await? else { return Ok(None) };
        let state = if row.get::<Option<i64>, _>("used_at").is_some() {
            PendingLinkState::Used
        } else if row.get::<i64, _>("expires_at") <= unix_now() {
            PendingLinkState::Expired
        } else {
            PendingLinkState::Waiting
        };
        Ok(Some(PendingLink { id: row.get("id"), state }))
    }

    /// The waiting pending link for the connection issued to a session that a lender's one-time
    /// link started and that is still live (not expired, idle for less than `idle`, signed out
    /// or revoked): a return from Link in another browser is eligible only while it lives.
    pub async fn waiting_link_of_link_session(
        &self,
        connection_id: &str,
        idle: Duration,
    ) -> Result<Option<LinkSessionReturn>, sqlx::Error> {
        let now = unix_now();
        sqlx::query_as(
            "SELECT p.id, p.merchant_id, p.state_hash, s.return_url FROM pending_links p \
             JOIN sessions s ON s.token_hash = p.session_hash \
             WHERE p.connection_id = $1 AND p.used_at IS NULL AND p.expires_at > $2 \
             AND s.return_url IS NOT NULL AND s.expires_at > $2 AND s.last_seen_at > $3 \
             ORDER BY p.issued_at_ms DESC, p.id LIMIT 1",
        )
        .bind(connection_id)
        .bind(now)
        .bind(now - idle.as_secs() as i64)
        .fetch_optional(&self.pool)
        .await
    }

    /// Uses a waiting pending link up; false when another return used it first or it expired.
    pub async fn use_pending_link(&self, id: &str) -> Result<bool, sqlx::Error> {
        let now = unix_now();
        let result = sqlx::query(
            "UPDATE pending_links SET used_at = $1 WHERE id = $2 AND used_at IS NULL AND expires_at > $1",
        )
        .bind(now)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(result.rows_affected() == 1)
    }

    /// Forgets pending links that expired more than a day ago (kept that long so a late second
    /// return is still told "already used" or "too late" rather than "unknown").
    pub async fn forget_old_pending_links(&self) -> Result<u64, sqlx::Error> {
        let result = sqlx::query("DELETE FROM pending_links WHERE expires_at < $1")
            .bind(unix_now() - 24 * 60 * 60)
            .execute(&self.pool)
            .await?;
        Ok(result.rows_affected())
    }
}

/// When a link is issued, in milliseconds: strictly increasing within this server, so that of
/// two links issued in the same millisecond (a double click) the later is the one answered.
fn issue_time_ms() -> i64 {
    use std::sync::atomic::{AtomicI64, Ordering::Relaxed};
    static LAST: AtomicI64 = AtomicI64::new(0);
    let now = unix_now_ms();
    let previous = LAST.fetch_update(Relaxed, Relaxed, |last| Some(now.max(last + 1))).unwrap_or(now);
    now.max(previous + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::tests::db_with_merchant;

    #[test]
    fn links_issued_in_one_millisecond_are_still_ordered() {
        let times: Vec<i64> = (0..1000).map(|_| issue_time_ms()).collect();
        assert!(times.windows(2).all(|pair| pair[0] < pair[1]));
    }

    fn link<'a>(state_hash: &'a str, lifetime: Duration) -> NewPendingLink<'a> {
        NewPendingLink { session_hash: "s1", merchant_id: "m1", connection_id: "c1", state_hash, lifetime }
    }

    #[tokio::test]
    async fn a_return_without_state_finds_the_link_issued_last_and_uses_it_once() {
        let (db, _dir) = db_with_merchant().await;
        db.insert_pending_link(link("first", Duration::from_secs(60))).await.unwrap();
        db.insert_pending_link(link("second", Duration::from_secs(60))).await.unwrap();
        let latest = db.pending_link("s1", "c1", None).await.unwrap().unwrap();
        let second = db.pending_link("s1", "c1", Some("second")).await.unwrap().unwrap();
        assert_eq!(latest, second);
        assert_eq!(latest.state, PendingLinkState::Waiting);
        assert!(db.use_pending_link(&latest.id).await.unwrap());
        assert!(!db.use_pending_link(&latest.id).await.unwrap(), "single use");
        assert_eq!(db.pending_link("s1", "c1", None).await.unwrap().unwrap().state, PendingLinkState::Used);
    }

    #[tokio::test]
    async fn another_session_or_connection_or_state_finds_nothing() {
        let (db, _dir) = db_with_merchant().await;
        db.insert_pending_link(link("h", Duration::from_secs(60))).await.unwrap();
        assert!(db.pending_link("s2", "c1", None).await.unwrap().is_none());
        assert!(db.pending_link("s1", "c2", None).await.unwrap().is_none());
        assert!(db.pending_link("s1", "c1", Some("other")).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn an_expired_link_is_reported_and_cannot_be_used() {
        let (db, _dir) = db_with_merchant().await;
        db.insert_pending_link(link("h", Duration::ZERO)).await.unwrap();
        let expired = db.pending_link("s1", "c1", None).await.unwrap().unwrap();
        assert_eq!(expired.state, PendingLinkState::Expired);
        assert!(!db.use_pending_link(&expired.id).await.unwrap());
    }
}
