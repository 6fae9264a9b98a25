//! Merchants: the lender's business customers, each with one Codat company once created.

use super::{unix_now, Db, Tx};

/// A merchant row.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
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

impl Db {
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

    /// The merchant with this id.
    pub async fn merchant(&self, merchant_id: &str) -> Result<Option<Merchant>, sqlx::Error> {
        sqlx::query_as("SELECT id, business_name, email, company_id FROM merchants WHERE id = $1")
            .bind(merchant_id)
            .fetch_optional(&self.pool)
            .await
    }

    /// The merchant owning a Codat company.
    pub async fn merchant_by_company(&self, company_id: &str) -> Result<Option<Merchant>, sqlx::Error> {
        sqlx::query_as("SELECT id, business_name, email, company_id FROM merchants WHERE company_id = $1")
            .bind(company_id)
            .fetch_optional(&self.pool)
            .await
    }
}

/// A merchant as the lender's back office lists it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MerchantRecord {
    /// The lender's id for the merchant.
    pub id: String,
    /// Trading name.
    pub business_name: String,
    /// The Codat company, once created.
    pub company_id: Option<String>,
    /// What the lender needs (JSON of `Requirements`).
    pub requirements: String,
    /// When the merchant became ready for a decision, if it is (Unix seconds).
    pub ready_at: Option<i64>,
    /// When the merchant was first seen (Unix seconds).
    pub created_at: i64,
}

const RECORD_COLUMNS: &str = "id, business_name, company_id, requirements, ready_at, created_at";

/// What a change of a merchant's facts starts from: its company and requirements, read under
/// the merchant's lock.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LockedMerchant {
    /// The Codat company, once created.
    pub company_id: Option<String>,
    /// What the lender needs (JSON of `Requirements`).
    pub requirements: String,
}

impl Tx {
    /// Locks the merchant's row for the rest of the transaction, so that two changes of one
    /// merchant (two data types read at once, say) are made one after the other and each sees
    /// the other's facts when it assesses readiness. A write, so that SQLite takes its write
    /// lock here, before anything is read. `None` when there is no such merchant.
    pub async fn lock_merchant(&mut self, merchant_id: &str) -> Result<Option<LockedMerchant>, sqlx::Error> {
        sqlx::query_as("UPDATE merchants SET id = id WHERE id = $1 RETURNING company_id, requirements")
            .bind(merchant_id)
            .fetch_optional(&mut *self.inner)
            .await
    }

    /// Stores what the lender needs from the merchant (JSON of `Requirements`).
    pub async fn set_requirements(
        &mut self,
        merchant_id: &str,
        requirements: &str,
    ) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE merchants SET requirements = $1 WHERE id = $2")
            .bind(requirements)
            .bind(merchant_id)
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }

    /// Records whether the merchant is ready; true when that changed (once across servers).
    pub async fn mark_ready(&mut self, merchant_id: &str, ready: bool) -> Result<bool, sqlx::Error> {
        let query = if ready {
            sqlx::query("UPDATE merchants SET ready_at = $1 WHERE id = $2 AND ready_at IS NULL")
                .bind(unix_now())
        } else {
            sqlx::query("UPDATE merchants SET ready_at = NULL WHERE ready_at IS NOT NULL AND id = $1")
        };
        let result = query.bind(merchant_id).execute(&mut *self.inner).await?;
        Ok(result.rows_affected() == 1)
    }
}

impl Db {
    /// The merchant as the back office sees it.
    pub async fn merchant_record(&self, merchant_id: &str) -> Result<Option<MerchantRecord>, sqlx::Error> {
        sqlx::query_as(&format!("SELECT {RECORD_COLUMNS} FROM merchants WHERE id = $1"))
            .bind(merchant_id)
            .fetch_optional(&self.pool)
            .await
    }

    /// One page of merchants, oldest first, optionally only those (not) ready.
    pub async fn merchant_records(
        &self,
        ready: Option<bool>,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<MerchantRecord>, sqlx::Error> {
        let filter = match ready {
            None => "",
            Some(true) => "WHERE ready_at IS NOT NULL",
            Some(false) => "WHERE ready_at IS NULL",
        };
        sqlx::query_as(&format!(
            "SELECT {RECORD_COLUMNS} FROM merchants {filter} ORDER BY created_at, id LIMIT $1 OFFSET $2"
        ))
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.pool)
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A merchant without a company, for tests.
    pub fn merchant(id: &str) -> Merchant {
        Merchant {
            id: id.into(),
            business_name: "Acme".into(),
            email: "a@acme.test".into(),
            company_id: None,
        }
    }

    #[tokio::test]
    async fn a_merchant_company_is_set_only_once_and_finds_its_merchant() {
        let (db, _dir) = super::super::tests::db().await;
        db.insert_merchant(&merchant("m1")).await.unwrap();
        let mut locked = db.lock("m1").await.unwrap();
        assert!(locked.set_company("m1", "c1").await.unwrap());
        assert!(!locked.set_company("m1", "c2").await.unwrap());
        locked.release().await.unwrap();
        assert_eq!(db.merchant("m1").await.unwrap().unwrap().company_id.as_deref(), Some("c1"));
        assert_eq!(db.merchant_by_company("c1").await.unwrap().unwrap().id, "m1");
        assert!(db.merchant_by_company("c2").await.unwrap().is_none());
    }

    #[tokio::test]
    async fn readiness_is_marked_once_and_filters_the_list() {
        let (db, _dir) = super::super::tests::db().await;
        db.insert_merchant(&merchant("m1")).await.unwrap();
        db.insert_merchant(&merchant("m2")).await.unwrap();
        let mark = |ready: bool| {
            let db = db.clone();
            async move {
                let mut tx = db.begin().await.unwrap();
                let changed = tx.mark_ready("m1", ready).await.unwrap();
                tx.commit().await.unwrap();
                changed
            }
        };
        assert!(mark(true).await);
        assert!(!mark(true).await, "already ready");
        let ids = |records: Vec<MerchantRecord>| records.into_iter().map(|r| r.id).collect::<Vec<_>>();
        assert_eq!(ids(db.merchant_records(Some(false), 0, 10).await.unwrap()), ["m2"]);
        assert_eq!(ids(db.merchant_records(Some(true), 0, 10).await.unwrap()), ["m1"]);
        assert_eq!(ids(db.merchant_records(None, 1, 10).await.unwrap()), ["m2"]);
        assert!(mark(false).await);
        assert!(!mark(false).await);
        assert_eq!(db.merchant_records(Some(false), 0, 10).await.unwrap().len(), 2);
    }
}
