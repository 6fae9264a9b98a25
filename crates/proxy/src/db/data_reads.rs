//! Where each data type's read stands for a merchant, as Codat last said it (a `read.completed`
//! webhook, or the watcher's look at `dataStatus`): the first-read progress the status API shows
//! and readiness waits on.

use super::{unix_now, Db, Tx};
use codat_connect_api::SyncState;

/// One data type's read as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DataRead {
    /// Codat's data type, e.g. `invoices` or `banking-accounts`.
    pub data_type: String,
    /// The simplified state.
    #[sqlx(try_from = "String")]
    pub status: SyncState,
    /// When it last changed (Unix seconds).
    pub updated_at: i64,
}

/// The merchant's reads by data type, through any executor (the pool or a transaction).
async fn reads_of<'e>(
    executor: impl sqlx::Executor<'e, Database = sqlx::Any>,
    merchant_id: &str,
) -> Result<Vec<DataRead>, sqlx::Error> {
    sqlx::query_as(
        "SELECT data_type, status, updated_at FROM data_reads WHERE merchant_id = $1 ORDER BY data_type",
    )
    .bind(merchant_id)
    .fetch_all(executor)
    .await
}

impl Tx {
    /// Records a data type's read state; true when it changed (once across servers).
    pub async fn record_read(
        &mut self,
        merchant_id: &str,
        data_type: &str,
        status: SyncState,
    ) -> Result<bool, sqlx::Error> {
        let written = sqlx::query(
            "INSERT INTO data_reads (merchant_id, data_type, status, updated_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (merchant_id, data_type) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at \
             WHERE data_reads.status <> excluded.status",
        )
        .bind(merchant_id)
        .bind(data_type)
        .bind(status.as_str())
        .bind(unix_now())
        .execute(&mut *self.inner)
        .await?;
        Ok(written.rows_affected() == 1)
    }

    /// The merchant's reads as this transaction sees them.
    pub async fn data_reads(&mut self, merchant_id: &str) -> Result<Vec<DataRead>, sqlx::Error> {
        reads_of(&mut *self.inner, merchant_id).await
    }
}

impl Db {
    /// The merchant's data types, by name.
    pub async fn data_reads(&self, merchant_id: &str) -> Result<Vec<DataRead>, sqlx::Error> {
        reads_of(&self.pool, merchant_id).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_read_state_counts_as_changed_only_when_it_differs() {
        let (db, _dir) = super::super::tests::db_with_merchant().await;
        let mut tx = db.begin().await.unwrap();
        assert!(tx.record_read("m1", "invoices", SyncState::Queued).await.unwrap());
        assert!(!tx.record_read("m1", "invoices", SyncState::Queued).await.unwrap());
        assert!(tx.record_read("m1", "invoices", SyncState::Complete).await.unwrap());
        tx.commit().await.unwrap();
        let reads = db.data_reads("m1").await.unwrap();
        assert_eq!(reads.len(), 1);
        assert_eq!(reads[0].status, SyncState::Complete);
    }
}
