//! Step 4: confirming what Codat's redirect says, never trusting the query string alone.

use crate::{
    db::PendingLinkState,
    error::AppError,
    extract::{AppJson, SignedIn},
    flow::connections::summary,
    session::hash_secret,
    AppState,
};
use axum::{extract::State, Json};
use codat_connect_api::{CallbackConfirmation, Connection, ErrorCode};

/// `POST /api/callback`: the connection named by the redirect, as Codat reports it now, once
/// the return is matched to a pending link of this session for that connection. Codat may or
/// may not carry our `state` value through the platform's OAuth round trip: without it, the
/// session's last pending link for the connection answers; with it, it must be that link's.
pub async fn confirm(
    State(state): State<AppState>,
    session: SignedIn,
    AppJson(request): AppJson<CallbackConfirmation>,
) -> Result<Json<Connection>, AppError> {
    let connection_id = request.connection_id.trim();
    if uuid::Uuid::parse_str(connection_id).is_err() {
        return Err(AppError::NotFound("There is no such connection.".into()));
    }
    let state_hash = Some(request.state.trim()).filter(|s| !s.is_empty()).map(hash_secret);
    let pending = state.db.pending_link(&session.token_hash, connection_id, state_hash.as_deref()).await?;
    let link_id = match pending.map(|link| (link.state, link.id)) {
        None => return Err(refused(RefusedReturn::Unknown)),
        Some((PendingLinkState::Used, _)) => return Err(refused(RefusedReturn::Used)),
        Some((PendingLinkState::Expired, _)) => return Err(refused(RefusedReturn::Expired)),
        Some((PendingLinkState::Waiting, id)) => id,
    };
    // Codat is asked before the link is used up, so a failed answer can be tried again.
    let connection = state.codat.get_connection(&session.company_id, connection_id).await?;
    // Two returns racing for one link: only one uses it.
    if !state.db.use_pending_link(&link_id).await? {
        return Err(refused(RefusedReturn::Used));
    }
    crate::flow::connections::remember(&state, &session.merchant.id, &connection).await?;
    crate::watcher::watch(&state, &session.merchant.id, &session.company_id);
    Ok(Json(summary(connection)))
}

/// Why a return from Link is not accepted; each says how to carry on.
#[derive(Debug, Clone, Copy)]
enum RefusedReturn {
    Unknown,
    Used,
    Expired,
}

fn refused(reason: RefusedReturn) -> AppError {
    let (code, message) = match reason {
        RefusedReturn::Unknown => (
            ErrorCode::ReturnLinkUnknown,
            "This return from Codat is not for a connection you started here. See your connections, or connect again.",
        ),
        RefusedReturn::Used => (
            ErrorCode::ReturnLinkUsed,
            "This return from Codat was already handled. See your connections for where it stands.",
        ),
        RefusedReturn::Expired => (
            ErrorCode::ReturnLinkExpired,
            "This return from Codat came too late to be accepted. See your connections and connect again from there.",
        ),
    };
    AppError::Invalid { code, message: message.into() }
}
