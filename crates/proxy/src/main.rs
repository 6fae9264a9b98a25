//! `codat-connect-server`: the server a lender deploys.

use clap::{Parser, Subcommand};
use codat_connect_proxy::{
    check::{self, CheckSettings, Level},
    config::Config,
    start, RunningProxy,
};
use std::process::ExitCode;
use tracing_subscriber::EnvFilter;

/// The Codat Connect server.
#[derive(Debug, Parser)]
#[command(name = "codat-connect-server", version, about)]
struct Cli {
    #[command(flatten)]
    config: Config,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Ask Codat whether this server is set up to work with it (the API key, the redirect URL,
    /// the webhook consumer and secret, the integrations, PUBLIC_URL), and say what to fix.
    /// Exits non-zero when a customer would meet a failure.
    Check {
        /// Also fix what Codat's API can: set the profile's redirect URL (keeping every other
        /// field) and create the webhook consumer.
        #[arg(long)]
        configure: bool,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<ExitCode> {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")))
        .init();
    let cli = Cli::parse();
    if let Some(Command::Check { configure }) = cli.command {
        return check_only(cli.config, configure).await;
    }
    let config = cli.config;
    tracing::info!("starting: {}", config.summary());
    let mut proxy = start(config.clone()).await?;
    println!("Codat Connect is serving on {}", proxy.public_url);
    if let Some(lender) = &proxy.example_lender_url {
        println!("The example lender's site, embedding it, is on {lender}");
    }
    let state = proxy.state.clone();
    let settings = settings(&config, &proxy, false);
    tokio::spawn(async move {
        let report = check::run(&state.codat, &settings).await;
        for finding in &report.findings {
            match finding.level {
                Level::Ok => tracing::info!(topic = finding.topic, "check: {}", finding.text),
                Level::Warning => tracing::warn!(topic = finding.topic, "check: {}", finding.text),
                Level::Error => tracing::error!(topic = finding.topic, "check: {}", finding.text),
            }
        }
        state.set_check_report(report);
    });
    proxy.stop_on(async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down; finishing requests in flight");
    });
    proxy.wait().await?;
    Ok(ExitCode::SUCCESS)
}

/// `check`: with the embedded emulator, a server is started on a free loopback port for the
/// time of the check (it has no Codat to ask otherwise).
async fn check_only(mut config: Config, configure: bool) -> anyhow::Result<ExitCode> {
    config.listen = ([127, 0, 0, 1], 0).into();
    config.example_lender_listen = None;
    let proxy = start(config.clone()).await?;
    let report = check::run(&proxy.state.codat, &settings(&config, &proxy, configure)).await;
    print!("{report}");
    proxy.stop().await?;
    Ok(if report.has_errors() { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

fn settings(config: &Config, proxy: &RunningProxy, configure: bool) -> CheckSettings {
    CheckSettings {
        public_url: proxy.public_url.clone(),
        real_codat: config.codat_api_key.is_some(),
        webhook_secret_set: config.codat_webhook_secret.is_some(),
        source_types: vec![
            codat::SourceType::Accounting,
            codat::SourceType::Banking,
            codat::SourceType::Commerce,
        ],
        configure,
    }
}
