//! An offline, stateful emulator of Codat's Platform API.
//!
//! It answers the paths, bodies, status codes, paging envelope, query language, error body and
//! Basic auth of Codat's published spec; serves its own Link pages where a business owner
//! authorizes (or cancels, or fails) a connection before being redirected with Codat's
//! placeholders filled; runs a first data sync that progresses over time; sends signed webhooks
//! at least once; and injects faults on demand. It runs inside the Codat Connect proxy by
//! default, and alone as the `codat-emulator` binary, like `stripe-mock` for Stripe.

pub mod admin;
pub mod api;
pub mod branding;
pub mod catalog;
pub mod error;
mod events;
pub mod faults;
pub mod hosted_link;
pub mod link;
pub mod paging;
pub mod query;
pub mod quota;
pub mod state;
pub mod sync;
pub mod webhooks;
mod zip;

use axum::{
    extract::{MatchedPath, Request, State},
    http::header,
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::{get, post, put},
    Router,
};
use branding::Artwork;
use catalog::Platform;
use codat::{Connection, Integration, WebhookSecret};
use faults::Faults;
use state::{Catalog, Store};
use std::{
    collections::{BTreeMap, HashMap},
    path::PathBuf,
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};
use webhooks::WebhookDispatcher;

/// The `clientId` the emulator reports in redirects.
pub const CLIENT_ID: &str = "00000000-0000-4000-8000-00000000c0da";

/// How long a one-time Link URL stays valid.
const ONE_TIME_LINK_LIFETIME_MS: i64 = 24 * 3600 * 1000;

/// How an emulator is set up.
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    /// The URL at which browsers reach the emulator (its Link pages and images), no trailing `/`.
    pub public_url: String,
    /// API keys accepted in the Basic `Authorization` header.
    pub api_keys: Vec<String>,
    /// The profile's redirect URL template until a client changes it with `PUT /profile`.
    pub redirect_url: String,
    /// The `whsec_...` secret webhooks are signed with.
    pub webhook_secret: String,
    /// Consumers registered from the start (besides those added with `POST /webhooks`).
    pub webhook_consumers: Vec<codat::WebhookConsumer>,
    /// Waits between delivery attempts after the first; Codat's schedule by default.
    pub webhook_retry_delays: Vec<Duration>,
    /// How long a first sync (or a refresh) takes from queued to complete.
    pub sync_duration: Duration,
    /// Link URLs carry a single-use `otp` and expire after a day, as Codat issues them for this
    /// flow since 2025 (on by default; off makes a Link URL reusable for ever).
    pub one_time_links: bool,
    /// Fill custom `{placeholders}` of the redirect from the Link URL's own query parameters.
    /// Off by default: Codat documents this only for Hosted Link, so a `linkUrl`'s parameters
    /// may not survive the platform's OAuth round trip.
    pub carry_link_query: bool,
    /// Data types whose first read after linking ends in `FetchError` (a later read succeeds).
    pub failing_data_types: Vec<String>,
    /// Requests a day before any company is active, and added per active company (Codat's
    /// quota: 1,000); past it, 429 until midnight UTC. `None` for no quota.
    pub daily_quota: Option<u64>,
    /// Apply the `query` parameter when listing companies. Off by default: Codat's docs say the
    /// query language may not work on listing companies (filter by `tags` instead).
    pub query_companies: bool,
    /// Allow a company more than one accounting connection. Off by default, as Codat refuses a
    /// second one.
    pub multiple_accounting: bool,
    /// Platform keys offered but disabled.
    pub disabled_platforms: Vec<String>,
    /// Where to keep state across restarts; in memory only when absent.
    pub state_file: Option<PathBuf>,
    /// Made-up accounting platforms added to the catalog, for measuring large grids.
    pub synthetic_platforms: usize,
}

impl EmulatorConfig {
    /// Defaults for an emulator reached at `public_url` with one API key.
    pub fn new(
        public_url: impl Into<String>,
        api_key: impl Into<String>,
        redirect_url: impl Into<String>,
    ) -> Self {
        Self {
            public_url: public_url.into(),
            api_keys: vec![api_key.into()],
            redirect_url: redirect_url.into(),
            webhook_secret: WebhookSecret::generate(),
            webhook_consumers: Vec::new(),
            webhook_retry_delays: webhooks::CODAT_RETRY_DELAYS.to_vec(),
            sync_duration: Duration::from_secs(8),
            one_time_links: true,
            carry_link_query: false,
            multiple_accounting: false,
            query_companies: false,
            daily_quota: Some(quota::DEFAULT_DAILY_QUOTA),
            failing_data_types: Vec::new(),
            disabled_platforms: Vec::new(),
            state_file: None,
            synthetic_platforms: 0,
        }
    }
}

/// A running emulator's state.
#[derive(Debug)]
pub struct Emulator {
    config: EmulatorConfig,
    /// Companies, connections, pulls and the profile.
    pub store: Store,
    /// The platforms on offer.
    pub catalog: Catalog,
    /// Webhook consumers and delivery.
    pub webhooks: WebhookDispatcher,
    /// Faults in force.
    pub faults: Arc<Faults>,
    /// Requests counted against today's quota.
    pub quota: quota::Quota,
    /// Data types stored at least once, per company (for `read.completed.initial`).
    stored_data_types: Mutex<std::collections::HashSet<(String, String)>>,
    requests: Mutex<BTreeMap<String, u64>>,
    one_time_links: Mutex<OneTimeLinks>,
    /// Platforms whose Link pages fail every authorization (`/_emulator/integrations/{key}/link`).
    failing_links: Mutex<std::collections::BTreeSet<String>>,
}

impl Emulator {
    /// A fresh emulator with the shipped catalog (state from the state file, if any).
    ///
    /// # Panics
    /// When `config.webhook_secret` is not a `whsec_...` secret (the command line and the proxy
    /// check theirs before they get here).
    pub fn new(config: EmulatorConfig) -> Arc<Self> {
        // A secret that does not parse is a mistake in the caller's settings: signing with some
        // other secret would only make every webhook fail verification later, far from the cause.
        let secret = WebhookSecret::parse(&config.webhook_secret)
            .unwrap_or_else(|error| panic!("EmulatorConfig::webhook_secret is not a whsec_ secret: {error}"));
        Arc::new(Self {
            store: Store::new(config.redirect_url.clone(), config.state_file.clone()),
            catalog: Catalog::shipped(&config.disabled_platforms, config.synthetic_platforms),
            webhooks: WebhookDispatcher::new(
                secret,
                config.webhook_retry_delays.clone(),
                config.webhook_consumers.clone(),
            ),
            faults: Arc::new(Faults::default()),
            quota: quota::Quota::default(),
            stored_data_types: Mutex::default(),
            requests: Mutex::new(BTreeMap::new()),
            one_time_links: Mutex::default(),
            failing_links: Mutex::default(),
            config,
        })
    }

    /// Makes the platform's Link pages fail every authorization with a platform error (as when
    /// the platform is down), or work again.
    pub fn set_link_failing(&self, platform_key: &str, failing: bool) {
        let mut failing_links = self.failing_links.lock().unwrap_or_else(PoisonError::into_inner);
        if failing {
            failing_links.insert(platform_key.to_owned());
        } else {
            failing_links.remove(platform_key);
        }
    }

    /// Whether the platform's Link pages fail every authorization.
    pub fn link_fails(&self, platform_key: &str) -> bool {
        self.failing_links.lock().unwrap_or_else(PoisonError::into_inner).contains(platform_key)
    }

    /// The URL at which browsers reach the emulator.
    pub fn public_url(&self) -> &str {
        self.config.public_url.trim_end_matches('/')
    }

    /// The secret webhooks are signed with.
    pub fn webhook_secret(&self) -> &str {
        &self.config.webhook_secret
    }

    /// The Link URL of a connection, shaped like Codat's `link-api` one.
    pub fn link_url(&self, company_id: &str, connection_id: &str) -> String {
        format!("{}/link-api/companies/{company_id}/connections/{connection_id}/start", self.public_url())
    }

    /// `connection` with a Link URL that works once, when one-time links are on.
    pub fn with_fresh_link(&self, company_id: &str, mut connection: Connection) -> Connection {
        connection.link_url = self.link_url(company_id, &connection.id);
        if self.config.one_time_links {
            let otp = uuid::Uuid::new_v4().simple().to_string();
            let mut links = self.one_time_links.lock().unwrap_or_else(PoisonError::into_inner);
            links.issue(otp.clone(), connection.id.clone(), sync::now_ms());
            connection.link_url = format!("{}?otp={otp}", connection.link_url);
        }
        connection
    }

    /// Whether the Link page for `connection_id` may open with this `otp` (and uses it up).
    pub fn redeem_link(&self, connection_id: &str, otp: Option<&str>) -> bool {
        if !self.config.one_time_links {
            return true;
        }
        let Some(otp) = otp else { return false };
        let mut links = self.one_time_links.lock().unwrap_or_else(PoisonError::into_inner);
        links.redeem(otp, connection_id, sync::now_ms())
    }

    /// Whether the redirect carries the Link URL's own query parameters.
    pub fn carries_link_query(&self) -> bool {
        self.config.carry_link_query
    }

    /// Requests a day before any company is active, if there is a quota.
    pub fn daily_quota(&self) -> Option<u64> {
        self.config.daily_quota
    }

    /// Records that a company's data of `data_type` was stored; true the first time.
    pub fn first_stored(&self, company_id: &str, data_type: &str) -> bool {
        let mut stored = self.stored_data_types.lock().unwrap_or_else(PoisonError::into_inner);
        stored.insert((company_id.to_owned(), data_type.to_owned()))
    }

    /// Whether `GET /companies` applies its `query` parameter.
    pub fn queries_companies(&self) -> bool {
        self.config.query_companies
    }

    /// Whether a company may have more than one accounting connection.
    pub fn allows_multiple_accounting(&self) -> bool {
        self.config.multiple_accounting
    }

    /// Where one of a platform's branding images is served.
    pub fn artwork_url(&self, platform_key: &str, artwork: Artwork) -> String {
        format!("{}/static/{platform_key}/{}.svg", self.public_url(), artwork.slug())
    }

    /// How many API requests each operation has answered, e.g. `POST /companies`.
    pub fn request_counts(&self) -> BTreeMap<String, u64> {
        self.requests.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    fn integration(&self, platform: &Platform) -> Integration {
        Integration {
            key: platform.key.clone(),
            logo_url: self.artwork_url(&platform.key, Artwork::Square),
            name: platform.name.clone(),
            enabled: platform.enabled,
            source_id: Some(platform.source_id.clone()),
            source_type: Some(platform.source_type),
            integration_id: Some(platform.integration_id.clone()),
            is_offline_connector: Some(
                platform.setup_note.as_deref().is_some_and(|n| n.contains("on-premise")),
            ),
            is_beta: Some(platform.is_beta),
            data_provided_by: Some("Codat".into()),
        }
    }

    /// Whether an `Authorization` header's value carries one of the emulator's API keys (Basic,
    /// as Codat's). A server embedding the emulator asks before it reads a large body for it.
    pub fn accepts(&self, authorization: Option<&str>) -> bool {
        authorization.and_then(decode_basic).is_some_and(|key| self.config.api_keys.contains(&key))
    }
}

/// One-time codes of Link URLs. Every answer that shows a connection mints one (as Codat's do),
/// so they are kept in the order issued, which is the order they expire, and dropped once expired.
#[derive(Debug, Default)]
struct OneTimeLinks {
    connection_of: HashMap<String, (String, i64)>,
    by_expiry: std::collections::VecDeque<(i64, String)>,
}

impl OneTimeLinks {
    fn issue(&mut self, otp: String, connection_id: String, now: i64) {
        while self.by_expiry.front().is_some_and(|(expires, _)| *expires <= now) {
            if let Some((_, expired)) = self.by_expiry.pop_front() {
                self.connection_of.remove(&expired);
            }
        }
        let expires = now + ONE_TIME_LINK_LIFETIME_MS;
        self.by_expiry.push_back((expires, otp.clone()));
        self.connection_of.insert(otp, (connection_id, expires));
    }

    fn redeem(&mut self, otp: &str, connection_id: &str, now: i64) -> bool {
        match self.connection_of.remove(otp) {
            Some((id, expires)) => id == connection_id && expires > now,
            None => false,
        }
    }
}

/// The emulator's routes: the Codat API and the `/_emulator` controls (Basic auth), Link pages
/// and branding images (public).
pub fn router(emulator: Arc<Emulator>) -> Router {
    let api = Router::new()
        .route("/companies", get(api::companies::list).post(api::companies::create))
        .route(
            "/companies/{company_id}",
            get(api::companies::get)
                .patch(api::companies::update)
                .put(api::companies::replace)
                .delete(api::companies::delete),
        )
        .route(
            "/companies/{company_id}/connections",
            get(api::connections::list).post(api::connections::create),
        )
        .route(
            "/companies/{company_id}/connections/{connection_id}",
            get(api::connections::get).patch(api::connections::unlink).delete(api::connections::delete),
        )
        .route(
            "/companies/{company_id}/connections/{connection_id}/authorization",
            put(api::connections::update_authorization),
        )
        .route(
            "/companies/{company_id}/connections/{connection_id}/files",
            post(api::files::upload).layer(axum::extract::DefaultBodyLimit::max(api::files::MAX_BODY_BYTES)),
        )
        .route("/companies/{company_id}/files", get(api::files::list))
        .route("/companies/{company_id}/files/download", get(api::files::download))
        .route("/companies/{company_id}/data/info", get(api::info::get))
        .route("/companies/{company_id}/dataStatus", get(api::data::status))
        .route("/companies/{company_id}/data/all", post(api::data::refresh_all))
        .route("/companies/{company_id}/data/queue/{data_type}", post(api::data::refresh_data_type))
        .route("/companies/{company_id}/data/history", get(api::data::history))
        .route("/companies/{company_id}/data/history/{dataset_id}", get(api::data::history_item))
        .route("/companies/{company_id}/accessToken", get(api::data::access_token))
        .route("/integrations", get(api::integrations::list))
        .route("/integrations/{platform_key}", get(api::integrations::get))
        .route("/integrations/{platform_key}/branding", get(api::integrations::branding))
        .route("/webhooks", get(api::consumers::list).post(api::consumers::create))
        .route("/webhooks/{webhook_id}", axum::routing::delete(api::consumers::delete))
        .route("/profile", get(api::profile::get).put(api::profile::put))
        .route("/profile/syncSettings", get(api::profile::sync_settings))
        .route_layer(middleware::from_fn_with_state(emulator.faults.clone(), faults::apply))
        .route_layer(middleware::from_fn_with_state(emulator.clone(), quota::apply))
        .route_layer(middleware::from_fn_with_state(emulator.clone(), count_request))
        .merge(admin::router())
        .fallback(api::unknown_route)
        .route_layer(middleware::from_fn_with_state(emulator.clone(), require_api_key));
    let public = Router::new()
        // Codat's image host can be slow or fail too: faults apply to it (paths under `/static`).
        .route(
            "/static/{platform_key}/{file}",
            get(api::integrations::artwork)
                .route_layer(middleware::from_fn_with_state(emulator.faults.clone(), faults::apply)),
        )
        .route("/link-api/link.css", get(link::stylesheet))
        .route("/link/company/{company_id}", get(hosted_link::page))
        .route("/link/company/{company_id}/connect", post(hosted_link::connect))
        .route("/link-api/companies/{company_id}/connections/{connection_id}/start", get(link::start))
        .route("/link-api/companies/{company_id}/connections/{connection_id}/complete", post(link::complete));
    public.merge(api).with_state(emulator)
}

async fn require_api_key(State(emulator): State<Arc<Emulator>>, request: Request, next: Next) -> Response {
    let authorization = request.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    if emulator.accepts(authorization) {
        next.run(request).await
    } else {
        error::CodatErrorResponse::unauthorized().into_response()
    }
}

async fn count_request(State(emulator): State<Arc<Emulator>>, request: Request, next: Next) -> Response {
    let path = request.extensions().get::<MatchedPath>().map(|p| p.as_str().to_owned()).unwrap_or_default();
    let key = format!("{} {path}", request.method());
    *emulator.requests.lock().unwrap_or_else(PoisonError::into_inner).entry(key).or_default() += 1;
    next.run(request).await
}

/// The API key inside a Basic `Authorization` value.
fn decode_basic(value: &str) -> Option<String> {
    use base64::Engine as _;
    let encoded = value.strip_prefix("Basic ")?.trim();
    let bytes = base64::engine::general_purpose::STANDARD.decode(encoded).ok()?;
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn decodes_the_key_from_a_basic_header_and_refuses_anything_else() {
        assert_eq!(super::decode_basic("Basic YWJj").as_deref(), Some("abc"));
        assert_eq!(super::decode_basic("Basic a2V5LTE=").as_deref(), Some("key-1"));
        assert_eq!(super::decode_basic("Bearer YWJj"), None);
        assert_eq!(super::decode_basic("Basic ***"), None);
    }
}
