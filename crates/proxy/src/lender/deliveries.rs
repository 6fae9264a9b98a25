//! The log of webhook deliveries to the lender (`GET /v1/webhook-deliveries`) and a replay of
//! one (`POST /v1/webhook-deliveries/{id}/replay`), behind `ADMIN_TOKEN`.

use super::status::{paged, ListQuery, Page, PAGE_SIZE};
use crate::{
    db::{rfc3339, DeliveryRecord, DeliveryStatus},
    error::AppError,
    AppState,
};
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    Json,
};
use serde::{Deserialize, Serialize};

/// A delivery in the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryView {
    /// The delivery's id (for a replay).
    pub id: String,
    /// The event's id: the `webhook-id` the endpoint saw.
    pub event_id: String,
    /// The event's type.
    pub event_type: String,
    /// The lender's merchant id.
    pub merchant_id: String,
    /// The endpoint.
    pub endpoint: String,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    /// Attempts made.
    pub attempts: i64,
    /// The endpoint's last HTTP status.
    pub last_status: Option<i64>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// The next attempt (RFC 3339), while pending.
    pub next_attempt_at: Option<String>,
    /// When the endpoint acknowledged it (RFC 3339).
    pub delivered_at: Option<String>,
    /// When the delivery was created (RFC 3339).
    pub created_at: String,
}

/// `GET /v1/webhook-deliveries?merchantId=&status=&page=`
pub async fn list(
    State(state): State<AppState>,
    Query(query): Query<ListQuery>,
) -> Result<Json<Page<DeliveryView>>, AppError> {
    let page = query.page()?;
    let status = match query.status.clone().map(DeliveryStatus::try_from).transpose() {
        Ok(status) => status,
        Err(_) => return Err(AppError::BadRequest("status is pending, delivered or failed.".into())),
    };
    let records = state
        .db
        .delivery_records(query.merchant_id.as_deref(), status, (page - 1) * PAGE_SIZE, PAGE_SIZE)
        .await?;
    Ok(Json(paged(records.into_iter().map(delivery_view).collect(), page)))
}

/// `POST /v1/webhook-deliveries/{id}/replay`: the same event (same `webhook-id`) sent again to
/// the same endpoint, as a new delivery (202 with it).
pub async fn replay(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<DeliveryView>), AppError> {
    let new_id = super::new_delivery_id();
    if !state.db.replay_delivery(&id, &new_id, crate::db::unix_now_ms()).await? {
        return Err(AppError::NotFound("There is no delivery with that id.".into()));
    }
    state.lender_outbox.notify_one();
    let record = state
        .db
        .delivery_record(&new_id)
        .await?
        .ok_or_else(|| AppError::NotFound("The replay was removed before it was read.".into()))?;
    Ok((StatusCode::ACCEPTED, Json(delivery_view(record))))
}

fn delivery_view(record: DeliveryRecord) -> DeliveryView {
    DeliveryView {
        next_attempt_at: (record.status == DeliveryStatus::Pending)
            .then(|| rfc3339(record.next_attempt_ms / 1000)),
        id: record.id,
        event_id: record.event_id,
        event_type: record.event_type,
        merchant_id: record.merchant_id,
        endpoint: crate::config::redacted_url(&record.endpoint),
        status: record.status.as_str().to_owned(),
        attempts: record.attempts,
        last_status: record.last_status,
        last_error: record.last_error,
        delivered_at: record.delivered_at.map(rfc3339),
        created_at: rfc3339(record.created_at),
    }
}
