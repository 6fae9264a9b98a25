//! `POST /v1/sessions`: the lender's backend, holding the admin token, asks for a short-lived
//! session token for one of its merchants (creating the merchant's Codat company if needed) and
//! hands it to the page that embeds Codat Connect, like Plaid's link token.

use crate::{
    config::is_platform_key,
    db::{Merchant, SessionExtras},
    error::AppError,
    extract::AppJson,
    flow::company::ensure_company,
    session::{end as end_session, hash_secret, issue_token},
    AppState,
};
use axum::{
    extract::{Path, State},
    http::StatusCode,
    Json,
};
use codat_connect_api::{Delivery, EmbedSession, EmbedSessionRequest};
use std::time::Duration;

/// How long an embedding session lasts.
pub const EMBED_SESSION_LIFETIME: Duration = Duration::from_secs(60 * 60);

/// `POST /v1/sessions`
pub async fn create(
    State(state): State<AppState>,
    AppJson(request): AppJson<EmbedSessionRequest>,
) -> Result<Json<EmbedSession>, AppError> {
    let merchant_id = request.merchant_id.trim();
    let valid_id = !merchant_id.is_empty()
        && merchant_id.len() <= 64
        && merchant_id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !valid_id {
        return Err(AppError::BadRequest("merchantId is 1 to 64 letters, digits, '-' or '_'.".into()));
    }
    let business_name = request.business_name.trim();
    if business_name.is_empty() || business_name.chars().count() > 200 {
        return Err(AppError::BadRequest("businessName is 1 to 200 characters.".into()));
    }
    let wishes = grid_wishes(&state, &request.featured_platforms, request.platform.as_deref()).await?;
    let merchant = Merchant {
        id: merchant_id.to_owned(),
        business_name: business_name.to_owned(),
        email: request.email.unwrap_or_default(),
        company_id: None,
    };
    state.db.claim_merchant(&merchant).await?;
    if let Some(requirements) = request.requirements {
        // New requirements may make the merchant ready, or no longer ready.
        crate::facts::requirements_set(&state, merchant_id, &requirements).await?;
    }
    let company_id = ensure_company(&state, merchant_id, business_name).await?;
    let url = match (request.delivery.unwrap_or_default(), request.return_url.as_deref()) {
        (Delivery::Frame, _) => None,
        (Delivery::Link, Some(return_url)) => {
            Some(crate::flow::link_start::issue(&state, merchant_id, return_url, wishes.clone()).await?)
        }
        (Delivery::Link, None) => {
            return Err(AppError::BadRequest("delivery \"link\" needs a returnUrl.".into()))
        }
    };
    let session_token = issue_token(&state, merchant_id, EMBED_SESSION_LIFETIME, &wishes).await?;
    Ok(Json(EmbedSession { session_token, expires_in: EMBED_SESSION_LIFETIME.as_secs(), company_id, url }))
}

/// Most platforms a session may feature.
const MOST_FEATURED: usize = 20;

/// The session's featured platforms and the one to open at, checked: Codat keys, at most
/// [`MOST_FEATURED`] featured, and a platform to open at that a grid offers (a lender's typo
/// is told now, not found by an owner).
async fn grid_wishes(
    state: &AppState,
    featured: &[String],
    platform: Option<&str>,
) -> Result<SessionExtras, AppError> {
    if featured.len() > MOST_FEATURED || !featured.iter().all(|key| is_platform_key(key)) {
        return Err(AppError::BadRequest(format!(
            "featuredPlatforms is at most {MOST_FEATURED} Codat platform keys (four lower-case letters, e.g. qhyg)."
        )));
    }
    let opening_platform = match platform.map(str::trim) {
        Some(key) => {
            if !is_platform_key(key)
                || crate::flow::integrations::offered_platform(state, key).await?.is_none()
            {
                return Err(AppError::BadRequest(format!(
                    "platform \"{}\" is not a platform this lender offers (a Codat platform key, as in the grid).",
                    key.chars().take(64).collect::<String>()
                )));
            }
            Some(key.to_owned())
        }
        None => None,
    };
    Ok(SessionExtras { featured_platforms: featured.to_vec(), opening_platform, ..SessionExtras::default() })
}

/// `DELETE /v1/sessions/{token}`: the lender ends a session it obtained (the applicant signed out
/// of the lender's site, say). Its event streams close; the page's next request is refused.
pub async fn revoke(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<StatusCode, AppError> {
    if end_session(&state, &hash_secret(token.trim())).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::NotFound("There is no live session with that token.".into()))
    }
}
