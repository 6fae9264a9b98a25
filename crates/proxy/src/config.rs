//! The proxy's settings, each from a flag or the environment variable of the same name.

use clap::Parser;
use std::{net::SocketAddr, path::PathBuf};

/// Defaults, each written once for clap and for [`Config::local`].
const CODAT_BASE_URL: &str = "https://api.codat.io";
const NO_FRAMING: &str = "'none'";
const RATE_LIMIT_PER_MINUTE: u32 = 300;
const SIGN_UPS_PER_HOUR: u32 = 10;
const WEBHOOKS_PER_MINUTE: u32 = 6000;
const SESSION_IDLE_MINUTES: u64 = 60;
const DEGRADED_AFTER_FAILURES: u32 = 3;
const RETENTION_DAYS: u64 = 30;
const EMULATOR_SYNC_SECONDS: u64 = 8;
const ADMIN_REQUESTS_PER_MINUTE: u32 = 600;
const HEADER_READ_TIMEOUT_SECONDS: f64 = 10.0;
const BODY_READ_TIMEOUT_SECONDS: f64 = 30.0;
const DOCUMENT_READ_TIMEOUT_SECONDS: f64 = 300.0;
const MAX_CONNECTIONS: usize = 512;
const SHUTDOWN_DRAIN_SECONDS: f64 = 5.0;
/// Standard Webhooks' schedule (Svix's): after the first attempt, 5 s, 5 min, 30 min, 2 h, 5 h,
/// 10 h and 10 h.
const LENDER_WEBHOOK_RETRY_SECONDS: &str = "5,300,1800,7200,18000,36000,36000";
const LENDER_WEBHOOK_TIMEOUT_SECONDS: f64 = 15.0;

/// The shortest admin token accepted: anything shorter could be guessed.
pub const MIN_ADMIN_TOKEN_CHARS: usize = 32;

/// Settings of a Codat Connect server. With none given it serves the embedded emulator and
/// keeps its data in a SQLite file in the working directory.
#[derive(Debug, Clone, Parser)]
#[command(name = "codat-connect-server", version, about)]
pub struct Config {
    /// Address to serve on.
    #[arg(long, env = "LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Origin users reach the server at; the redirect URL is built from it.
    /// Defaults to `http://` and the address actually bound.
    #[arg(long, env = "PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Codat API key. Unset: the embedded emulator stands in for Codat.
    #[arg(long, env = "CODAT_API_KEY", hide_env_values = true)]
    pub codat_api_key: Option<String>,
    /// Base URL of Codat's API, or of any Codat-compatible server.
    #[arg(long, env = "CODAT_BASE_URL", default_value = CODAT_BASE_URL)]
    pub codat_base_url: String,
    /// The `whsec_...` secret Codat signs webhooks with (Portal: Monitor > Webhooks > endpoint).
    /// Generated for the embedded emulator when unset.
    #[arg(long, env = "CODAT_WEBHOOK_SECRET", hide_env_values = true)]
    pub codat_webhook_secret: Option<String>,
    /// While Codat's webhook secret rotates, the previous one: a webhook signed with either is
    /// accepted. Remove it once the rotation is over.
    #[arg(long, env = "CODAT_WEBHOOK_PREVIOUS_SECRET", hide_env_values = true)]
    pub codat_webhook_previous_secret: Option<String>,
    /// This deployment's id, tagged on every Codat company it creates, so that deployments
    /// sharing one Codat API key never adopt each other's companies. Made once and kept in the
    /// database when unset.
    #[arg(long, env = "DEPLOYMENT_ID", value_parser = deployment_id)]
    pub deployment_id: Option<String>,
    /// Enables the lender's server-to-server session API (`/v1/sessions`); at least 32
    /// characters.
    #[arg(long, env = "ADMIN_TOKEN", hide_env_values = true, value_parser = admin_token)]
    pub admin_token: Option<String>,
    /// Who may frame the app (CSP `frame-ancestors`), e.g. `https://lender.example`.
    #[arg(long, env = "FRAME_ANCESTORS", default_value = NO_FRAMING, value_parser = frame_ancestors)]
    pub frame_ancestors: String,
    /// A CSS file overriding the app's `--cc-*` tokens, served as `/theme.css` (see THEMING.md).
    #[arg(long, env = "THEME_CSS")]
    pub theme_css: Option<PathBuf>,
    /// A JSON file with the lender's words for any string of the page, per locale
    /// (`{"en": {"sign_up_heading": "..."}}`); an unknown key stops the server at start.
    #[arg(long, env = "TEXT_OVERRIDES")]
    pub text_overrides: Option<PathBuf>,
    /// Platforms shown first in their grid, in this order, by Codat platform key (`qhyg,gbol`);
    /// after them come the platforms this lender's owners chose most, then the rest by name.
    #[arg(long, env = "FEATURED_PLATFORMS", value_delimiter = ',', value_parser = platform_key)]
    pub featured_platforms: Vec<String>,
    /// A JSON file with more names owners know platforms by, per Codat platform key
    /// (`{"qhyg": ["QBO"]}`), added to the shipped list; a malformed one stops the server at start.
    #[arg(long, env = "PLATFORM_ALIASES")]
    pub platform_aliases: Option<PathBuf>,
    /// A JSON file with the consent text per locale (`{"en": {"purpose", "retention", "termsUrl",
    /// "privacyUrl"}, "fr-CA": {...}}`); built-in words where unset.
    #[arg(long, env = "CONSENT_FILE")]
    pub consent_file: Option<PathBuf>,
    /// Requests a minute allowed per client address and per session on the API.
    #[arg(long, env = "RATE_LIMIT_PER_MINUTE", default_value_t = RATE_LIMIT_PER_MINUTE)]
    pub rate_limit_per_minute: u32,
    /// How many proxies (load balancers) in front of the server append the address they were
    /// reached from to `X-Forwarded-For`; the client is the entry the farthest of them wrote.
    /// 0: the connection's peer is the client and the header is ignored.
    #[arg(long, env = "FORWARDED_HOPS", default_value_t = 0)]
    pub forwarded_hops: usize,
    /// Whether the standalone sign-up (`POST /api/signup`) is offered: `open` or `closed`.
    /// Closed by default when `ADMIN_TOKEN` is set (the lender starts sessions itself), open
    /// otherwise.
    #[arg(long, env = "SIGN_UP")]
    pub sign_up: Option<SignUp>,
    /// Sign-ups an hour allowed per client address (each creates a Codat company).
    #[arg(long, env = "SIGN_UPS_PER_HOUR", default_value_t = SIGN_UPS_PER_HOUR)]
    pub sign_ups_per_hour: u32,
    /// Webhook deliveries a minute accepted from one sending address (429 beyond; Codat retries).
    #[arg(long, env = "WEBHOOKS_PER_MINUTE", default_value_t = WEBHOOKS_PER_MINUTE)]
    pub webhooks_per_minute: u32,
    /// Requests a minute the lender's backend may make to `/v1` from one address (429 with
    /// `Retry-After` beyond).
    #[arg(long, env = "ADMIN_REQUESTS_PER_MINUTE", default_value_t = ADMIN_REQUESTS_PER_MINUTE)]
    pub admin_requests_per_minute: u32,
    /// Seconds a connection has to send a request's headers (and an idle kept-alive connection
    /// to start its next request) before it is closed.
    #[arg(long, env = "HEADER_READ_TIMEOUT_SECONDS", value_parser = positive_seconds,
          default_value_t = HEADER_READ_TIMEOUT_SECONDS)]
    pub header_read_timeout_seconds: f64,
    /// Seconds a request has to send its whole body (408 beyond).
    #[arg(long, env = "BODY_READ_TIMEOUT_SECONDS", value_parser = positive_seconds,
          default_value_t = BODY_READ_TIMEOUT_SECONDS)]
    pub body_read_timeout_seconds: f64,
    /// Connections served at once; further ones wait to be accepted until one ends (each
    /// open event stream is one).
    #[arg(long, env = "MAX_CONNECTIONS", default_value_t = MAX_CONNECTIONS)]
    pub max_connections: usize,
    /// Seconds between a stop being asked for (SIGTERM, Ctrl-C) and the server ceasing to accept
    /// connections; meanwhile `/readyz` answers 503 so load balancers move traffic elsewhere.
    /// At least the load balancer's readiness interval; 0 for development.
    #[arg(long, env = "SHUTDOWN_DRAIN_SECONDS", value_parser = seconds,
          default_value_t = SHUTDOWN_DRAIN_SECONDS)]
    pub shutdown_drain_seconds: f64,
    /// Minutes a session may go unused before it ends.
    #[arg(long, env = "SESSION_IDLE_MINUTES", default_value_t = SESSION_IDLE_MINUTES)]
    pub session_idle_minutes: u64,
    /// Days kept: webhooks received, and merchants who never linked a platform (removed with
    /// their Codat company). Ended sessions and old Link returns go sooner.
    #[arg(long, env = "RETENTION_DAYS", default_value_t = RETENTION_DAYS)]
    pub retention_days: u64,
    /// How many businesses' Link attempts at one platform must fail within an hour (and be two
    /// in three of those that ended) before owners see it "may not work right now" and the
    /// lender hears `platform.degraded`. A lender with few owners an hour may lower it.
    #[arg(long, env = "DEGRADED_AFTER_FAILURES", default_value_t = DEGRADED_AFTER_FAILURES,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub degraded_after_failures: u32,
    /// Key of the Codat file upload integration ("Business documents file upload", enabled in
    /// Codat's portal under Other integrations) through which owners' documents are uploaded
    /// where a lender's requirements take documents instead of a platform. Unset, no documents
    /// are taken; with the embedded emulator it is the emulator's own, `fupd`.
    #[arg(long, env = "DOCUMENTS_PLATFORM")]
    pub documents_platform: Option<String>,
    /// Seconds a document's upload (up to 10 MB, from a phone) may take to arrive.
    #[arg(long, env = "DOCUMENT_READ_TIMEOUT_SECONDS", value_parser = positive_seconds,
          default_value_t = DOCUMENT_READ_TIMEOUT_SECONDS)]
    pub document_read_timeout_seconds: f64,
    /// How long the embedded emulator's first data sync takes, in seconds.
    #[arg(long, env = "EMULATOR_SYNC_SECONDS", default_value_t = EMULATOR_SYNC_SECONDS)]
    pub emulator_sync_seconds: u64,
    /// The embedded emulator delivers Codat's webhooks to this server. Off by default: a server
    /// on a laptop gets none from real Codat either, and pages then update by watching Codat.
    #[arg(long, env = "EMULATOR_WEBHOOKS")]
    pub emulator_webhooks: bool,
    /// The embedded emulator carries the Link URL's own query parameters (our `state`) into the
    /// redirect. Off by default: Codat documents that only for Hosted Link.
    #[arg(long, env = "EMULATOR_CARRY_LINK_QUERY")]
    pub emulator_carry_link_query: bool,
    /// The embedded emulator's Link URLs can be used again and never expire. Off by default:
    /// Codat's are one-time links that expire after a day.
    #[arg(long, env = "EMULATOR_REUSABLE_LINKS")]
    pub emulator_reusable_links: bool,
    /// The embedded emulator lets a company have several accounting connections. Off by
    /// default, as Codat refuses a second one.
    #[arg(long, env = "EMULATOR_MULTIPLE_ACCOUNTING")]
    pub emulator_multiple_accounting: bool,
    /// Requests a day the embedded emulator allows before any company is active, and adds per
    /// active company, as Codat's quota does (then 429 until midnight UTC); 0 for no quota.
    #[arg(long, env = "EMULATOR_DAILY_QUOTA", default_value_t = codat_emulator::quota::DEFAULT_DAILY_QUOTA)]
    pub emulator_daily_quota: u64,
    /// Data types whose first read the embedded emulator fails (comma-separated Codat names,
    /// e.g. `bills,balanceSheet`); a later read of them succeeds.
    #[arg(long, env = "EMULATOR_FAILING_DATA_TYPES", value_delimiter = ',')]
    pub emulator_failing_data_types: Vec<String>,
    /// Made-up platforms the embedded emulator adds to its catalog (for benchmarks).
    #[arg(long, env = "EMULATOR_SYNTHETIC_PLATFORMS", default_value_t = 0)]
    pub emulator_synthetic_platforms: usize,
    /// The lender's webhook endpoints: comma-separated `<url>|<whsec_ secret>` pairs. Each gets
    /// every `merchant.*` event, signed the Standard Webhooks way with its secret.
    #[arg(long, env = "LENDER_WEBHOOKS", value_delimiter = ',', value_parser = lender_endpoint, hide_env_values = true)]
    pub lender_webhooks: Vec<LenderEndpoint>,
    /// Seconds between a failed delivery to the lender and the next attempt, one per retry
    /// (comma-separated); when they are spent the delivery is failed (replayable).
    #[arg(long, env = "LENDER_WEBHOOK_RETRY_SECONDS", value_delimiter = ',', value_parser = seconds,
          default_value = LENDER_WEBHOOK_RETRY_SECONDS)]
    pub lender_webhook_retry_seconds: Vec<f64>,
    /// Seconds the lender's endpoint has to answer a delivery.
    #[arg(long, env = "LENDER_WEBHOOK_TIMEOUT_SECONDS", value_parser = seconds,
          default_value_t = LENDER_WEBHOOK_TIMEOUT_SECONDS)]
    pub lender_webhook_timeout_seconds: f64,
    /// Address of the `/metrics` listener (Prometheus' text format), e.g. `0.0.0.0:9090`. Unset:
    /// no metrics are served. Keep it off the public network.
    #[arg(long, env = "METRICS_LISTEN")]
    pub metrics_listen: Option<SocketAddr>,
    /// `sqlite://...` database URL.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://codat-connect.db")]
    pub database_url: String,
    /// Also serve Northwind Capital, the example lender's site that embeds the app, on this
    /// address (`cargo xtask run` uses 127.0.0.1:8081). Its origin is added to
    /// `FRAME_ANCESTORS`, and an admin token is generated when `ADMIN_TOKEN` is unset.
    #[arg(long, env = "EXAMPLE_LENDER_LISTEN")]
    pub example_lender_listen: Option<SocketAddr>,
    /// Directory holding the built web app (trunk's output), served instead of the app built
    /// into the server (for development).
    #[arg(long, env = "DIST_DIR")]
    pub dist_dir: Option<PathBuf>,
}

impl Config {
    /// Settings for tests and embedding: the emulator, the given database, nothing from the
    /// process's arguments or environment.
    pub fn local(database_url: impl Into<String>, dist_dir: impl Into<PathBuf>) -> Self {
        Self {
            listen: ([127, 0, 0, 1], 0).into(),
            public_url: None,
            codat_api_key: None,
            codat_base_url: CODAT_BASE_URL.into(),
            codat_webhook_secret: None,
            codat_webhook_previous_secret: None,
            deployment_id: None,
            emulator_sync_seconds: EMULATOR_SYNC_SECONDS,
            emulator_synthetic_platforms: 0,
            emulator_webhooks: false,
            emulator_failing_data_types: Vec::new(),
            emulator_daily_quota: codat_emulator::quota::DEFAULT_DAILY_QUOTA,
            emulator_carry_link_query: false,
            emulator_reusable_links: false,
            emulator_multiple_accounting: false,
            admin_token: None,
            theme_css: None,
            consent_file: None,
            text_overrides: None,
            platform_aliases: None,
            featured_platforms: Vec::new(),
            rate_limit_per_minute: RATE_LIMIT_PER_MINUTE,
            forwarded_hops: 0,
            sign_up: None,
            admin_requests_per_minute: ADMIN_REQUESTS_PER_MINUTE,
            header_read_timeout_seconds: HEADER_READ_TIMEOUT_SECONDS,
            body_read_timeout_seconds: BODY_READ_TIMEOUT_SECONDS,
            documents_platform: None,
            document_read_timeout_seconds: DOCUMENT_READ_TIMEOUT_SECONDS,
            max_connections: MAX_CONNECTIONS,
            // Tests and embedding stop at once.
            shutdown_drain_seconds: 0.0,
            sign_ups_per_hour: SIGN_UPS_PER_HOUR,
            webhooks_per_minute: WEBHOOKS_PER_MINUTE,
            session_idle_minutes: SESSION_IDLE_MINUTES,
            retention_days: RETENTION_DAYS,
            degraded_after_failures: DEGRADED_AFTER_FAILURES,
            frame_ancestors: NO_FRAMING.into(),
            example_lender_listen: None,
            metrics_listen: None,
            lender_webhooks: Vec::new(),
            lender_webhook_retry_seconds: LENDER_WEBHOOK_RETRY_SECONDS
                .split(',')
                .filter_map(|n| seconds(n).ok())
                .collect(),
            lender_webhook_timeout_seconds: LENDER_WEBHOOK_TIMEOUT_SECONDS,
            database_url: database_url.into(),
            dist_dir: Some(dist_dir.into()),
        }
    }

    /// Whether the standalone sign-up is offered: as set, else only without `ADMIN_TOKEN`.
    pub fn sign_up_open(&self) -> bool {
        match self.sign_up {
            Some(setting) => setting == SignUp::Open,
            None => self.admin_token.is_none(),
        }
    }

    /// A one-line description for the start-up log, with secrets masked.
    pub fn summary(&self) -> String {
        let codat = match &self.codat_api_key {
            Some(_) => format!("{} (API key ****)", self.codat_base_url),
            None => "embedded emulator".into(),
        };
        let admin = if self.admin_token.is_some() { "on (token ****)" } else { "off" };
        let sign_up = if self.sign_up_open() { "open" } else { "closed" };
        let webhooks =
            if self.codat_webhook_secret.is_some() { "verified (secret ****)" } else { "generated secret" };
        format!(
            "listen={} public_url={} codat={codat} webhooks={webhooks} embedding={admin} sign_up={sign_up} frame_ancestors={} database={} dist={}",
            self.listen,
            self.public_url.as_deref().unwrap_or("(from the bound address)"),
            self.frame_ancestors,
            masked_database_url(&self.database_url),
            self.dist_dir.as_ref().map_or("embedded".into(), |dir| dir.display().to_string())
        )
    }
}

/// Whether anyone may sign up on the standalone page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SignUp {
    /// Anyone may sign up (each sign-up creates a Codat company).
    Open,
    /// Only sessions the lender starts with `POST /v1/sessions`.
    Closed,
}

/// One of the lender's webhook endpoints.
#[derive(Debug, Clone)]
pub struct LenderEndpoint {
    /// Where events are posted (http or https).
    pub url: String,
    /// What they are signed with.
    pub secret: codat::WebhookSecret,
    /// The secret being rotated away from: while set, deliveries carry a signature with each.
    pub previous_secret: Option<codat::WebhookSecret>,
}

impl LenderEndpoint {
    /// The secrets each delivery is signed with, the current one first.
    pub fn secrets(&self) -> Vec<&codat::WebhookSecret> {
        std::iter::once(&self.secret).chain(self.previous_secret.as_ref()).collect()
    }
}

/// An endpoint's URL as shown in the delivery log, the back office and logs: credentials in it
/// (user-info, query values such as `?token=`) are replaced by `redacted`.
pub fn redacted_url(text: &str) -> String {
    let Ok(mut url) = url::Url::parse(text) else { return "(not a URL)".into() };
    if !url.username().is_empty() || url.password().is_some() {
        let _ = url.set_username("redacted");
        let _ = url.set_password(None);
    }
    if url.query().is_some() {
        let names: Vec<String> = url.query_pairs().map(|(name, _)| name.into_owned()).collect();
        url.query_pairs_mut().clear().extend_pairs(names.iter().map(|name| (name, "redacted")));
    }
    url.set_fragment(None);
    url.to_string()
}

/// A `LENDER_WEBHOOKS` entry: `<url>|<whsec_ secret>`, or `<url>|<new secret>|<previous secret>`
/// while the endpoint's secret rotates.
fn lender_endpoint(text: &str) -> Result<LenderEndpoint, String> {
    let usage = "LENDER_WEBHOOKS entries are <http(s) URL>|<whsec_... secret>[|<previous whsec_... secret>], comma-separated";
    let (url, secrets) = text.trim().split_once('|').ok_or(usage)?;
    let (secret, previous) = match secrets.split_once('|') {
        Some((secret, previous)) => (secret, Some(previous)),
        None => (secrets, None),
    };
    let previous_secret = match previous {
        Some(previous) => Some(codat::WebhookSecret::parse(previous).map_err(|_| usage)?),
        None => None,
    };
    let parsed = url::Url::parse(url.trim()).map_err(|_| usage)?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
        return Err(usage.into());
    }
    let secret = codat::WebhookSecret::parse(secret).map_err(|_| usage)?;
    Ok(LenderEndpoint { url: parsed.to_string(), secret, previous_secret })
}

/// A number of seconds above zero (a timeout of none would close every connection at once).
fn positive_seconds(text: &str) -> Result<f64, String> {
    seconds(text).and_then(|value| {
        if value > 0.0 {
            Ok(value)
        } else {
            Err(format!("{text:?} is not a positive number of seconds"))
        }
    })
}

/// A number of seconds: finite, not negative.
fn seconds(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(value) if value.is_finite() && value >= 0.0 => Ok(value),
        _ => Err(format!("{text:?} is not a number of seconds")),
    }
}

/// `ADMIN_TOKEN`: long enough not to be guessed.
fn admin_token(text: &str) -> Result<String, String> {
    let token = text.trim();
    if token.chars().count() < MIN_ADMIN_TOKEN_CHARS {
        return Err(format!(
            "ADMIN_TOKEN has at least {MIN_ADMIN_TOKEN_CHARS} characters (make one with `openssl rand -base64 32`)"
        ));
    }
    Ok(token.to_owned())
}

/// Whether `key` is a Codat platform key: four lower-case letters, such as `qhyg`.
pub(crate) fn is_platform_key(key: &str) -> bool {
    key.len() == 4 && key.bytes().all(|b| b.is_ascii_lowercase())
}

/// A Codat platform key (`FEATURED_PLATFORMS`).
fn platform_key(text: &str) -> Result<String, String> {
    let key = text.trim();
    if !is_platform_key(key) {
        return Err(format!("{key:?} is not a Codat platform key (four lower-case letters, e.g. qhyg)"));
    }
    Ok(key.to_owned())
}

/// `FRAME_ANCESTORS`: CSP sources, nothing that could end the directive.
fn frame_ancestors(text: &str) -> Result<String, String> {
    let sources = text.trim();
    if sources.is_empty() || sources.chars().any(|c| c == ';' || c == ',' || c.is_control()) {
        return Err(
            "FRAME_ANCESTORS is a space-separated list of sources, such as 'self' https://lender.example"
                .into(),
        );
    }
    Ok(sources.to_owned())
}

/// `DEPLOYMENT_ID`: a value that fits a Codat company tag and needs no quoting in a tag filter.
fn deployment_id(text: &str) -> Result<String, String> {
    let id = text.trim();
    let fits = (1..=100).contains(&id.len())
        && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !fits {
        return Err("DEPLOYMENT_ID has 1 to 100 letters, digits, '-' or '_'".into());
    }
    Ok(id.to_owned())
}

/// A database URL with any password replaced by `****`.
fn masked_database_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("****"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn credentials_in_an_endpoints_url_are_never_shown() {
        assert_eq!(
            super::redacted_url("http://user:pass@hooks.example/in?token=s3cret&v=2#frag"),
            "http://redacted@hooks.example/in?token=redacted&v=redacted"
        );
        assert_eq!(super::redacted_url("https://hooks.example/in"), "https://hooks.example/in");
    }

    use super::*;

    #[test]
    fn the_summary_shows_no_secret() {
        let mut config = Config::local("postgres://app:hunter2@db.internal/connect", "dist");
        config.codat_api_key = Some("live-key-123".into());
        config.codat_webhook_secret = Some("whsec_c2VjcmV0".into());
        config.admin_token = Some("admin-456-0123456789abcdef0123456789".into());
        let summary = config.summary();
        for secret in ["hunter2", "live-key-123", "whsec_c2VjcmV0", "admin-456"] {
            assert!(!summary.contains(secret), "{summary}");
        }
        assert!(summary.contains("postgres://app:****@db.internal/connect"));
    }
}

#[cfg(test)]
mod sign_up_tests {
    use super::*;

    #[test]
    fn sign_up_is_closed_by_default_only_where_the_lender_starts_sessions() {
        let mut config = Config::local("sqlite://x.db", "dist");
        assert!(config.sign_up_open());
        config.admin_token = Some("a".repeat(32));
        assert!(!config.sign_up_open());
        config.sign_up = Some(SignUp::Open);
        assert!(config.sign_up_open());
        let parsed = Config::try_parse_from(["server", "--sign-up", "closed"]).unwrap();
        assert!(!parsed.sign_up_open());
        assert!(Config::try_parse_from(["server", "--sign-up", "maybe"]).is_err());
    }
}

#[cfg(test)]
mod checks {
    use super::*;

    fn parse(args: &[&str]) -> Result<Config, String> {
        let mut all = vec!["codat-connect-server"];
        all.extend_from_slice(args);
        Config::try_parse_from(all).map_err(|e| e.to_string())
    }

    #[test]
    fn settings_that_could_not_work_are_refused_with_the_reason() {
        let short = parse(&["--admin-token", "admin"]).unwrap_err();
        assert!(short.contains("ADMIN_TOKEN has at least 32 characters"), "{short}");
        assert!(parse(&["--admin-token", &"a".repeat(32)]).is_ok());
        let framing = parse(&["--frame-ancestors", "https://a.example; script-src *"]).unwrap_err();
        assert!(framing.contains("FRAME_ANCESTORS"), "{framing}");
        let tag = parse(&["--deployment-id", "two words"]).unwrap_err();
        assert!(tag.contains("DEPLOYMENT_ID"), "{tag}");
        assert_eq!(parse(&[]).unwrap().frame_ancestors, "'none'");
        let endpoint = parse(&["--lender-webhooks", "https://lender.example/hooks"]).unwrap_err();
        assert!(endpoint.contains("LENDER_WEBHOOKS entries"), "{endpoint}");
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let two =
            parse(&["--lender-webhooks", &format!("https://a.example/h|{secret},http://b.example|{secret}")]);
        assert_eq!(two.unwrap().lender_webhooks.len(), 2);
        assert!(parse(&["--lender-webhook-retry-seconds", "5,-1"]).is_err());
        let defaults = parse(&[]).unwrap();
        assert_eq!(
            defaults.lender_webhook_retry_seconds,
            Config::local("sqlite://x", "d").lender_webhook_retry_seconds
        );
        assert_eq!(defaults.lender_webhook_retry_seconds.len(), 7);
    }
}
