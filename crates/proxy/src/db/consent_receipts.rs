//! Consent receipts: one per connection, with what the owner agreed to, and its withdrawal.

use super::{unix_now, Db, Tx};
use crate::db::rfc3339;
use codat_connect_api::ConsentReceipt;
use serde::Serialize;

/// A receipt to store.
#[derive(Debug, Clone, Copy)]
pub struct NewReceipt<'a> {
    /// The merchant.
    pub merchant_id: &'a str,
    /// The connection consented for.
    pub connection_id: &'a str,
    /// Its platform's key.
    pub platform_key: &'a str,
    /// Its platform's name.
    pub platform_name: &'a str,
    /// Its kind (`Accounting`, ...).
    pub source_type: &'a str,
    /// The language the terms were shown in.
    pub locale: &'a str,
    /// The terms' version.
    pub version: &'a str,
    /// The SHA-256 of the terms' whole text.
    pub text_hash: &'a str,
    /// The data types agreed to (JSON array).
    pub data_types: &'a str,
    /// Who agreed, when the owner handed the linking to someone else: the person the hand-off
    /// named (the agreement came through the hand-off's link).
    pub handoff_person: Option<&'a str>,
}

/// A stored receipt, as the lender exports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
pub struct StoredReceipt {
    /// The connection.
    pub connection_id: String,
    /// The merchant.
    pub merchant_id: String,
    /// The platform's key.
    pub platform_key: String,
    /// The platform's name.
    pub platform_name: String,
    /// The kind of platform.
    pub source_type: String,
    /// The language of the terms.
    pub locale: String,
    /// The terms' version.
    pub version: String,
    /// The SHA-256 of the terms' text.
    pub text_hash: String,
    /// The data types agreed to (JSON array).
    pub data_types: String,
    /// When (Unix seconds).
    pub given_at: i64,
    /// When the connection was unlinked or removed (Unix seconds).
    pub withdrawn_at: Option<i64>,
    /// How consent was withdrawn.
    pub withdrawal: Option<Withdrawal>,
    /// Who agreed, when it came through a hand-off: the person the owner named.
    pub handoff_person: Option<String>,
}

/// How consent to a connection ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Withdrawal {
    /// The connection was unlinked (data read so far kept).
    Unlinked,
    /// The connection was deleted with its data.
    Removed,
}

impl Withdrawal {
    /// As stored and exported.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unlinked => "unlinked",
            Self::Removed => "removed",
        }
    }
}

impl TryFrom<String> for Withdrawal {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        [Self::Unlinked, Self::Removed]
            .into_iter()
            .find(|kind| kind.as_str() == text)
            .ok_or_else(|| format!("unknown withdrawal {text:?}"))
    }
}

super::text_column!(Withdrawal);

impl StoredReceipt {
    /// The owner's view.
    pub fn receipt(self) -> ConsentReceipt {
        ConsentReceipt {
            connection_id: self.connection_id,
            given_at: rfc3339(self.given_at),
            version: self.version,
            data_types: serde_json::from_str(&self.data_types).unwrap_or_default(),
            withdrawn_at: self.withdrawn_at.map(rfc3339),
            handoff_person: self.handoff_person,
        }
    }

    /// The receipts as CSV (RFC 4180, a header row first).
    pub fn csv(receipts: &[Self]) -> String {
        let mut text = String::from(
            "connection_id,merchant_id,platform_key,platform_name,source_type,locale,version,text_hash,data_types,given_at,withdrawn_at,withdrawal,handoff_person\r\n",
        );
        for r in receipts {
            let data_types: Vec<String> = serde_json::from_str(&r.data_types).unwrap_or_default();
            let fields = [
                r.connection_id.clone(),
                r.merchant_id.clone(),
                r.platform_key.clone(),
                r.platform_name.clone(),
                r.source_type.clone(),
                r.locale.clone(),
                r.version.clone(),
                r.text_hash.clone(),
                data_types.join(" "),
                rfc3339(r.given_at),
                r.withdrawn_at.map(rfc3339).unwrap_or_default(),
                r.withdrawal.map(Withdrawal::as_str).unwrap_or_default().to_owned(),
                r.handoff_person.clone().unwrap_or_default(),
            ];
            text.push_str(&crate::csv::row(&fields));
        }
        text
    }
}

const COLUMNS: &str =
    "connection_id, merchant_id, platform_key, platform_name, source_type, locale, version, \
     text_hash, data_types, given_at, withdrawn_at, withdrawal, handoff_person";

impl Tx {
    /// Stores the receipt of a new connection's consent (a connection has one).
    pub async fn insert_receipt(&mut self, receipt: NewReceipt<'_>) -> Result<(), sqlx::Error> {
        sqlx::query(&format!(
            "INSERT INTO consent_receipts ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL, NULL, $11) \
             ON CONFLICT (connection_id) DO NOTHING"
        ))
        .bind(receipt.connection_id)
        .bind(receipt.merchant_id)
        .bind(receipt.platform_key)
        .bind(receipt.platform_name)
        .bind(receipt.source_type)
        .bind(receipt.locale)
        .bind(receipt.version)
        .bind(receipt.text_hash)
        .bind(receipt.data_types)
        .bind(unix_now())
        .bind(receipt.handoff_person)
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    /// Records that consent to the connection was withdrawn (`how`), once.
    pub async fn withdraw_receipt(
        &mut self,
        connection_id: &str,
        how: Withdrawal,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE consent_receipts SET withdrawn_at = $1, withdrawal = $2 \
             WHERE connection_id = $3 AND withdrawn_at IS NULL",
        )
        .bind(unix_now())
        .bind(how.as_str())
        .bind(connection_id)
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }
}

impl Db {
    /// The merchant's receipts, oldest first.
    pub async fn consent_receipts(&self, merchant_id: &str) -> Result<Vec<StoredReceipt>, sqlx::Error> {
        sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM consent_receipts WHERE merchant_id = $1 ORDER BY given_at, connection_id"
        ))
        .bind(merchant_id)
        .fetch_all(&self.pool)
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn receipt(connection_id: &str) -> NewReceipt<'_> {
        NewReceipt {
            merchant_id: "m1",
            connection_id,
            platform_key: "gbol",
            platform_name: "Xero, \"the\" one",
            source_type: "Accounting",
            locale: "en",
            version: "abc123",
            text_hash: "ff",
            data_types: r#"["invoices","bills"]"#,
            handoff_person: None,
        }
    }

    #[tokio::test]
    async fn a_receipt_is_kept_with_its_withdrawal_and_exports_as_csv() {
        let (db, _dir) = super::super::tests::db_with_merchant().await;
        let mut tx = db.begin().await.unwrap();
        tx.insert_receipt(receipt("c1")).await.unwrap();
        tx.insert_receipt(receipt("c1")).await.unwrap();
        tx.withdraw_receipt("c1", Withdrawal::Unlinked).await.unwrap();
        tx.withdraw_receipt("c1", Withdrawal::Removed).await.unwrap();
        tx.commit().await.unwrap();
        let stored = db.consent_receipts("m1").await.unwrap();
        assert_eq!(stored.len(), 1, "one receipt per connection");
        assert_eq!(stored[0].withdrawal, Some(Withdrawal::Unlinked), "the first withdrawal counts");
        let csv = StoredReceipt::csv(&stored);
        let row = csv.lines().nth(1).unwrap();
        assert!(
            row.starts_with("c1,m1,gbol,\"Xero, \"\"the\"\" one\",Accounting,en,abc123,ff,invoices bills,"),
            "{row}"
        );
        assert!(row.ends_with(",unlinked,"), "no hand-off: the last field is empty");
        assert_eq!(stored[0].clone().receipt().data_types, ["invoices", "bills"]);
    }
}
