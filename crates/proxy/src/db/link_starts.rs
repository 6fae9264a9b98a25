//! One-time links to the flow (`delivery: "link"`), and where they send the owner at the end.

use super::{unix_now, Db, SessionExtras, Tx};
use std::time::Duration;

/// Stores a link's code hash for the merchant through any executor (the pool or a transaction).
async fn insert<'e>(
    executor: impl sqlx::Executor<'e, Database = sqlx::Any>,
    code_hash: &str,
    merchant_id: &str,
    extras: &SessionExtras,
    lifetime: Duration,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO link_starts (code_hash, merchant_id, return_url, expires_at, featured_platforms, \
         opening_platform, handoff_id) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(code_hash)
    .bind(merchant_id)
    .bind(extras.return_url.as_deref().unwrap_or_default())
    .bind(unix_now() + lifetime.as_secs() as i64)
    .bind(extras.featured_text())
    .bind(extras.opening_platform.as_deref())
    .bind(extras.handoff_id.as_deref())
    .execute(executor)
    .await?;
    Ok(())
}

impl Tx {
    /// [`Db::insert_link_start`], in the transaction of a change that follows from it.
    pub async fn insert_link_start(
        &mut self,
        code_hash: &str,
        merchant_id: &str,
        extras: &SessionExtras,
        lifetime: Duration,
    ) -> Result<(), sqlx::Error> {
        insert(&mut *self.inner, code_hash, merchant_id, extras, lifetime).await
    }
}

impl Db {
    /// Stores a link's code hash for the merchant, valid for `lifetime`, with what the session
    /// it starts will carry (`extras`: a lender's link has a return URL, a link to continue on
    /// a computer has the session's, if any).
    pub async fn insert_link_start(
        &self,
        code_hash: &str,
        merchant_id: &str,
        extras: &SessionExtras,
        lifetime: Duration,
    ) -> Result<(), sqlx::Error> {
        insert(&self.pool, code_hash, merchant_id, extras, lifetime).await
    }

    /// Uses a link once: its merchant and what the session it starts carries; `None` when
    /// there is no such link, or it expired or was used.
    pub async fn use_link_start(
        &self,
        code_hash: &str,
    ) -> Result<Option<(String, SessionExtras)>, sqlx::Error> {
        let now = unix_now();
        #[derive(sqlx::FromRow)]
        struct Used {
            merchant_id: String,
            return_url: Option<String>,
            featured_platforms: Option<String>,
            opening_platform: Option<String>,
            handoff_id: Option<String>,
        }
        let used: Option<Used> = sqlx::query_as(
            "UPDATE link_starts SET used_at = $1 WHERE code_hash = $2 AND used_at IS NULL AND expires_at > $1 \
             RETURNING merchant_id, return_url, featured_platforms, opening_platform, handoff_id",
        )
        .bind(now)
        .bind(code_hash)
        .fetch_optional(&self.pool)
        .await?;
        Ok(used.map(|used| {
            let extras = SessionExtras::from_row((
                used.return_url,
                used.featured_platforms,
                used.opening_platform,
                used.handoff_id,
            ));
            (used.merchant_id, extras)
        }))
    }

    /// Forgets links that expired, used or not, more than a day ago.
    pub async fn forget_expired_link_starts(&self) -> Result<u64, sqlx::Error> {
        let result = sqlx::query("DELETE FROM link_starts WHERE expires_at < $1")
            .bind(unix_now() - 24 * 60 * 60)
            .execute(&self.pool)
            .await?;
        Ok(result.rows_affected())
    }
}

#[cfg(test)]
mod tests {
    use super::SessionExtras;
    use std::time::Duration;

    fn back() -> SessionExtras {
        SessionExtras { return_url: Some("https://lender.example/back".into()), ..SessionExtras::default() }
    }

    #[tokio::test]
    async fn a_link_is_used_once_and_not_after_it_expires() {
        let (db, _dir) = super::super::tests::db_with_merchant().await;
        let extras = SessionExtras {
            featured_platforms: vec!["gbol".into(), "qhyg".into()],
            opening_platform: Some("gbol".into()),
            ..back()
        };
        db.insert_link_start("code", "m1", &extras, Duration::from_secs(60)).await.unwrap();
        let used = db.use_link_start("code").await.unwrap();
        assert_eq!(used, Some(("m1".into(), extras)), "with what its session carries");
        assert_eq!(db.use_link_start("code").await.unwrap(), None, "one time");
        db.insert_link_start("old", "m1", &back(), Duration::ZERO).await.unwrap();
        assert_eq!(db.use_link_start("old").await.unwrap(), None, "expired");
        assert_eq!(db.use_link_start("never").await.unwrap(), None);
    }

    #[tokio::test]
    async fn links_expired_for_a_day_are_forgotten() {
        let (db, _dir) = super::super::tests::db_with_merchant().await;
        db.insert_link_start("fresh", "m1", &back(), Duration::ZERO).await.unwrap();
        db.insert_link_start("old", "m1", &back(), Duration::ZERO).await.unwrap();
        sqlx::query("UPDATE link_starts SET expires_at = expires_at - 86401 WHERE code_hash = 'old'")
            .execute(&db.pool)
            .await
            .unwrap();
        assert_eq!(db.forget_expired_link_starts().await.unwrap(), 1);
        let left: Vec<String> =
            sqlx::query_scalar("SELECT code_hash FROM link_starts").fetch_all(&db.pool).await.unwrap();
        assert_eq!(left, ["fresh"]);
    }
}
