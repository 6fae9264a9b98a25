//! Documents an owner sent instead of linking a platform: what, for which kind, and when (the
//! bytes are at Codat, through the merchant's file upload connection).

use super::{Db, Tx};
use codat_connect_api::SourceType;

/// A document as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredDocument {
    /// Its id.
    pub id: String,
    /// The kind it stands in for, as stored (`Accounting`, ...).
    pub kind: String,
    /// Its name.
    pub name: String,
    /// Its size in bytes.
    pub size: i64,
    /// When it was sent (Unix seconds).
    pub sent_at: i64,
}

impl StoredDocument {
    /// The kind it stands in for.
    pub fn kind(&self) -> SourceType {
        SourceType::parse(&self.kind)
    }
}

/// A document to record.
#[derive(Debug, Clone, Copy)]
pub struct NewDocument<'a> {
    /// Its id.
    pub id: &'a str,
    /// The kind it stands in for.
    pub kind: SourceType,
    /// Its name.
    pub name: &'a str,
    /// Its size in bytes.
    pub size: i64,
    /// The file upload connection it went through.
    pub connection_id: &'a str,
    /// When (Unix seconds).
    pub sent_at: i64,
}

async fn documents_of<'e>(
    executor: impl sqlx::Executor<'e, Database = sqlx::Any>,
    merchant_id: &str,
) -> Result<Vec<StoredDocument>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, kind, name, size, sent_at FROM documents WHERE merchant_id = $1 ORDER BY sent_at, id",
    )
    .bind(merchant_id)
    .fetch_all(executor)
    .await
}

impl Tx {
    /// Records a document sent.
    pub async fn insert_document(
        &mut self,
        merchant_id: &str,
        document: NewDocument<'_>,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO documents (id, merchant_id, kind, name, size, connection_id, sent_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(document.id)
        .bind(merchant_id)
        .bind(document.kind.as_str())
        .bind(document.name)
        .bind(document.size)
        .bind(document.connection_id)
        .bind(document.sent_at)
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    /// The merchant's documents, oldest first, as this transaction sees them.
    pub async fn documents(&mut self, merchant_id: &str) -> Result<Vec<StoredDocument>, sqlx::Error> {
        documents_of(&mut *self.inner, merchant_id).await
    }
}

impl Db {
    /// The merchant's documents, oldest first.
    pub async fn documents(&self, merchant_id: &str) -> Result<Vec<StoredDocument>, sqlx::Error> {
        documents_of(&self.pool, merchant_id).await
    }
}
