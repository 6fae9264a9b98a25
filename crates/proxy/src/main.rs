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
    /// `text` or `json`. The level is set by `RUST_LOG` (`info` by default).
    #[arg(long, env = "LOG_FORMAT", value_enum, default_value = "text", global = true)]
    log_format: LogFormat,
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
    /// Copy the SQLite database, consistent as of one moment, into a new file, while servers
    /// keep serving it (`VACUUM INTO`); the image has no shell or sqlite3, so this is how a
    /// backup is taken there. PostgreSQL is backed up with `pg_dump` (see OPERATIONS.md).
    Backup {
        /// The new file (it must not exist yet).
        to: std::path::PathBuf,
    },
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum LogFormat {
    /// One line of text each, for a terminal.
    Text,
    /// One JSON object each, with the request's span (its `request_id`), for a log store.
    Json,
}

#[tokio::main]
async fn main() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    match cli.log_format {
        LogFormat::Text => tracing_subscriber::fmt().with_env_filter(filter).init(),
        LogFormat::Json => tracing_subscriber::fmt()
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .with_env_filter(filter)
            .init(),
    }
    match cli.command {
        Some(Command::Check { configure }) => return check_only(cli.config, configure).await,
        Some(Command::Backup { to }) => {
            let db = codat_connect_proxy::db::Db::connect(&cli.config.database_url).await?;
            db.back_up_into(&to).await?;
            println!("backed up into {}", to.display());
            return Ok(ExitCode::SUCCESS);
        }
        None => {}
    }
    let config = cli.config;
    tracing::info!("starting: {}", config.summary());
    let mut proxy = start(config.clone()).await?;
    println!("Codat Connect is serving on {}", proxy.public_url);
    if let Some(addr) = proxy.metrics_addr {
        println!("Metrics are served on http://{addr}/metrics");
    }
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
        stop_requested().await;
        tracing::info!("shutting down: not ready any more, then finishing requests in flight");
    });
    proxy.wait().await?;
    Ok(ExitCode::SUCCESS)
}

/// Ctrl-C, or SIGTERM (what container runtimes and Kubernetes send).
async fn stop_requested() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM; only Ctrl-C stops the server");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate => {}
    }
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
