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

/// A document's upload about to begin.
#[derive(Debug, Clone, Copy)]
pub struct NewUpload<'a> {
    /// The document's id, kept when it is recorded.
    pub id: &'a str,
    /// The kind it stands in for.
    pub kind: SourceType,
    /// Its name, as sent to Codat.
    pub name: &'a str,
    /// Its size in bytes.
    pub size: i64,
    /// When (Unix seconds).
    pub started_at: i64,
}

/// A document's upload begun and not yet recorded.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct UnsettledUpload {
    /// The document's id, kept if it is recorded.
    pub id: String,
    /// The merchant who sent it.
    pub merchant_id: String,
    /// The kind it stands in for, as stored.
    pub kind: String,
    /// Its name, as sent to Codat.
    pub name: String,
    /// Its size in bytes.
    pub size: i64,
    /// When the upload began (Unix seconds).
    pub started_at: i64,
}

/// Deletes the upload `id`: whether there was one.
async fn delete_upload<'e>(
    executor: impl sqlx::Executor<'e, Database = sqlx::Any>,
    id: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM document_uploads WHERE id = $1").bind(id).execute(executor).await?;
    Ok(done.rows_affected() > 0)
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

    /// Settles the upload `id` as recorded: whether it was still unsettled (the sweep and the
    /// page, or two servers' sweeps, record it once).
    pub async fn settle_upload(&mut self, id: &str) -> Result<bool, sqlx::Error> {
        delete_upload(&mut *self.inner, id).await
    }

    /// The merchant's documents, oldest first, as this transaction sees them.
    pub async fn documents(&mut self, merchant_id: &str) -> Result<Vec<StoredDocument>, sqlx::Error> {
        documents_of(&mut *self.inner, merchant_id).await
    }
}

impl Db {
    /// Notes a document's upload about to begin, before Codat sees it.
    pub async fn begin_upload(&self, merchant_id: &str, upload: NewUpload<'_>) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO document_uploads (id, merchant_id, kind, name, size, started_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(upload.id)
        .bind(merchant_id)
        .bind(upload.kind.as_str())
        .bind(upload.name)
        .bind(upload.size)
        .bind(upload.started_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Forgets an upload that did not reach Codat.
    pub async fn forget_upload(&self, id: &str) -> Result<(), sqlx::Error> {
        delete_upload(&self.pool, id).await?;
        Ok(())
    }

    /// Uploads begun before `before` (Unix seconds) and never recorded, oldest first, of
    /// merchants with no upload begun since (one may still be on its way).
    pub async fn unsettled_uploads(&self, before: i64) -> Result<Vec<UnsettledUpload>, sqlx::Error> {
        sqlx::query_as(
            "SELECT id, merchant_id, kind, name, size, started_at FROM document_uploads \
             WHERE started_at < $1 AND merchant_id NOT IN \
             (SELECT merchant_id FROM document_uploads WHERE started_at >= $1) \
             ORDER BY merchant_id, started_at, id LIMIT 200",
        )
        .bind(before)
        .fetch_all(&self.pool)
        .await
    }

    /// Whether the merchant has an upload begun at or after `since` (Unix seconds).
    pub async fn uploading_since(&self, merchant_id: &str, since: i64) -> Result<bool, sqlx::Error> {
        let found: Option<(String,)> = sqlx::query_as(
            "SELECT id FROM document_uploads WHERE merchant_id = $1 AND started_at >= $2 LIMIT 1",
        )
        .bind(merchant_id)
        .bind(since)
        .fetch_optional(&self.pool)
        .await?;
        Ok(found.is_some())
    }

    /// The merchant's documents, oldest first.
    pub async fn documents(&self, merchant_id: &str) -> Result<Vec<StoredDocument>, sqlx::Error> {
        documents_of(&self.pool, merchant_id).await
    }
}
