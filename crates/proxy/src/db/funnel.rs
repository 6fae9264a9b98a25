//! The funnel's steps, without personal data, and their counts over a period.

use super::{unix_now, Db, Tx};
use crate::funnel::Recorded;

/// Counts over a period.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FunnelCounts {
    /// `(step, platform, Link's status for link_returned, count)`.
    pub per_step_platform: Vec<(String, Option<String>, Option<String>, i64)>,
    /// Zero-result searches, and the software owners named in "Can't find your platform?", and
    /// how often each was given, most frequent first (at most 50).
    pub zero_result_searches: Vec<(String, i64)>,
    /// Why owners left early (`left_early`'s detail: a reason, or `other:` and their words),
    /// with how often, most frequent first.
    pub leaving: Vec<(String, i64)>,
}

/// A day in seconds.
const DAY: i64 = 24 * 60 * 60;

/// A stored step: `(at, step, source_type, platform_key, detail)`.
type FunnelRow = (i64, String, Option<String>, Option<String>, Option<String>);

impl Db {
    /// Stores one step a page reached, now.
    pub async fn record_funnel_step(&self, step: &Recorded) -> Result<(), sqlx::Error> {
        insert_step(&self.pool, step).await
    }

    /// How often each platform was chosen in the grid from `start` (inclusive) to `end`
    /// (exclusive), Unix seconds: what the grid's order needs, and nothing more.
    pub async fn platform_choices(&self, start: i64, end: i64) -> Result<Vec<(String, i64)>, sqlx::Error> {
        sqlx::query_as(
            "SELECT platform_key, CAST(SUM(n) AS BIGINT) FROM (SELECT platform_key, CAST(1 AS BIGINT) AS n \
             FROM funnel_events WHERE step = $3 AND platform_key IS NOT NULL AND at >= $1 AND at < $2 \
             UNION ALL SELECT platform_key, count FROM funnel_days WHERE step = $3 AND platform_key IS NOT NULL \
             AND day >= $1 AND day < $2) chosen GROUP BY platform_key",
        )
        .bind(start)
        .bind(end)
        .bind(codat_connect_api::PLATFORM_CHOSEN)
        .fetch_all(&self.pool)
        .await
    }

    /// The counts of steps reached from `start` (inclusive) to `end` (exclusive), Unix seconds.
    pub async fn funnel_counts(&self, start: i64, end: i64) -> Result<FunnelCounts, sqlx::Error> {
        let per_step_platform = sqlx::query_as(
            "SELECT step, platform_key, status, CAST(SUM(n) AS BIGINT) FROM (SELECT step, platform_key, \
             CASE WHEN step = 'link_returned' THEN detail END AS status, CAST(1 AS BIGINT) AS n FROM funnel_events \
             WHERE at >= $1 AND at < $2 UNION ALL SELECT step, platform_key, \
             CASE WHEN step = 'link_returned' THEN detail END, count FROM funnel_days \
             WHERE day >= $1 AND day < $2) steps GROUP BY step, platform_key, status",
        )
        .bind(start)
        .bind(end)
        .fetch_all(&self.pool)
        .await?;
        let zero_result_searches =
            self.details_counted("'search_made', 'platform_missing'", start, end, 50).await?;
        let leaving = self.details_counted("'left_early'", start, end, 100).await?;
        Ok(FunnelCounts { per_step_platform, zero_result_searches, leaving })
    }

    /// How often each detail of the steps named (a constant SQL list) was recorded from `start`
    /// to `end`, kept rows and per-day counts together, most frequent first, at most `limit`.
    async fn details_counted(
        &self,
        steps: &'static str,
        start: i64,
        end: i64,
        limit: i64,
    ) -> Result<Vec<(String, i64)>, sqlx::Error> {
        sqlx::query_as(&format!(
            "SELECT detail, CAST(SUM(n) AS BIGINT) AS total FROM (SELECT detail, CAST(1 AS BIGINT) AS n \
             FROM funnel_events WHERE step IN ({steps}) AND detail IS NOT NULL AND at >= $1 AND at < $2 \
             UNION ALL SELECT detail, count FROM funnel_days WHERE step IN ({steps}) \
             AND detail IS NOT NULL AND day >= $1 AND day < $2) details \
             GROUP BY detail ORDER BY total DESC, detail LIMIT $3"
        ))
        .bind(start)
        .bind(end)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
    }

    /// Turns the steps of whole days before `before` (Unix seconds) into counts per day: the
    /// rows are taken out and their counts written in one transaction, so two servers sweeping
    /// at once count each step once. Answers the steps folded.
    pub async fn fold_funnel_days(&self, before: i64) -> Result<u64, sqlx::Error> {
        let day_start = before.div_euclid(DAY) * DAY;
        let mut transaction = self.pool.begin().await?;
        let taken: Vec<FunnelRow> = sqlx::query_as(
            "DELETE FROM funnel_events WHERE at < $1 RETURNING at, step, source_type, platform_key, detail",
        )
        .bind(day_start)
        .fetch_all(&mut *transaction)
        .await?;
        // Keyed by the row with its day in place of its time.
        let mut days: std::collections::BTreeMap<FunnelRow, i64> = std::collections::BTreeMap::new();
        for (at, step, source_type, platform_key, detail) in &taken {
            let key = (
                at.div_euclid(DAY) * DAY,
                step.clone(),
                source_type.clone(),
                platform_key.clone(),
                detail.clone(),
            );
            *days.entry(key).or_default() += 1;
        }
        for ((day, step, source_type, platform_key, detail), count) in days {
            sqlx::query(
                "INSERT INTO funnel_days (day, step, source_type, platform_key, detail, count) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(day)
            .bind(step)
            .bind(source_type)
            .bind(platform_key)
            .bind(detail)
            .bind(count)
            .execute(&mut *transaction)
            .await?;
        }
        transaction.commit().await?;
        Ok(taken.len() as u64)
    }
}

impl Tx {
    /// Marks the merchant's first read finished and counts it in the funnel, the first time.
    pub async fn mark_first_read(&mut self, merchant_id: &str) -> Result<bool, sqlx::Error> {
        let marked =
            sqlx::query("UPDATE merchants SET first_read_at = $1 WHERE id = $2 AND first_read_at IS NULL")
                .bind(unix_now())
                .bind(merchant_id)
                .execute(&mut *self.inner)
                .await?;
        if marked.rows_affected() == 0 {
            return Ok(false);
        }
        insert_step(&mut *self.inner, &Recorded::first_read_finished()).await?;
        Ok(true)
    }
}

async fn insert_step<'e>(
    executor: impl sqlx::Executor<'e, Database = sqlx::Any>,
    step: &Recorded,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO funnel_events (at, step, source_type, platform_key, detail) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(unix_now())
    .bind(step.step)
    .bind(step.source_type)
    .bind(step.platform_key.as_deref())
    .bind(step.detail.as_deref())
    .execute(executor)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::funnel::Recorded;

    fn step(step: &'static str, platform: Option<&str>, detail: Option<&str>) -> Recorded {
        Recorded {
            step,
            source_type: None,
            platform_key: platform.map(Into::into),
            detail: detail.map(Into::into),
        }
    }

    #[tokio::test]
    async fn steps_are_counted_per_platform_and_link_status_and_searches_by_text() {
        let (db, _dir) = super::super::tests::db_with_merchant().await;
        for recorded in [
            step("platform_chosen", Some("gbol"), None),
            step("platform_chosen", Some("gbol"), None),
            step("link_returned", Some("gbol"), Some("200")),
            step("link_returned", Some("gbol"), Some("400")),
            step("search_made", None, Some("sage")),
            step("search_made", None, Some("sage")),
            step("search_made", None, Some("myob")),
            step("search_made", None, None),
        ] {
            db.record_funnel_step(&recorded).await.unwrap();
        }
        let now = super::unix_now();
        let counts = db.funnel_counts(now - 60, now + 60).await.unwrap();
        let count = |s: &str, p: Option<&str>, d: Option<&str>| {
            counts
                .per_step_platform
                .iter()
                .find(|(step, platform, detail, _)| {
                    step == s && platform.as_deref() == p && detail.as_deref() == d
                })
                .map(|row| row.3)
        };
        assert_eq!(count("platform_chosen", Some("gbol"), None), Some(2));
        let choices = db.platform_choices(now - 60, now + 60).await.unwrap();
        assert_eq!(choices, vec![("gbol".to_owned(), 2)], "the chosen alone");
        assert_eq!(count("link_returned", Some("gbol"), Some("200")), Some(1));
        assert_eq!(count("search_made", None, None), Some(4), "searches are one step whatever their text");
        assert_eq!(counts.zero_result_searches, vec![("sage".to_owned(), 2), ("myob".to_owned(), 1)]);
        assert!(db.funnel_counts(now + 60, now + 120).await.unwrap().per_step_platform.is_empty());
        // Folded into counts per day, the same steps still count the same.
        sqlx::query("UPDATE funnel_events SET at = at - 3 * 86400").execute(&db.pool).await.unwrap();
        assert_eq!(db.fold_funnel_days(now).await.unwrap(), 8);
        assert_eq!(db.fold_funnel_days(now).await.unwrap(), 0, "each step folded once");
        let rows: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM funnel_events").fetch_one(&db.pool).await.unwrap();
        assert_eq!(rows, 0);
        let folded = db.funnel_counts(now - 4 * 86400, now).await.unwrap();
        let mut before = counts.per_step_platform.clone();
        let mut after = folded.per_step_platform.clone();
        before.sort();
        after.sort();
        assert_eq!(after, before);
        assert_eq!(folded.zero_result_searches, counts.zero_result_searches);
        let mut tx = db.begin().await.unwrap();
        assert!(tx.mark_first_read("m1").await.unwrap());
        assert!(!tx.mark_first_read("m1").await.unwrap());
        tx.commit().await.unwrap();
    }
}
