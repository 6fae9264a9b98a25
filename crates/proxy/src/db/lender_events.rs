//! Events for the lender's backend and their deliveries to its endpoints (an outbox): an event
//! is stored with one pending delivery per endpoint before anything is sent, so a stop loses
//! nothing; a delivery is claimed before it is sent, so servers sharing the database send it once.

use super::{unix_now, Db, Tx};

/// An event to store.
#[derive(Debug, Clone, Copy)]
pub struct NewLenderEvent<'a> {
    /// Stable id, the `webhook-id` of every delivery.
    pub id: &'a str,
    /// The lender's merchant id.
    pub merchant_id: &'a str,
    /// e.g. `merchant.ready`.
    pub event_type: &'a str,
    /// The signed JSON body.
    pub body: &'a str,
}

/// A delivery due to be sent.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DueDelivery {
    /// The delivery's id.
    pub id: String,
    /// The event's id.
    pub event_id: String,
    /// The endpoint's URL.
    pub endpoint: String,
    /// The event's JSON body.
    pub body: String,
    /// Attempts made so far.
    pub attempts: i64,
}

/// A delivery as the log shows it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DeliveryRecord {
    /// The delivery's id.
    pub id: String,
    /// The event's id.
    pub event_id: String,
    /// The event's type.
    pub event_type: String,
    /// The lender's merchant id.
    pub merchant_id: String,
    /// The endpoint's URL.
    pub endpoint: String,
    /// Where it stands.
    #[sqlx(try_from = "String")]
    pub status: DeliveryStatus,
    /// Attempts made so far.
    pub attempts: i64,
    /// When the next attempt is due (Unix milliseconds), while pending.
    pub next_attempt_ms: i64,
    /// The endpoint's last HTTP status.
    pub last_status: Option<i64>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// When the endpoint acknowledged it (Unix seconds).
    pub delivered_at: Option<i64>,
    /// When the delivery was created (Unix seconds).
    pub created_at: i64,
}

/// Where a delivery to the lender stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryStatus {
    /// Waiting for its (next) attempt.
    Pending,
    /// The endpoint acknowledged it.
    Delivered,
    /// Its retries are spent (it can be replayed).
    Failed,
}

impl DeliveryStatus {
    /// Every status.
    pub const ALL: [Self; 3] = [Self::Pending, Self::Delivered, Self::Failed];

    /// As stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
        }
    }
}

impl TryFrom<String> for DeliveryStatus {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
            .ok_or_else(|| format!("unknown delivery status {text:?}"))
    }
}

const RECORD_COLUMNS: &str = "d.id, e.id AS event_id, e.event_type, d.merchant_id, d.endpoint, d.status, \
     d.attempts, d.next_attempt_ms, d.last_status, d.last_error, d.delivered_at, d.created_at";

impl Tx {
    /// Stores an event and a pending delivery to each endpoint (`(delivery id, endpoint URL)`),
    /// due at `now_ms`, with the rest of the transaction (the outbox).
    pub async fn enqueue_lender_event(
        &mut self,
        event: NewLenderEvent<'_>,
        deliveries: &[(String, String)],
        now_ms: i64,
    ) -> Result<(), sqlx::Error> {
        let transaction = &mut self.inner;
        let seq: i64 = sqlx::query_scalar(
            "INSERT INTO lender_events (id, merchant_id, event_type, body, created_at) VALUES ($1, $2, $3, $4, $5) \
             RETURNING seq",
        )
        .bind(event.id)
        .bind(event.merchant_id)
        .bind(event.event_type)
        .bind(event.body)
        .bind(unix_now())
        .fetch_one(&mut **transaction)
        .await?;
        for (delivery_id, endpoint) in deliveries {
            insert_delivery(transaction, delivery_id, seq, event.merchant_id, endpoint, now_ms).await?;
        }
        Ok(())
    }
}

impl Db {
    /// Pending deliveries due by `now_ms` and not claimed, in event order, at most one per
    /// merchant and endpoint: the earliest pending one, so a merchant's events arrive in order.
    pub async fn due_deliveries(&self, now_ms: i64, limit: i64) -> Result<Vec<DueDelivery>, sqlx::Error> {
        sqlx::query_as(
            "SELECT d.id, e.id AS event_id, d.endpoint, e.body, d.attempts FROM lender_deliveries d \
             JOIN lender_events e ON e.seq = d.event_seq \
             WHERE d.status = 'pending' AND d.next_attempt_ms <= $1 \
             AND (d.claimed_until_ms IS NULL OR d.claimed_until_ms < $1) \
             AND NOT EXISTS (SELECT 1 FROM lender_deliveries earlier WHERE earlier.status = 'pending' \
                 AND earlier.merchant_id = d.merchant_id AND earlier.endpoint = d.endpoint \
                 AND (earlier.event_seq < d.event_seq OR (earlier.event_seq = d.event_seq AND earlier.id < d.id))) \
             ORDER BY d.event_seq LIMIT $2",
        )
        .bind(now_ms)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
    }

    /// Claims a due delivery until `until_ms`; false when another server claimed it first.
    pub async fn claim_delivery(&self, id: &str, now_ms: i64, until_ms: i64) -> Result<bool, sqlx::Error> {
        let claimed = sqlx::query(
            "UPDATE lender_deliveries SET claimed_until_ms = $1 WHERE id = $2 AND status = 'pending' \
             AND (claimed_until_ms IS NULL OR claimed_until_ms < $3)",
        )
        .bind(until_ms)
        .bind(id)
        .bind(now_ms)
        .execute(&self.pool)
        .await?;
        Ok(claimed.rows_affected() == 1)
    }

    /// The endpoint acknowledged the delivery with `status`.
    pub async fn delivery_succeeded(&self, id: &str, status: u16) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE lender_deliveries SET status = 'delivered', attempts = attempts + 1, last_status = $1, \
             last_error = NULL, delivered_at = $2, claimed_until_ms = NULL WHERE id = $3",
        )
        .bind(i64::from(status))
        .bind(unix_now())
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// An attempt failed: the next is due at `retry_at_ms`, or, with none, the delivery failed.
    pub async fn delivery_attempt_failed(
        &self,
        id: &str,
        status: Option<u16>,
        error: &str,
        retry_at_ms: Option<i64>,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE lender_deliveries SET status = $1, attempts = attempts + 1, last_status = $2, last_error = $3, \
             next_attempt_ms = COALESCE($4, next_attempt_ms), claimed_until_ms = NULL WHERE id = $5",
        )
        .bind(if retry_at_ms.is_some() { DeliveryStatus::Pending } else { DeliveryStatus::Failed }.as_str())
        .bind(status.map(i64::from))
        .bind(error)
        .bind(retry_at_ms)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// When the next pending delivery falls due (Unix milliseconds), if any is pending.
    pub async fn next_delivery_due_ms(&self) -> Result<Option<i64>, sqlx::Error> {
        sqlx::query_scalar("SELECT MIN(next_attempt_ms) FROM lender_deliveries WHERE status = 'pending'")
            .fetch_one(&self.pool)
            .await
    }

    /// One page of the delivery log, newest first, optionally for one merchant or status.
    pub async fn delivery_records(
        &self,
        merchant_id: Option<&str>,
        status: Option<DeliveryStatus>,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<DeliveryRecord>, sqlx::Error> {
        sqlx::query_as(&format!(
            "SELECT {RECORD_COLUMNS} FROM lender_deliveries d JOIN lender_events e ON e.seq = d.event_seq \
             WHERE ($1 IS NULL OR d.merchant_id = $1) AND ($2 IS NULL OR d.status = $2) \
             ORDER BY d.event_seq DESC, d.created_at DESC, d.id LIMIT $3 OFFSET $4"
        ))
        .bind(merchant_id)
        .bind(status.map(DeliveryStatus::as_str))
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.pool)
        .await
    }

    /// One delivery of the log.
    pub async fn delivery_record(&self, id: &str) -> Result<Option<DeliveryRecord>, sqlx::Error> {
        sqlx::query_as(&format!(
            "SELECT {RECORD_COLUMNS} FROM lender_deliveries d JOIN lender_events e ON e.seq = d.event_seq \
             WHERE d.id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await
    }

    /// A new pending delivery of the same event to the same endpoint as delivery `id` (a replay),
    /// due at `now_ms`; false when there is no such delivery.
    pub async fn replay_delivery(&self, id: &str, new_id: &str, now_ms: i64) -> Result<bool, sqlx::Error> {
        let mut transaction = self.pool.begin().await?;
        let original: Option<(i64, String, String)> =
            sqlx::query_as("SELECT event_seq, merchant_id, endpoint FROM lender_deliveries WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *transaction)
                .await?;
        let Some((seq, merchant_id, endpoint)) = original else { return Ok(false) };
        insert_delivery(&mut transaction, new_id, seq, &merchant_id, &endpoint, now_ms).await?;
        transaction.commit().await?;
        Ok(true)
    }
}

async fn insert_delivery(
    transaction: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: &str,
    seq: i64,
    merchant_id: &str,
    endpoint: &str,
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO lender_deliveries (id, event_seq, merchant_id, endpoint, status, next_attempt_ms, created_at) \
         VALUES ($1, $2, $3, $4, 'pending', $5, $6)",
    )
    .bind(id)
    .bind(seq)
    .bind(merchant_id)
    .bind(endpoint)
    .bind(now_ms)
    .bind(unix_now())
    .execute(&mut **transaction)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn enqueue(db: &Db, id: &str, merchant: &str, endpoints: &[&str]) {
        let event = NewLenderEvent { id, merchant_id: merchant, event_type: "merchant.ready", body: "{}" };
        let deliveries: Vec<(String, String)> =
            endpoints.iter().map(|e| (format!("{id}-{e}"), (*e).to_owned())).collect();
        let mut tx = db.begin().await.unwrap();
        tx.enqueue_lender_event(event, &deliveries, 0).await.unwrap();
        tx.commit().await.unwrap();
    }

    fn ids(due: &[DueDelivery]) -> Vec<&str> {
        due.iter().map(|d| d.id.as_str()).collect()
    }

    #[tokio::test]
    async fn a_merchants_later_events_wait_for_its_earlier_ones_per_endpoint() {
        let (db, _dir) = crate::db::tests::db().await;
        enqueue(&db, "e1", "m1", &["a", "b"]).await;
        enqueue(&db, "e2", "m1", &["a", "b"]).await;
        enqueue(&db, "e3", "m2", &["a"]).await;
        assert_eq!(ids(&db.due_deliveries(0, 10).await.unwrap()), ["e1-a", "e1-b", "e3-a"]);
        db.delivery_succeeded("e1-a", 200).await.unwrap();
        db.delivery_attempt_failed("e1-b", Some(500), "server error", Some(1_000)).await.unwrap();
        assert_eq!(ids(&db.due_deliveries(0, 10).await.unwrap()), ["e2-a", "e3-a"], "e2-b waits for e1-b");
        assert_eq!(db.next_delivery_due_ms().await.unwrap(), Some(0));
        db.delivery_attempt_failed("e1-b", Some(500), "server error", None).await.unwrap();
        assert_eq!(
            ids(&db.due_deliveries(0, 10).await.unwrap()),
            ["e2-a", "e2-b", "e3-a"],
            "a failed one no longer blocks"
        );
        assert_eq!(db.delivery_record("e1-b").await.unwrap().unwrap().status, DeliveryStatus::Failed);
    }

    #[tokio::test]
    async fn a_claimed_delivery_is_claimed_once_until_its_claim_lapses() {
        let (db, _dir) = crate::db::tests::db().await;
        enqueue(&db, "e1", "m1", &["a"]).await;
        assert!(db.claim_delivery("e1-a", 0, 100).await.unwrap());
        assert!(!db.claim_delivery("e1-a", 50, 150).await.unwrap());
        assert!(db.due_deliveries(50, 10).await.unwrap().is_empty());
        assert!(db.claim_delivery("e1-a", 101, 200).await.unwrap(), "the claimant stopped");
    }

    #[tokio::test]
    async fn a_replay_is_a_new_delivery_of_the_same_event() {
        let (db, _dir) = crate::db::tests::db().await;
        enqueue(&db, "e1", "m1", &["a"]).await;
        db.delivery_succeeded("e1-a", 204).await.unwrap();
        assert!(db.replay_delivery("e1-a", "again", 5).await.unwrap());
        assert!(!db.replay_delivery("nope", "again2", 5).await.unwrap());
        let due = db.due_deliveries(5, 10).await.unwrap();
        assert_eq!((ids(&due), due[0].event_id.as_str()), (vec!["again"], "e1"));
        let log = db.delivery_records(Some("m1"), None, 0, 10).await.unwrap();
        assert_eq!(log.len(), 2);
        assert_eq!(db.delivery_records(None, Some(DeliveryStatus::Delivered), 0, 10).await.unwrap().len(), 1);
    }
}
