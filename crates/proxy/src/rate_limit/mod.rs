//! Rate limits: token buckets per client address (IPv6 by /64) and per validated session on
//! `/api`, per address on sign-up, Codat's webhooks and the lender's `/v1` API; answered with
//! 429 and `Retry-After` when empty. The buckets are `governor`'s keyed limiters (sharded maps,
//! no global lock), forgotten in the background once full again ([`RateLimits::sweep`]).

mod client;

pub use client::ClientAddress;

use crate::{error::AppError, session, AppState};
use axum::{
    extract::{FromRequestParts, Request, State},
    middleware::Next,
    response::{IntoResponse, Response},
};
use governor::{clock::Clock as _, DefaultKeyedRateLimiter, Quota};
use std::{
    collections::HashMap,
    hash::Hash,
    net::IpAddr,
    num::NonZeroU32,
    sync::{Mutex, PoisonError},
    time::{Duration, Instant},
};

/// Wrong admin tokens a minute from one address; one more closes `/v1` to the address for
/// [`ADMIN_BLOCK`], during which no token it sends is compared, right or wrong.
const ADMIN_FAILURES_PER_MINUTE: u32 = 10;
const ADMIN_BLOCK: Duration = Duration::from_secs(60);

/// Funnel steps a minute one session may add: a page reaches a handful, and the lender's report
/// must not be filled by one visitor.
pub const FUNNEL_STEPS_PER_MINUTE: u32 = 30;

/// Links to continue on a computer one session may ask for an hour: each is an event sent to the
/// lender, which its systems may e-mail.
pub const HANDOFF_LINKS_PER_HOUR: u32 = 5;

/// Every limit the server keeps.
#[derive(Debug)]
pub struct RateLimits {
    api_addresses: Limiter<IpAddr>,
    api_sessions: Limiter<String>,
    funnel_sessions: Limiter<String>,
    handoff_sessions: Limiter<String>,
    sign_ups: Limiter<IpAddr>,
    webhooks: Limiter<IpAddr>,
    admin: Limiter<IpAddr>,
    admin_failures: Limiter<IpAddr>,
    /// Addresses closed to `/v1` until the instant given. Only an address that sent too many
    /// wrong admin tokens is here, and the minute's tidy-up drops the ones whose time is over.
    admin_blocked: Mutex<HashMap<IpAddr, Instant>>,
    forwarded_hops: usize,
}

impl RateLimits {
    /// `per_minute` API requests per address and per session; `sign_ups_per_hour` new merchants
    /// per address; `webhooks_per_minute` deliveries per sending address (Codat sends from a
    /// handful of addresses and retries a refused delivery later, so nothing is lost);
    /// `admin_per_minute` requests to `/v1` per address (the lender's backend);
    /// `forwarded_hops` proxies in front of the server that append the address they were reached
    /// from to `X-Forwarded-For` (0: the socket's peer is the client).
    pub fn new(
        per_minute: u32,
        sign_ups_per_hour: u32,
        webhooks_per_minute: u32,
        admin_per_minute: u32,
        forwarded_hops: usize,
    ) -> Self {
        Self {
            api_addresses: Limiter::per_minute(per_minute),
            api_sessions: Limiter::per_minute(per_minute),
            funnel_sessions: Limiter::per_minute(FUNNEL_STEPS_PER_MINUTE),
            handoff_sessions: Limiter::new(Quota::per_hour(non_zero(HANDOFF_LINKS_PER_HOUR))),
            sign_ups: Limiter::new(Quota::per_hour(non_zero(sign_ups_per_hour))),
            webhooks: Limiter::per_minute(webhooks_per_minute),
            admin: Limiter::per_minute(admin_per_minute),
            admin_failures: Limiter::per_minute(ADMIN_FAILURES_PER_MINUTE),
            admin_blocked: Mutex::default(),
            forwarded_hops,
        }
    }

    /// Forgets buckets that are full again (they behave exactly like new ones), so the maps hold
    /// only clients seen lately. Run every minute by the server.
    pub fn sweep(&self) {
        self.api_addresses.sweep();
        self.api_sessions.sweep();
        self.funnel_sessions.sweep();
        self.handoff_sessions.sweep();
        self.sign_ups.sweep();
        self.webhooks.sweep();
        self.admin.sweep();
        self.admin_failures.sweep();
        let now = Instant::now();
        self.admin_blocked.lock().unwrap_or_else(PoisonError::into_inner).retain(|_, until| *until > now);
    }

    /// Keys held, for tests and logs.
    pub fn keys_held(&self) -> usize {
        self.api_addresses.inner.len()
            + self.api_sessions.inner.len()
            + self.funnel_sessions.inner.len()
            + self.handoff_sessions.inner.len()
            + self.sign_ups.inner.len()
            + self.webhooks.inner.len()
            + self.admin.inner.len()
            + self.admin_failures.inner.len()
    }

    /// How many proxies in front of the server append to `X-Forwarded-For`.
    pub fn forwarded_hops(&self) -> usize {
        self.forwarded_hops
    }

    /// One more funnel step from the session with this token hash.
    pub fn take_funnel_step(&self, token_hash: &str) -> Result<(), AppError> {
        self.funnel_sessions.take(token_hash.to_owned())
    }

    /// One more link to continue on a computer for the session with this token hash.
    pub fn take_handoff_link(&self, token_hash: &str) -> Result<(), AppError> {
        self.handoff_sessions.take(token_hash.to_owned())
    }

    /// One more sign-up from `client`.
    pub fn take_sign_up(&self, client: ClientAddress) -> Result<(), AppError> {
        self.sign_ups.take(client.0)
    }

    /// One more `/v1` request from `client`, refused while it is closed for wrong admin tokens.
    pub fn take_admin_request(&self, client: ClientAddress) -> Result<(), AppError> {
        let blocked =
            self.admin_blocked.lock().unwrap_or_else(PoisonError::into_inner).get(&client.0).copied();
        if let Some(wait) = blocked.and_then(|until| until.checked_duration_since(Instant::now())) {
            return Err(AppError::RateLimited { retry_after: wait });
        }
        self.admin.take(client.0)
    }

    /// Counts a wrong admin token from `client`, closing `/v1` to it when there were too many.
    pub fn charge_admin_failure(&self, client: ClientAddress) {
        if self.admin_failures.take(client.0).is_err() {
            let until = Instant::now() + ADMIN_BLOCK;
            self.admin_blocked.lock().unwrap_or_else(PoisonError::into_inner).insert(client.0, until);
        }
    }
}

/// One family of keyed token buckets.
#[derive(Debug)]
struct Limiter<K: Hash + Eq + Clone> {
    inner: DefaultKeyedRateLimiter<K>,
}

impl<K: Hash + Eq + Clone> Limiter<K> {
    fn new(quota: Quota) -> Self {
        Self { inner: DefaultKeyedRateLimiter::keyed(quota) }
    }

    /// `per_minute` requests a minute, in bursts up to that many.
    fn per_minute(per_minute: u32) -> Self {
        Self::new(Quota::per_minute(non_zero(per_minute)))
    }

    /// Takes one request from `key`'s bucket, or says how long to wait.
    fn take(&self, key: K) -> Result<(), AppError> {
        self.inner.check_key(&key).map_err(|not_until| AppError::RateLimited {
            retry_after: not_until.wait_time_from(governor::clock::DefaultClock::default().now()),
        })
    }

    fn sweep(&self) {
        self.inner.retain_recent();
        self.inner.shrink_to_fit();
    }
}

fn non_zero(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN)
}

/// Middleware on `/api`: one token from the client address's bucket and, when the request
/// presents a live session, one from that session's. The session is validated here once and
/// handed to the handler; a made-up token gets no bucket of its own.
pub async fn limit_api(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let (mut parts, body) = request.into_parts();
    let Ok(client) = ClientAddress::from_request_parts(&mut parts, &state).await;
    let limits = &state.rate_limits;
    if let Err(refused) = limits.api_addresses.take(client.0) {
        return refused.into_response();
    }
    if let Ok(Some(session)) = session::validate(&parts, &state).await {
        if let Err(refused) = limits.api_sessions.take(session.token_hash.clone()) {
            return refused.into_response();
        }
        parts.extensions.insert(session);
    }
    next.run(Request::from_parts(parts, body)).await
}

/// Middleware on pages that change state without the API (the one-time link's `POST /start`):
/// the same bucket per client address as `/api`.
pub async fn limit_address(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let (mut parts, body) = request.into_parts();
    let Ok(client) = ClientAddress::from_request_parts(&mut parts, &state).await;
    match state.rate_limits.api_addresses.take(client.0) {
        Ok(()) => next.run(Request::from_parts(parts, body)).await,
        Err(refused) => refused.into_response(),
    }
}

/// Middleware on `/webhooks/codat`: a bucket per sending address.
pub async fn limit_webhooks(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let (mut parts, body) = request.into_parts();
    let Ok(client) = ClientAddress::from_request_parts(&mut parts, &state).await;
    match state.rate_limits.webhooks.take(client.0) {
        Ok(()) => next.run(Request::from_parts(parts, body)).await,
        Err(refused) => refused.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn address(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn a_bucket_empties_and_keys_have_their_own() {
        let limiter = Limiter::per_minute(3);
        for _ in 0..3 {
            assert!(limiter.take("a").is_ok());
        }
        let Err(AppError::RateLimited { retry_after }) = limiter.take("a") else { panic!("not limited") };
        assert!(retry_after <= Duration::from_secs(20), "{retry_after:?}");
        assert!(limiter.take("b").is_ok(), "keys have their own buckets");
    }

    #[test]
    fn too_many_wrong_admin_tokens_close_the_address_for_a_while() {
        let limits = RateLimits::new(60, 10, 60, 600, 0);
        let client = ClientAddress(address("203.0.113.9"));
        for _ in 0..ADMIN_FAILURES_PER_MINUTE {
            assert!(limits.take_admin_request(client).is_ok());
            limits.charge_admin_failure(client);
        }
        assert!(limits.take_admin_request(client).is_ok(), "ten wrong tokens are tolerated");
        limits.charge_admin_failure(client);
        let Err(AppError::RateLimited { retry_after }) = limits.take_admin_request(client) else {
            panic!("not closed")
        };
        assert!(retry_after > Duration::from_secs(50), "{retry_after:?}");
        assert!(limits.take_admin_request(ClientAddress(address("198.51.100.4"))).is_ok());
    }

    #[test]
    fn a_sweep_forgets_full_buckets_only() {
        let limits = RateLimits::new(60, 10, 60, 600, 0);
        let client = ClientAddress(address("203.0.113.9"));
        limits.take_sign_up(client).unwrap();
        limits.api_addresses.take(address("198.51.100.1")).unwrap();
        assert_eq!(limits.keys_held(), 2);
        limits.sweep();
        assert_eq!(limits.keys_held(), 2, "buckets still refilling are kept");
    }
}
