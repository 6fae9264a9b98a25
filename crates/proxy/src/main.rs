//! `codat-connect-server`: the server a lender deploys.

use clap::Parser as _;
use codat_connect_proxy::{config::Config, start};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")))
        .init();
    let config = Config::parse();
    tracing::info!("starting: {}", config.summary());
    let mut proxy = start(config).await?;
    println!("Codat Connect is serving on {}", proxy.public_url);
    if let Some(lender) = &proxy.example_lender_url {
        println!("The example lender's site, embedding it, is on {lender}");
    }
    proxy.stop_on(async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down; finishing requests in flight");
    });
    proxy.wait().await
}
