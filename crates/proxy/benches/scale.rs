//! `cargo bench -p codat-connect-proxy --bench scale`: sign-ups and webhook events a second on
//! SQLite and on PostgreSQL (a durable throwaway cluster), and how request latency grows as the
//! database fills from 1,000 to 100,000 merchants. Prints `name<TAB>value<TAB>unit` lines.

#[path = "../tests/integration/support/mod.rs"]
mod support;

use codat::WebhookSecret;
use codat_connect_proxy::{config::Config, session::hash_secret, start};
use serde_json::{json, Value};
use sqlx::any::AnyPoolOptions;
use std::{
    sync::Arc,
    time::{Duration, Instant},
};
use support::postgres::Cluster;

const KEY: &str = "scale-key";
const SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
/// Concurrent clients for the throughput measurements.
const CLIENTS: usize = 16;
/// Stored merchants at which latency is measured.
const SIZES: [usize; 3] = [1_000, 10_000, 100_000];

fn report(name: &str, value: f64, unit: &str) {
    println!("{name}\t{value:.1}\t{unit}");
}

#[tokio::main]
async fn main() {
    let (emulator_url, _emulator) = support::spawn_emulator(KEY, |config| config.daily_quota = None).await;
    let dir = tempfile::tempdir().unwrap();
    let sqlite = format!("sqlite://{}", dir.path().join("scale.db").display());
    measure_backend("sqlite", &sqlite, &emulator_url).await;
    match Cluster::try_start(true) {
        Some(cluster) => measure_backend("postgres", &cluster.database("scale").await, &emulator_url).await,
        None => eprintln!("PostgreSQL is not installed; its measurements are skipped"),
    }
}

async fn measure_backend(backend: &str, database_url: &str, emulator_url: &str) {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::local(database_url, dir.path().join("dist"));
    config.codat_api_key = Some(KEY.into());
    config.codat_base_url = emulator_url.into();
    config.codat_webhook_secret = Some(SECRET.into());
    config.rate_limit_per_minute = u32::MAX;
    config.sign_ups_per_hour = u32::MAX;
    config.webhooks_per_minute = u32::MAX;
    let proxy = start(config).await.unwrap();
    let base = proxy.public_url.clone();
    let http = reqwest::Client::builder().pool_max_idle_per_host(64).build().unwrap();

    // Sign-ups a second: each stores a merchant, creates its Codat company and a session.
    let started = Instant::now();
    let companies = run_clients(400, |i| sign_up(http.clone(), base.clone(), format!("Scale {i}"))).await;
    report(&format!("{backend}_sign_ups_per_second"), 400.0 / started.elapsed().as_secs_f64(), "sign-ups/s");

    // Webhook events a second: verified, stored, acknowledged, then processed into live events.
    let store = AnyPoolOptions::new().max_connections(2).connect(database_url).await.unwrap();
    let companies = Arc::new(companies);
    let events = 2_000;
    let started = Instant::now();
    run_clients(events, |i| {
        let company = companies[i % companies.len()].clone();
        deliver_webhook(http.clone(), base.clone(), format!("evt_{backend}_{i}"), company)
    })
    .await;
    let acknowledged = started.elapsed().as_secs_f64();
    wait_until_processed(&store).await;
    let processed = started.elapsed().as_secs_f64();
    report(&format!("{backend}_webhooks_acknowledged_per_second"), events as f64 / acknowledged, "events/s");
    report(&format!("{backend}_webhooks_processed_per_second"), events as f64 / processed, "events/s");

    // Latency as the merchants grow: a session lookup, a sign-up and a webhook for a merchant.
    // Merchants added directly to the database (ids `scale-merchant-N`), beside those signed up.
    let mut filled = 0;
    for size in SIZES {
        wait_until_processed(&store).await;
        fill_merchants(&store, filled, size).await;
        filled = size;
        let (p50, p99) = latencies(200, |i| {
            let token = token_of((i * 7_919) % size);
            session_lookup(http.clone(), base.clone(), token)
        })
        .await;
        report(&format!("{backend}_{size}_merchants_session_p50"), p50, "µs");
        report(&format!("{backend}_{size}_merchants_session_p99"), p99, "µs");
        let (p50, p99) =
            latencies(100, |i| sign_up(http.clone(), base.clone(), format!("Late {size} {i}"))).await;
        report(&format!("{backend}_{size}_merchants_sign_up_p50"), p50, "µs");
        report(&format!("{backend}_{size}_merchants_sign_up_p99"), p99, "µs");
        let (p50, p99) = latencies(200, |i| {
            let company = format!("scale-company-{}", (i * 104_729) % size);
            deliver_webhook(http.clone(), base.clone(), format!("evt_{backend}_{size}_{i}"), company)
        })
        .await;
        report(&format!("{backend}_{size}_merchants_webhook_p50"), p50, "µs");
        report(&format!("{backend}_{size}_merchants_webhook_p99"), p99, "µs");
    }
    wait_until_processed(&store).await;
    store.close().await;
    proxy.stop().await.unwrap();
}

/// Runs `total` jobs from `CLIENTS` concurrent workers and returns their results in order.
async fn run_clients<F, Fut, T>(total: usize, job: F) -> Vec<T>
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let jobs: Vec<Fut> = (0..total).map(job).collect();
    let jobs = Arc::new(std::sync::Mutex::new(jobs.into_iter().enumerate().collect::<Vec<_>>()));
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..CLIENTS {
        let jobs = jobs.clone();
        workers.spawn(async move {
            let mut done = Vec::new();
            loop {
                let next = jobs.lock().unwrap().pop();
                match next {
                    Some((index, job)) => done.push((index, job.await)),
                    None => return done,
                }
            }
        });
    }
    let mut results = Vec::with_capacity(total);
    while let Some(done) = workers.join_next().await {
        results.extend(done.unwrap());
    }
    results.sort_by_key(|(index, _)| *index);
    results.into_iter().map(|(_, result)| result).collect()
}

/// p50 and p99 in µs of `total` jobs run one after another.
async fn latencies<F, Fut, T>(total: usize, job: F) -> (f64, f64)
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = T>,
{
    let mut taken = Vec::with_capacity(total);
    for i in 0..total {
        let begun = Instant::now();
        job(i).await;
        taken.push(begun.elapsed());
    }
    taken.sort();
    let at = |q: f64| taken[((taken.len() as f64 * q) as usize).min(taken.len() - 1)].as_secs_f64() * 1e6;
    (at(0.50), at(0.99))
}

/// Signs a business up through the API; its Codat company id.
async fn sign_up(http: reqwest::Client, base: String, business: String) -> String {
    let response = http
        .post(format!("{base}/api/signup"))
        .header("x-codat-connect", "1")
        .json(&json!({"businessName": business, "email": "owner@scale.test"}))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "sign-up: {}", response.status());
    let session: Value = response.json().await.unwrap();
    session["companyId"].as_str().unwrap().to_owned()
}

/// Delivers one signed `read.completed` webhook for `company`.
async fn deliver_webhook(http: reqwest::Client, base: String, id: String, company: String) {
    let body = json!({
        "id": id, "eventType": "read.completed", "generatedDate": "2026-01-01T00:00:00Z",
        "payload": {"referenceCompany": {"id": company}, "dataTypes": [{"connectionId": "c"}]}
    })
    .to_string();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let signature = WebhookSecret::parse(SECRET).unwrap().sign(&id, now, body.as_bytes());
    let response = http
        .post(format!("{base}/webhooks/codat"))
        .header("webhook-id", &id)
        .header("webhook-timestamp", now.to_string())
        .header("webhook-signature", signature)
        .body(body)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "webhook: {}", response.status());
}

/// `GET /api/session` with a stored merchant's bearer token.
async fn session_lookup(http: reqwest::Client, base: String, token: String) {
    let response = http.get(format!("{base}/api/session")).bearer_auth(token).send().await.unwrap();
    assert!(response.status().is_success(), "session: {}", response.status());
    response.bytes().await.unwrap();
}

fn token_of(merchant: usize) -> String {
    format!("scale-token-{merchant}")
}

/// Adds merchants (each with a company and a session) until `from` becomes `to`, in batches.
async fn fill_merchants(store: &sqlx::AnyPool, from: usize, to: usize) {
    const BATCH: usize = 500;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let expires = now + 86_400;
    let mut transaction = store.begin().await.unwrap();
    let mut next = from;
    while next < to {
        let end = (next + BATCH).min(to);
        let rows = |width: usize| {
            (0..end - next)
                .map(|row| {
                    let holes: Vec<String> =
                        (1..=width).map(|col| format!("${}", row * width + col)).collect();
                    format!("({})", holes.join(", "))
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        let merchants = format!(
            "INSERT INTO merchants (id, business_name, email, company_id, created_at) VALUES {}",
            rows(5)
        );
        let mut query = sqlx::query(&merchants);
        for i in next..end {
            query = query
                .bind(format!("scale-merchant-{i}"))
                .bind(format!("Stored Business {i}"))
                .bind("owner@scale.test")
                .bind(format!("scale-company-{i}"))
                .bind(now);
        }
        query.execute(&mut *transaction).await.unwrap();
        let sessions = format!(
            "INSERT INTO sessions (token_hash, merchant_id, expires_at, last_seen_at) VALUES {}",
            rows(4)
        );
        let mut query = sqlx::query(&sessions);
        for i in next..end {
            query = query
                .bind(hash_secret(&token_of(i)))
                .bind(format!("scale-merchant-{i}"))
                .bind(expires)
                .bind(now);
        }
        query.execute(&mut *transaction).await.unwrap();
        next = end;
    }
    transaction.commit().await.unwrap();
}

/// Waits (polling the table) until every stored webhook is processed.
async fn wait_until_processed(store: &sqlx::AnyPool) {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let row: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM webhook_events WHERE processed_at IS NULL")
            .fetch_one(store)
            .await
            .unwrap();
        if row.0 == 0 {
            return;
        }
        assert!(Instant::now() < deadline, "{} webhooks still unprocessed", row.0);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
