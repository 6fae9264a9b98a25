//! Watch leases: one server at a time watches a company at Codat.

use super::{unix_now, Db};
use std::time::Duration;

impl Db {
    /// Takes or renews the lease on watching `company_id` for `holder`, for `lifetime`; false
    /// while another holder's lease runs.
    pub async fn hold_watch_lease(
        &self,
        company_id: &str,
        holder: &str,
        lifetime: Duration,
    ) -> Result<bool, sqlx::Error> {
        let now = unix_now();
        let result = sqlx::query(
            "INSERT INTO watch_leases (company_id, holder, expires_at) VALUES ($1, $2, $3) \
             ON CONFLICT (company_id) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at \
             WHERE watch_leases.holder = excluded.holder OR watch_leases.expires_at <= $4",
        )
        .bind(company_id)
        .bind(holder)
        .bind(now + lifetime.as_secs().max(1) as i64)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(result.rows_affected() == 1)
    }

    /// Gives the lease up, if `holder` has it.
    pub async fn release_watch_lease(&self, company_id: &str, holder: &str) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM watch_leases WHERE company_id = $1 AND holder = $2")
            .bind(company_id)
            .bind(holder)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn one_holder_at_a_time_until_it_releases_or_its_lease_runs_out() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::connect(&format!("sqlite://{}", dir.path().join("t.db").display())).await.unwrap();
        let minute = Duration::from_secs(60);
        assert!(db.hold_watch_lease("c1", "a", minute).await.unwrap());
        assert!(!db.hold_watch_lease("c1", "b", minute).await.unwrap());
        assert!(db.hold_watch_lease("c1", "a", minute).await.unwrap(), "the holder renews");
        assert!(db.hold_watch_lease("c2", "b", minute).await.unwrap(), "another company");
        db.release_watch_lease("c1", "a").await.unwrap();
        assert!(db.hold_watch_lease("c1", "b", minute).await.unwrap());
        sqlx::query("UPDATE watch_leases SET expires_at = 0").execute(&db.pool).await.unwrap();
        assert!(db.hold_watch_lease("c1", "a", minute).await.unwrap(), "an expired lease is taken over");
    }
}
