//! One-time links to the flow (`delivery: "link"`), and where they send the owner at the end.

use super::{unix_now, Db};
use std::time::Duration;

impl Db {
    /// Stores a link's code hash for the merchant, valid for `lifetime`.
    pub async fn insert_link_start(
        &self,
        code_hash: &str,
        merchant_id: &str,
        return_url: &str,
        lifetime: Duration,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO link_starts (code_hash, merchant_id, return_url, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(code_hash)
        .bind(merchant_id)
        .bind(return_url)
        .bind(unix_now() + lifetime.as_secs() as i64)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Uses a link once: its merchant, now returning to the link's URL; `None` when there is no
    /// such link, or it expired or was used.
    pub async fn use_link_start(&self, code_hash: &str) -> Result<Option<String>, sqlx::Error> {
        let now = unix_now();
        let used: Option<(String, String)> = sqlx::query_as(
            "UPDATE link_starts SET used_at = $1 WHERE code_hash = $2 AND used_at IS NULL AND expires_at > $1 \
             RETURNING merchant_id, return_url",
        )
        .bind(now)
        .bind(code_hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some((merchant_id, return_url)) = used else { return Ok(None) };
        sqlx::query("UPDATE merchants SET return_url = $1 WHERE id = $2")
            .bind(&return_url)
            .bind(&merchant_id)
            .execute(&self.pool)
            .await?;
        Ok(Some(merchant_id))
    }

    /// Where "Done" sends the merchant's owner, if they came by a link.
    pub async fn return_url(&self, merchant_id: &str) -> Result<Option<String>, sqlx::Error> {
        let url: Option<Option<String>> =
            sqlx::query_scalar("SELECT return_url FROM merchants WHERE id = $1")
                .bind(merchant_id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(url.flatten())
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    #[tokio::test]
    async fn a_link_is_used_once_and_not_after_it_expires() {
        let (db, _dir) = super::super::tests::db_with_merchant().await;
        db.insert_link_start("code", "m1", "https://lender.example/back", Duration::from_secs(60))
            .await
            .unwrap();
        assert_eq!(db.return_url("m1").await.unwrap(), None);
        assert_eq!(db.use_link_start("code").await.unwrap().as_deref(), Some("m1"));
        assert_eq!(db.return_url("m1").await.unwrap().as_deref(), Some("https://lender.example/back"));
        assert_eq!(db.use_link_start("code").await.unwrap(), None, "one time");
        db.insert_link_start("old", "m1", "https://lender.example/back", Duration::ZERO).await.unwrap();
        assert_eq!(db.use_link_start("old").await.unwrap(), None, "expired");
        assert_eq!(db.use_link_start("never").await.unwrap(), None);
    }
}
