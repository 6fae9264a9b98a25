//! Browser sessions: an opaque random token, stored hashed, in an HttpOnly cookie (standalone)
//! or sent as a bearer token (embedded, where the frame's cookies would be third-party).

use crate::{db::Merchant, error::AppError, AppState};
use axum::{
    extract::FromRequestParts,
    http::{header, request::Parts},
};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use sha2::{Digest, Sha256};
use std::time::Duration;

/// How long a session lasts.
pub const SESSION_LIFETIME: Duration = Duration::from_secs(12 * 60 * 60);

/// The signed-in merchant, from the bearer token or the session cookie.
#[derive(Debug, Clone)]
pub struct CurrentMerchant(pub Merchant);

impl FromRequestParts<AppState> for CurrentMerchant {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        // An embedding page sends the token its lender obtained; a standalone page, the cookie.
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .map(str::to_owned)
            .or_else(|| event_stream_token(parts));
        let merchant = match bearer.as_deref() {
            Some(token) => state.db().session_merchant(&hash(token)).await?,
            None => merchant_of_cookie(state, &CookieJar::from_headers(&parts.headers)).await?,
        };
        merchant.map(CurrentMerchant).ok_or(AppError::NotSignedIn)
    }
}

/// The token an embedded page's `EventSource` names in the query (it cannot send headers);
/// accepted on the event stream alone, whose path is logged without its query.
fn event_stream_token(parts: &Parts) -> Option<String> {
    if parts.uri.path() != codat_connect_api::paths::EVENTS {
        return None;
    }
    url::form_urlencoded::parse(parts.uri.query()?.as_bytes())
        .find(|(name, _)| name == "access_token")
        .map(|(_, token)| token.trim().to_owned())
}

/// Issues a bearer session token for `merchant_id`, valid for `lifetime`.
pub async fn issue_token(
    state: &AppState,
    merchant_id: &str,
    lifetime: Duration,
) -> Result<String, AppError> {
    let token = new_token();
    state.db().insert_session(&hash(&token), merchant_id, lifetime).await?;
    Ok(token)
}

/// The SHA-256 of a secret, for storing or comparing without keeping the secret itself.
pub fn hash_secret(secret: &str) -> String {
    hash(secret)
}

/// The merchant of the session cookie in `jar`, if it names a live session.
pub async fn merchant_of_cookie(state: &AppState, jar: &CookieJar) -> Result<Option<Merchant>, AppError> {
    match jar.get(state.cookie_name()) {
        Some(cookie) => Ok(state.db().session_merchant(&hash(cookie.value())).await?),
        None => Ok(None),
    }
}

/// Starts a session for `merchant_id` and returns the cookie that carries it.
pub async fn start(state: &AppState, merchant_id: &str) -> Result<Cookie<'static>, AppError> {
    let token = new_token();
    state.db().insert_session(&hash(&token), merchant_id, SESSION_LIFETIME).await?;
    let mut cookie = Cookie::new(state.cookie_name().to_owned(), token);
    cookie.set_http_only(true);
    cookie.set_same_site(SameSite::Lax);
    cookie.set_path("/");
    cookie.set_secure(state.secure_cookies());
    cookie.set_max_age(Some(time_duration(SESSION_LIFETIME)));
    Ok(cookie)
}

fn time_duration(duration: Duration) -> time::Duration {
    time::Duration::seconds(duration.as_secs() as i64)
}

/// 256 random bits, URL-safe: session tokens and Link state values.
pub fn new_token() -> String {
    use base64::Engine as _;
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system's random source is available");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn hash(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_and_distinct() {
        let (a, b) = (new_token(), new_token());
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
    }

    #[test]
    fn the_stored_hash_is_not_the_token() {
        let token = new_token();
        assert_ne!(hash(&token), token);
        assert_eq!(hash(&token), hash(&token));
    }
}
