//! Rate limits on the API, per client address and per session: token buckets refilled at a
//! steady rate, answered with 429 and `Retry-After` when empty.

use crate::{error::AppError, session::hash_secret, AppState};
use axum::{
    extract::{ConnectInfo, Request, State},
    http::{header, HeaderMap, HeaderValue},
    middleware::Next,
    response::{IntoResponse, Response},
};
use std::{
    collections::HashMap,
    net::SocketAddr,
    sync::{Mutex, PoisonError},
    time::{Duration, Instant},
};

/// Buckets unused this long are forgotten.
const IDLE: Duration = Duration::from_secs(10 * 60);

/// Keyed token buckets holding a minute's worth of requests each.
#[derive(Debug)]
pub struct RateLimiter {
    per_minute: u32,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl RateLimiter {
    /// A limiter allowing `per_minute` requests a minute per key, in bursts up to that many.
    pub fn new(per_minute: u32) -> Self {
        Self { per_minute: per_minute.max(1), buckets: Mutex::default() }
    }

    /// Takes one request from the key's bucket; `Err(wait)` when it is empty.
    pub fn take(&self, key: &str, now: Instant) -> Result<(), Duration> {
        let capacity = f64::from(self.per_minute);
        let per_second = capacity / 60.0;
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        if buckets.len() > 100_000 {
            buckets.retain(|_, (_, last)| now.duration_since(*last) < IDLE);
        }
        let (tokens, last) = buckets.entry(key.to_owned()).or_insert((capacity, now));
        *tokens = (*tokens + now.duration_since(*last).as_secs_f64() * per_second).min(capacity);
        *last = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - *tokens) / per_second))
        }
    }
}

/// Middleware: one token from the client address's bucket and, when the request names a
/// session, one from the session's.
pub async fn limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let now = Instant::now();
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|info| info.0.ip().to_string());
    let address = client_address(request.headers(), peer, state.trust_forwarded_for());
    let session = session_key(request.headers());
    let mut outcome = state.rate_limiter().take(&format!("addr:{address}"), now);
    if let (Ok(()), Some(session)) = (&outcome, session) {
        outcome = state.rate_limiter().take(&format!("session:{session}"), now);
    }
    match outcome {
        Ok(()) => next.run(request).await,
        Err(wait) => {
            let mut response = AppError::RateLimited.into_response();
            let seconds = wait.as_secs().max(1).to_string();
            if let Ok(value) = HeaderValue::from_str(&seconds) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            response
        }
    }
}

/// The client's address: the socket's peer, or the first `X-Forwarded-For` entry when the server
/// sits behind a proxy that is trusted to set it.
fn client_address(headers: &HeaderMap, peer: Option<String>, trust_forwarded_for: bool) -> String {
    let forwarded = trust_forwarded_for
        .then(|| headers.get("x-forwarded-for").and_then(|v| v.to_str().ok()))
        .flatten()
        .and_then(|list| list.split(',').next())
        .map(str::trim)
        .filter(|first| !first.is_empty());
    forwarded.map(str::to_owned).or(peer).unwrap_or_else(|| "unknown".into())
}

/// A key for the request's session (cookie or bearer token), hashed so no token is held.
fn session_key(headers: &HeaderMap) -> Option<String> {
    let bearer =
        headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).filter(|v| v.starts_with("Bearer "));
    let cookie =
        headers.get(header::COOKIE).and_then(|v| v.to_str().ok()).filter(|v| v.contains("cc_session="));
    bearer.or(cookie).map(hash_secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_empties_then_refills_over_time() {
        let limiter = RateLimiter::new(60);
        let start = Instant::now();
        for _ in 0..60 {
            assert!(limiter.take("a", start).is_ok());
        }
        let wait = limiter.take("a", start).unwrap_err();
        assert!(wait <= Duration::from_secs(1), "{wait:?}");
        assert!(limiter.take("b", start).is_ok(), "keys have their own buckets");
        assert!(limiter.take("a", start + Duration::from_secs(1)).is_ok(), "a second refills one request");
    }

    #[test]
    fn forwarded_addresses_count_only_when_trusted() {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", HeaderValue::from_static("203.0.113.9, 10.0.0.1"));
        assert_eq!(client_address(&headers, Some("10.0.0.1".into()), true), "203.0.113.9");
        assert_eq!(client_address(&headers, Some("10.0.0.1".into()), false), "10.0.0.1");
        assert_eq!(client_address(&HeaderMap::new(), None, true), "unknown");
    }
}
