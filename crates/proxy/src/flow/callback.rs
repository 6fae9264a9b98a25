//! Step 4: confirming what Codat's redirect says, never trusting the query string alone.

use crate::{
    error::AppError,
    flow::connections::summary,
    session::{hash_secret, CurrentMerchant},
    AppState,
};
use axum::{
    extract::{rejection::JsonRejection, State},
    Json,
};
use codat_connect_api::{CallbackConfirmation, Connection};

/// `POST /api/callback`: the connection named by the redirect, as Codat reports it now, if the
/// redirect's `state` is the one sent out with this session's Link URL for that connection.
pub async fn confirm(
    State(state): State<AppState>,
    CurrentMerchant(merchant): CurrentMerchant,
    body: Result<Json<CallbackConfirmation>, JsonRejection>,
) -> Result<Json<Connection>, AppError> {
    let Json(request) = body?;
    if uuid::Uuid::parse_str(&request.connection_id).is_err() {
        return Err(AppError::NotFound("There is no such connection.".into()));
    }
    let issued = state
        .db()
        .link_state_matches(&hash_secret(request.state.trim()), &merchant.id, &request.connection_id)
        .await?;
    if !issued {
        return Err(AppError::BadRequest(
            "This return link was not issued to you for this connection. Start connecting again from the list.".into(),
        ));
    }
    let company_id = merchant.company_id.ok_or(AppError::NotSignedIn)?;
    let connection = state.codat().get_connection(&company_id, &request.connection_id).await?;
    crate::flow::connections::remember(&state, &merchant.id, &connection).await?;
    Ok(Json(summary(connection)))
}
