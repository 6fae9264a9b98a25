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
use axum_extra::extract::CookieJar;
use codat_connect_api::{CallbackConfirmation, Connection, ErrorCode};

/// `POST /api/callback`: the connection named by the redirect, as Codat reports it now, once
/// the return is matched to a pending link of this session for that connection. Codat may or
/// may not carry our `state` value through the platform's OAuth round trip: without it, the
/// session's last pending link for the connection answers; with it, it must be that link's.
pub async fn confirm(
    State(state): State<AppState>,
    session: Option<SignedIn>,
    jar: CookieJar,
    AppJson(request): AppJson<CallbackConfirmation>,
) -> Result<(CookieJar, Json<Connection>), AppError> {
    let connection_id = request.connection_id.trim();
    if uuid::Uuid::parse_str(connection_id).is_err() {
        return Err(AppError::NotFound("There is no such connection.".into()));
    }
    let state_hash = Some(request.state.trim()).filter(|s| !s.is_empty()).map(hash_secret);
    let Some(session) = session else {
        return confirm_in_another_browser(&state, jar, connection_id, state_hash.as_deref()).await;
    };
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
    Ok((jar, Json(summary(connection))))
}

/// A return without a session: a platform's OAuth on a phone can end in another browser than
/// the one the owner started in (an app switch). For an owner who came by the lender's link, the
/// return is bound on the server instead: a waiting pending link for this connection (and this
/// `state`, when Codat carried it) is used up, and this browser gets a session of its own.
async fn confirm_in_another_browser(
    state: &AppState,
    jar: CookieJar,
    connection_id: &str,
    state_hash: Option<&str>,
) -> Result<(CookieJar, Json<Connection>), AppError> {
    let Some((link_id, merchant_id)) =
        state.db.waiting_link_of_linked_owner(connection_id, state_hash).await?
    else {
        return Err(AppError::NotSignedIn);
    };
    let company_id =
        state.db.merchant(&merchant_id).await?.and_then(|m| m.company_id).ok_or(AppError::NotSignedIn)?;
    let connection = state.codat.get_connection(&company_id, connection_id).await?;
    if !state.db.use_pending_link(&link_id).await? {
        return Err(refused(RefusedReturn::Used));
    }
    crate::flow::connections::remember(state, &merchant_id, &connection).await?;
    crate::watcher::watch(state, &merchant_id, &company_id);
    let cookie = crate::session::start(state, &merchant_id).await?;
    Ok((jar.add(cookie), Json(summary(connection))))
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
