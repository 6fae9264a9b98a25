//! A flow delivered by link (`POST /v1/sessions` with `"delivery": "link"`): a one-time URL the
//! lender sends by e-mail or SMS, or its page sends the whole tab to. Opening it
//! (`GET /start/{code}`) starts a session in that browser and shows the platforms in a full page;
//! "Done" sends the owner to the lender's `returnUrl` with the outcome.

use crate::{error::AppError, session, AppState};
use axum::{
    extract::{Path, State},
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::CookieJar;
use codat_connect_api::pages;
use std::time::Duration;

/// How long a link may wait to be opened.
pub const LINK_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);

/// A new link for the merchant, returning to `return_url`: the URL to send.
pub async fn issue(state: &AppState, merchant_id: &str, return_url: &str) -> Result<String, AppError> {
    let return_url = checked_return_url(state, return_url)?;
    let code = session::new_token();
    state.db.insert_link_start(&session::hash_secret(&code), merchant_id, &return_url, LINK_LIFETIME).await?;
    Ok(format!("{}/start/{code}", state.settings.public_url))
}

/// A return URL on one of the lender's own origins (`FRAME_ANCESTORS`): the flow never sends an
/// owner anywhere else.
fn checked_return_url(state: &AppState, text: &str) -> Result<String, AppError> {
    let refused = || {
        AppError::BadRequest(
            "returnUrl is an http(s) URL on one of the lender's origins (FRAME_ANCESTORS).".into(),
        )
    };
    let url = url::Url::parse(text.trim()).map_err(|_| refused())?;
    let origin = url.origin().ascii_serialization();
    let allowed = matches!(url.scheme(), "https" | "http")
        && state
            .settings
            .frame_ancestors
            .split_whitespace()
            .any(|source| source.trim_end_matches('/') == origin);
    if !allowed {
        return Err(refused());
    }
    Ok(url.to_string())
}

/// `GET /start/{code}`: uses the link once, starts a session in this browser and shows the
/// platforms; a link already used or expired leads to a page that says so.
pub async fn open(
    State(state): State<AppState>,
    jar: CookieJar,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    let Some(merchant_id) = state.db.use_link_start(&session::hash_secret(code.trim())).await? else {
        return Ok(Redirect::to(&format!("{}?problem=link", pages::SIGN_UP)).into_response());
    };
    let cookie = session::start(&state, &merchant_id).await?;
    Ok((jar.add(cookie), Redirect::to(pages::CONNECT)).into_response())
}
