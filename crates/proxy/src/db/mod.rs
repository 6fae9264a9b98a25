//! Durable storage. The same queries run on SQLite (the default: one file, WAL,
//! `synchronous=FULL`) and on PostgreSQL (for several servers behind a load balancer), through
//! sqlx's `Any` driver; each backend has its own migrations. One module per table or subject:
//!
//! - the merchant and its access: `merchants`, `sessions`, `stream_tickets`, `link_starts`,
//!   `handoffs` (someone else the owner asked to link);
//! - its connections and what follows from them: `connections`, `pending_links`,
//!   `consent_receipts`, `data_reads`;
//! - what the lender hears and sees: `lender_events` (the outbox), `funnel`, `gauges`,
//!   `platform_health` (Link attempts and the platforms judged degraded);
//! - Codat's side: `webhooks` (as received), `grid` (the integration grid as Codat gave it);
//! - the servers' own: `settings`, `watch_leases`, `lock`, `sweep` (what retention removes).
//!
//! Only `crate::facts` writes a merchant's facts, each change in one [`Tx`].

use sqlx::{
    any::{install_default_drivers, AnyPoolOptions},
    sqlite::{SqliteConnectOptions, SqliteJournalMode},
    AnyPool, ConnectOptions, Connection, Executor,
};
use std::{str::FromStr, time::Duration};

/// Reads a column of text as an enum with `TryFrom<String>` (an unknown value is an error, never
/// a guess), so that `Option<Enum>` fields decode too.
macro_rules! text_column {
    ($name:ty) => {
        impl sqlx::Type<sqlx::Any> for $name {
            fn type_info() -> sqlx::any::AnyTypeInfo {
                <String as sqlx::Type<sqlx::Any>>::type_info()
            }

            fn compatible(ty: &sqlx::any::AnyTypeInfo) -> bool {
                <String as sqlx::Type<sqlx::Any>>::compatible(ty)
            }
        }

        impl<'r> sqlx::Decode<'r, sqlx::Any> for $name {
            fn decode(value: sqlx::any::AnyValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
                let text = <String as sqlx::Decode<sqlx::Any>>::decode(value)?;
                Ok(Self::try_from(text)?)
            }
        }
    };
}
use text_column;

mod connections;
mod consent_receipts;
mod data_reads;
mod documents;
mod funnel;
mod gauges;
mod grid;
mod handoffs;
mod identities;
mod lender_events;
mod link_starts;
mod lock;
mod merchants;
mod pending_links;
mod platform_health;
mod sessions;
mod settings;
mod stream_tickets;
mod sweep;
mod watch_leases;
mod webhooks;

pub use connections::{ConnectionFacts, StoredConnection};
pub use consent_receipts::{NewReceipt, StoredReceipt, Withdrawal};
pub use data_reads::DataRead;
pub use documents::{NewDocument, NewUpload, StoredDocument, UnsettledUpload};
pub use funnel::FunnelCounts;
pub use gauges::StoredGauges;
pub use handoffs::StoredHandoff;
pub use identities::StoredIdentity;
pub use lender_events::{DeliveryRecord, DeliveryStatus, DueDelivery, NewLenderEvent};
pub use lock::Locked;
pub use merchants::{LockedMerchant, Merchant, MerchantRecord};
pub use pending_links::{NewPendingLink, PendingLink, PendingLinkState};
pub use platform_health::{AttemptOutcome, PlatformHealthRow, Tally};
pub use sessions::{SessionExtras, StoredSession};
pub use sweep::Swept;
pub use webhooks::FailedWebhook;

/// The database, behind a connection pool.
#[derive(Debug, Clone)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
}

/// A database transaction. The one writer of a merchant's facts (`crate::facts`) makes each
/// change in one: its writes are kept together at [`Tx::commit`], or none of them (dropped
/// without it, or a process killed before it).
#[derive(Debug)]
pub struct Tx {
    inner: sqlx::Transaction<'static, sqlx::Any>,
    backend: Backend,
}

impl Tx {
    /// Keeps every write made in the transaction.
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.inner.commit().await
    }

    /// On PostgreSQL, a notification on `channel` that every listener receives if, and only
    /// when, this transaction commits; nothing on SQLite, where one server makes every change.
    pub async fn notify_on_commit(&mut self, channel: &str, payload: &str) -> Result<(), sqlx::Error> {
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(channel)
                .bind(payload)
                .execute(&mut *self.inner)
                .await?;
        }
        Ok(())
    }
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
            // A connection to a local file does not go stale: the ping sqlx sends before handing
            // one out (a round trip through the connection's worker thread) only adds latency.
            options = options.test_before_acquire(false).after_connect(|connection, _| {
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

    /// Starts a transaction.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        Ok(Tx { inner: self.pool.begin().await?, backend: self.backend })
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Sends a PostgreSQL notification on `channel` (only meaningful on PostgreSQL).
    pub async fn notify(&self, channel: &str, payload: &str) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT pg_notify($1, $2)").bind(channel).bind(payload).execute(&self.pool).await?;
        Ok(())
    }

    /// Writes a consistent copy of an SQLite database into the new file `to` while others keep
    /// using it (`VACUUM INTO`); PostgreSQL is backed up with `pg_dump` instead.
    pub async fn back_up_into(&self, to: &std::path::Path) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.backend == Backend::Sqlite,
            "back up PostgreSQL with pg_dump (see OPERATIONS.md); `backup` copies SQLite files"
        );
        anyhow::ensure!(!to.exists(), "{} exists already; name a new file", to.display());
        let path = to.to_str().ok_or_else(|| anyhow::anyhow!("the backup's path is not UTF-8"))?;
        sqlx::query("VACUUM INTO $1").bind(path).execute(&self.pool).await?;
        Ok(())
    }

    /// Whether the database answers.
    pub async fn is_ready(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }
}

/// Now, in Unix milliseconds.
pub fn unix_now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

/// Now, in Unix seconds: the clock every stored expiry is compared with.
pub(crate) fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

/// Unix seconds as an RFC 3339 date-time (UTC), as the lender's API and exports write them.
pub fn rfc3339(seconds: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(seconds)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A database in a fresh SQLite file.
    pub async fn db() -> (Db, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        (Db::connect(&url).await.unwrap(), dir)
    }

    /// A database holding one merchant, `m1`, without a company yet.
    pub async fn db_with_merchant() -> (Db, tempfile::TempDir) {
        let (db, dir) = db().await;
        let merchant = Merchant {
            id: "m1".into(),
            business_name: "Acme".into(),
            email: String::new(),
            company_id: None,
        };
        db.insert_merchant(&merchant).await.unwrap();
        (db, dir)
    }

    #[tokio::test]
    async fn sqlite_runs_with_write_ahead_logging_and_full_sync() {
        let (db, _dir) = db().await;
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(&db.pool).await.unwrap();
        let sync: i64 = sqlx::query_scalar("PRAGMA synchronous").fetch_one(&db.pool).await.unwrap();
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
        let merchant = Merchant {
            id: "m1".into(),
            business_name: "Acme".into(),
            email: String::new(),
            company_id: None,
        };
        Db::connect(&url).await.unwrap().insert_merchant(&merchant).await.unwrap();
        let reopened = Db::connect(&url).await.unwrap();
        assert!(reopened.merchant("m1").await.unwrap().is_some());
    }
}
