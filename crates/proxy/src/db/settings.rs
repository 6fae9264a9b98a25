//! Values a deployment keeps for itself.

use super::Db;

impl Db {
    /// This deployment's id: made once, on first use, and shared by every server on the database.
    pub async fn deployment_id(&self) -> Result<String, sqlx::Error> {
        sqlx::query(
            "INSERT INTO settings (name, value) VALUES ('deployment_id', $1) ON CONFLICT (name) DO NOTHING",
        )
        .bind(uuid::Uuid::new_v4().simple().to_string())
        .execute(&self.pool)
        .await?;
        sqlx::query_scalar("SELECT value FROM settings WHERE name = 'deployment_id'")
            .fetch_one(&self.pool)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_deployment_id_is_made_once() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let first = Db::connect(&url).await.unwrap().deployment_id().await.unwrap();
        assert_eq!(first.len(), 32);
        assert_eq!(Db::connect(&url).await.unwrap().deployment_id().await.unwrap(), first);
    }
}
