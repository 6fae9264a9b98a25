//! What every handler shares: handles that are cheap to clone, `Arc`s around what is shared and
//! changes, and the settings fixed at start.

use crate::{
    check, codat_backend,
    config::Config,
    db::{self, Db},
    flow::{branding::BrandingImages, company::CompanyLocks, integrations::IntegrationCache},
    live::LiveHub,
    rate_limit::RateLimits,
    session::{self, SessionCache},
    watcher::Watchers,
    webhooks::WebhookVerifier,
};
use anyhow::Context as _;
use codat::CodatClient;
use codat_emulator::Emulator;
use std::{
    net::SocketAddr,
    path::PathBuf,
    sync::{Arc, PoisonError, RwLock},
    time::Duration,
};
use tokio::sync::watch;

/// Shared state of every handler: one `Arc`, so that the many clones a request makes (each
/// layer and extractor takes its own) cost one counter each rather than one per field. Its
/// fields are [`Shared`]'s, reached through `Deref`.
#[derive(Debug, Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// What [`AppState`] holds.
#[derive(Debug)]
pub struct Shared {
    /// The database; a merchant's facts are written through `crate::facts` alone.
    pub db: Db,
    /// The Codat client.
    pub codat: CodatClient,
    /// What was configured, fixed at start.
    pub settings: Arc<Settings>,
    /// The cached integration grids.
    pub integrations: Arc<IntegrationCache>,
    /// Platform images served from our own origin.
    pub branding_images: Arc<BrandingImages>,
    /// The names owners know each platform by, carried on its card.
    pub platform_aliases: Arc<crate::aliases::PlatformAliases>,
    /// Per-merchant locks around company creation.
    pub company_locks: Arc<CompanyLocks>,
    /// Sessions looked up lately.
    pub sessions: Arc<SessionCache>,
    /// The request budgets per client address, session and admin token.
    pub rate_limits: Arc<RateLimits>,
    /// Live events to open pages.
    pub live: Arc<LiveHub>,
    /// Each merchant's stored connections and receipts as last read, forgotten by every change.
    pub stored: crate::connections_cache::ConnectionsCache,
    /// The platforms judged degraded, as pages see them.
    pub degraded_platforms: crate::platform_health::DegradedPlatforms,
    /// Checks Codat's webhook signatures.
    pub webhook_verifier: Arc<WebhookVerifier>,
    /// Companies being watched at Codat by this server.
    pub watchers: Arc<Watchers>,
    /// The consent terms shown before Link.
    pub consent: Arc<crate::flow::consent::ConsentBook>,
    /// Wakes the delivery of events to the lender's endpoints when one is stored.
    pub lender_outbox: Arc<tokio::sync::Notify>,
    /// What `/metrics` reports.
    pub metrics: Arc<crate::metrics::Metrics>,
    /// The embedded emulator, served under `/emulator`, when there is no Codat key.
    pub emulator: Option<Arc<Emulator>>,
    /// The latest check of the set-up with Codat, for `/readyz`.
    check_report: Arc<RwLock<Option<check::Report>>>,
    /// Becomes true when the server starts shutting down.
    stopping: Arc<watch::Sender<bool>>,
    /// True once a stop is asked for: `/readyz` answers 503 so that load balancers send no
    /// new traffic, while requests still arriving are served.
    draining: Arc<std::sync::atomic::AtomicBool>,
}

/// The settings handlers read, as the server resolved them at start.
#[derive(Debug)]
pub struct Settings {
    /// How long a request has to send its whole body.
    pub body_read_timeout: Duration,
    /// SHA-256 of the admin token, when the lender's API is on.
    pub admin_token_hash: Option<String>,
    /// The CSP `frame-ancestors` sources.
    pub frame_ancestors: String,
    /// The lender's theme file, if configured.
    pub theme_css: Option<PathBuf>,
    /// The platforms the lender shows first, in order (`FEATURED_PLATFORMS`).
    pub featured_platforms: Vec<String>,
    /// How long a session may go unused before it ends.
    pub session_idle: Duration,
    /// How many businesses' attempts at a platform must fail in an hour to judge it degraded.
    pub degraded_after: u32,
    /// The Codat file upload integration documents go through (`DOCUMENTS_PLATFORM`, or the
    /// embedded emulator's); `None`: no documents are taken.
    pub documents_platform: Option<String>,
    /// How long a document's upload may take to arrive.
    pub document_read_timeout: Duration,
    /// Whether the standalone sign-up is offered.
    pub sign_up_open: bool,
    /// How long received webhooks and never-linked merchants are kept.
    pub retention: Duration,
    /// Origins whose Link URLs the browser may be sent to.
    pub link_origins: Vec<String>,
    /// The origin users reach the server at (links to the flow start here).
    pub public_url: String,
    /// Whether cookies must be `Secure` (the public URL is https).
    pub secure_cookies: bool,
    /// The built app's `index.html`, if the app has been built.
    pub index_html: Option<String>,
    /// Where the built app's files come from.
    pub web_app: crate::web_app::WebApp,
    /// This server's id among those sharing the database (for leases).
    pub server_id: String,
    /// This deployment's id (a company tag).
    pub deployment_id: String,
    /// The lender's webhook endpoints.
    pub lender_endpoints: Vec<crate::config::LenderEndpoint>,
    /// Waits between a failed delivery to the lender and the next attempt, one per retry.
    pub lender_retries: Vec<Duration>,
    /// How long the lender's endpoint has to answer.
    pub lender_timeout: Duration,
}

impl AppState {
    /// The session cookie's name; `__Host-` bound to the exact origin when served over https.
    pub fn cookie_name(&self) -> &'static str {
        if self.settings.secure_cookies {
            "__Host-cc_session"
        } else {
            "cc_session"
        }
    }

    /// Whether `link_url` points at Codat's Link (or the emulator's) and may be followed.
    pub fn is_trusted_link(&self, link_url: &str) -> bool {
        let Ok(url) = url::Url::parse(link_url) else { return false };
        self.settings.link_origins.contains(&url.origin().ascii_serialization())
    }

    /// The latest check of the set-up with Codat, if one ran.
    pub fn check_report(&self) -> Option<check::Report> {
        self.check_report.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Keeps a check's findings for `/readyz`.
    pub fn set_check_report(&self, report: check::Report) {
        *self.check_report.write().unwrap_or_else(PoisonError::into_inner) = Some(report);
    }

    /// Becomes true when the server starts shutting down.
    pub fn shutdown_signal(&self) -> watch::Receiver<bool> {
        self.stopping.subscribe()
    }

    /// Says the server is about to stop: not ready any more, still serving.
    pub fn begin_draining(&self) {
        self.draining.store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// Whether a stop has been asked for.
    pub fn is_draining(&self) -> bool {
        self.draining.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Tells every stream and background task that the server is stopping.
    pub fn begin_shutdown(&self) {
        self.stopping.send_replace(true);
    }
}

/// Opens storage and sets up the Codat client for a server reached at `public_url` and bound
/// to `bound`. Without an API key the emulator is created, to be served under `/emulator`.
pub async fn build_state(config: &Config, public_url: &str, bound: SocketAddr) -> anyhow::Result<AppState> {
    let db = Db::connect(&config.database_url)
        .await
        .with_context(|| format!("cannot open the database {}", config.database_url))?;
    if config.codat_api_key.is_some() && config.codat_webhook_secret.is_none() {
        tracing::warn!(
            "CODAT_WEBHOOK_SECRET is not set: Codat's webhooks are refused, and pages update by \
             watching Codat (set it to the endpoint's whsec_... secret from Codat's Portal)"
        );
    }
    let webhook_secret_text =
        config.codat_webhook_secret.clone().unwrap_or_else(codat::WebhookSecret::generate);
    let webhook_secret = codat::WebhookSecret::parse(&webhook_secret_text)
        .context("CODAT_WEBHOOK_SECRET must be the whsec_... secret from Codat's Portal")?;
    let webhook_verifier = match &config.codat_webhook_previous_secret {
        Some(previous) => WebhookVerifier::rotating(
            webhook_secret,
            codat::WebhookSecret::parse(previous)
                .context("CODAT_WEBHOOK_PREVIOUS_SECRET must be a whsec_... secret")?,
        ),
        None => WebhookVerifier::new(webhook_secret),
    };
    let backend = codat_backend::connect(config, public_url, bound, &webhook_secret_text)?;
    let live = match db.backend() {
        db::Backend::Postgres => LiveHub::shared(&config.database_url)
            .await
            .context("cannot listen for live events on PostgreSQL")?,
        db::Backend::Sqlite => LiveHub::local(),
    };
    let stored = match db.backend() {
        db::Backend::Postgres => crate::connections_cache::ConnectionsCache::shared(&config.database_url)
            .await
            .context("cannot listen for stored changes on PostgreSQL")?,
        db::Backend::Sqlite => crate::connections_cache::ConnectionsCache::local(),
    };
    let deployment_id = match &config.deployment_id {
        Some(id) => id.clone(),
        None => db.deployment_id().await.context("cannot read this deployment's id")?,
    };
    let web_app = crate::web_app::WebApp::from_setting(config.dist_dir.as_ref());
    let index_html = crate::spa::prepared_index(&web_app, config)?;
    let settings = Settings {
        admin_token_hash: config.admin_token.as_deref().map(session::hash_secret),
        frame_ancestors: config.frame_ancestors.clone(),
        theme_css: config.theme_css.clone(),
        featured_platforms: config.featured_platforms.clone(),
        session_idle: Duration::from_secs(config.session_idle_minutes.max(1) * 60),
        degraded_after: config.degraded_after_failures,
        documents_platform: backend.documents_platform(config),
        document_read_timeout: Duration::from_secs_f64(config.document_read_timeout_seconds),
        sign_up_open: config.sign_up_open(),
        retention: Duration::from_secs(config.retention_days.max(1) * 24 * 60 * 60),
        link_origins: backend.link_origins,
        secure_cookies: public_url.starts_with("https://"),
        public_url: public_url.trim_end_matches('/').to_owned(),
        index_html,
        web_app,
        server_id: uuid::Uuid::new_v4().to_string(),
        deployment_id,
        lender_endpoints: config.lender_webhooks.clone(),
        lender_retries: config
            .lender_webhook_retry_seconds
            .iter()
            .map(|s| Duration::from_secs_f64(*s))
            .collect(),
        lender_timeout: Duration::from_secs_f64(config.lender_webhook_timeout_seconds.max(0.1)),
        body_read_timeout: Duration::from_secs_f64(config.body_read_timeout_seconds),
    };
    let consent_text = match &config.consent_file {
        Some(path) => Some(
            std::fs::read_to_string(path)
                .with_context(|| format!("cannot read CONSENT_FILE {}", path.display()))?,
        ),
        None => None,
    };
    let consent = crate::flow::consent::ConsentBook::new(consent_text.as_deref())?;
    let lender_aliases = match &config.platform_aliases {
        Some(path) => Some(
            std::fs::read_to_string(path)
                .with_context(|| format!("cannot read PLATFORM_ALIASES {}", path.display()))?,
        ),
        None => None,
    };
    let platform_aliases = crate::aliases::PlatformAliases::with_lender_list(lender_aliases.as_deref())?;
    let rate_limits = RateLimits::new(
        config.rate_limit_per_minute,
        config.sign_ups_per_hour,
        config.webhooks_per_minute,
        config.admin_requests_per_minute,
        config.forwarded_hops,
    );
    let metrics = Arc::new(crate::metrics::Metrics::new());
    Ok(AppState(Arc::new(Shared {
        db,
        codat: backend.client.with_observer(metrics.clone()),
        metrics,
        settings: Arc::new(settings),
        integrations: Arc::default(),
        branding_images: Arc::new(BrandingImages::new(backend.image_origins, backend.image_rewrite)),
        platform_aliases: Arc::new(platform_aliases),
        company_locks: Arc::default(),
        sessions: Arc::default(),
        rate_limits: Arc::new(rate_limits),
        live: Arc::new(live),
        stored,
        degraded_platforms: Default::default(),
        webhook_verifier: Arc::new(webhook_verifier),
        watchers: Arc::default(),
        consent: Arc::new(consent),
        lender_outbox: Arc::default(),
        emulator: backend.emulator,
        check_report: Arc::default(),
        stopping: Arc::new(watch::channel(false).0),
        draining: Arc::default(),
    })))
}
