//! Which Codat the server talks to: real Codat (or a Codat-compatible server) with the
//! configured key, or, without a key, the embedded emulator, created here and served by the
//! router under `/emulator`.

use crate::config::Config;
use anyhow::Context as _;
use codat::{ApiKey, CodatClient};
use codat_emulator::{Emulator, EmulatorConfig};
use std::{net::SocketAddr, sync::Arc};

/// Hosts whose `linkUrl`s the browser may be sent to, besides the emulator's own origin.
const CODAT_LINK_ORIGINS: [&str; 2] = ["https://link-api.codat.io", "https://link.codat.io"];

/// The events the flow listens to (subscribe a Codat webhook consumer to these).
pub const FLOW_EVENT_TYPES: [&str; 8] = codat::CONNECTION_EVENT_TYPES;

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

/// Codat's static assets host, where platform images live.
const CODAT_IMAGE_ORIGIN: &str = "https://static.codat.io";

/// The Codat the server talks to, and what follows from it.
#[derive(Debug)]
pub struct CodatBackend {
    /// The client.
    pub client: CodatClient,
    /// The embedded emulator, when there is no API key.
    pub emulator: Option<Arc<Emulator>>,
    /// Origins whose Link URLs the browser may be sent to.
    pub link_origins: Vec<String>,
    /// Origins platform images may be fetched from.
    pub image_origins: Vec<String>,
    /// The emulator's public image prefix and where this server reaches it instead.
    pub image_rewrite: Option<(String, String)>,
}

/// Connects to Codat as configured; without a key, creates the emulator that the server at
/// `public_url` (bound to `bound`) serves, signing its webhooks with `webhook_secret`.
pub fn connect(
    config: &Config,
    public_url: &str,
    bound: SocketAddr,
    webhook_secret: &str,
) -> anyhow::Result<CodatBackend> {
    let mut link_origins: Vec<String> = CODAT_LINK_ORIGINS.iter().map(|s| s.to_string()).collect();
    let mut image_origins = vec![CODAT_IMAGE_ORIGIN.to_owned()];
    if let Some(key) = &config.codat_api_key {
        // A Codat-compatible server the operator configured (a standalone emulator, say)
        // serves its own Link pages and images.
        link_origins.push(origin_of(&config.codat_base_url)?);
        image_origins.push(origin_of(&config.codat_base_url)?);
        let client = CodatClient::new(&config.codat_base_url, &ApiKey::new(key.clone()))?;
        return Ok(CodatBackend { client, emulator: None, link_origins, image_origins, image_rewrite: None });
    }
    let key = uuid::Uuid::new_v4().simple().to_string();
    let base = format!("http://{}", loopback(bound));
    let emulator = Emulator::new(emulator_config(config, public_url, &base, &key, webhook_secret));
    link_origins.push(origin_of(public_url)?);
    let image_rewrite = Some((format!("{public_url}/emulator/"), format!("{base}/emulator/")));
    let client = CodatClient::new(&format!("{base}/emulator"), &ApiKey::new(key))?;
    Ok(CodatBackend { client, emulator: Some(emulator), link_origins, image_origins, image_rewrite })
}

/// The embedded emulator's settings: its `EMULATOR_*` settings, reached by the server itself at
/// `base`, and by browsers at `public_url`.
fn emulator_config(
    config: &Config,
    public_url: &str,
    base: &str,
    key: &str,
    webhook_secret: &str,
) -> EmulatorConfig {
    let mut emulator =
        EmulatorConfig::new(format!("{public_url}/emulator"), key, redirect_template(public_url));
    emulator.webhook_secret = webhook_secret.to_owned();
    emulator.sync_duration = std::time::Duration::from_secs(config.emulator_sync_seconds);
    emulator.synthetic_platforms = config.emulator_synthetic_platforms;
    emulator.one_time_links = !config.emulator_reusable_links;
    emulator.carry_link_query = config.emulator_carry_link_query;
    emulator.multiple_accounting = config.emulator_multiple_accounting;
    emulator.daily_quota = Some(config.emulator_daily_quota).filter(|quota| *quota > 0);
    emulator.failing_data_types = config.emulator_failing_data_types.clone();
    if config.emulator_webhooks {
        emulator.webhook_consumers = vec![codat::WebhookConsumer {
            id: Some(uuid::Uuid::new_v4().to_string()),
            url: format!("{base}/webhooks/codat"),
            disabled: Some(false),
            event_types: FLOW_EVENT_TYPES.iter().map(|t| t.to_string()).collect(),
            company_tags: None,
        }];
    }
    emulator
}

fn origin_of(url: &str) -> anyhow::Result<String> {
    Ok(url::Url::parse(url).with_context(|| format!("{url} is not a URL"))?.origin().ascii_serialization())
}

/// The address to call ourselves on: an unspecified bind address becomes loopback.
pub fn loopback(addr: SocketAddr) -> SocketAddr {
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

/// The embedded emulator's file upload integration, taken for documents unless
/// `DOCUMENTS_PLATFORM` names another.
const EMULATOR_DOCUMENTS_PLATFORM: &str = "fupd";

impl CodatBackend {
    /// The file upload integration documents go through: `DOCUMENTS_PLATFORM`, else the
    /// embedded emulator's; `None` with real Codat and no setting.
    pub fn documents_platform(&self, config: &Config) -> Option<String> {
        let emulator = self.emulator.as_ref().map(|_| EMULATOR_DOCUMENTS_PLATFORM.to_owned());
        config.documents_platform.clone().or(emulator)
    }
}
