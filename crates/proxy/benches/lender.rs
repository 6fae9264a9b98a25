//! `cargo bench -p codat-connect-proxy --bench lender`: webhooks to the lender's backend on
//! SQLite. Deliveries a second (events stored in the outbox, sent to a receiver on loopback that
//! acknowledges at once), and the latency a Codat webhook adds before the lender's endpoint hears
//! of it. Prints `name<TAB>value<TAB>unit` lines.

#[path = "../tests/integration/support/mod.rs"]
mod support;

use axum::{extract::State, http::HeaderMap, http::StatusCode, routing::post, Router};
use codat::WebhookSecret;
use codat_connect_proxy::{
    config::{Config, LenderEndpoint},
    db::{self, NewLenderEvent},
    start,
};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use support::JsonAnswer;
use tokio::sync::mpsc;

const KEY: &str = "lender-bench-key";
const ADMIN: &str = "lender-bench-admin-0123456789abcdefghij";
const CODAT_SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
const LENDER_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
/// Events stored for the throughput measurement, and the merchants they are spread over.
const EVENTS: usize = 2_000;
const MERCHANTS: usize = 100;
/// Codat webhooks timed one at a time.
const SAMPLES: usize = 200;

fn report(name: &str, value: f64, unit: &str) {
    println!("{name}\t{value:.1}\t{unit}");
}

/// The lender's endpoint: acknowledges, and tells the benchmark each event's id and type.
async fn receive(
    State(heard): State<mpsc::UnboundedSender<(Instant, String)>>,
    headers: HeaderMap,
) -> StatusCode {
    let id = headers.get("webhook-id").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let _ = heard.send((Instant::now(), id));
    StatusCode::NO_CONTENT
}

#[tokio::main]
async fn main() {
    let (emulator_url, _emulator) = support::spawn_emulator(KEY, |config| config.daily_quota = None).await;
    let (heard_tx, mut heard) = mpsc::unbounded_channel();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}/hooks", listener.local_addr().unwrap());
    let receiver = Router::new().route("/hooks", post(receive)).with_state(heard_tx);
    tokio::spawn(async move { axum::serve(listener, receiver).await });

    let dir = tempfile::tempdir().unwrap();
    let mut config =
        Config::local(format!("sqlite://{}", dir.path().join("db").display()), dir.path().join("dist"));
    config.codat_api_key = Some(KEY.into());
    config.codat_base_url = emulator_url;
    config.codat_webhook_secret = Some(CODAT_SECRET.into());
    config.admin_token = Some(ADMIN.into());
    config.webhooks_per_minute = u32::MAX;
    config.rate_limit_per_minute = u32::MAX;
    config.lender_webhooks = vec![LenderEndpoint {
        url: endpoint.clone(),
        secret: WebhookSecret::parse(LENDER_SECRET).unwrap(),
        previous_secret: None,
    }];
    let proxy = start(config).await.unwrap();
    let state = proxy.state.clone();

    // Deliveries a second: a merchant's events go in order, merchants in parallel.
    let started = Instant::now();
    for i in 0..EVENTS {
        let (id, merchant) = (format!("msg_bench_{i}"), format!("m{}", i % MERCHANTS));
        let event = NewLenderEvent {
            id: &id,
            merchant_id: &merchant,
            event_type: "merchant.sync.completed",
            body: "{}",
        };
        let delivery = vec![(format!("dlv_bench_{i}"), endpoint.clone())];
        let mut tx = state.db.begin().await.unwrap();
        tx.enqueue_lender_event(event, &delivery, db::unix_now_ms()).await.unwrap();
        tx.commit().await.unwrap();
    }
    state.lender_outbox.notify_one();
    let stored = started.elapsed().as_secs_f64();
    for _ in 0..EVENTS {
        tokio::time::timeout(Duration::from_secs(120), heard.recv()).await.expect("every delivery").unwrap();
    }
    report("lender_events_stored_per_second", EVENTS as f64 / stored, "events/s");
    report("lender_deliveries_per_second", EVENTS as f64 / started.elapsed().as_secs_f64(), "deliveries/s");

    // A Codat webhook's way to the lender: verified, stored, processed into a stored change, an
    // event in the outbox, and its delivery.
    let http = reqwest::Client::new();
    let base = proxy.public_url.clone();
    let session: Value = http
        .post(format!("{base}/v1/sessions"))
        .bearer_auth(ADMIN)
        .json(&json!({"merchantId": "bench-merchant", "businessName": "Bench Ltd"}))
        .json_answer()
        .await;
    let company_id = session["companyId"].as_str().unwrap().to_owned();
    let secret = WebhookSecret::parse(CODAT_SECRET).unwrap();
    let mut latencies = Vec::with_capacity(SAMPLES);
    for i in 0..SAMPLES {
        let body = json!({
            "eventType": "connection.connected",
            "payload": {
                "referenceCompany": {"id": company_id},
                "connection": {
                    "id": format!("bench-connection-{i}"), "integrationId": "i", "integrationKey": "gbol",
                    "sourceId": "s", "platformName": "Xero", "linkUrl": "https://link.codat.io/x",
                    "status": "Linked", "created": "2026-01-01T00:00:00Z", "sourceType": "Accounting"
                }
            }
        })
        .to_string();
        let id = format!("codat_msg_{i}");
        let timestamp = time::OffsetDateTime::now_utc().unix_timestamp();
        let sent = Instant::now();
        let answer = http
            .post(format!("{base}/webhooks/codat"))
            .header("webhook-id", &id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", secret.sign(&id, timestamp, body.as_bytes()))
            .body(body)
            .send()
            .await
            .unwrap();
        assert!(answer.status().is_success());
        // A new connection, linked: one event (`merchant.connection.linked`; not yet ready).
        let (at, _) =
            tokio::time::timeout(Duration::from_secs(30), heard.recv()).await.expect("delivered").unwrap();
        latencies.push(at - sent);
    }
    latencies.sort();
    let at = |q: f64| {
        latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)].as_secs_f64() * 1e3
    };
    report("codat_webhook_to_lender_p50", at(0.5), "ms");
    report("codat_webhook_to_lender_p99", at(0.99), "ms");
    proxy.stop().await.unwrap();
}
