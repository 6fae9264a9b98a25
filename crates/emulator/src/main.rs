//! `codat-emulator`: the emulator alone, as an offline Codat for a lender's own tests.

use clap::Parser;
use codat_emulator::{router, Emulator, EmulatorConfig};
use std::{net::SocketAddr, path::PathBuf, time::Duration};

/// An offline, stateful Codat Platform API.
#[derive(Debug, Parser)]
#[command(name = "codat-emulator", version, about)]
struct Args {
    /// Address to serve on.
    #[arg(long, default_value = "127.0.0.1:4010")]
    listen: SocketAddr,
    /// API key accepted in the Basic `Authorization` header (repeatable).
    #[arg(long = "api-key", default_value = "emulator-key")]
    api_keys: Vec<String>,
    /// URL browsers reach the emulator at; defaults to `http://` and the listen address.
    #[arg(long)]
    public_url: Option<String>,
    /// The profile's redirect URL template, with Codat's `{placeholders}`.
    #[arg(
        long,
        default_value = "http://127.0.0.1:8080/callback?statusCode={statusCode}&connectionId={connectionId}&errorMessage={errorMessage}"
    )]
    redirect_url: String,
    /// A webhook consumer to send every event to (repeatable).
    #[arg(long = "webhook-url")]
    webhook_urls: Vec<String>,
    /// The `whsec_...` secret to sign webhooks with; generated and printed when absent.
    #[arg(long, value_parser = whsec_secret)]
    webhook_secret: Option<String>,
    /// Seconds a first sync takes.
    #[arg(long, default_value_t = 8)]
    sync_seconds: u64,
    /// Issue Link URLs that can be used again and never expire. By default they are one-time
    /// (`?otp=`) and expire after a day, as Codat issues them for this flow.
    #[arg(long)]
    reusable_links: bool,
    /// Carry the Link URL's own query parameters into the redirect's custom `{placeholders}`.
    /// By default only Codat's reserved placeholders are filled (Codat documents carrying
    /// custom parameters only for Hosted Link).
    #[arg(long)]
    carry_link_query: bool,
    /// Let a company have several accounting connections (Codat refuses a second one).
    #[arg(long)]
    multiple_accounting: bool,
    /// A data type whose first read after linking fails with `FetchError` (repeatable); a
    /// later read of it succeeds.
    #[arg(long = "fail-data-type")]
    failing_data_types: Vec<String>,
    /// Requests a day before any company is active, and added per active company (Codat's
    /// quota); 0 for none.
    #[arg(long, default_value_t = codat_emulator::quota::DEFAULT_DAILY_QUOTA)]
    daily_quota: u64,
    /// Apply `query` when listing companies (Codat's docs say it may not; `tags` filters).
    #[arg(long)]
    query_companies: bool,
    /// A platform key to offer disabled (repeatable).
    #[arg(long = "disable")]
    disabled_platforms: Vec<String>,
    /// Keep state in this file across restarts.
    #[arg(long)]
    state_file: Option<PathBuf>,
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let listener = match tokio::net::TcpListener::bind(args.listen).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("cannot listen on {}: {error}", args.listen);
            std::process::exit(2);
        }
    };
    let public_url = args.public_url.unwrap_or_else(|| format!("http://{}", args.listen));
    let mut config = EmulatorConfig::new(public_url.clone(), "", args.redirect_url);
    config.api_keys = args.api_keys;
    if let Some(secret) = args.webhook_secret {
        config.webhook_secret = secret;
    }
    config.webhook_consumers = args
        .webhook_urls
        .into_iter()
        .map(|url| codat::WebhookConsumer {
            id: Some(uuid::Uuid::new_v4().to_string()),
            url,
            disabled: Some(false),
            event_types: codat::COMPANY_EVENT_TYPES
                .iter()
                .chain(&codat::CONNECTION_EVENT_TYPES)
                .map(|t| t.to_string())
                .collect(),
            company_tags: None,
        })
        .collect();
    config.sync_duration = Duration::from_secs(args.sync_seconds);
    config.one_time_links = !args.reusable_links;
    config.carry_link_query = args.carry_link_query;
    config.multiple_accounting = args.multiple_accounting;
    config.query_companies = args.query_companies;
    config.failing_data_types = args.failing_data_types;
    config.daily_quota = Some(args.daily_quota).filter(|quota| *quota > 0);
    config.disabled_platforms = args.disabled_platforms;
    config.state_file = args.state_file;
    println!("Codat emulator on {public_url}");
    println!("  API keys: {}", config.api_keys.join(", "));
    println!("  webhook secret: {}", config.webhook_secret);
    let emulator = Emulator::new(config);
    if let Err(error) = axum::serve(listener, router(emulator)).await {
        eprintln!("server error: {error}");
        std::process::exit(1);
    }
}

/// `--webhook-secret`: a secret the emulator can sign with, refused at start otherwise.
fn whsec_secret(text: &str) -> Result<String, String> {
    codat::WebhookSecret::parse(text).map(|_| text.to_owned()).map_err(|error| error.to_string())
}
