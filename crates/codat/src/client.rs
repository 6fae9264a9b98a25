//! An async client for the Codat operations the auth flow needs.

use crate::{
    error::{api_error, CodatError},
    models::{
        Branding, Company, CompanyRequestBody, Connection, CreateConnectionRequest, Integration, Page,
        Profile, SyncSettings,
    },
};
use base64::Engine as _;
use reqwest::{header, Method};
use serde::{de::DeserializeOwned, Serialize};
use std::{
    collections::HashMap,
    fmt,
    sync::{Arc, Mutex},
    time::Duration,
};
use tokio::sync::Semaphore;

/// Attempts made for a request that is safe to repeat, unless set otherwise.
pub(crate) const MAX_ATTEMPTS: u32 = 4;

/// Most pages of one list followed before giving up (100 items a page).
const MAX_PAGES: u32 = 500;

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

/// A client for one Codat instance (real Codat, or anything Codat-compatible).
#[derive(Clone, Debug)]
pub struct CodatClient {
    pub(crate) http: reqwest::Client,
    base_url: String,
    pub(crate) authorization: header::HeaderValue,
    pub(crate) max_attempts: u32,
    pub(crate) company_limits: Arc<Mutex<HashMap<String, Arc<Semaphore>>>>,
    pub(crate) observer: Option<Arc<dyn crate::observe::Observer>>,
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
            observer: None,
        })
    }

    /// The same client making at most `attempts` tries of a repeatable request.
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The same client telling `observer` of every request.
    pub fn with_observer(mut self, observer: Arc<dyn crate::observe::Observer>) -> Self {
        self.observer = Some(observer);
        self
    }

    /// `POST /companies`.
    pub async fn create_company(&self, body: &CompanyRequestBody) -> Result<Company, CodatError> {
        self.send(Method::POST, "/companies".into(), Some(body)).await
    }

    /// `GET /companies` with a Codat query, every page.
    pub async fn list_companies(&self, query: &str) -> Result<Vec<Company>, CodatError> {
        let first = format!("/companies?page=1&pageSize=100&query={}", encode(query));
        self.all_pages(first).await
    }

    /// The first page (at most 100) of `GET /companies` with a Codat query. Codat's docs say the
    /// query language may not apply to listing companies: then this is simply the first page,
    /// not every company Codat holds.
    pub async fn first_companies(&self, query: &str) -> Result<Vec<Company>, CodatError> {
        let path = format!("/companies?page=1&pageSize=100&query={}", encode(query));
        let page: Page<Company> = self.send(Method::GET, path, None::<&()>).await?;
        Ok(page.results)
    }

    /// `GET /companies` filtered by company tags (Codat's `tags` parameter, e.g.
    /// `merchant=m-1 && deployment=d-1`), every page.
    pub async fn list_companies_by_tags(&self, tags: &str) -> Result<Vec<Company>, CodatError> {
        let first = format!("/companies?page=1&pageSize=100&tags={}", encode(tags));
        self.all_pages(first).await
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

    /// `GET /profile/syncSettings`: which data types are read on first link, and how much history.
    pub async fn sync_settings(&self) -> Result<SyncSettings, CodatError> {
        self.send(Method::GET, "/profile/syncSettings".into(), None::<&()>).await
    }

    /// `PUT /profile` (every field; Codat replaces the whole profile).
    pub async fn update_profile(&self, profile: &Profile) -> Result<Profile, CodatError> {
        self.send(Method::PUT, "/profile".into(), Some(profile)).await
    }

    /// Follows `_links.next` from `first` and gathers every page's results. A `next` link is
    /// followed only on Codat's own origin (the API key goes with every request), and at most
    /// `MAX_PAGES` pages are read.
    async fn all_pages<T: DeserializeOwned>(&self, first: String) -> Result<Vec<T>, CodatError> {
        let mut results = Vec::new();
        let mut next = Some(first);
        let mut pages = 0;
        while let Some(path) = next.take() {
            pages += 1;
            if pages > MAX_PAGES {
                return Err(CodatError::Decode(format!(
                    "more than {MAX_PAGES} pages; the list was not read whole"
                )));
            }
            let page: Page<T> = self.send(Method::GET, path, None::<&()>).await?;
            let reached_end = page.results.is_empty();
            results.extend(page.results);
            if !reached_end {
                next = match page.links.next.map(|link| link.href) {
                    Some(href) => Some(self.own_path(&href)?),
                    None => None,
                };
            }
        }
        Ok(results)
    }

    /// The path and query of a link Codat answered, refused unless it is on Codat's own origin.
    fn own_path(&self, href: &str) -> Result<String, CodatError> {
        if href.starts_with('/') && !href.starts_with("//") {
            return Ok(href.to_owned());
        }
        let (Ok(link), Ok(base)) = (url::Url::parse(href), url::Url::parse(&self.base_url)) else {
            return Err(CodatError::Decode(format!("a paging link that is not a URL: {href}")));
        };
        if link.origin() != base.origin() {
            return Err(CodatError::Decode(format!("a paging link away from Codat, not followed: {href}")));
        }
        let base_path = base.path().trim_end_matches('/');
        let path = link.path().strip_prefix(base_path).unwrap_or(link.path());
        Ok(match link.query() {
            Some(query) => format!("{path}?{query}"),
            None => path.to_owned(),
        })
    }

    /// Sends one request, retrying where that is safe, and decodes the JSON answer.
    pub(crate) async fn send<B: Serialize, T: DeserializeOwned>(
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

    pub(crate) fn url(&self, path_and_query: &str) -> String {
        format!("{}{}", self.base_url, path_and_query)
    }
}

/// Percent-encodes a query value (Codat's query language uses `=`, `&&`, `||`, braces).
fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// Percent-encodes one path segment, dots included, so an id can never change the path.
pub(crate) fn segment(value: &str) -> String {
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
    fn paging_links_are_followed_only_on_codats_own_origin() {
        let client = CodatClient::new("https://api.codat.io", &ApiKey::new("k")).unwrap();
        assert_eq!(client.own_path("/companies?page=2").unwrap(), "/companies?page=2");
        assert_eq!(
            client.own_path("https://api.codat.io/companies?page=2&pageSize=100").unwrap(),
            "/companies?page=2&pageSize=100"
        );
        for elsewhere in
            ["https://evil.example/companies?page=2", "//evil.example/x", "http://api.codat.io/x", "nonsense"]
        {
            assert!(client.own_path(elsewhere).is_err(), "{elsewhere} is followed");
        }
        let under_a_path = CodatClient::new("http://127.0.0.1:9/emulator", &ApiKey::new("k")).unwrap();
        assert_eq!(
            under_a_path.own_path("http://127.0.0.1:9/emulator/companies?page=2").unwrap(),
            "/companies?page=2"
        );
    }

    #[test]
    fn a_path_segment_cannot_escape_its_place() {
        assert_eq!(segment("../profile"), "%2E%2E%2Fprofile");
    }
}
