//! One thing at a time per key across servers: PostgreSQL advisory locks, and the queries made
//! while holding one.

use super::{Backend, Db};

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
}
