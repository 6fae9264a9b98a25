//! Merchants: the lender's business customers, each with one Codat company once created.

use super::{unix_now, Db};

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
}
