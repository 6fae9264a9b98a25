//! How one request travels: at most ten at once per company, retried with backoff on 408,
//! 429, 5xx and broken connections when the method is safe to repeat, honouring `Retry-After`.

use crate::{
    client::CodatClient,
    error::{error_body, CodatError},
};
use bytes::Bytes;
use reqwest::{header, Method, StatusCode};
use serde::Serialize;
use std::{
    sync::{Arc, PoisonError},
    time::Duration,
};
use tokio::sync::Semaphore;

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
        let payload = match body {
            Some(body) => Payload::Json(body),
            None => Payload::Empty,
        };
        self.exchange_payload(method, path_and_query, payload).await
    }

    /// [`Self::exchange`] with files as a `multipart/form-data` body.
    pub(crate) async fn exchange_files(
        &self,
        method: Method,
        path_and_query: String,
        files: &[crate::FileToUpload],
    ) -> Result<(StatusCode, Bytes), CodatError> {
        self.exchange_payload(method, path_and_query, Payload::<()>::Files(files)).await
    }

    async fn exchange_payload<B: Serialize>(
        &self,
        method: Method,
        path_and_query: String,
        payload: Payload<'_, B>,
    ) -> Result<(StatusCode, Bytes), CodatError> {
        let url = self.url(&path_and_query);
        let repeatable = matches!(method, Method::GET | Method::PUT | Method::DELETE | Method::HEAD);
        let limit = self.company_limit(&path_and_query);
        let mut report = Report::new(self, &method, &path_and_query);
        let mut attempt = 1;
        loop {
            // The per-company semaphores are never closed, so a permit always comes; were one
            // closed, the request would go unthrottled rather than fail.
            let permit = match &limit {
                Some(limit) => limit.clone().acquire_owned().await.ok(),
                None => None,
            };
            let mut request = self
                .http
                .request(method.clone(), &url)
                .header(header::AUTHORIZATION, self.authorization.clone())
                .header(header::ACCEPT, "application/json");
            request = match &payload {
                Payload::Empty => request,
                Payload::Json(body) => request.json(body),
                Payload::Files(files) => request.multipart(crate::files::form(files)),
            };
            let outcome = async {
                let response = request.send().await?;
                let status = response.status();
                let remaining = response
                    .headers()
                    .get("x-rate-limit-remaining")
                    .and_then(|value| value.to_str().ok()?.trim().parse::<u64>().ok());
                report.answered(status, remaining);
                let wait = retry_after(&response);
                let bytes = response.bytes().await?;
                Ok::<_, reqwest::Error>((status, wait, bytes))
            }
            .await;
            drop(permit);
            let retry_in = match &outcome {
                // Codat asks for a longer wait than a person will sit through (its daily quota
                // resets at midnight): answer now, so the page can say to come back later.
                Ok((_, Some(wait), _)) if *wait > MAX_BACKOFF => None,
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
                    report.finish(attempt, outcome.as_ref().ok().map(|(status, _, _)| *status));
                    let (status, wait, bytes) = outcome.map_err(CodatError::Transport)?;
                    if let Some(wait) = wait.filter(|_| status == StatusCode::TOO_MANY_REQUESTS) {
                        return Err(CodatError::RateLimited {
                            retry_after: wait,
                            body: Box::new(error_body(&bytes)),
                        });
                    }
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

/// A request's body.
enum Payload<'a, B> {
    Empty,
    Json(&'a B),
    /// `multipart/form-data`, each file in the `file` field (built again for each attempt).
    Files(&'a [crate::FileToUpload]),
}

/// What one request tells the client's observer, gathered over its attempts.
struct Report<'c> {
    observer: Option<&'c dyn crate::observe::Observer>,
    operation: Option<String>,
    started: std::time::Instant,
    rate_limited: u32,
    quota_remaining: Option<u64>,
}

impl<'c> Report<'c> {
    fn new(client: &'c CodatClient, method: &Method, path_and_query: &str) -> Self {
        let observer = client.observer.as_deref();
        Self {
            operation: observer.map(|_| crate::observe::operation(method.as_str(), path_and_query)),
            observer,
            started: std::time::Instant::now(),
            rate_limited: 0,
            quota_remaining: None,
        }
    }

    fn answered(&mut self, status: StatusCode, remaining: Option<u64>) {
        if status == StatusCode::TOO_MANY_REQUESTS {
            self.rate_limited += 1;
        }
        self.quota_remaining = remaining.or(self.quota_remaining);
    }

    fn finish(&mut self, attempts: u32, status: Option<StatusCode>) {
        use crate::observe::Outcome;
        let (Some(observer), Some(operation)) = (self.observer, self.operation.take()) else { return };
        let outcome = match status {
            None => Outcome::Transport,
            Some(status) if status.is_success() => Outcome::Success,
            Some(StatusCode::TOO_MANY_REQUESTS) => Outcome::RateLimited,
            Some(status) if status.is_server_error() => Outcome::ServerError,
            Some(_) => Outcome::ClientError,
        };
        observer.exchanged(&crate::observe::Exchange {
            operation,
            outcome,
            elapsed: self.started.elapsed(),
            retries: attempts.saturating_sub(1),
            rate_limited: self.rate_limited,
            quota_remaining: self.quota_remaining,
        });
    }
}

fn is_retryable_status(status: StatusCode) -> bool {
    status == StatusCode::REQUEST_TIMEOUT
        || status == StatusCode::TOO_MANY_REQUESTS
        || status.is_server_error()
}

/// `Retry-After` as delay-seconds or an HTTP date, as RFC 9110 allows.
fn retry_after(response: &reqwest::Response) -> Option<Duration> {
    parse_retry_after(
        response.headers().get(header::RETRY_AFTER)?.to_str().ok()?,
        std::time::SystemTime::now(),
    )
}

fn parse_retry_after(value: &str, now: std::time::SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or_default())
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
    fn retry_after_is_read_as_seconds_or_an_http_date() {
        let now = std::time::UNIX_EPOCH + Duration::from_secs(1_445_412_480);
        assert_eq!(parse_retry_after("120", now), Some(Duration::from_secs(120)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:30:00 GMT", now), Some(Duration::from_secs(120)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now),
            Some(Duration::ZERO),
            "a past date"
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }

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
