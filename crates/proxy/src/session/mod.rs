//! Browser sessions: an opaque random token, stored hashed, in an HttpOnly cookie (standalone)
//! or sent as a bearer token (embedded, where the frame's cookies would be third-party).

mod cache;

pub use cache::SessionCache;

use crate::{
    db::{unix_now, Merchant},
    error::AppError,
    AppState,
};
use axum::{
    extract::FromRequestParts,
    http::{header, request::Parts},
};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use std::time::Duration;

/// How long a standalone session lasts at most.
pub const SESSION_LIFETIME: Duration = Duration::from_secs(12 * 60 * 60);

/// The signed-in merchant and which of its sessions the request came with (a return from
/// Link is accepted only by the session that was sent there).
#[derive(Debug, Clone)]
pub struct CurrentSession {
    /// The session's merchant.
    pub merchant: Merchant,
    /// SHA-256 of the session token.
    pub token_hash: String,
    /// When the session ends at the latest (Unix seconds).
    pub expires_at: i64,
}

impl FromRequestParts<AppState> for CurrentSession {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        validate(parts, state).await?.ok_or(AppError::NotSignedIn)
    }
}

/// Whether the request presents a session at all (a token, a cookie or a stream ticket), live or
/// not.
pub fn presents_session(parts: &Parts, state: &AppState) -> bool {
    presented(parts, state).is_some()
}

/// The request's live session if it presents one; a token that names no live session is as
/// good as none (sign-up starts afresh rather than refusing a stale cookie).
#[derive(Debug, Clone)]
pub struct MaybeSession(pub Option<CurrentSession>);

impl FromRequestParts<AppState> for MaybeSession {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        validate(parts, state).await.map(Self)
    }
}

/// The live session the request presents, looked up once per request: the rate limiter does it
/// first and leaves the answer in the request's extensions for the handler.
pub async fn validate(parts: &Parts, state: &AppState) -> Result<Option<CurrentSession>, AppError> {
    if let Some(session) = parts.extensions.get::<CurrentSession>() {
        return Ok(Some(session.clone()));
    }
    let token_hash = match presented(parts, state) {
        None => return Ok(None),
        Some(Presented::Token(token)) => hash(&token),
        Some(Presented::StreamTicket(ticket)) => match state.db.redeem_stream_ticket(&hash(&ticket)).await? {
            Some(session_hash) => session_hash,
            None => return Ok(None),
        },
    };
    let found = session_of_hash(state, &token_hash).await?;
    Ok(found.map(|(merchant, expires_at)| CurrentSession { merchant, token_hash, expires_at }))
}

/// The token of an `Authorization: Bearer <token>` header: an embedded page's session, or the
/// lender's admin token on `/v1`.
pub fn bearer_token(headers: &axum::http::HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    value.strip_prefix("Bearer ").map(str::trim).filter(|token| !token.is_empty())
}

/// What a request presents to name its session.
enum Presented {
    /// The session token: an embedding page's bearer token, or a standalone page's cookie.
    Token(String),
    /// A one-time ticket for the event stream (an embedded page's `EventSource` cannot send
    /// headers, and its address is logged by proxies in front of us).
    StreamTicket(String),
}

fn presented(parts: &Parts, state: &AppState) -> Option<Presented> {
    let bearer = bearer_token(&parts.headers).map(|token| Presented::Token(token.to_owned()));
    bearer.or_else(|| stream_ticket(parts).map(Presented::StreamTicket)).or_else(|| {
        let jar = CookieJar::from_headers(&parts.headers);
        jar.get(state.cookie_name()).map(|c| Presented::Token(c.value().to_owned()))
    })
}

/// The ticket named in the event stream's query, on that path alone.
fn stream_ticket(parts: &Parts) -> Option<String> {
    if parts.uri.path() != codat_connect_api::paths::EVENTS {
        return None;
    }
    url::form_urlencoded::parse(parts.uri.query()?.as_bytes())
        .find(|(name, _)| name == "ticket")
        .map(|(_, ticket)| ticket.trim().to_owned())
}

/// How long a stream ticket may wait to be used.
pub const STREAM_TICKET_LIFETIME: Duration = Duration::from_secs(60);

/// A new one-time ticket for `session`'s event stream.
pub async fn issue_stream_ticket(state: &AppState, session: &CurrentSession) -> Result<String, AppError> {
    let ticket = new_token();
    state.db.insert_stream_ticket(&hash(&ticket), &session.token_hash, STREAM_TICKET_LIFETIME).await?;
    Ok(ticket)
}

/// Issues a bearer session token for `merchant_id`, valid for `lifetime`, carrying `extras`.
pub async fn issue_token(
    state: &AppState,
    merchant_id: &str,
    lifetime: Duration,
    extras: &crate::db::SessionExtras,
) -> Result<String, AppError> {
    let token = new_token();
    state.db.insert_session_with(&hash(&token), merchant_id, lifetime, extras).await?;
    Ok(token)
}

/// The SHA-256 of a secret, for storing or comparing without keeping the secret itself.
pub fn hash_secret(secret: &str) -> String {
    hash(secret)
}

/// The merchant of a live session and when it expires, from memory when this server checked
/// it lately; a database lookup marks the session used.
async fn session_of_hash(state: &AppState, token_hash: &str) -> Result<Option<(Merchant, i64)>, AppError> {
    let now = unix_now();
    if let Some(found) = state.sessions.get(token_hash, now) {
        return Ok(Some(found));
    }
    let Some(stored) = state.db.use_session(token_hash, state.settings.session_idle).await? else {
        return Ok(None);
    };
    state.sessions.insert(token_hash.to_owned(), &stored.merchant, stored.expires_at, now);
    Ok(Some((stored.merchant, stored.expires_at)))
}

/// Whether a session is still live (not expired, idle, signed out or revoked), asking the
/// database without counting the question as use: an open event stream is not activity.
pub async fn is_live(state: &AppState, token_hash: &str) -> bool {
    // A database that does not answer does not end anyone's stream.
    state.db.peek_session(token_hash, state.settings.session_idle).await.map_or(true, |found| found.is_some())
}

/// Ends a session everywhere: the database forgets it, this server's memory too, and its open
/// event streams (on every server) close. Answers whether there was such a session.
pub async fn end(state: &AppState, token_hash: &str) -> Result<bool, AppError> {
    state.sessions.forget(token_hash);
    let Some(merchant_id) = state.db.delete_session(token_hash).await? else { return Ok(false) };
    state.live.end_session(&state.db, &merchant_id, token_hash).await;
    Ok(true)
}

/// A session a change already deleted in its transaction (a revoked hand-off's): this server
/// forgets it, and its open event streams close on every server.
pub async fn deleted(state: &AppState, merchant_id: &str, token_hash: &str) {
    state.sessions.forget(token_hash);
    state.live.end_session(&state.db, merchant_id, token_hash).await;
}

/// Starts a session for `merchant_id`, carrying `extras` (a return URL when a lender's one-time
/// link started it: "Done" returns there), and returns the cookie that carries it.
pub async fn start(
    state: &AppState,
    merchant_id: &str,
    extras: &crate::db::SessionExtras,
) -> Result<Cookie<'static>, AppError> {
    let token = new_token();
    state.db.insert_session_with(&hash(&token), merchant_id, SESSION_LIFETIME, extras).await?;
    let mut cookie = Cookie::new(state.cookie_name().to_owned(), token);
    cookie.set_http_only(true);
    cookie.set_same_site(SameSite::Lax);
    cookie.set_path("/");
    cookie.set_secure(state.settings.secure_cookies);
    cookie.set_max_age(Some(time_duration(SESSION_LIFETIME)));
    Ok(cookie)
}

/// A cookie that makes the browser forget its session cookie.
pub fn removal_cookie(state: &AppState) -> Cookie<'static> {
    let mut cookie = Cookie::new(state.cookie_name().to_owned(), "");
    cookie.set_path("/");
    cookie.set_http_only(true);
    cookie.set_same_site(SameSite::Lax);
    cookie.set_secure(state.settings.secure_cookies);
    cookie.make_removal();
    cookie
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
    crate::digest::sha256_hex(token.as_bytes())
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
