//! The business at each merchant's accounting platform, as Codat's company information last
//! named it, and the one named before it when it changed.

use super::{Db, Tx};

/// A merchant's business as its accounting platform names it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredIdentity {
    /// Its name.
    pub company_name: String,
    /// Its registration number.
    pub registration_number: Option<String>,
    /// The read of the `company` data type it came from.
    pub read_id: String,
    /// The business named before, when the latest change named another.
    pub previous_name: Option<String>,
    /// Its registration number.
    pub previous_number: Option<String>,
    /// When it changed (Unix seconds).
    pub changed_at: Option<i64>,
}

impl StoredIdentity {
    /// The business `seen` in the read `read_id`, with no change on record.
    pub fn of(seen: codat_connect_api::lender_events::CompanyIdentity, read_id: &str) -> Self {
        Self {
            company_name: seen.company_name,
            registration_number: seen.registration_number,
            read_id: read_id.to_owned(),
            previous_name: None,
            previous_number: None,
            changed_at: None,
        }
    }
}

const COLUMNS: &str =
    "company_name, registration_number, read_id, previous_name, previous_number, changed_at";

impl Tx {
    /// The merchant's stored business, as this transaction sees it.
    pub async fn identity(&mut self, merchant_id: &str) -> Result<Option<StoredIdentity>, sqlx::Error> {
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM company_identities WHERE merchant_id = $1"))
            .bind(merchant_id)
            .fetch_optional(&mut *self.inner)
            .await
    }

    /// Stores the merchant's business as `identity` says, at `now`.
    pub async fn store_identity(
        &mut self,
        merchant_id: &str,
        identity: &StoredIdentity,
        now: i64,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(&format!(
            "INSERT INTO company_identities (merchant_id, {COLUMNS}, seen_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (merchant_id) DO UPDATE SET company_name = $2, registration_number = $3, read_id = $4, \
             previous_name = $5, previous_number = $6, changed_at = $7, seen_at = $8"
        ))
        .bind(merchant_id)
        .bind(&identity.company_name)
        .bind(&identity.registration_number)
        .bind(&identity.read_id)
        .bind(&identity.previous_name)
        .bind(&identity.previous_number)
        .bind(identity.changed_at)
        .bind(now)
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }
}

impl Db {
    /// The merchant's stored business.
    pub async fn identity(&self, merchant_id: &str) -> Result<Option<StoredIdentity>, sqlx::Error> {
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM company_identities WHERE merchant_id = $1"))
            .bind(merchant_id)
            .fetch_optional(&self.pool)
            .await
    }
}
