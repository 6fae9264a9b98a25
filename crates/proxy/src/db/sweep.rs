//! What the retention sweep removes: ended sessions, old Link returns, old webhooks, and
//! merchants who never linked a platform.

use super::{unix_now, Db};
use std::time::Duration;

/// Rows one sweep removed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Swept {
    /// Sessions past their expiry or their idle time.
    pub sessions: u64,
    /// Pending links a day past their expiry (used or not).
    pub pending_links: u64,
    /// Processed webhooks older than the retention period.
    pub webhooks: u64,
    /// Events for the lender older than the retention period, with no delivery pending.
    pub lender_events: u64,
    /// One-time links to the flow a day past their expiry (used or not).
    pub link_starts: u64,
    /// Funnel steps older than the retention period, folded into counts per day.
    pub funnel_steps: u64,
}

impl Db {
    /// Removes ended sessions, pending links and one-time links a day past their expiry,
    /// processed webhooks received more than `retention` ago (unprocessed ones are kept until
    /// processed), and events for the lender stored more than `retention` ago with no delivery
    /// still pending; funnel steps older than `retention` become counts per day.
    pub async fn sweep_records(&self, idle: Duration, retention: Duration) -> Result<Swept, sqlx::Error> {
        let now = unix_now();
        let sessions = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2")
            .bind(now)
            .bind(now - idle.as_secs() as i64)
            .execute(&self.pool)
            .await?
            .rows_affected();
        let pending_links = self.forget_old_pending_links().await?;
        let webhooks =
            sqlx::query("DELETE FROM webhook_events WHERE received_at < $1 AND processed_at IS NOT NULL")
                .bind(now - retention.as_secs() as i64)
                .execute(&self.pool)
                .await?
                .rows_affected();
        let cutoff = now - retention.as_secs() as i64;
        sqlx::query("DELETE FROM lender_deliveries WHERE status <> 'pending' AND created_at < $1")
            .bind(cutoff)
            .execute(&self.pool)
            .await?;
        let lender_events = sqlx::query(
            "DELETE FROM lender_events WHERE created_at < $1 \
             AND NOT EXISTS (SELECT 1 FROM lender_deliveries d WHERE d.event_seq = lender_events.seq)",
        )
        .bind(cutoff)
        .execute(&self.pool)
        .await?
        .rows_affected();
        let link_starts = self.forget_expired_link_starts().await?;
        let funnel_steps = self.fold_funnel_days(cutoff).await?;
        Ok(Swept { sessions, pending_links, webhooks, lender_events, link_starts, funnel_steps })
    }

    /// Merchants created more than `retention` ago that never had a connection past "pending"
    /// and have no session left: their id and Codat company. At most `limit`, oldest first.
    pub async fn abandoned_merchants(
        &self,
        retention: Duration,
        limit: i64,
    ) -> Result<Vec<(String, Option<String>)>, sqlx::Error> {
        sqlx::query_as(
            "SELECT id, company_id FROM merchants m WHERE first_linked_at IS NULL AND created_at < $1 \
             AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.merchant_id = m.id) \
             AND NOT EXISTS (SELECT 1 FROM documents d WHERE d.merchant_id = m.id) \
             AND NOT EXISTS (SELECT 1 FROM document_uploads u WHERE u.merchant_id = m.id) \
             ORDER BY created_at LIMIT $2",
        )
        .bind(unix_now() - retention.as_secs() as i64)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
    }

    /// Removes a merchant and everything stored for it (sessions, connections, pending links).
    pub async fn delete_merchant(&self, merchant_id: &str) -> Result<(), sqlx::Error> {
        for table in
            ["sessions", "pending_links", "connections", "data_reads", "consent_receipts", "link_starts"]
        {
            sqlx::query(&format!("DELETE FROM {table} WHERE merchant_id = $1"))
                .bind(merchant_id)
                .execute(&self.pool)
                .await?;
        }
        sqlx::query("DELETE FROM merchants WHERE id = $1").bind(merchant_id).execute(&self.pool).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::tests::db;
    use crate::db::Merchant;

    async fn merchant(db: &Db, id: &str, days_old: i64) {
        let merchant = Merchant {
            id: id.into(),
            business_name: "Acme".into(),
            email: String::new(),
            company_id: Some(format!("company-{id}")),
        };
        db.insert_merchant(&merchant).await.unwrap();
        sqlx::query("UPDATE merchants SET created_at = $1, company_id = $2 WHERE id = $3")
            .bind(unix_now() - days_old * 86_400)
            .bind(format!("company-{id}"))
            .bind(id)
            .execute(&db.pool)
            .await
            .unwrap();
    }

    const DAY: Duration = Duration::from_secs(86_400);

    #[tokio::test]
    async fn only_old_merchants_that_never_linked_and_have_no_session_are_abandoned() {
        let (db, _dir) = db().await;
        merchant(&db, "old-never", 40).await;
        merchant(&db, "old-linked", 40).await;
        merchant(&db, "old-pending", 40).await;
        merchant(&db, "old-signed-in", 40).await;
        merchant(&db, "old-documented", 40).await;
        merchant(&db, "old-uploading", 40).await;
        merchant(&db, "new-never", 1).await;
        let facts = |id, status| super::super::ConnectionFacts {
            id,
            platform_key: Some("gbol"),
            platform_name: "Xero",
            source_type: "Accounting",
            status,
        };
        let mut tx = db.begin().await.unwrap();
        tx.upsert_connection("old-linked", facts("c1", codat::ConnectionStatus::Linked)).await.unwrap();
        tx.upsert_connection("old-pending", facts("c2", codat::ConnectionStatus::PendingAuth)).await.unwrap();
        tx.commit().await.unwrap();
        db.insert_session("s", "old-signed-in", DAY).await.unwrap();
        // Documents sent instead of a platform are at its Codat company: not abandoned.
        let document = |id| super::super::NewUpload {
            id,
            kind: codat_connect_api::SourceType::Accounting,
            name: "a.pdf",
            size: 1,
            started_at: 0,
        };
        db.begin_upload("old-documented", document("d1")).await.unwrap();
        let mut tx = db.begin().await.unwrap();
        let sent = super::super::NewDocument {
            id: "d1",
            kind: codat_connect_api::SourceType::Accounting,
            name: "a.pdf",
            size: 1,
            connection_id: "c3",
            sent_at: 0,
        };
        tx.insert_document("old-documented", sent).await.unwrap();
        assert!(tx.settle_upload("d1").await.unwrap());
        tx.commit().await.unwrap();
        db.begin_upload("old-uploading", document("d2")).await.unwrap();
        let abandoned = db.abandoned_merchants(30 * DAY, 100).await.unwrap();
        let ids: Vec<&str> = abandoned.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids.len(), 2, "{ids:?}");
        assert!(ids.contains(&"old-never") && ids.contains(&"old-pending"), "{ids:?}");
        assert_eq!(abandoned[0].1.as_deref(), Some(format!("company-{}", abandoned[0].0).as_str()));
        db.delete_merchant("old-pending").await.unwrap();
        assert!(db.merchant("old-pending").await.unwrap().is_none());
        assert!(!db.owns_connection("old-pending", "c2").await.unwrap());
    }

    #[tokio::test]
    async fn ended_sessions_and_old_processed_webhooks_are_removed() {
        let (db, _dir) = db().await;
        merchant(&db, "m", 0).await;
        db.insert_session("live", "m", DAY).await.unwrap();
        db.insert_session("expired", "m", Duration::ZERO).await.unwrap();
        db.insert_session("idle", "m", DAY).await.unwrap();
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = 'idle'")
            .bind(unix_now() - 7200)
            .execute(&db.pool)
            .await
            .unwrap();
        for id in ["old-done", "old-waiting", "new-done"] {
            db.insert_webhook_event(id, "connection.created", "{}").await.unwrap();
        }
        let forty_days_ago = unix_now() - 40 * 86_400;
        sqlx::query("UPDATE webhook_events SET received_at = $1 WHERE id LIKE 'old-%'")
            .bind(forty_days_ago)
            .execute(&db.pool)
            .await
            .unwrap();
        db.mark_webhook_processed("old-done").await.unwrap();
        db.mark_webhook_processed("new-done").await.unwrap();
        let swept = db.sweep_records(Duration::from_secs(3600), 30 * DAY).await.unwrap();
        assert_eq!(
            swept,
            Swept {
                sessions: 2,
                pending_links: 0,
                webhooks: 1,
                lender_events: 0,
                link_starts: 0,
                funnel_steps: 0
            }
        );
        assert!(db.peek_session("live", Duration::from_secs(3600)).await.unwrap().is_some());
        let left = db.unprocessed_webhook_events().await.unwrap();
        assert_eq!(left.len(), 1, "the unprocessed one is kept");
    }

    #[tokio::test]
    async fn old_lender_events_go_once_no_delivery_is_pending() {
        let (db, _dir) = db().await;
        for id in ["old-delivered", "old-pending", "new-delivered"] {
            let event =
                crate::db::NewLenderEvent { id, merchant_id: "m", event_type: "merchant.ready", body: "{}" };
            let mut tx = db.begin().await.unwrap();
            tx.enqueue_lender_event(event, &[(format!("d-{id}"), "http://lender".into())], 0).await.unwrap();
            tx.commit().await.unwrap();
        }
        db.delivery_succeeded("d-old-delivered", 204).await.unwrap();
        db.delivery_succeeded("d-new-delivered", 204).await.unwrap();
        for table in ["lender_events", "lender_deliveries"] {
            sqlx::query(&format!("UPDATE {table} SET created_at = $1 WHERE id LIKE '%old-%'"))
                .bind(unix_now() - 40 * 86_400)
                .execute(&db.pool)
                .await
                .unwrap();
        }
        let swept = db.sweep_records(Duration::from_secs(3600), 30 * DAY).await.unwrap();
        assert_eq!(swept.lender_events, 1);
        let log = db.delivery_records(None, None, 0, 10).await.unwrap();
        let left: Vec<&str> = log.iter().map(|d| d.event_id.as_str()).collect();
        assert_eq!(left, ["new-delivered", "old-pending"]);
    }
}
