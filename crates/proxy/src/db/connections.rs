//! Which merchant owns each connection (checked before Codat is asked about an id), with the
//! status last seen, its kind and platform (for readiness and the status API).

use super::{unix_now, Db, Tx};
use codat::ConnectionStatus;
use codat_connect_api::SourceType;

/// What is stored of a connection.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionFacts<'a> {
    /// Codat's connection id.
    pub id: &'a str,
    /// The platform's key, where Codat gave it.
    pub platform_key: Option<&'a str>,
    /// The platform's name.
    pub platform_name: &'a str,
    /// Codat's source type (`Accounting`, `Banking`, ...).
    pub source_type: &'a str,
    /// The status now.
    pub status: ConnectionStatus,
}

impl<'a> ConnectionFacts<'a> {
    /// The facts of a connection as Codat answered it.
    pub fn of(connection: &'a codat::Connection) -> Self {
        Self {
            id: &connection.id,
            platform_key: connection.integration_key.as_deref(),
            platform_name: &connection.platform_name,
            source_type: connection.source_type.as_str(),
            status: connection.status,
        }
    }
}

/// A merchant's connection as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredConnection {
    /// Codat's connection id.
    pub id: String,
    /// The platform's key.
    pub platform_key: Option<String>,
    /// The platform's name (none for a connection stored before names were).
    pub platform_name: Option<String>,
    /// Codat's source type, likewise.
    pub source_type: Option<String>,
    /// Codat's status, as last seen.
    #[sqlx(try_from = "String")]
    pub status: ConnectionStatus,
    /// When it was first seen here (Unix seconds).
    pub created_at: Option<i64>,
    /// When its status was last seen to change (Unix seconds).
    pub updated_at: i64,
    /// When the owner's Link attempt still waiting for an outcome began, if one is.
    pub attempt_started_at: Option<i64>,
}

impl StoredConnection {
    /// Its kind of platform ([`SourceType::Other`] for one stored before kinds were).
    pub fn kind(&self) -> SourceType {
        self.source_type.as_deref().map_or(SourceType::Other, SourceType::parse)
    }
}

/// The merchant's connections, oldest first, through any executor (the pool or a transaction).
async fn connections_of<'e>(
    executor: impl sqlx::Executor<'e, Database = sqlx::Any>,
    merchant_id: &str,
) -> Result<Vec<StoredConnection>, sqlx::Error> {
    sqlx::query_as(
        "SELECT c.id, c.platform_key, c.platform_name, c.source_type, c.status, c.created_at, c.updated_at, \
         a.started_at AS attempt_started_at FROM connections c \
         LEFT JOIN link_attempts a ON a.connection_id = c.id AND a.outcome IS NULL \
         WHERE c.merchant_id = $1 ORDER BY c.created_at, c.id",
    )
    .bind(merchant_id)
    .fetch_all(executor)
    .await
}

impl Tx {
    /// Records (or refreshes) a connection of a merchant; a connection never changes owner. True
    /// when this call saw it new or its status changed (once, however many servers see the change).
    pub async fn upsert_connection(
        &mut self,
        merchant_id: &str,
        facts: ConnectionFacts<'_>,
    ) -> Result<bool, sqlx::Error> {
        let now = unix_now();
        let changed = sqlx::query(
            "UPDATE connections SET status = $1, updated_at = $2, source_type = $3, platform_name = $4, \
             platform_key = COALESCE($5, platform_key) WHERE id = $6 AND merchant_id = $7 AND status <> $1",
        )
        .bind(facts.status.as_str())
        .bind(now)
        .bind(facts.source_type)
        .bind(facts.platform_name)
        .bind(facts.platform_key)
        .bind(facts.id)
        .bind(merchant_id)
        .execute(&mut *self.inner)
        .await?
        .rows_affected()
            == 1;
        let changed = changed
            || sqlx::query(
                "INSERT INTO connections (id, merchant_id, platform_key, platform_name, source_type, status, \
                 created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) ON CONFLICT (id) DO NOTHING",
            )
            .bind(facts.id)
            .bind(merchant_id)
            .bind(facts.platform_key)
            .bind(facts.platform_name)
            .bind(facts.source_type)
            .bind(facts.status.as_str())
            .bind(now)
            .execute(&mut *self.inner)
            .await?
            .rows_affected()
                == 1;
        if changed && facts.status != ConnectionStatus::PendingAuth {
            sqlx::query(
                "UPDATE merchants SET first_linked_at = $1 WHERE id = $2 AND first_linked_at IS NULL",
            )
            .bind(now)
            .bind(merchant_id)
            .execute(&mut *self.inner)
            .await?;
        }
        Ok(changed)
    }

    /// The merchant's connections as this transaction sees them.
    pub async fn merchant_connections(
        &mut self,
        merchant_id: &str,
    ) -> Result<Vec<StoredConnection>, sqlx::Error> {
        connections_of(&mut *self.inner, merchant_id).await
    }

    /// Forgets a deleted connection; true when it was known (once across servers).
    pub async fn delete_connection(&mut self, id: &str) -> Result<bool, sqlx::Error> {
        let deleted =
            sqlx::query("DELETE FROM connections WHERE id = $1").bind(id).execute(&mut *self.inner).await?;
        Ok(deleted.rows_affected() == 1)
    }
}

impl Db {
    /// The merchant's connections, oldest first.
    pub async fn merchant_connections(
        &self,
        merchant_id: &str,
    ) -> Result<Vec<StoredConnection>, sqlx::Error> {
        connections_of(&self.pool, merchant_id).await
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

    /// The merchant owning a connection, if it is known here.
    pub async fn connection_owner(&self, id: &str) -> Result<Option<String>, sqlx::Error> {
        sqlx::query_scalar("SELECT merchant_id FROM connections WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(status: ConnectionStatus) -> ConnectionFacts<'static> {
        ConnectionFacts {
            id: "c1",
            platform_key: Some("gbol"),
            platform_name: "Xero",
            source_type: "Accounting",
            status,
        }
    }

    #[tokio::test]
    async fn a_connection_is_new_once_and_changed_once_per_status() {
        let (db, _dir) = super::super::tests::db_with_merchant().await;
        let mut tx = db.begin().await.unwrap();
        assert!(tx.upsert_connection("m1", facts(ConnectionStatus::PendingAuth)).await.unwrap());
        assert!(!tx.upsert_connection("m1", facts(ConnectionStatus::PendingAuth)).await.unwrap());
        assert!(tx.upsert_connection("m1", facts(ConnectionStatus::Linked)).await.unwrap());
        assert!(!tx.upsert_connection("m1", facts(ConnectionStatus::Linked)).await.unwrap());
        tx.commit().await.unwrap();
        let stored = db.merchant_connections("m1").await.unwrap();
        assert_eq!(stored.len(), 1);
        assert_eq!(stored[0].status, ConnectionStatus::Linked);
        assert_eq!(stored[0].kind(), SourceType::Accounting);
        let mut tx = db.begin().await.unwrap();
        assert!(tx.delete_connection("c1").await.unwrap());
        assert!(!tx.delete_connection("c1").await.unwrap());
        tx.commit().await.unwrap();
    }

    #[tokio::test]
    async fn a_misspelt_stored_status_is_an_error_not_another_status() {
        let (db, _dir) = super::super::tests::db_with_merchant().await;
        let mut tx = db.begin().await.unwrap();
        tx.upsert_connection("m1", facts(ConnectionStatus::Linked)).await.unwrap();
        tx.commit().await.unwrap();
        sqlx::query("UPDATE connections SET status = 'linked'").execute(&db.pool).await.unwrap();
        assert!(db.merchant_connections("m1").await.is_err());
    }
}
