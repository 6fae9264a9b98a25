//! Extractors the handlers share: a JSON body refused with our error body, the signed-in
//! merchant with its Codat company, and the lender's admin token (`/v1`'s one layer).

use crate::{
    db::Merchant,
    error::AppError,
    rate_limit::ClientAddress,
    session::{self, bearer_token, hash_secret, CurrentSession},
    AppState,
};
use axum::{
    extract::{FromRequest, FromRequestParts, OptionalFromRequestParts, Request},
    http::request::Parts,
    Json,
};
use serde::de::DeserializeOwned;

/// A JSON body; one that cannot be read is answered with our JSON error (400, or 413 over the
/// size limit), as in axum's error-handling example.
#[derive(Debug, Clone, Copy, Default)]
pub struct AppJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for AppJson<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let Json(value) = Json::<T>::from_request(request, state).await?;
        Ok(Self(value))
    }
}

/// The signed-in merchant, its Codat company (a session is only issued once the company
/// exists) and the session the request came with.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// The merchant.
    pub merchant: Merchant,
    /// Its Codat company.
    pub company_id: String,
    /// SHA-256 of the session token (a return from Link is bound to the session sent there).
    pub token_hash: String,
}

impl SignedIn {
    fn from_session(session: CurrentSession) -> Result<Self, AppError> {
        let company_id = session.merchant.company_id.clone().ok_or(AppError::NotSignedIn)?;
        Ok(Self { company_id, token_hash: session.token_hash, merchant: session.merchant })
    }
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Self::from_session(CurrentSession::from_request_parts(parts, state).await?)
    }
}

/// `Option<SignedIn>`: `None` for a request that presents no session at all (a first visit is
/// not an error); a session presented but unknown or ended is still refused.
impl OptionalFromRequestParts<AppState> for SignedIn {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, Self::Rejection> {
        if !session::presents_session(parts, state) {
            return Ok(None);
        }
        <Self as FromRequestParts<AppState>>::from_request_parts(parts, state).await.map(Some)
    }
}

/// A request carrying the admin token (`Authorization: Bearer <ADMIN_TOKEN>`). An address that
/// sends wrong tokens is soon refused before any token is compared.
/// `routes.rs` puts it in front of every `/v1` route as one layer.
#[derive(Debug, Clone, Copy)]
pub struct Admin;

impl FromRequestParts<AppState> for Admin {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Some(expected) = state.settings.admin_token_hash.as_deref() else {
            return Err(AppError::NotFound("Embedding is not enabled: set ADMIN_TOKEN.".into()));
        };
        let Ok(client) = ClientAddress::from_request_parts(parts, state).await;
        state.rate_limits.take_admin_request(client)?;
        let presented = bearer_token(&parts.headers).map(hash_secret);
        // Digests of equal length are compared, so timing says nothing about the token.
        if presented.as_deref() != Some(expected) {
            state.rate_limits.charge_admin_failure(client);
            return Err(AppError::AdminTokenRequired);
        }
        Ok(Self)
    }
}
