//! Starting and stopping the server: bind, build the state, serve until told to stop. A stop
//! first makes `/readyz` answer 503 while everything is still served, for
//! `SHUTDOWN_DRAIN_SECONDS`; then no connection is accepted, streams end (browsers reconnect,
//! to another server behind the load balancer) and requests in flight finish.

use crate::{
    build_state,
    codat_backend::loopback,
    config::{self, Config},
    example_lender,
    routes::app,
    session, sweep, webhooks, AppState,
};
use anyhow::Context as _;
use std::net::SocketAddr;
use tokio::{net::TcpListener, sync::oneshot, task::JoinHandle};

/// A server started by [`start`].
#[derive(Debug)]
pub struct RunningProxy {
    /// The address it is bound to.
    pub addr: SocketAddr,
    /// The origin browsers use.
    pub public_url: String,
    /// The example lender's site, when `EXAMPLE_LENDER_LISTEN` is set.
    pub example_lender_url: Option<String>,
    /// Where `/metrics` is served, when `METRICS_LISTEN` is set.
    pub metrics_addr: Option<SocketAddr>,
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
    let metrics_listener = match config.metrics_listen {
        Some(addr) => Some(
            TcpListener::bind(addr).await.with_context(|| format!("cannot listen on {addr} for metrics"))?,
        ),
        None => None,
    };
    let addr = listener.local_addr()?;
    let public_url = config.public_url.clone().unwrap_or_else(|| format!("http://{addr}"));
    let public_url = public_url.trim_end_matches('/').to_owned();
    let state = build_state(&config, &public_url, addr).await?;
    let example_lender_url = example_lender.map(|(listener, url, webhook_secret)| {
        let connection = example_lender::Connection {
            connect_url: public_url.clone(),
            internal_url: format!("http://{}", loopback(addr)),
            admin_token: config.admin_token.clone().unwrap_or_default(),
            webhook_secret,
            site_url: url.clone(),
        };
        example_lender::serve(listener, connection, state.shutdown_signal());
        url
    });
    let metrics_addr = match metrics_listener {
        Some(listener) => {
            let addr = listener.local_addr()?;
            let mut stopping = state.shutdown_signal();
            let metrics = crate::metrics::router(state.clone());
            tokio::spawn(async move {
                let stopped = async move {
                    let _ = stopping.wait_for(|stopping| *stopping).await;
                };
                if let Err(error) = axum::serve(listener, metrics).with_graceful_shutdown(stopped).await {
                    tracing::error!(%error, "the metrics listener stopped");
                }
            });
            Some(addr)
        }
        None => None,
    };
    let backlog = state.clone();
    tokio::spawn(async move { webhooks::process_backlog(&backlog).await });
    sweep::spawn(&state);
    crate::lender::delivery::spawn(state.clone());
    let (shutdown, on_shutdown) = oneshot::channel::<()>();
    let stopping = state.clone();
    let running_state = state.clone();
    let limits = crate::serve::ConnectionLimits {
        max_connections: config.max_connections,
        header_read_timeout: std::time::Duration::from_secs_f64(config.header_read_timeout_seconds),
    };
    let drain = std::time::Duration::from_secs_f64(config.shutdown_drain_seconds);
    let task = tokio::spawn(crate::serve::serve(listener, app(state), limits, async move {
        let _ = on_shutdown.await;
        // Not ready first, still serving: load balancers stop sending before the doors close.
        stopping.begin_draining();
        tokio::time::sleep(drain).await;
        stopping.begin_shutdown();
    }));
    Ok(RunningProxy {
        addr,
        public_url,
        example_lender_url,
        metrics_addr,
        state: running_state,
        shutdown: Some(shutdown),
        task,
    })
}

/// Binds the example lender's site, lets its origin frame the app, makes sure it has an admin
/// token to ask for sessions with, and adds its webhook endpoint (with a new secret).
async fn prepare_example_lender(
    config: &mut Config,
    addr: SocketAddr,
) -> anyhow::Result<(TcpListener, String, codat::WebhookSecret)> {
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
    let secret = codat::WebhookSecret::parse(&codat::WebhookSecret::generate())?;
    let endpoint = format!("http://{}{}", loopback(listener.local_addr()?), example_lender::WEBHOOK_PATH);
    config.lender_webhooks.push(config::LenderEndpoint {
        url: endpoint,
        secret: secret.clone(),
        previous_secret: None,
    });
    tracing::info!(
        lender = %url,
        frame_ancestors = %config.frame_ancestors,
        "serving the example lender's site; embedding and webhooks are on for it"
    );
    Ok((listener, url, secret))
}
