//! The Codat Connect server, a backend-for-frontend: it serves the built web app, answers the
//! flow's small JSON API (`/api/*`), keeps the Codat API key to itself, stores merchants and
//! sessions, and, when no Codat key is configured, runs the Codat emulator under `/emulator`.

pub mod check;
pub mod config;
pub mod db;
pub mod error;
pub mod example_lender;
pub mod flow;
pub mod live;
pub mod rate_limit;
pub mod security;
pub mod session;
pub mod spa;
pub mod sweep;
pub mod watcher;
pub mod webhooks;

use anyhow::Context as _;
use axum::{extract::DefaultBodyLimit, http::StatusCode, middleware, routing::get, Json, Router};
use codat::{ApiKey, CodatClient};
use codat_connect_api::{paths, ApiError, ErrorCode};
use codat_emulator::{Emulator, EmulatorConfig};
use config::Config;
use db::Db;
use flow::integrations::IntegrationCache;
use std::{net::SocketAddr, sync::Arc};
use tokio::{net::TcpListener, sync::oneshot, task::JoinHandle};
use tower_http::{
    compression::CompressionLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    services::ServeDir,
    trace::TraceLayer,
};

/// Largest request body accepted; the flow's bodies and Codat's webhooks are far smaller.
const MAX_BODY_BYTES: usize = 256 * 1024;

/// The shortest admin token accepted: anything shorter could be guessed.
const MIN_ADMIN_TOKEN_CHARS: usize = 32;

/// Hosts whose `linkUrl`s the browser may be sent to, besides the emulator's own origin.
const CODAT_LINK_ORIGINS: [&str; 2] = ["https://link-api.codat.io", "https://link.codat.io"];

/// The events the flow listens to (subscribe a Codat webhook consumer to these).
pub const FLOW_EVENT_TYPES: [&str; 8] = codat::CONNECTION_EVENT_TYPES;

/// Shared state of every handler.
#[derive(Debug, Clone)]
pub struct AppState(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    db: Db,
    codat: CodatClient,
    integrations: IntegrationCache,
    branding_images: flow::branding::BrandingImages,
    company_locks: flow::company::CompanyLocks,
    sessions: session::SessionCache,
    admin_token_hash: Option<String>,
    frame_ancestors: String,
    theme_css: Option<std::path::PathBuf>,
    rate_limits: rate_limit::RateLimits,
    session_idle: std::time::Duration,
    sign_up_open: bool,
    retention: std::time::Duration,
    stopping: tokio::sync::watch::Sender<bool>,
    live: live::LiveHub,
    webhook_verifier: webhooks::WebhookVerifier,
    link_origins: Vec<String>,
    secure_cookies: bool,
    index_html: Option<String>,
    dist_dir: std::path::PathBuf,
    emulator: Option<Arc<Emulator>>,
    watchers: Arc<watcher::Watchers>,
    server_id: String,
    check_report: std::sync::RwLock<Option<check::Report>>,
    deployment_id: String,
}

impl AppState {
    /// Storage.
    pub fn db(&self) -> &Db {
        &self.0.db
    }

    /// The Codat client.
    pub fn codat(&self) -> &CodatClient {
        &self.0.codat
    }

    /// The cached integration grids.
    pub fn integrations(&self) -> &IntegrationCache {
        &self.0.integrations
    }

    /// Platform images served from our origin.
    pub fn branding_images(&self) -> &flow::branding::BrandingImages {
        &self.0.branding_images
    }

    /// Per-merchant locks around company creation.
    pub fn company_locks(&self) -> &flow::company::CompanyLocks {
        &self.0.company_locks
    }

    /// Sessions looked up before.
    pub fn sessions(&self) -> &session::SessionCache {
        &self.0.sessions
    }

    /// SHA-256 of the admin token, when the embedding API is on.
    pub fn admin_token_hash(&self) -> Option<&str> {
        self.0.admin_token_hash.as_deref()
    }

    /// The CSP `frame-ancestors` sources.
    pub fn frame_ancestors(&self) -> &str {
        &self.0.frame_ancestors
    }

    /// The rate limits.
    pub fn rate_limits(&self) -> &rate_limit::RateLimits {
        &self.0.rate_limits
    }

    /// How long a session may go unused before it ends.
    pub fn session_idle(&self) -> std::time::Duration {
        self.0.session_idle
    }

    /// Whether the standalone sign-up is offered.
    pub fn sign_up_open(&self) -> bool {
        self.0.sign_up_open
    }

    /// How long received webhooks and never-linked merchants are kept.
    pub fn retention(&self) -> std::time::Duration {
        self.0.retention
    }

    /// Companies being watched at Codat on this server.
    pub fn watchers(&self) -> &Arc<watcher::Watchers> {
        &self.0.watchers
    }

    /// This server's id among those sharing the database (for leases).
    pub fn server_id(&self) -> &str {
        &self.0.server_id
    }

    /// This deployment's id (a company tag).
    pub fn deployment_id(&self) -> &str {
        &self.0.deployment_id
    }

    /// The latest check of the set-up with Codat, if one ran.
    pub fn check_report(&self) -> Option<check::Report> {
        self.0.check_report.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// Keeps a check's findings for `/readyz`.
    pub fn set_check_report(&self, report: check::Report) {
        *self.0.check_report.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(report);
    }

    /// The lender's theme file, if configured.
    pub fn theme_css_path(&self) -> Option<&std::path::Path> {
        self.0.theme_css.as_deref()
    }

    /// Becomes true when the server starts shutting down.
    pub fn shutdown_signal(&self) -> tokio::sync::watch::Receiver<bool> {
        self.0.stopping.subscribe()
    }

    /// Live events to open pages.
    pub fn live(&self) -> &live::LiveHub {
        &self.0.live
    }

    /// Verifies Codat's webhooks.
    pub fn webhook_verifier(&self) -> &webhooks::WebhookVerifier {
        &self.0.webhook_verifier
    }

    /// Whether cookies must be `Secure` (the public URL is https).
    pub fn secure_cookies(&self) -> bool {
        self.0.secure_cookies
    }

    /// The session cookie's name; `__Host-` bound to the exact origin when served over https.
    pub fn cookie_name(&self) -> &'static str {
        if self.0.secure_cookies {
            "__Host-cc_session"
        } else {
            "cc_session"
        }
    }

    /// The built app's `index.html`, if the app has been built.
    pub fn index_html(&self) -> Option<&str> {
        self.0.index_html.as_deref()
    }

    /// Whether `link_url` points at Codat's Link (or the emulator's) and may be followed.
    pub fn is_trusted_link(&self, link_url: &str) -> bool {
        let Ok(url) = url::Url::parse(link_url) else { return false };
        let origin = url.origin().ascii_serialization();
        self.0.link_origins.contains(&origin)
    }
}

/// The redirect URL template registered with Codat: the app's callback route with every
/// placeholder the callback page reads.
pub fn redirect_template(public_url: &str) -> String {
    format!(
        "{}/callback?statusCode={{statusCode}}&statusText={{statusText}}&errorMessage={{errorMessage}}\
         &companyId={{companyId}}&connectionId={{connectionId}}&platform={{platform}}\
         &platformName={{platformName}}&sourceType={{sourceType}}&state={{state}}",
        public_url.trim_end_matches('/')
    )
}

/// Every route of the server.
pub fn app(state: AppState) -> Router {
    let api = Router::new()
        .route(paths::SIGN_UP, axum::routing::post(flow::signup::sign_up))
        .route(paths::LOG_OUT, axum::routing::post(flow::signup::log_out))
        .route(paths::SESSION, get(flow::signup::current))
        .route(paths::INTEGRATIONS, get(flow::integrations::list))
        .route(paths::CONNECTIONS, get(flow::connections::list).post(flow::connections::create))
        .route("/api/connections/{id}", get(flow::connections::get).delete(flow::connections::delete))
        .route("/api/connections/{id}/unlink", axum::routing::post(flow::connections::unlink))
        .route("/api/connections/{id}/link", axum::routing::post(flow::connections::link))
        .route(paths::CALLBACK, axum::routing::post(flow::callback::confirm))
        .route(paths::SYNC, get(flow::sync::progress))
        .route(paths::SYNC_REFRESH, axum::routing::post(flow::sync::refresh))
        .route(paths::EVENTS, get(live::events))
        .route(paths::EVENTS_TICKET, axum::routing::post(live::ticket))
        .route("/api/{*rest}", axum::routing::any(unknown_api))
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn(security::require_same_site))
        .layer(middleware::from_fn_with_state(state.clone(), rate_limit::limit_api));
    let mut router = Router::new()
        .merge(api)
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/v1/sessions", axum::routing::post(flow::embed::create))
        .route("/v1/sessions/{token}", axum::routing::delete(flow::embed::revoke))
        .route(
            "/webhooks/codat",
            axum::routing::post(webhooks::receive)
                .layer(middleware::from_fn_with_state(state.clone(), rate_limit::limit_webhooks)),
        )
        .route("/", get(spa::index))
        .route("/index.html", get(spa::index))
        .route("/theme.css", get(spa::theme))
        .route("/branding/{platform_key}/{slot}", get(flow::branding::serve))
        .method_not_allowed_fallback(method_not_allowed);
    if let Some(emulator) = &state.0.emulator {
        router = router.nest_service("/emulator", codat_emulator::router(emulator.clone()));
    }
    let spa_fallback = axum::handler::Handler::with_state(spa::index, state.clone());
    // Hashed assets are files in the dist directory; any other path gets the app, whose status
    // `spa::index` sets (`not_found_service` would make every page a 404).
    // Browsers that accept brotli or gzip get the copies `cargo xtask` wrote beside each file.
    let assets = ServeDir::new(&state.0.dist_dir)
        .precompressed_br()
        .precompressed_gzip()
        .append_index_html_on_directories(false)
        .fallback(spa_fallback);
    let assets = tower::Layer::layer(&middleware::from_fn(spa::asset_caching), assets);
    let router = router.fallback_service(assets);
    router
        .layer(CompressionLayer::new().compress_when(compressible()))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn_with_state(state.clone(), security::security_headers))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http().make_span_with(|request: &axum::http::Request<_>| {
            let id = request.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
            let path = logged_path(request.uri().path());
            tracing::info_span!("request", method = %request.method(), path = %path, request_id = %id)
        }))
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}

/// What is compressed on the fly (JSON, SVG and HTML answers; the app's files come compressed
/// already): not what is small, images other than SVG, or event streams, which must flow.
fn compressible() -> impl tower_http::compression::Predicate {
    use tower_http::compression::predicate::{NotForContentType, Predicate as _, SizeAbove};
    SizeAbove::new(1024)
        .and(NotForContentType::IMAGES)
        .and(NotForContentType::SSE)
        .and(NotForContentType::GRPC)
}

/// The path as logged: a session token named in the path (`DELETE /v1/sessions/{token}`) is not.
fn logged_path(path: &str) -> &str {
    if path.starts_with("/v1/sessions/") {
        "/v1/sessions/{token}"
    } else {
        path
    }
}

/// Ready when storage answers (a load balancer sends no traffic before); the details carry the
/// latest check of the set-up with Codat, which does not change readiness.
async fn readyz(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> (StatusCode, Json<serde_json::Value>) {
    let checks = state.check_report();
    if state.db().is_ready().await {
        (StatusCode::OK, Json(serde_json::json!({"status": "ready", "checks": checks})))
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({"status": "database unavailable", "checks": checks})),
        )
    }
}

async fn method_not_allowed() -> (StatusCode, Json<ApiError>) {
    let message = "This endpoint does not take that method.".into();
    (StatusCode::METHOD_NOT_ALLOWED, Json(ApiError { code: ErrorCode::MethodNotAllowed, message }))
}

async fn unknown_api() -> (StatusCode, Json<ApiError>) {
    (
        StatusCode::NOT_FOUND,
        Json(ApiError { code: ErrorCode::NotFound, message: "There is no such API endpoint.".into() }),
    )
}

/// A server started by [`start`].
#[derive(Debug)]
pub struct RunningProxy {
    /// The address it is bound to.
    pub addr: SocketAddr,
    /// The origin browsers use.
    pub public_url: String,
    /// The example lender's site, when `EXAMPLE_LENDER_LISTEN` is set.
    pub example_lender_url: Option<String>,
    /// Its shared state.
    pub state: AppState,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

impl RunningProxy {
    /// Stops accepting connections, lets requests in flight finish, and waits.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        (&mut self.task).await.context("server task failed")?.context("server error")
    }

    /// Waits until the server ends (after a shutdown signal).
    pub async fn wait(mut self) -> anyhow::Result<()> {
        (&mut self.task).await.context("server task failed")?.context("server error")
    }

    /// Ends the server when `signal` completes.
    pub fn stop_on(&mut self, signal: impl std::future::Future<Output = ()> + Send + 'static) {
        if let Some(shutdown) = self.shutdown.take() {
            tokio::spawn(async move {
                signal.await;
                let _ = shutdown.send(());
            });
        }
    }
}

/// Binds, opens storage, connects to Codat (or starts the emulator) and serves.
pub async fn start(mut config: Config) -> anyhow::Result<RunningProxy> {
    // Decided by the lender's own settings, before the example lender makes itself a token.
    config.sign_up = Some(if config.sign_up_open() { config::SignUp::Open } else { config::SignUp::Closed });
    let example_lender = match config.example_lender_listen {
        // The example is a convenience: a busy port costs it, not the server.
        Some(addr) => match prepare_example_lender(&mut config, addr).await {
            Ok(prepared) => Some(prepared),
            Err(error) => {
                tracing::warn!("the example lender's site is not served: {error:#}");
                None
            }
        },
        None => None,
    };
    let listener = TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let addr = listener.local_addr()?;
    let public_url = config.public_url.clone().unwrap_or_else(|| format!("http://{addr}"));
    let public_url = public_url.trim_end_matches('/').to_owned();
    let state = build_state(&config, &public_url, addr).await?;
    let example_lender_url = example_lender.map(|(listener, url)| {
        let admin_token = config.admin_token.clone().unwrap_or_default();
        let internal_url = format!("http://{}", loopback(addr));
        example_lender::serve(
            listener,
            public_url.clone(),
            internal_url,
            admin_token,
            state.shutdown_signal(),
        );
        url
    });
    let backlog = state.clone();
    tokio::spawn(async move { webhooks::process_backlog(&backlog).await });
    sweep::spawn(&state);
    let (shutdown, on_shutdown) = oneshot::channel::<()>();
    let stopping = state.clone();
    let running_state = state.clone();
    let service = app(state).into_make_service_with_connect_info::<SocketAddr>();
    let server = axum::serve(listener, service).with_graceful_shutdown(async move {
        let _ = on_shutdown.await;
        stopping.0.stopping.send_replace(true);
    });
    let task = tokio::spawn(async move { server.await });
    Ok(RunningProxy {
        addr,
        public_url,
        example_lender_url,
        state: running_state,
        shutdown: Some(shutdown),
        task,
    })
}

/// Binds the example lender's site, lets its origin frame the app and makes sure it has an
/// admin token to ask for sessions with.
async fn prepare_example_lender(
    config: &mut Config,
    addr: SocketAddr,
) -> anyhow::Result<(TcpListener, String)> {
    let listener = TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr} for the example lender"))?;
    // `localhost`, not the address: the lender's page is then another site, as it would be.
    let url = format!("http://localhost:{}", listener.local_addr()?.port());
    if config.admin_token.is_none() {
        config.admin_token = Some(session::new_token());
    }
    config.frame_ancestors = match config.frame_ancestors.trim() {
        "'none'" => url.clone(),
        others => format!("{others} {url}"),
    };
    tracing::info!(
        lender = %url,
        frame_ancestors = %config.frame_ancestors,
        "serving the example lender's site; embedding is on for it"
    );
    Ok((listener, url))
}

/// Opens storage and sets up the Codat client for a server reached at `public_url` and bound
/// to `bound`. Without an API key the emulator is created, to be served under `/emulator`.
pub async fn build_state(config: &Config, public_url: &str, bound: SocketAddr) -> anyhow::Result<AppState> {
    let db = Db::connect(&config.database_url)
        .await
        .with_context(|| format!("cannot open the database {}", config.database_url))?;
    let mut link_origins: Vec<String> = CODAT_LINK_ORIGINS.iter().map(|s| s.to_string()).collect();
    if config.codat_api_key.is_some() && config.codat_webhook_secret.is_none() {
        tracing::warn!(
            "CODAT_WEBHOOK_SECRET is not set: Codat's webhooks are refused, and pages update by \
             watching Codat (set it to the endpoint's whsec_... secret from Codat's Portal)"
        );
    }
    let webhook_secret = config.codat_webhook_secret.clone().unwrap_or_else(codat::WebhookSecret::generate);
    // Codat's static assets host, and for a Codat-compatible server its own origin.
    let mut image_origins = vec!["https://static.codat.io".to_owned()];
    let mut image_rewrite = None;
    let (codat, emulator) = match &config.codat_api_key {
        Some(key) => {
            // A Codat-compatible server the operator configured (a standalone emulator, say)
            // serves its own Link pages.
            link_origins.push(origin_of(&config.codat_base_url)?);
            image_origins.push(origin_of(&config.codat_base_url)?);
            (CodatClient::new(&config.codat_base_url, &ApiKey::new(key.clone()))?, None)
        }
        None => {
            let key = uuid::Uuid::new_v4().simple().to_string();
            let base = format!("http://{}", loopback(bound));
            let mut emulator_config = EmulatorConfig::new(
                format!("{public_url}/emulator"),
                key.clone(),
                redirect_template(public_url),
            );
            emulator_config.webhook_secret = webhook_secret.clone();
            emulator_config.sync_duration = std::time::Duration::from_secs(config.emulator_sync_seconds);
            emulator_config.synthetic_platforms = config.emulator_synthetic_platforms;
            emulator_config.one_time_links = !config.emulator_reusable_links;
            emulator_config.carry_link_query = config.emulator_carry_link_query;
            emulator_config.multiple_accounting = config.emulator_multiple_accounting;
            emulator_config.daily_quota = Some(config.emulator_daily_quota).filter(|quota| *quota > 0);
            emulator_config.failing_data_types = config.emulator_failing_data_types.clone();
            if config.emulator_webhooks {
                emulator_config.webhook_consumers = vec![codat::WebhookConsumer {
                    id: Some(uuid::Uuid::new_v4().to_string()),
                    url: format!("{base}/webhooks/codat"),
                    disabled: Some(false),
                    event_types: FLOW_EVENT_TYPES.iter().map(|t| t.to_string()).collect(),
                    company_tags: None,
                }];
            }
            link_origins.push(origin_of(public_url)?);
            image_rewrite = Some((format!("{public_url}/emulator/"), format!("{base}/emulator/")));
            let emulator = Emulator::new(emulator_config);
            (CodatClient::new(&format!("{base}/emulator"), &ApiKey::new(key))?, Some(emulator))
        }
    };
    let frame_ancestors = config.frame_ancestors.trim();
    if frame_ancestors.is_empty() || frame_ancestors.chars().any(|c| c == ';' || c == ',' || c.is_control()) {
        anyhow::bail!(
            "FRAME_ANCESTORS is a space-separated list of sources, such as 'self' https://lender.example"
        );
    }
    if config.admin_token.as_deref().is_some_and(|token| token.trim().chars().count() < MIN_ADMIN_TOKEN_CHARS)
    {
        anyhow::bail!(
            "ADMIN_TOKEN has at least {MIN_ADMIN_TOKEN_CHARS} characters (make one with `openssl rand -base64 32`)"
        );
    }
    let webhook_secret = codat::WebhookSecret::parse(&webhook_secret)
        .context("CODAT_WEBHOOK_SECRET must be the whsec_... secret from Codat's Portal")?;
    let live = match db.backend() {
        db::Backend::Postgres => live::LiveHub::shared(&config.database_url)
            .await
            .context("cannot listen for live events on PostgreSQL")?,
        db::Backend::Sqlite => live::LiveHub::local(),
    };
    let deployment_id = match config.deployment_id.as_deref().map(str::trim) {
        Some(id) if valid_tag_value(id) => id.to_owned(),
        Some(_) => anyhow::bail!("DEPLOYMENT_ID has 1 to 100 letters, digits, '-' or '_'"),
        None => db.deployment_id().await.context("cannot read this deployment's id")?,
    };
    let branding_images = flow::branding::BrandingImages::new(image_origins, image_rewrite);
    let index_html = std::fs::read_to_string(config.dist_dir.join("index.html")).ok();
    if index_html.is_none() {
        tracing::warn!(dist = %config.dist_dir.display(), "the web app is not built; only the API is served");
    }
    Ok(AppState(Arc::new(Inner {
        db,
        codat,
        integrations: IntegrationCache::default(),
        branding_images,
        company_locks: flow::company::CompanyLocks::default(),
        sessions: session::SessionCache::default(),
        admin_token_hash: config.admin_token.as_deref().map(session::hash_secret),
        frame_ancestors: config.frame_ancestors.clone(),
        theme_css: config.theme_css.clone(),
        rate_limits: rate_limit::RateLimits::new(
            config.rate_limit_per_minute,
            config.sign_ups_per_hour,
            config.forwarded_hops,
        ),
        session_idle: std::time::Duration::from_secs(config.session_idle_minutes.max(1) * 60),
        sign_up_open: config.sign_up_open(),
        retention: std::time::Duration::from_secs(config.retention_days.max(1) * 24 * 60 * 60),
        stopping: tokio::sync::watch::channel(false).0,
        live,
        webhook_verifier: webhooks::WebhookVerifier::new(webhook_secret),
        link_origins,
        secure_cookies: public_url.starts_with("https://"),
        index_html,
        dist_dir: config.dist_dir.clone(),
        emulator,
        watchers: Arc::default(),
        server_id: uuid::Uuid::new_v4().to_string(),
        check_report: std::sync::RwLock::new(None),
        deployment_id,
    })))
}

/// Whether `value` fits a Codat company tag and needs no quoting in a tag filter.
fn valid_tag_value(value: &str) -> bool {
    (1..=100).contains(&value.len())
        && value.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

fn origin_of(url: &str) -> anyhow::Result<String> {
    Ok(url::Url::parse(url).with_context(|| format!("{url} is not a URL"))?.origin().ascii_serialization())
}

/// The address to call ourselves on: an unspecified bind address becomes loopback.
fn loopback(addr: SocketAddr) -> SocketAddr {
    let mut addr = addr;
    if addr.ip().is_unspecified() {
        addr.set_ip(if addr.is_ipv4() {
            [127, 0, 0, 1].into()
        } else {
            std::net::Ipv6Addr::LOCALHOST.into()
        });
    }
    addr
}
