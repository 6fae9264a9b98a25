//! Codat's daily request quota: 1,000 requests a day plus 1,000 for each active company (one
//! with a linked connection), reset at midnight UTC. Every answer carries `X-Rate-Limit-Limit`,
//! `X-Rate-Limit-Remaining` and `X-Rate-Limit-Reset` (the reset as Unix seconds); past the quota,
//! 429 with `Retry-After` until the reset.

use crate::{error::CodatErrorResponse, Emulator};
use axum::{
    extract::{Request, State},
    http::{HeaderName, HeaderValue},
    middleware::Next,
    response::{IntoResponse, Response},
};
use std::{
    sync::{Arc, Mutex, PoisonError},
    time::{Duration, Instant},
};

/// Requests a day before any company is active, and added for each active one.
pub const DEFAULT_DAILY_QUOTA: u64 = 1_000;

/// How long the number of active companies is reused before it is counted again.
const RECOUNT_EVERY: Duration = Duration::from_secs(5);

/// Requests counted today.
#[derive(Debug, Default)]
pub struct Quota {
    inner: Mutex<Counted>,
}

#[derive(Debug, Default)]
struct Counted {
    day: i64,
    used: u64,
    active_companies: u64,
    counted_at: Option<Instant>,
}

/// Where the quota stands after one more request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    /// Requests allowed today.
    pub limit: u64,
    /// Requests left today (0 once over).
    pub remaining: u64,
    /// When the quota resets, in Unix seconds.
    pub reset_at: i64,
    /// Whether this request is over the quota.
    pub exceeded: bool,
}

impl Quota {
    /// Counts one request at `now_secs` (Unix seconds) against `base` a day plus `base` per
    /// active company (`active` counts them, asked at most every few seconds).
    pub fn take(&self, base: u64, now_secs: i64, active: impl FnOnce() -> u64) -> Standing {
        let mut counted = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let day = now_secs.div_euclid(86_400);
        if counted.day != day {
            counted.day = day;
            counted.used = 0;
        }
        if counted.counted_at.is_none_or(|at| at.elapsed() >= RECOUNT_EVERY) {
            counted.active_companies = active();
            counted.counted_at = Some(Instant::now());
        }
        counted.used += 1;
        let limit = base * (1 + counted.active_companies);
        Standing {
            limit,
            remaining: limit.saturating_sub(counted.used),
            reset_at: (day + 1) * 86_400,
            exceeded: counted.used > limit,
        }
    }
}

/// Middleware on the API: counts the request, answers 429 past the quota, and adds the headers.
pub async fn apply(State(emulator): State<Arc<Emulator>>, request: Request, next: Next) -> Response {
    let Some(base) = emulator.daily_quota() else { return next.run(request).await };
    let now = crate::sync::now_ms() / 1000;
    let standing = emulator.quota.take(base, now, || emulator.store.active_company_count());
    let mut response = if standing.exceeded {
        let mut refused = CodatErrorResponse::new(
            axum::http::StatusCode::TOO_MANY_REQUESTS,
            "The daily request quota has been reached; it resets at midnight UTC.",
        )
        .into_response();
        let wait = (standing.reset_at - now).max(1);
        refused.headers_mut().insert("retry-after", HeaderValue::from(wait));
        refused
    } else {
        next.run(request).await
    };
    let headers = response.headers_mut();
    for (name, value) in [
        ("x-rate-limit-limit", standing.limit as i64),
        ("x-rate-limit-remaining", standing.remaining as i64),
        ("x-rate-limit-reset", standing.reset_at),
    ] {
        headers.insert(HeaderName::from_static(name), HeaderValue::from(value));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_quota_grows_with_active_companies_and_resets_each_day() {
        let quota = Quota::default();
        let day = 20_000 * 86_400;
        let first = quota.take(2, day + 10, || 0);
        assert_eq!((first.limit, first.remaining, first.exceeded), (2, 1, false));
        assert_eq!(first.reset_at, day + 86_400);
        quota.take(2, day + 11, || 0);
        assert!(quota.take(2, day + 12, || 0).exceeded);
        let next_day = quota.take(2, day + 86_400, || 0);
        assert!(!next_day.exceeded, "the count starts again at midnight UTC");
    }
}
