//! The lender's side of hand-offs: whom a merchant is waiting on (in `GET /v1/merchants/{id}`)
//! and `DELETE /v1/merchants/{merchantId}/handoffs/{handoffId}`, behind `ADMIN_TOKEN`.

use crate::{db::rfc3339, error::AppError, AppState};
use axum::{
    extract::{Path, State},
    http::StatusCode,
};
use serde::{Deserialize, Serialize};

/// The person the owner handed the linking to, while the merchant is not ready.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WaitingOn {
    /// The hand-off's id.
    pub handoff_id: String,
    /// Whom the owner named.
    pub person: String,
    /// The owner's note to them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Since when (RFC 3339).
    pub since: String,
}

/// Whom the merchant waits on: its latest hand-off in force, unless it is ready already.
pub async fn waiting_on(
    state: &AppState,
    merchant_id: &str,
    ready: bool,
) -> Result<Option<WaitingOn>, AppError> {
    if ready {
        return Ok(None);
    }
    Ok(state.db.latest_handoff(merchant_id).await?.map(|handoff| WaitingOn {
        handoff_id: handoff.id,
        person: handoff.person,
        note: handoff.note,
        since: rfc3339(handoff.requested_at),
    }))
}

/// `DELETE /v1/merchants/{merchantId}/handoffs/{handoffId}`: the link stops working and the
/// sessions it started end (204); 404 for a hand-off not in force.
pub async fn revoke(
    State(state): State<AppState>,
    Path((merchant_id, handoff_id)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    let Some(ended) = crate::facts::handoff_revoked(&state, &merchant_id, &handoff_id).await? else {
        return Err(AppError::NotFound("There is no such hand-off in force.".into()));
    };
    // Already gone from the database: this server forgets them, and their streams close.
    for token_hash in ended {
        crate::session::deleted(&state, &merchant_id, &token_hash).await;
    }
    Ok(StatusCode::NO_CONTENT)
}
