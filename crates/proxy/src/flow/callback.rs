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
use codat_connect_api::{CallbackConfirmation, ErrorCode, Progress, ReturnConfirmed};

/// `POST /api/callback`: the connection named by the redirect, as Codat reports it now, once
/// the return is matched to a pending link of this session for that connection. Codat may or
/// may not carry our `state` value through the platform's OAuth round trip: without it, the
/// session's last pending link for the connection answers; with it, it must be that link's.
pub async fn confirm(
    State(state): State<AppState>,
    session: Option<SignedIn>,
    jar: CookieJar,
    AppJson(request): AppJson<CallbackConfirmation>,
) -> Result<(CookieJar, Json<ReturnConfirmed>), AppError> {
    let connection_id = request.connection_id.trim();
    if uuid::Uuid::parse_str(connection_id).is_err() {
        return Err(AppError::NotFound("There is no such connection.".into()));
    }
    // An empty state is a wrong one (its hash matches no link), never "Codat carried none".
    let state_hash = request.state.as_deref().map(|value| hash_secret(value.trim()));
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
    let seen = std::slice::from_ref(&connection);
    crate::facts::connections_seen(&state, &session.merchant.id, seen, crate::facts::Cause::Page).await?;
    crate::watcher::watch(&state, &session.merchant.id, &session.company_id);
    Ok((jar, Json(ReturnConfirmed { connection: summary(connection), finish_url: None })))
}

/// A return without a session: a platform's OAuth on a phone can end in another browser than
/// the one the owner started in (an app switch). A connection id is no secret (it is in the Link
/// URL, the redirect's query, access logs and the lender's systems), so it alone earns nothing
/// but the outcome of that one connection and the way back to the lender, and only while the
/// session a lender's one-time link started, to which the Link URL was issued, lives. The
/// journey's own secret, the `state` value Codat carried back, also earns a session in this
/// browser, once: the pending link is used up then.
async fn confirm_in_another_browser(
    state: &AppState,
    jar: CookieJar,
    connection_id: &str,
    state_hash: Option<&str>,
) -> Result<(CookieJar, Json<ReturnConfirmed>), AppError> {
    let Some(link) =
        state.db.waiting_link_of_link_session(connection_id, state.settings.session_idle).await?
    else {
        return Err(AppError::NotSignedIn);
    };
    let proven = match state_hash {
        None => false,
        Some(hash) if hash == link.state_hash => true,
        Some(_) => return Err(AppError::NotSignedIn),
    };
    let company_id = state
        .db
        .merchant(&link.merchant_id)
        .await?
        .and_then(|m| m.company_id)
        .ok_or(AppError::NotSignedIn)?;
    let connection = state.codat.get_connection(&company_id, connection_id).await?;
    if proven && !state.db.use_pending_link(&link.id).await? {
        return Err(refused(RefusedReturn::Used));
    }
    let seen = std::slice::from_ref(&connection);
    crate::facts::connections_seen(state, &link.merchant_id, seen, crate::facts::Cause::Page).await?;
    crate::watcher::watch(state, &link.merchant_id, &company_id);
    let connection = summary(connection);
    if proven {
        let extras =
            crate::db::SessionExtras { return_url: Some(link.return_url.clone()), ..Default::default() };
        let cookie = crate::session::start(state, &link.merchant_id, &extras).await?;
        return Ok((jar.add(cookie), Json(ReturnConfirmed { connection, finish_url: None })));
    }
    let finish_url = finish_url(state, &link.merchant_id, &link.return_url).await?;
    Ok((jar, Json(ReturnConfirmed { connection, finish_url: Some(finish_url) })))
}

/// Records what Codat says of one of the merchant's connections now (after a return that said
/// the platform failed, which alone is not believed). The step is recorded
/// whatever Codat answers: a failure here is logged, and the watcher or a webhook tells later.
pub async fn ask_codat_about(state: &AppState, merchant_id: &str, company_id: &str, connection_id: &str) {
    let seen = match state.codat.get_connection(company_id, connection_id).await {
        Ok(connection) => {
            crate::facts::connections_seen(state, merchant_id, &[connection], crate::facts::Cause::Page).await
        }
        Err(error) => Err(error.into()),
    };
    if let Err(error) = seen {
        tracing::warn!(%merchant_id, %connection_id, %error, "a failed return's connection could not be looked up");
    }
}

/// The lender's return URL with where the merchant stands against its requirements.
async fn finish_url(state: &AppState, merchant_id: &str, return_url: &str) -> Result<String, AppError> {
    let requirements = crate::lender::requirements_of(state, merchant_id).await?;
    let connections = state.db.merchant_connections(merchant_id).await?;
    let documented = crate::lender::readiness::documented(&state.db.documents(merchant_id).await?);
    let linked = |kind| {
        connections.iter().any(|c| c.status == codat::ConnectionStatus::Linked && c.kind() == kind)
            || (requirements.takes_documents(kind) && documented.contains(&kind))
    };
    Ok(Progress::of(&requirements, linked).return_address(return_url))
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
