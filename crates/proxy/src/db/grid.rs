//! The integration grid per source type as Codat gave it, shared by every server and kept
//! across restarts until it is stale.

use super::{unix_now, Db};

impl Db {
    /// The stored grid of a source type and its age in seconds.
    pub async fn cached_grid(&self, source_type: &str) -> Result<Option<(String, i64)>, sqlx::Error> {
        let row: Option<(String, i64)> =
            sqlx::query_as("SELECT cards, fetched_at FROM branding_cache WHERE source_type = $1")
                .bind(source_type)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|(cards, fetched_at)| (cards, unix_now() - fetched_at)))
    }

    /// Stores a freshly fetched grid.
    pub async fn store_grid(&self, source_type: &str, cards: &str) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO branding_cache (source_type, cards, fetched_at) VALUES ($1, $2, $3) \
             ON CONFLICT (source_type) DO UPDATE SET cards = excluded.cards, fetched_at = excluded.fetched_at",
        )
        .bind(source_type)
        .bind(cards)
        .bind(unix_now())
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
