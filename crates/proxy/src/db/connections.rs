//! Which merchant owns each connection (checked before Codat is asked about an id), with the
//! status last seen.

use super::{unix_now, Db};
use codat::ConnectionStatus;

impl Db {
    /// Records (or refreshes) a connection of a merchant; a connection never changes owner.
    pub async fn upsert_connection(
        &self,
        id: &str,
        merchant_id: &str,
        platform_key: Option<&str>,
        status: ConnectionStatus,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO connections (id, merchant_id, platform_key, status, updated_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (id) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at \
             WHERE connections.merchant_id = excluded.merchant_id",
        )
        .bind(id)
        .bind(merchant_id)
        .bind(platform_key)
        .bind(status.as_str())
        .bind(unix_now())
        .execute(&self.pool)
        .await?;
        if status != ConnectionStatus::PendingAuth {
            sqlx::query(
                "UPDATE merchants SET first_linked_at = $1 WHERE id = $2 AND first_linked_at IS NULL",
            )
            .bind(unix_now())
            .bind(merchant_id)
            .execute(&self.pool)
            .await?;
        }
        Ok(())
    }

    /// Whether the merchant owns the connection.
    pub async fn owns_connection(&self, merchant_id: &str, id: &str) -> Result<bool, sqlx::Error> {
        let row = sqlx::query("SELECT 1 FROM connections WHERE id = $1 AND merchant_id = $2")
            .bind(id)
            .bind(merchant_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.is_some())
    }

    /// Forgets a deleted connection.
    pub async fn delete_connection(&self, id: &str) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM connections WHERE id = $1").bind(id).execute(&self.pool).await?;
        Ok(())
    }
}
