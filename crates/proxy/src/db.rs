//! Durable storage: merchants and their Codat company, sessions, and received webhooks.
//!
//! The same queries run on SQLite (the default: one file, WAL, `synchronous=FULL`) and on
//! PostgreSQL (for several servers behind a load balancer), through sqlx's `Any` driver; each
//! backend has its own migrations.

use sqlx::{
    any::{install_default_drivers, AnyPoolOptions},
    sqlite::{SqliteConnectOptions, SqliteJournalMode},
    AnyPool, ConnectOptions, Connection, Executor, Row,
};
use std::{str::FromStr, time::Duration};

mod pending_links;
mod sessions;
mod settings;
mod stream_tickets;
mod sweep;
mod watch_leases;
mod webhook_failures;

pub use pending_links::{NewPendingLink, PendingLink, PendingLinkState};
pub use sessions::StoredSession;
pub use sweep::Swept;
pub use webhook_failures::FailedWebhook;

/// The database, behind a connection pool.
#[derive(Debug, Clone)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
}

/// Which database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// `sqlite://path`
    Sqlite,
    /// `postgres://...` or `postgresql://...`
    Postgres,
}

impl Backend {
    /// The backend of a database URL.
    pub fn of(url: &str) -> Result<Self, sqlx::Error> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres)
        } else {
            Err(sqlx::Error::Configuration("DATABASE_URL is sqlite://... or postgres://...".into()))
        }
    }
}

/// A merchant row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merchant {
    /// Our id for the merchant; also the Codat company's name.
    pub id: String,
    /// Trading name.
    pub business_name: String,
    /// Contact address.
    pub email: String,
    /// The Codat company, once created.
    pub company_id: Option<String>,
}

/// A key held by [`Db::lock`], and the queries made while holding it. On PostgreSQL they run in
/// the lock's own transaction: a holder that asked the pool for a second connection could wait
/// forever once every pooled connection is a holder doing the same.
#[derive(Debug)]
pub struct Locked<'db> {
    db: &'db Db,
    transaction: Option<sqlx::Transaction<'static, sqlx::Any>>,
}

impl Locked<'_> {
    /// The merchant's Codat company, if one is stored.
    pub async fn company_of(&mut self, merchant_id: &str) -> Result<Option<String>, sqlx::Error> {
        let query = sqlx::query_scalar::<_, Option<String>>("SELECT company_id FROM merchants WHERE id = $1")
            .bind(merchant_id);
        let found = match &mut self.transaction {
            Some(transaction) => query.fetch_optional(&mut **transaction).await?,
            None => query.fetch_optional(&self.db.pool).await?,
        };
        Ok(found.flatten())
    }

    /// Stores the merchant's Codat company unless one is stored; true when this call stored it.
    pub async fn set_company(&mut self, merchant_id: &str, company_id: &str) -> Result<bool, sqlx::Error> {
        let query = sqlx::query("UPDATE merchants SET company_id = $1 WHERE id = $2 AND company_id IS NULL")
            .bind(company_id)
            .bind(merchant_id);
        let result = match &mut self.transaction {
            Some(transaction) => query.execute(&mut **transaction).await?,
            None => query.execute(&self.db.pool).await?,
        };
        Ok(result.rows_affected() == 1)
    }

    /// Keeps what was written and lets the next holder in.
    pub async fn release(self) -> Result<(), sqlx::Error> {
        match self.transaction {
            Some(transaction) => transaction.commit().await,
            None => Ok(()),
        }
    }
}

impl Db {
    /// Opens (creating an SQLite file if needed) the database at `url` and applies pending
    /// migrations.
    pub async fn connect(url: &str) -> Result<Self, sqlx::Error> {
        install_default_drivers();
        let backend = Backend::of(url)?;
        let mut options = AnyPoolOptions::new().max_connections(8).acquire_timeout(Duration::from_secs(10));
        if backend == Backend::Sqlite {
            // Create the file and switch it to write-ahead logging once; the rest is per connection.
            SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .connect()
                .await?
                .close()
                .await?;
            options = options.after_connect(|connection, _| {
                Box::pin(async move {
                    connection
                        .execute("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;")
                        .await?;
                    Ok(())
                })
            });
        }
        let pool = options.connect(url).await?;
        match backend {
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite").run(&pool).await?,
            Backend::Postgres => sqlx::migrate!("./migrations/postgres").run(&pool).await?,
        }
        Ok(Self { pool, backend })
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Records a new merchant without a company yet.
    pub async fn insert_merchant(&self, merchant: &Merchant) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO merchants (id, business_name, email, company_id, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&merchant.id)
        .bind(&merchant.business_name)
        .bind(&merchant.email)
        .bind(&merchant.company_id)
        .bind(unix_now())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Records a merchant unless one with its id exists; true when this call created it.
    pub async fn claim_merchant(&self, merchant: &Merchant) -> Result<bool, sqlx::Error> {
        let result = sqlx::query(
            "INSERT INTO merchants (id, business_name, email, company_id, created_at) VALUES ($1, $2, $3, NULL, $4) \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(&merchant.id)
        .bind(&merchant.business_name)
        .bind(&merchant.email)
        .bind(unix_now())
        .execute(&self.pool)
        .await?;
        Ok(result.rows_affected() == 1)
    }

    /// Records (or refreshes) a connection of a merchant; a connection never changes owner.
    pub async fn upsert_connection(
        &self,
        id: &str,
        merchant_id: &str,
        platform_key: Option<&str>,
        status: &str,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO connections (id, merchant_id, platform_key, status, updated_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (id) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at \
             WHERE connections.merchant_id = excluded.merchant_id",
        )
        .bind(id)
        .bind(merchant_id)
        .bind(platform_key)
        .bind(status)
        .bind(unix_now())
        .execute(&self.pool)
        .await?;
        if status != "PendingAuth" {
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

    /// The stored grid of a source type and its age in seconds.
    pub async fn cached_grid(&self, source_type: &str) -> Result<Option<(String, i64)>, sqlx::Error> {
        let row = sqlx::query("SELECT cards, fetched_at FROM branding_cache WHERE source_type = $1")
            .bind(source_type)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|row| (row.get("cards"), unix_now() - row.get::<i64, _>("fetched_at"))))
    }

    /// Stores a freshly fetched grid.
    pub async fn store_grid(&self, source_type: &str, cards: &str) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO branding_cache (source_type, cards, fetched_at) VALUES ($1, $2, $3) \
             ON CONFLICT (source_type) DO UPDATE SET cards = excluded.cards, fetched_at = excluded.fetched_at",
        )
        .bind(source_type)
        .bind(cards)
        .bind(unix_now())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Holds `key` for the caller, so servers sharing a PostgreSQL database do one thing at a
    /// time for that key (an advisory lock in a transaction; nothing on SQLite, where one server
    /// owns the file). Released by [`Locked::release`], or by dropping it (undoing its writes).
    pub async fn lock(&self, key: &str) -> Result<Locked<'_>, sqlx::Error> {
        if self.backend != Backend::Postgres {
            return Ok(Locked { db: self, transaction: None });
        }
        let mut transaction = self.pool.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))")
            .bind(key)
            .execute(&mut *transaction)
            .await?;
        Ok(Locked { db: self, transaction: Some(transaction) })
    }

    /// Sends a PostgreSQL notification on `channel` (only meaningful on PostgreSQL).
    pub async fn notify(&self, channel: &str, payload: &str) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT pg_notify($1, $2)").bind(channel).bind(payload).execute(&self.pool).await?;
        Ok(())
    }

    /// Whether the database answers.
    pub async fn is_ready(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }

    /// Stores the Codat company created for a merchant; a merchant's company is set once.
    pub async fn set_company(&self, merchant_id: &str, company_id: &str) -> Result<bool, sqlx::Error> {
        let result = sqlx::query("UPDATE merchants SET company_id = $1 WHERE id = $2 AND company_id IS NULL")
            .bind(company_id)
            .bind(merchant_id)
            .execute(&self.pool)
            .await?;
        Ok(result.rows_affected() == 1)
    }

    /// The merchant with this id.
    pub async fn merchant(&self, merchant_id: &str) -> Result<Option<Merchant>, sqlx::Error> {
        let row = sqlx::query("SELECT id, business_name, email, company_id FROM merchants WHERE id = $1")
            .bind(merchant_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|row| Merchant {
            id: row.get("id"),
            business_name: row.get("business_name"),
            email: row.get("email"),
            company_id: row.get("company_id"),
        }))
    }

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

    /// Marks a stored webhook as processed.
    pub async fn mark_webhook_processed(&self, id: &str) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE webhook_events SET processed_at = $1 WHERE id = $2")
            .bind(unix_now())
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Webhooks stored but not yet processed (left by a crash), oldest first: `(id, body)`.
    pub async fn unprocessed_webhook_events(&self) -> Result<Vec<(String, String)>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT id, body FROM webhook_events WHERE processed_at IS NULL ORDER BY received_at",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|row| (row.get("id"), row.get("body"))).collect())
    }

    /// The merchant owning a Codat company.
    pub async fn merchant_by_company(&self, company_id: &str) -> Result<Option<Merchant>, sqlx::Error> {
        let row = sqlx::query("SELECT id FROM merchants WHERE company_id = $1")
            .bind(company_id)
            .fetch_optional(&self.pool)
            .await?;
        match row {
            Some(row) => self.merchant(row.get::<String, _>("id").as_str()).await,
            None => Ok(None),
        }
    }
}

/// Now, in Unix seconds: the clock every stored expiry is compared with.
pub(crate) fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn db() -> (Db, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        (Db::connect(&url).await.unwrap(), dir)
    }

    fn merchant(id: &str) -> Merchant {
        Merchant {
            id: id.into(),
            business_name: "Acme".into(),
            email: "a@acme.test".into(),
            company_id: None,
        }
    }

    #[tokio::test]
    async fn a_merchant_company_is_set_only_once() {
        let (db, _dir) = db().await;
        db.insert_merchant(&merchant("m1")).await.unwrap();
        assert!(db.set_company("m1", "c1").await.unwrap());
        assert!(!db.set_company("m1", "c2").await.unwrap());
        assert_eq!(db.merchant("m1").await.unwrap().unwrap().company_id.as_deref(), Some("c1"));
    }

    #[tokio::test]
    async fn sqlite_runs_with_write_ahead_logging_and_full_sync() {
        let (db, _dir) = db().await;
        let mode: String = sqlx::query("PRAGMA journal_mode").fetch_one(&db.pool).await.unwrap().get(0);
        let sync: i64 = sqlx::query("PRAGMA synchronous").fetch_one(&db.pool).await.unwrap().get(0);
        assert_eq!((mode.as_str(), sync), ("wal", 2));
    }

    #[tokio::test]
    async fn a_webhook_id_is_stored_once() {
        let (db, _dir) = db().await;
        assert!(db.insert_webhook_event("msg_1", "connection.connected", "{}").await.unwrap());
        assert!(!db.insert_webhook_event("msg_1", "connection.connected", "{}").await.unwrap());
        assert_eq!(db.unprocessed_webhook_events().await.unwrap().len(), 1);
        db.mark_webhook_processed("msg_1").await.unwrap();
        assert!(db.unprocessed_webhook_events().await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn data_survives_reopening_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        Db::connect(&url).await.unwrap().insert_merchant(&merchant("m1")).await.unwrap();
        let reopened = Db::connect(&url).await.unwrap();
        assert!(reopened.merchant("m1").await.unwrap().is_some());
    }
}
