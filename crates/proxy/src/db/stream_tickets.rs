//! One-time tickets for an embedded page's event stream.

use super::{unix_now, Db};
use std::time::Duration;

impl Db {
    /// Stores a ticket (its hash) standing for a session (its hash) for `lifetime`.
    pub async fn insert_stream_ticket(
        &self,
        ticket_hash: &str,
        session_hash: &str,
        lifetime: Duration,
    ) -> Result<(), sqlx::Error> {
        let now = unix_now();
        sqlx::query("DELETE FROM stream_tickets WHERE expires_at <= $1")
            .bind(now)
            .execute(&self.pool)
            .await?;
        sqlx::query("INSERT INTO stream_tickets (ticket_hash, session_hash, expires_at) VALUES ($1, $2, $3)")
            .bind(ticket_hash)
            .bind(session_hash)
            .bind(now + lifetime.as_secs() as i64)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Uses a ticket up: the hash of the session it stands for, if it was unused and unexpired.
    pub async fn redeem_stream_ticket(&self, ticket_hash: &str) -> Result<Option<String>, sqlx::Error> {
        sqlx::query_scalar(
            "DELETE FROM stream_tickets WHERE ticket_hash = $1 AND expires_at > $2 RETURNING session_hash",
        )
        .bind(ticket_hash)
        .bind(unix_now())
        .fetch_optional(&self.pool)
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_ticket_is_used_once_and_not_after_it_expires() {
        let (db, _dir) = crate::db::tests::db().await;
        db.insert_stream_ticket("t1", "s1", Duration::from_secs(60)).await.unwrap();
        db.insert_stream_ticket("t2", "s1", Duration::ZERO).await.unwrap();
        assert_eq!(db.redeem_stream_ticket("t1").await.unwrap().as_deref(), Some("s1"));
        assert_eq!(db.redeem_stream_ticket("t1").await.unwrap(), None, "used");
        assert_eq!(db.redeem_stream_ticket("t2").await.unwrap(), None, "expired");
        assert_eq!(db.redeem_stream_ticket("never").await.unwrap(), None);
    }
}
