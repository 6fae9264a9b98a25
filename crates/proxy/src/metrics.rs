//! `/metrics` in Prometheus' text format, on its own listener (`METRICS_LISTEN`, off by default,
//! so it is never public by accident). Counters and histograms are moved where things happen;
//! gauges of what is stored or open are read at each scrape. The classic text format (the
//! `prometheus` crate's encoder), which `promtool check metrics` lints.

use crate::AppState;
use axum::{
    extract::{MatchedPath, Request, State},
    http::{header, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use prometheus::{
    exponential_buckets, Encoder as _, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec,
    IntGauge, IntGaugeVec, Opts, Registry, TextEncoder,
};
use std::time::Instant;

/// Every metric the server keeps, and the registry they are read from.
#[derive(Debug, Clone)]
pub struct Metrics {
    registry: Registry,
    http_requests: IntCounterVec,
    http_seconds: HistogramVec,
    codat_requests: IntCounterVec,
    codat_seconds: HistogramVec,
    codat_retries: IntCounterVec,
    codat_rate_limited: IntCounter,
    codat_quota_remaining: IntGauge,
    webhooks_received: IntCounterVec,
    webhooks_processed: IntCounterVec,
    webhook_lag_seconds: Histogram,
    lender_deliveries: IntCounterVec,
    lender_undelivered: IntGauge,
    lender_oldest_undelivered_seconds: IntGauge,
    webhooks_unprocessed: IntGauge,
    live_sessions: IntGauge,
    watched_companies: IntGauge,
    open_streams: IntGauge,
    db_pool_in_use: IntGauge,
    db_pool_size: IntGauge,
}

/// How a Codat webhook was received.
#[derive(Debug, Clone, Copy)]
pub enum WebhookReceipt {
    /// Stored, to be processed.
    Accepted,
    /// Seen before (same `webhook-id`).
    Duplicate,
    /// Bad or missing signature or timestamp.
    Refused,
    /// Signed but not a Codat event: kept unprocessed.
    Kept,
}

/// How processing a stored Codat webhook ended.
#[derive(Debug, Clone, Copy)]
pub enum WebhookProcessing {
    /// Its facts are stored.
    Processed,
    /// It cannot be acted on: kept with the reason.
    Unreadable,
    /// Storage or Codat failed every try: it waits for the next start.
    Deferred,
}

/// 1 ms to about 65 s.
fn seconds_buckets() -> Vec<f64> {
    exponential_buckets(0.001, 2.0, 17).unwrap_or_default()
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

/// Registers one metric (names are fixed and distinct, so registering cannot fail).
fn registered<M: prometheus::core::Collector + Clone + 'static>(registry: &Registry, metric: M) -> M {
    registry.register(Box::new(metric.clone())).expect("every metric's name is distinct");
    metric
}

fn counters(registry: &Registry, name: &str, help: &str, labels: &[&str]) -> IntCounterVec {
    registered(registry, IntCounterVec::new(Opts::new(name, help), labels).expect("a valid metric"))
}

fn gauge(registry: &Registry, name: &str, help: &str) -> IntGauge {
    registered(registry, IntGauge::new(name, help).expect("a valid metric"))
}

fn histograms(registry: &Registry, name: &str, help: &str, labels: &[&str]) -> HistogramVec {
    let opts = HistogramOpts::new(name, help).buckets(seconds_buckets());
    registered(registry, HistogramVec::new(opts, labels).expect("a valid metric"))
}

impl Metrics {
    /// Every metric at zero, registered.
    pub fn new() -> Self {
        let r = Registry::new_custom(Some("codat_connect".into()), None).expect("a valid prefix");
        let build =
            IntGaugeVec::new(Opts::new("build_info", "The server's version (always 1)"), &["version"])
                .expect("a valid metric");
        registered(&r, build.clone()).with_label_values(&[env!("CARGO_PKG_VERSION")]).set(1);
        Self {
            http_requests: counters(
                &r,
                "http_requests_total",
                "HTTP requests answered, by route template, method and status",
                &["route", "method", "status"],
            ),
            http_seconds: histograms(
                &r,
                "http_request_duration_seconds",
                "Time to answer an HTTP request, by route template",
                &["route", "method"],
            ),
            codat_requests: counters(
                &r,
                "codat_requests_total",
                "Requests to Codat by operation and outcome, after retries",
                &["operation", "outcome"],
            ),
            codat_seconds: histograms(
                &r,
                "codat_request_duration_seconds",
                "Time of a request to Codat, retries and their waits included",
                &["operation"],
            ),
            codat_retries: counters(
                &r,
                "codat_retries_total",
                "Attempts beyond the first made of requests to Codat",
                &["operation"],
            ),
            codat_rate_limited: registered(
                &r,
                IntCounter::new(
                    "codat_rate_limited_responses_total",
                    "Answers with 429 from Codat, over every attempt",
                )
                .expect("a valid metric"),
            ),
            codat_quota_remaining: gauge(
                &r,
                "codat_quota_remaining",
                "Requests left in Codat's daily quota, as it last said (X-Rate-Limit-Remaining)",
            ),
            webhooks_received: counters(
                &r,
                "codat_webhooks_received_total",
                "Codat webhooks received, by outcome: accepted, duplicate, refused, kept",
                &["outcome"],
            ),
            webhooks_processed: counters(
                &r,
                "codat_webhooks_processed_total",
                "Stored Codat webhooks processed, by outcome: processed, unreadable, deferred",
                &["outcome"],
            ),
            webhook_lag_seconds: registered(
                &r,
                Histogram::with_opts(
                    HistogramOpts::new(
                        "codat_webhook_processing_lag_seconds",
                        "From a Codat webhook's receipt to its facts stored",
                    )
                    .buckets(seconds_buckets()),
                )
                .expect("a valid metric"),
            ),
            webhooks_unprocessed: gauge(
                &r,
                "codat_webhooks_unprocessed",
                "Codat webhooks stored and not processed yet",
            ),
            lender_deliveries: counters(
                &r,
                "lender_delivery_attempts_total",
                "Attempts to deliver an event to the lender, by outcome: delivered, retry, failed",
                &["outcome"],
            ),
            lender_undelivered: gauge(
                &r,
                "lender_outbox_undelivered",
                "Deliveries to the lender neither acknowledged nor failed",
            ),
            lender_oldest_undelivered_seconds: gauge(
                &r,
                "lender_outbox_oldest_undelivered_seconds",
                "Age of the oldest delivery to the lender not yet acknowledged",
            ),
            live_sessions: gauge(&r, "live_sessions", "Sessions neither expired nor idle"),
            watched_companies: gauge(&r, "watched_companies", "Companies this server watches at Codat"),
            open_streams: gauge(&r, "open_event_streams", "Event streams open to pages on this server"),
            db_pool_in_use: gauge(&r, "db_pool_connections_in_use", "Database connections in use"),
            db_pool_size: gauge(&r, "db_pool_connections", "Database connections open"),
            registry: r,
        }
    }

    /// Counts a Codat webhook received.
    pub fn webhook_received(&self, receipt: WebhookReceipt) {
        let outcome = match receipt {
            WebhookReceipt::Accepted => "accepted",
            WebhookReceipt::Duplicate => "duplicate",
            WebhookReceipt::Refused => "refused",
            WebhookReceipt::Kept => "kept",
        };
        self.webhooks_received.with_label_values(&[outcome]).inc();
    }

    /// Counts a stored Codat webhook's processing, with the time since its receipt when known.
    pub fn webhook_processed(&self, processing: WebhookProcessing, received: Option<Instant>) {
        let outcome = match processing {
            WebhookProcessing::Processed => "processed",
            WebhookProcessing::Unreadable => "unreadable",
            WebhookProcessing::Deferred => "deferred",
        };
        self.webhooks_processed.with_label_values(&[outcome]).inc();
        if let (WebhookProcessing::Processed, Some(received)) = (processing, received) {
            self.webhook_lag_seconds.observe(received.elapsed().as_secs_f64());
        }
    }

    /// Counts an attempt to deliver an event to the lender: `delivered`, `retry` or `failed`.
    pub fn lender_delivery(&self, outcome: &'static str) {
        self.lender_deliveries.with_label_values(&[outcome]).inc();
    }

    /// The text Prometheus scrapes, with the gauges read now.
    pub async fn render(&self, state: &AppState) -> anyhow::Result<String> {
        let stored = state.db.stored_gauges(state.settings.session_idle).await?;
        self.lender_undelivered.set(stored.undelivered);
        self.lender_oldest_undelivered_seconds.set(stored.oldest_undelivered_seconds);
        self.webhooks_unprocessed.set(stored.unprocessed_webhooks);
        self.live_sessions.set(stored.live_sessions);
        self.watched_companies.set(state.watchers.count() as i64);
        self.open_streams.set(state.live.open_stream_count() as i64);
        let (in_use, size) = state.db.pool_usage();
        self.db_pool_in_use.set(in_use.into());
        self.db_pool_size.set(size.into());
        let mut text = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut text)?;
        Ok(String::from_utf8(text)?)
    }
}

impl codat::observe::Observer for Metrics {
    fn exchanged(&self, exchange: &codat::observe::Exchange) {
        let operation = exchange.operation.as_str();
        self.codat_requests.with_label_values(&[operation, exchange.outcome.label()]).inc();
        self.codat_seconds.with_label_values(&[operation]).observe(exchange.elapsed.as_secs_f64());
        if exchange.retries > 0 {
            self.codat_retries.with_label_values(&[operation]).inc_by(exchange.retries.into());
        }
        self.codat_rate_limited.inc_by(exchange.rate_limited.into());
        if let Some(remaining) = exchange.quota_remaining {
            self.codat_quota_remaining.set(i64::try_from(remaining).unwrap_or(i64::MAX));
        }
    }
}

/// Middleware: counts and times every answer by its route template (`MatchedPath`); a path no
/// route matched (the app's files and pages) is `app`.
pub async fn track_http(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "app".to_owned(), |path| path.as_str().to_owned());
    let method = method_label(request.method());
    let started = Instant::now();
    let response = next.run(request).await;
    let metrics = &state.metrics;
    metrics
        .http_seconds
        .with_label_values(&[route.as_str(), method])
        .observe(started.elapsed().as_secs_f64());
    let status = response.status();
    metrics.http_requests.with_label_values(&[route.as_str(), method, status.as_str()]).inc();
    response
}

/// A method as a label: the standard ones by name, anything else as `other`.
fn method_label(method: &axum::http::Method) -> &'static str {
    match method.as_str() {
        "GET" => "GET",
        "POST" => "POST",
        "PUT" => "PUT",
        "PATCH" => "PATCH",
        "DELETE" => "DELETE",
        "HEAD" => "HEAD",
        "OPTIONS" => "OPTIONS",
        _ => "other",
    }
}

/// The metrics listener's routes: `GET /metrics` only.
pub fn router(state: AppState) -> Router {
    Router::new().route("/metrics", get(scrape)).with_state(state)
}

async fn scrape(State(state): State<AppState>) -> Response {
    match state.metrics.render(&state).await {
        Ok(text) => ([(header::CONTENT_TYPE, prometheus::TEXT_FORMAT)], text).into_response(),
        Err(error) => {
            tracing::error!("metrics not read: {error:#}");
            (StatusCode::SERVICE_UNAVAILABLE, "storage unavailable\n").into_response()
        }
    }
}
