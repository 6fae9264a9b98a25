//! An async client for the Codat operations the auth flow needs.

use crate::models::{
    Branding, Company, CompanyRequestBody, Connection, CreateConnectionRequest, ErrorMessage, Integration,
    Page, Profile,
};
use base64::Engine as _;
use bytes::Bytes;
use reqwest::{header, Method, StatusCode};
use serde::{de::DeserializeOwned, Serialize};
use std::{
    collections::HashMap,
    fmt,
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};
use tokio::sync::Semaphore;

/// Attempts made for a request that is safe to repeat, unless set otherwise.
const MAX_ATTEMPTS: u32 = 4;
/// Codat allows at most this many requests in flight per company.
pub const MAX_CONCURRENT_PER_COMPANY: usize = 10;
/// Longest wait between attempts, whatever `Retry-After` asks for.
const MAX_BACKOFF: Duration = Duration::from_secs(10);

/// A Codat API key. Its `Debug` output never shows the key.
#[derive(Clone)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps the raw key as shown in Codat's portal.
    pub fn new(raw: impl Into<String>) -> Self {
        Self(raw.into())
    }

    /// The `Authorization` header value: `Basic` and the base64 of the raw key.
    fn authorization(&self) -> header::HeaderValue {
        let encoded = base64::engine::general_purpose::STANDARD.encode(self.0.as_bytes());
        let mut value = header::HeaderValue::from_str(&format!("Basic {encoded}"))
            .expect("base64 is always a valid header value");
        value.set_sensitive(true);
        value
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(****)")
    }
}

/// What went wrong talking to Codat.
#[derive(Debug, thiserror::Error)]
pub enum CodatError {
    /// Codat answered with an error status and (usually) its error body.
    #[error("Codat answered {status}: {}", .body.error.as_deref().unwrap_or("no message"))]
    Api {
        /// The HTTP status.
        status: StatusCode,
        /// Codat's error body; empty when the body was not Codat's JSON. Its `correlationId` is
        /// what Codat's support asks for.
        body: Box<ErrorMessage>,
    },
    /// No answer: connection refused, reset, or timed out.
    #[error("Codat could not be reached: {0}")]
    Transport(#[source] reqwest::Error),
    /// An answer that does not match the spec.
    #[error("Codat's answer could not be read: {0}")]
    Decode(String),
}

impl CodatError {
    /// The HTTP status Codat answered with, if it answered.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::Api { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The id Codat gave the failed request, to quote to Codat's support.
    pub fn correlation_id(&self) -> Option<&str> {
        match self {
            Self::Api { body, .. } => body.correlation_id.as_deref(),
            _ => None,
        }
    }

    /// True when the request timed out rather than being refused.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Self::Transport(e) if e.is_timeout())
    }
}

/// A client for one Codat instance (real Codat, or anything Codat-compatible).
#[derive(Clone, Debug)]
pub struct CodatClient {
    http: reqwest::Client,
    base_url: String,
    authorization: header::HeaderValue,
    max_attempts: u32,
    company_limits: Arc<Mutex<HashMap<String, Arc<Semaphore>>>>,
}

impl CodatClient {
    /// A client for `base_url` (e.g. `https://api.codat.io`) authenticating with `api_key`.
    pub fn new(base_url: &str, api_key: &ApiKey) -> Result<Self, CodatError> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(30))
            .user_agent(concat!("codat-connect/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(CodatError::Transport)?;
        Ok(Self {
            http,
            base_url: base_url.trim_end_matches('/').to_owned(),
            authorization: api_key.authorization(),
            max_attempts: MAX_ATTEMPTS,
            company_limits: Arc::default(),
        })
    }

    /// The same client making at most `attempts` tries of a repeatable request.
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// `POST /companies`.
    pub async fn create_company(&self, body: &CompanyRequestBody) -> Result<Company, CodatError> {
        self.send(Method::POST, "/companies".into(), Some(body)).await
    }

    /// `GET /companies/{companyId}`.
    pub async fn get_company(&self, company_id: &str) -> Result<Company, CodatError> {
        let path = format!("/companies/{}", segment(company_id));
        self.send(Method::GET, path, None::<&()>).await
    }

    /// `GET /integrations` with a Codat query, every page.
    pub async fn list_integrations(&self, query: &str) -> Result<Vec<Integration>, CodatError> {
        let first = format!("/integrations?page=1&pageSize=100&query={}", encode(query));
        self.all_pages(first).await
    }

    /// `GET /integrations/{platformKey}/branding`.
    pub async fn integration_branding(&self, platform_key: &str) -> Result<Branding, CodatError> {
        let path = format!("/integrations/{}/branding", segment(platform_key));
        self.send(Method::GET, path, None::<&()>).await
    }

    /// `POST /companies/{companyId}/connections`.
    pub async fn create_connection(
        &self,
        company_id: &str,
        platform_key: &str,
    ) -> Result<Connection, CodatError> {
        let path = format!("/companies/{}/connections", segment(company_id));
        let body = CreateConnectionRequest { platform_key: platform_key.to_owned() };
        self.send(Method::POST, path, Some(&body)).await
    }

    /// `GET /companies/{companyId}/connections`, every page.
    pub async fn list_connections(&self, company_id: &str) -> Result<Vec<Connection>, CodatError> {
        let first = format!("/companies/{}/connections?page=1&pageSize=100", segment(company_id));
        self.all_pages(first).await
    }

    /// `GET /companies/{companyId}/connections/{connectionId}`.
    pub async fn get_connection(
        &self,
        company_id: &str,
        connection_id: &str,
    ) -> Result<Connection, CodatError> {
        let path = format!("/companies/{}/connections/{}", segment(company_id), segment(connection_id));
        self.send(Method::GET, path, None::<&()>).await
    }

    /// `PATCH /companies/{companyId}/connections/{connectionId}` to `Unlinked`: no more syncs,
    /// data kept.
    pub async fn unlink_connection(
        &self,
        company_id: &str,
        connection_id: &str,
    ) -> Result<Connection, CodatError> {
        let path = format!("/companies/{}/connections/{}", segment(company_id), segment(connection_id));
        let body = crate::UpdateConnectionStatus { status: Some(crate::ConnectionStatus::Unlinked) };
        self.send(Method::PATCH, path, Some(&body)).await
    }

    /// `DELETE /companies/{companyId}/connections/{connectionId}`: revoked, data gone.
    pub async fn delete_connection(&self, company_id: &str, connection_id: &str) -> Result<(), CodatError> {
        let path = format!("/companies/{}/connections/{}", segment(company_id), segment(connection_id));
        self.send_no_content(Method::DELETE, path, None::<&()>).await
    }

    /// `DELETE /companies/{companyId}`: the company and everything of it, permanently.
    pub async fn delete_company(&self, company_id: &str) -> Result<(), CodatError> {
        let path = format!("/companies/{}", segment(company_id));
        self.send_no_content(Method::DELETE, path, None::<&()>).await
    }

    /// `GET /companies/{companyId}/dataStatus`.
    pub async fn data_status(&self, company_id: &str) -> Result<crate::DataStatuses, CodatError> {
        let path = format!("/companies/{}/dataStatus", segment(company_id));
        self.send(Method::GET, path, None::<&()>).await
    }

    /// `POST /companies/{companyId}/data/all`: queue a read of everything.
    pub async fn refresh_all(&self, company_id: &str) -> Result<(), CodatError> {
        let path = format!("/companies/{}/data/all", segment(company_id));
        self.send_no_content(Method::POST, path, None::<&()>).await
    }

    /// `GET /companies/{companyId}/data/history`, every page.
    pub async fn pull_operations(&self, company_id: &str) -> Result<Vec<crate::PullOperation>, CodatError> {
        let first = format!("/companies/{}/data/history?page=1&pageSize=100", segment(company_id));
        self.all_pages(first).await
    }

    /// `GET /webhooks`.
    pub async fn webhook_consumers(&self) -> Result<Vec<crate::WebhookConsumer>, CodatError> {
        let consumers: crate::WebhookConsumers =
            self.send(Method::GET, "/webhooks".into(), None::<&()>).await?;
        Ok(consumers.results)
    }

    /// `POST /webhooks`.
    pub async fn create_webhook_consumer(
        &self,
        consumer: &crate::WebhookConsumer,
    ) -> Result<crate::WebhookConsumer, CodatError> {
        self.send(Method::POST, "/webhooks".into(), Some(consumer)).await
    }

    /// `GET /profile`.
    pub async fn get_profile(&self) -> Result<Profile, CodatError> {
        self.send(Method::GET, "/profile".into(), None::<&()>).await
    }

    /// `PUT /profile` (every field; Codat replaces the whole profile).
    pub async fn update_profile(&self, profile: &Profile) -> Result<Profile, CodatError> {
        self.send(Method::PUT, "/profile".into(), Some(profile)).await
    }

    /// Follows `_links.next` from `first` and gathers every page's results.
    async fn all_pages<T: DeserializeOwned>(&self, first: String) -> Result<Vec<T>, CodatError> {
        let mut results = Vec::new();
        let mut next = Some(first);
        while let Some(path) = next.take() {
            let page: Page<T> = self.send(Method::GET, path, None::<&()>).await?;
            let reached_end = page.results.is_empty();
            results.extend(page.results);
            if !reached_end {
                next = page.links.next.map(|link| link.href);
            }
        }
        Ok(results)
    }

    /// Sends one request, retrying where that is safe, and decodes the JSON answer.
    async fn send<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path_and_query: String,
        body: Option<&B>,
    ) -> Result<T, CodatError> {
        let (status, bytes) = self.exchange(method, path_and_query, body).await?;
        if status.is_success() {
            serde_json::from_slice(&bytes).map_err(|e| CodatError::Decode(e.to_string()))
        } else {
            Err(api_error(status, &bytes))
        }
    }

    /// Like `send` for operations that answer no body (204, or Codat's empty 200).
    async fn send_no_content<B: Serialize>(
        &self,
        method: Method,
        path_and_query: String,
        body: Option<&B>,
    ) -> Result<(), CodatError> {
        let (status, bytes) = self.exchange(method, path_and_query, body).await?;
        if status.is_success() {
            Ok(())
        } else {
            Err(api_error(status, &bytes))
        }
    }

    /// One request and its whole answer, retried on 408, 429, 5xx and broken connections when
    /// the method is safe to repeat, at most [`MAX_CONCURRENT_PER_COMPANY`] at once per company.
    async fn exchange<B: Serialize>(
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

    fn url(&self, path_and_query: &str) -> String {
        if path_and_query.starts_with("http://") || path_and_query.starts_with("https://") {
            path_and_query.to_owned()
        } else {
            format!("{}{}", self.base_url, path_and_query)
        }
    }
}

fn api_error(status: StatusCode, bytes: &[u8]) -> CodatError {
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

/// Percent-encodes a query value (Codat's query language uses `=`, `&&`, `||`, braces).
fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// Percent-encodes one path segment, dots included, so an id can never change the path.
fn segment(value: &str) -> String {
    let encoded: String = url::form_urlencoded::byte_serialize(value.as_bytes()).collect();
    encoded.replace('.', "%2E")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_key_debug_hides_the_key() {
        let key = ApiKey::new("super-secret-key");
        assert!(!format!("{key:?}").contains("super-secret"));
    }

    #[test]
    fn authorization_is_basic_with_the_base64_of_the_raw_key() {
        let value = ApiKey::new("abc").authorization();
        assert_eq!(value.to_str().unwrap(), "Basic YWJj");
        assert!(value.is_sensitive());
    }

    #[test]
    fn query_operators_are_percent_encoded() {
        assert_eq!(
            encode("sourceType=Accounting&&enabled=true"),
            "sourceType%3DAccounting%26%26enabled%3Dtrue"
        );
    }

    #[test]
    fn a_path_segment_cannot_escape_its_place() {
        assert_eq!(segment("../profile"), "%2E%2E%2Fprofile");
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
