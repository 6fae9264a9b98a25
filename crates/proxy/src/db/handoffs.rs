//! Hand-offs: someone else the owner asked to link the business's platforms, the one-time link
//! that carries the hand-off into the session it starts (`link_starts.handoff_id`), and whom a
//! merchant is waiting on.

use super::{unix_now, Db, Tx};

/// A hand-off as the status API shows it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredHandoff {
    /// Its id.
    pub id: String,
    /// Whom the owner named.
    pub person: String,
    /// The owner's note to them.
    pub note: Option<String>,
    /// When it was asked for (Unix seconds).
    pub requested_at: i64,
}

impl Tx {
    /// Records a hand-off the owner asked for (its link is stored beside it, in the same
    /// transaction).
    pub async fn insert_handoff(
        &mut self,
        id: &str,
        merchant_id: &str,
        person: &str,
        note: Option<&str>,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO handoffs (id, merchant_id, person, note, requested_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(merchant_id)
        .bind(person)
        .bind(note)
        .bind(unix_now())
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    /// Revokes the merchant's hand-off: its link stops working and the sessions it started end.
    /// The ended sessions' token hashes; `None` when there is no such hand-off in force.
    pub async fn revoke_handoff(
        &mut self,
        merchant_id: &str,
        id: &str,
    ) -> Result<Option<Vec<String>>, sqlx::Error> {
        let revoked = sqlx::query(
            "UPDATE handoffs SET revoked_at = $1 WHERE id = $2 AND merchant_id = $3 AND revoked_at IS NULL",
        )
        .bind(unix_now())
        .bind(id)
        .bind(merchant_id)
        .execute(&mut *self.inner)
        .await?
        .rows_affected()
            == 1;
        if !revoked {
            return Ok(None);
        }
        sqlx::query("DELETE FROM link_starts WHERE handoff_id = $1 AND used_at IS NULL")
            .bind(id)
            .execute(&mut *self.inner)
            .await?;
        let ended = sqlx::query_scalar("DELETE FROM sessions WHERE handoff_id = $1 RETURNING token_hash")
            .bind(id)
            .fetch_all(&mut *self.inner)
            .await?;
        Ok(Some(ended))
    }
}

impl Db {
    /// The person a hand-off in force named, for the hand-off `id` (a session's).
    pub async fn handoff_person(&self, id: &str) -> Result<Option<String>, sqlx::Error> {
        sqlx::query_scalar("SELECT person FROM handoffs WHERE id = $1 AND revoked_at IS NULL")
            .bind(id)
            .fetch_optional(&self.pool)
            .await
    }

    /// The merchant's latest hand-off in force: whom it is waiting on, and since when.
    pub async fn latest_handoff(&self, merchant_id: &str) -> Result<Option<StoredHandoff>, sqlx::Error> {
        sqlx::query_as(
            "SELECT id, person, note, requested_at FROM handoffs WHERE merchant_id = $1 AND revoked_at IS NULL \
             ORDER BY requested_at DESC, id DESC LIMIT 1",
        )
        .bind(merchant_id)
        .fetch_optional(&self.pool)
        .await
    }
}
