//! The events the lender's backend receives, keyed by its own merchant id. What the server
//! learns of a merchant's connections and reads (from Codat's webhooks, the watcher's looks and
//! the flow's own calls) comes here; a change is stored once, however many servers saw it, and
//! becomes an event in the outbox, delivered by [`super::delivery`].

use super::readiness::{assess, kind_of_connection, kind_of_data_type};
use crate::{
    db::{DataRead, NewLenderEvent},
    error::AppError,
    AppState,
};
use codat::ConnectionStatus;
use codat_connect_api::{Requirements, SyncState};
use serde_json::{json, Value};

/// A connection was authorized (or re-authorized).
pub const CONNECTION_LINKED: &str = "merchant.connection.linked";
/// A connection was unlinked or removed.
pub const CONNECTION_UNLINKED: &str = "merchant.connection.unlinked";
/// A connection lost its access at the platform: the owner must reconnect.
pub const CONNECTION_NEEDS_REAUTH: &str = "merchant.connection.needs_reauth";
/// A data type's read finished and its data is stored at Codat.
pub const SYNC_COMPLETED: &str = "merchant.sync.completed";
/// Every required kind of platform is linked and read once: the data is ready for a decision.
pub const READY: &str = "merchant.ready";

/// Every event type, for the README and the example lender.
pub const EVENT_TYPES: [&str; 5] =
    [CONNECTION_LINKED, CONNECTION_UNLINKED, CONNECTION_NEEDS_REAUTH, SYNC_COMPLETED, READY];

/// The stored name of a read's state (`SyncState`'s own).
pub fn sync_state_name(state: SyncState) -> &'static str {
    match state {
        SyncState::Queued => "Queued",
        SyncState::Fetching => "Fetching",
        SyncState::Complete => "Complete",
        SyncState::Failed => "Failed",
        SyncState::NotSupported => "NotSupported",
    }
}

/// A connection of the merchant was seen new or with a new status (stored by the caller).
pub async fn connection_changed(
    state: &AppState,
    merchant_id: &str,
    connection: &codat::Connection,
) -> Result<(), AppError> {
    let event_type = match connection.status {
        ConnectionStatus::Linked => CONNECTION_LINKED,
        ConnectionStatus::Unlinked => CONNECTION_UNLINKED,
        ConnectionStatus::Deauthorized => CONNECTION_NEEDS_REAUTH,
        ConnectionStatus::PendingAuth | ConnectionStatus::Unknown => {
            return reassess(state, merchant_id).await
        }
    };
    let data = json!({"connection": {
        "id": connection.id,
        "platformKey": connection.integration_key,
        "platformName": connection.platform_name,
        "sourceType": kind_of_connection(Some(connection.source_type.as_str())),
        "status": connection.status.as_str(),
    }});
    emit(state, merchant_id, event_type, data).await?;
    reassess(state, merchant_id).await
}

/// A connection of the merchant was deleted (and was known here).
pub async fn connection_removed(
    state: &AppState,
    merchant_id: &str,
    connection_id: &str,
) -> Result<(), AppError> {
    let data = json!({"connection": {"id": connection_id, "status": "Deleted"}, "removed": true});
    emit(state, merchant_id, CONNECTION_UNLINKED, data).await?;
    reassess(state, merchant_id).await
}

/// Codat said where some data types' reads stand.
pub async fn reads_seen(
    state: &AppState,
    merchant_id: &str,
    reads: impl IntoIterator<Item = (String, SyncState)>,
) -> Result<(), AppError> {
    let mut changed = false;
    for (data_type, read) in reads {
        if state.db.record_read(merchant_id, &data_type, sync_state_name(read)).await? {
            changed = true;
            if read == SyncState::Complete {
                let data = json!({"dataType": data_type, "sourceType": kind_of_data_type(&data_type)});
                emit(state, merchant_id, SYNC_COMPLETED, data).await?;
            }
        }
    }
    if changed {
        let reads = state.db.data_reads(merchant_id).await?;
        let finished = ["Complete", "NotSupported", "Failed"];
        if !reads.is_empty() && reads.iter().all(|r| finished.contains(&r.status.as_str())) {
            crate::funnel::first_read_finished(state, merchant_id).await?;
        }
        reassess_with(state, merchant_id, &reads).await?;
    }
    Ok(())
}

/// Re-reads the merchant's readiness; `merchant.ready` when it has just become ready.
pub async fn reassess(state: &AppState, merchant_id: &str) -> Result<(), AppError> {
    let reads = state.db.data_reads(merchant_id).await?;
    reassess_with(state, merchant_id, &reads).await
}

/// [`reassess`] with the merchant's reads already read.
async fn reassess_with(state: &AppState, merchant_id: &str, reads: &[DataRead]) -> Result<(), AppError> {
    let Some(merchant) = state.db.merchant_record(merchant_id).await? else { return Ok(()) };
    let requirements: Requirements = serde_json::from_str(&merchant.requirements).unwrap_or_default();
    let connections = state.db.merchant_connections(merchant_id).await?;
    let assessment = assess(&requirements, &connections, reads);
    if state.db.mark_ready(merchant_id, assessment.ready).await? && assessment.ready {
        let data = json!({"requirements": requirements, "progress": assessment.progress});
        emit(state, merchant_id, READY, data).await?;
    }
    Ok(())
}

/// Stores an event with a delivery to each of the lender's endpoints, and wakes the delivery.
async fn emit(
    state: &AppState,
    merchant_id: &str,
    event_type: &str,
    mut data: Value,
) -> Result<(), AppError> {
    let company_id = state.db.merchant(merchant_id).await?.and_then(|m| m.company_id);
    if let Some(fields) = data.as_object_mut() {
        fields.insert("merchantId".into(), merchant_id.into());
        fields.insert("companyId".into(), company_id.into());
    }
    let id = format!("msg_{}", uuid::Uuid::new_v4().simple());
    let timestamp = crate::rfc3339(crate::db::unix_now());
    let body = json!({"type": event_type, "timestamp": timestamp, "data": data}).to_string();
    let deliveries: Vec<(String, String)> = state
        .settings
        .lender_endpoints
        .iter()
        .map(|endpoint| (super::new_delivery_id(), endpoint.url.clone()))
        .collect();
    let event = NewLenderEvent { id: &id, merchant_id, event_type, body: &body };
    state.db.enqueue_lender_event(event, &deliveries, crate::db::unix_now_ms()).await?;
    tracing::info!(%merchant_id, %event_type, %id, "event for the lender stored");
    state.lender_outbox.notify_one();
    Ok(())
}
