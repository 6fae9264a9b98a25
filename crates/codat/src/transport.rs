//! How one request travels: at most ten at once per company, retried with backoff on 408,
//! 429, 5xx and broken connections when the method is safe to repeat, honouring `Retry-After`.

use crate::client::{CodatClient, CodatError};
use bytes::Bytes;
use reqwest::{header, Method, StatusCode};
use serde::Serialize;
use std::{
    sync::{Arc, PoisonError},
    time::Duration,
};
use tokio::sync::Semaphore;

/// Attempts made for a request that is safe to repeat, unless set otherwise.
pub(crate) const MAX_ATTEMPTS: u32 = 4;
/// Codat allows at most this many requests in flight per company.
pub const MAX_CONCURRENT_PER_COMPANY: usize = 10;
/// Longest wait between attempts, whatever `Retry-After` asks for.
const MAX_BACKOFF: Duration = Duration::from_secs(10);

impl CodatClient {
    /// One request and its whole answer, retried on 408, 429, 5xx and broken connections when
    /// the method is safe to repeat, at most [`MAX_CONCURRENT_PER_COMPANY`] at once per company.
    pub(crate) async fn exchange<B: Serialize>(
        &self,
        method: Method,
        path_and_query: String,
        body: Option<&B>,
    ) -> Result<(StatusCode, Bytes), CodatError> {
        let url = self.url(&path_and_query);
        let repeatable = matches!(method, Method::GET | Method::PUT | Method::DELETE | Method::HEAD);
        let limit = self.company_limit(&path_and_query);
        let mut attempt = 1;
        loop {
            let permit = match &limit {
                Some(limit) => Some(
                    limit.clone().acquire_owned().await.map_err(|_| CodatError::Decode("closed".into()))?,
                ),
                None => None,
            };
            let mut request = self
                .http
                .request(method.clone(), &url)
                .header(header::AUTHORIZATION, self.authorization.clone())
                .header(header::ACCEPT, "application/json");
            if let Some(body) = body {
                request = request.json(body);
            }
            let outcome = async {
                let response = request.send().await?;
                let status = response.status();
                let wait = retry_after(&response);
                let bytes = response.bytes().await?;
                Ok::<_, reqwest::Error>((status, wait, bytes))
            }
            .await;
            drop(permit);
            let retry_in = match &outcome {
                Ok((status, wait, _)) if is_retryable_status(*status) => {
                    Some(wait.unwrap_or_else(|| backoff(attempt)))
                }
                Err(_) => Some(backoff(attempt)),
                Ok(_) => None,
            };
            match retry_in {
                Some(wait) if repeatable && attempt < self.max_attempts => {
                    tracing::debug!(%method, path = %path_and_query, attempt, ?wait, "retrying Codat request");
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
                _ => {
                    let (status, _, bytes) = outcome.map_err(CodatError::Transport)?;
                    return Ok((status, bytes));
                }
            }
        }
    }

    /// The concurrency limit of the company a path belongs to, if it names one.
    fn company_limit(&self, path_and_query: &str) -> Option<Arc<Semaphore>> {
        let rest = path_and_query.split("/companies/").nth(1)?;
        let company_id = rest.split(['/', '?']).next().filter(|id| !id.is_empty())?;
        let mut limits = self.company_limits.lock().unwrap_or_else(PoisonError::into_inner);
        if limits.len() > 10_000 {
            // Idle companies' limits are dropped rather than kept forever.
            limits.retain(|_, limit| Arc::strong_count(limit) > 1);
        }
        Some(
            limits
                .entry(company_id.to_owned())
                .or_insert_with(|| Arc::new(Semaphore::new(MAX_CONCURRENT_PER_COMPANY)))
                .clone(),
        )
    }
}

pub(crate) fn api_error(status: StatusCode, bytes: &[u8]) -> CodatError {
    let body = serde_json::from_slice(bytes).unwrap_or_default();
    CodatError::Api { status, body: Box::new(body) }
}

fn is_retryable_status(status: StatusCode) -> bool {
    status == StatusCode::REQUEST_TIMEOUT
        || status == StatusCode::TOO_MANY_REQUESTS
        || status.is_server_error()
}

fn retry_after(response: &reqwest::Response) -> Option<Duration> {
    let seconds: u64 = response.headers().get(header::RETRY_AFTER)?.to_str().ok()?.trim().parse().ok()?;
    Some(Duration::from_secs(seconds).min(MAX_BACKOFF))
}

/// 500 ms, then 750 ms, growing by 1.5 as Codat's own SDKs do, less up to a fifth at random so
/// that many clients do not retry in step.
fn backoff(attempt: u32) -> Duration {
    let millis = 500.0 * 1.5f64.powi(attempt.saturating_sub(1) as i32);
    let mut byte = [0u8; 1];
    let jitter = if getrandom::fill(&mut byte).is_ok() { f64::from(byte[0]) / 255.0 * 0.2 } else { 0.0 };
    Duration::from_millis((millis * (1.0 - jitter)) as u64).min(MAX_BACKOFF)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ApiKey;

    #[test]
    fn backoff_grows_with_jitter_and_is_capped() {
        for _ in 0..20 {
            let first = backoff(1);
            assert!((Duration::from_millis(400)..=Duration::from_millis(500)).contains(&first), "{first:?}");
            let second = backoff(2);
            assert!(
                (Duration::from_millis(600)..=Duration::from_millis(750)).contains(&second),
                "{second:?}"
            );
        }
        assert_eq!(backoff(30), MAX_BACKOFF);
    }

    #[test]
    fn requests_about_one_company_share_one_limit() {
        let client = CodatClient::new("http://codat.test", &ApiKey::new("k")).unwrap();
        let a = client.company_limit("/companies/abc/connections?page=1").unwrap();
        let b = client.company_limit("/companies/abc").unwrap();
        let other = client.company_limit("/companies/xyz/dataStatus").unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        assert!(!Arc::ptr_eq(&a, &other));
        assert_eq!(a.available_permits(), MAX_CONCURRENT_PER_COMPANY);
        assert!(client.company_limit("/integrations").is_none());
    }
}
