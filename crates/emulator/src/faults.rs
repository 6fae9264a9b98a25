//! Switchable faults for testing clients: added latency, 429 with `Retry-After`, 500 and 503,
//! and dropped connections, per path prefix and method, with a seed for repeatable runs.

use crate::error::CodatErrorResponse;
use axum::{
    body::Body,
    extract::{Request, State},
    http::{header, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use serde::{Deserialize, Serialize};
use std::{
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};

/// What a fault does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum FaultKind {
    /// Answers normally, this much later.
    Latency {
        /// Added delay.
        millis: u64,
    },
    /// 429 with a `Retry-After` header.
    TooManyRequests {
        /// Seconds in `Retry-After`.
        retry_after_seconds: u64,
    },
    /// A 5xx with Codat's error body.
    ServerError {
        /// 500 or 503 (any 5xx is accepted).
        status: u16,
    },
    /// The connection is closed without a complete answer, before the request is handled.
    Drop,
    /// The request is handled, then the connection is closed without its answer: a lost
    /// response, after which a client cannot tell whether the change happened.
    DropAfter,
}

/// When and how often a fault applies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FaultRule {
    /// Path prefix it applies to (e.g. `/companies`); empty for every path.
    #[serde(default)]
    pub path: String,
    /// HTTP method it applies to; absent for every method.
    #[serde(default)]
    pub method: Option<String>,
    /// What it does.
    #[serde(flatten)]
    pub kind: FaultKind,
    /// Chance per matching request, 0 to 1.
    #[serde(default = "always")]
    pub probability: f64,
    /// How many more times it may fire; absent for no limit.
    #[serde(default)]
    pub times: Option<u32>,
}

fn always() -> f64 {
    1.0
}

/// The body of `PUT /_emulator/faults`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaultPlan {
    /// Seed of the random draws, for repeatable runs.
    #[serde(default)]
    pub seed: u64,
    /// Rules, first match wins.
    pub rules: Vec<FaultRule>,
}

/// The faults in force.
#[derive(Debug, Default)]
pub struct Faults {
    inner: Mutex<(Vec<FaultRule>, u64)>,
}

impl Faults {
    /// Replaces the rules and reseeds.
    pub fn set(&self, plan: FaultPlan) {
        *self.inner.lock().unwrap_or_else(PoisonError::into_inner) = (plan.rules, plan.seed.max(1));
    }

    /// Removes every rule.
    pub fn clear(&self) {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner).0.clear();
    }

    /// The fault to apply to this request, if any; counts it against the rule's `times`.
    pub fn draw(&self, method: &str, path: &str) -> Option<FaultKind> {
        let mut guard = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let (rules, state) = &mut *guard;
        for rule in rules.iter_mut() {
            let matches = path.starts_with(&rule.path)
                && rule.method.as_deref().is_none_or(|m| m.eq_ignore_ascii_case(method))
                && rule.times != Some(0);
            if !matches {
                continue;
            }
            if next_unit(state) < rule.probability {
                if let Some(times) = rule.times.as_mut() {
                    *times -= 1;
                }
                return Some(rule.kind.clone());
            }
        }
        None
    }
}

/// xorshift64*: small, fast and repeatable for a given seed.
fn next_unit(state: &mut u64) -> f64 {
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    (state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
}

/// Middleware applying the faults in force to the API.
pub async fn apply(State(faults): State<Arc<Faults>>, request: Request, next: Next) -> Response {
    let fault = faults.draw(request.method().as_str(), request.uri().path());
    match fault {
        None => next.run(request).await,
        Some(FaultKind::Latency { millis }) => {
            tokio::time::sleep(Duration::from_millis(millis)).await;
            next.run(request).await
        }
        Some(FaultKind::TooManyRequests { retry_after_seconds }) => {
            let mut response =
                CodatErrorResponse::new(StatusCode::TOO_MANY_REQUESTS, "Too many requests.").into_response();
            if let Ok(value) = retry_after_seconds.to_string().parse() {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            response
        }
        Some(FaultKind::ServerError { status }) => {
            let status = StatusCode::from_u16(status)
                .ok()
                .filter(StatusCode::is_server_error)
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            CodatErrorResponse::new(status, "An internal error occurred (injected by the emulator).")
                .into_response()
        }
        Some(FaultKind::DropAfter) => {
            drop(next.run(request).await);
            dropped_connection()
        }
        Some(FaultKind::Drop) => dropped_connection(),
    }
}

/// An answer whose body fails at once, so the server aborts the connection mid-answer.
fn dropped_connection() -> Response {
    let failing = futures_util::stream::once(async {
        Err::<axum::body::Bytes, _>(std::io::Error::other("connection dropped by the emulator"))
    });
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from_stream(failing))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(path: &str, probability: f64, times: Option<u32>) -> FaultRule {
        FaultRule { path: path.into(), method: None, kind: FaultKind::Drop, probability, times }
    }

    #[test]
    fn rules_match_by_prefix_and_method_and_run_out() {
        let faults = Faults::default();
        let mut post_only = rule("/companies", 1.0, Some(2));
        post_only.method = Some("POST".into());
        faults.set(FaultPlan { seed: 7, rules: vec![post_only] });
        assert_eq!(faults.draw("GET", "/companies"), None);
        assert_eq!(faults.draw("POST", "/integrations"), None);
        assert_eq!(faults.draw("POST", "/companies"), Some(FaultKind::Drop));
        assert_eq!(faults.draw("post", "/companies/x"), Some(FaultKind::Drop));
        assert_eq!(faults.draw("POST", "/companies"), None);
    }

    #[test]
    fn the_same_seed_draws_the_same_faults() {
        let run = |seed| {
            let faults = Faults::default();
            faults.set(FaultPlan { seed, rules: vec![rule("", 0.5, None)] });
            (0..64).map(|_| faults.draw("GET", "/x").is_some()).collect::<Vec<_>>()
        };
        assert_eq!(run(42), run(42));
        assert_ne!(run(42), run(43));
        let hits = run(42).into_iter().filter(|hit| *hit).count();
        assert!((16..=48).contains(&hits), "{hits} of 64 at probability 0.5");
    }

    #[test]
    fn plans_read_from_json() {
        let plan: FaultPlan = serde_json::from_str(
            r#"{"seed": 1, "rules": [{"path": "/integrations", "kind": "tooManyRequests", "retryAfterSeconds": 2, "times": 1}]}"#,
        )
        .unwrap();
        assert_eq!(plan.rules[0].kind, FaultKind::TooManyRequests { retry_after_seconds: 2 });
    }
}
