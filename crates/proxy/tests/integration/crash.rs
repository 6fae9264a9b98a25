//! Crash safety: the server is killed with SIGKILL in the middle of session requests and webhook
//! deliveries, then started again on the same SQLite file. Nothing it acknowledged is lost, no
//! merchant gets a second Codat company, and the database passes its integrity check.

use crate::support::{codat_get, spawn_emulator};
use codat::WebhookSecret;

use serde_json::{json, Value};
use std::{
    collections::{BTreeMap, BTreeSet},
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

const KEY: &str = "crash-key";
const ADMIN: &str = "crash-admin-0123456789abcdefghijklmnop";
const SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";

fn spawn_server(port: u16, database: &str, emulator: &str, dist: &std::path::Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_codat-connect-server"))
        .env("LISTEN", format!("127.0.0.1:{port}"))
        .env("DATABASE_URL", database)
        .env("CODAT_API_KEY", KEY)
        .env("CODAT_BASE_URL", emulator)
        .env("CODAT_WEBHOOK_SECRET", SECRET)
        .env("ADMIN_TOKEN", ADMIN)
        .env("DIST_DIR", dist)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the server binary starts")
}

async fn wait_ready(http: &reqwest::Client, base: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if http.get(format!("{base}/readyz")).send().await.is_ok_and(|r| r.status().is_success()) {
            return;
        }
        assert!(Instant::now() < deadline, "the server did not become ready");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn session(http: &reqwest::Client, base: &str, merchant: &str) -> Option<String> {
    let response = http
        .post(format!("{base}/v1/sessions"))
        .bearer_auth(ADMIN)
        .json(&json!({"merchantId": merchant, "businessName": "Crash Ltd"}))
        .send()
        .await
        .ok()?;
    if !response.status().is_success() {
        return None;
    }
    let body: Value = response.json().await.ok()?;
    body["companyId"].as_str().map(str::to_owned)
}

async fn webhook(http: &reqwest::Client, base: &str, id: &str) -> Option<String> {
    let body = json!({"id": id, "eventType": "read.completed", "generatedDate": "2026-01-01T00:00:00Z", "payload": {}})
        .to_string();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let signature = WebhookSecret::parse(SECRET).unwrap().sign(id, now, body.as_bytes());
    let response = http
        .post(format!("{base}/webhooks/codat"))
        .header("webhook-id", id)
        .header("webhook-timestamp", now.to_string())
        .header("webhook-signature", signature)
        .body(body)
        .send()
        .await
        .ok()?;
    if !response.status().is_success() {
        return None;
    }
    let answer: Value = response.json().await.ok()?;
    answer["status"].as_str().map(str::to_owned)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_acknowledged_is_lost_when_the_server_is_killed() {
    let (emulator_url, _emulator) = spawn_emulator(KEY, |_| {}).await;

    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("connect.db");
    let database = format!("sqlite://{}", db_path.display());
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::builder().timeout(Duration::from_secs(5)).build().unwrap();

    let mut server = spawn_server(port, &database, &emulator_url, dir.path());
    wait_ready(&http, &base).await;
    let sessions: Arc<Mutex<BTreeMap<String, String>>> = Arc::default();
    let webhooks: Arc<Mutex<BTreeSet<String>>> = Arc::default();
    let mut load = tokio::task::JoinSet::new();
    for worker in 0..8 {
        let (http, base, sessions, webhooks) =
            (http.clone(), base.clone(), sessions.clone(), webhooks.clone());
        load.spawn(async move {
            for round in 0..1000 {
                let merchant = format!("crash-{worker}-{round}");
                if let Some(company) = session(&http, &base, &merchant).await {
                    sessions.lock().unwrap().insert(merchant, company);
                }
                let id = format!("msg_{worker}_{round}");
                if webhook(&http, &base, &id).await.is_some() {
                    webhooks.lock().unwrap().insert(id);
                }
            }
        });
    }
    // Kill once a good number of requests have been acknowledged, while the others are in flight.
    let deadline = Instant::now() + Duration::from_secs(30);
    while sessions.lock().unwrap().len() < 40 || webhooks.lock().unwrap().len() < 40 {
        assert!(Instant::now() < deadline, "the server acknowledged too little before the kill");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    server.kill().expect("SIGKILL");
    server.wait().unwrap();
    load.abort_all();
    while load.join_next().await.is_some() {}
    let sessions = sessions.lock().unwrap().clone();
    let webhooks = webhooks.lock().unwrap().clone();

    // What was acknowledged is in the file the killed server left behind.
    let mut connection = <sqlx::SqliteConnection as sqlx::Connection>::connect(&database).await.unwrap();
    for (merchant, company) in &sessions {
        let stored: Option<(Option<String>,)> =
            sqlx::query_as("SELECT company_id FROM merchants WHERE id = ?")
                .bind(merchant)
                .fetch_optional(&mut connection)
                .await
                .unwrap();
        assert_eq!(stored, Some((Some(company.clone()),)), "{merchant} is stored with its company");
    }
    for id in &webhooks {
        let stored: Option<(String,)> = sqlx::query_as("SELECT id FROM webhook_events WHERE id = ?")
            .bind(id)
            .fetch_optional(&mut connection)
            .await
            .unwrap();
        assert!(stored.is_some(), "webhook {id} is stored");
    }
    let check: (String,) = sqlx::query_as("PRAGMA integrity_check").fetch_one(&mut connection).await.unwrap();
    assert_eq!(check.0, "ok");
    sqlx::Connection::close(connection).await.unwrap();

    let mut restarted = spawn_server(port, &database, &emulator_url, dir.path());
    wait_ready(&http, &base).await;
    for (merchant, company) in &sessions {
        let again = session(&http, &base, merchant).await.expect("a session after the restart");
        assert_eq!(&again, company, "{merchant} keeps the company it was given before the crash");
    }
    for id in &webhooks {
        assert_eq!(webhook(&http, &base, id).await.as_deref(), Some("duplicate"), "webhook {id} was stored");
    }
    restarted.kill().unwrap();
    restarted.wait().unwrap();

    let page = codat_get(&emulator_url, KEY, "/companies?pageSize=5000").await;
    let names: Vec<&str> =
        page["results"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    let distinct: BTreeSet<&str> = names.iter().copied().collect();
    assert_eq!(names.len(), distinct.len(), "no merchant has two companies");
}

/// A Codat webhook the kill test sends: its id and body, and what it must leave behind.
#[derive(Debug, Clone)]
struct Delivery {
    id: String,
    body: String,
    merchant: String,
    effect: Effect,
}

/// What a delivery changes: a new linked connection, or a new data type read.
#[derive(Debug, Clone)]
enum Effect {
    Linked { connection_id: String },
    Read { data_type: String },
}

/// The `n`th delivery: a new Linked connection, or a new data type read from the merchant's
/// latest connection (each with its own id, so each must produce exactly one lender event).
fn nth_delivery(n: usize, merchants: &[(String, String)], connections: &mut [Vec<String>]) -> Delivery {
    let which = n % merchants.len();
    let (merchant, company) = &merchants[which];
    let company_ref = json!({"id": company, "name": "Crash Ltd"});
    let generated = "2026-01-01T00:00:00Z";
    let id = format!("msg_kill_{n}");
    let latest = connections[which].last().cloned();
    let (payload, event_type, effect) = match latest {
        Some(connection_id) if !n.is_multiple_of(3) => {
            let data_type = format!("dt-{n}");
            let summary = json!({"connectionId": connection_id, "dataType": data_type,
                "recordsModified": true, "status": "Complete"});
            let payload = json!({"referenceCompany": company_ref, "dataTypes": [summary]});
            (payload, "read.completed", Effect::Read { data_type })
        }
        _ => {
            let connection_id = uuid::Uuid::new_v4().to_string();
            connections[which].push(connection_id.clone());
            let connection = json!({"id": connection_id, "integrationId": "int-plaid", "integrationKey": "suuo",
                "sourceId": "src", "sourceType": "Banking", "platformName": "Plaid",
                "linkUrl": "https://link.codat.io/x", "status": "Linked", "created": generated});
            let payload = json!({"referenceCompany": company_ref, "connection": connection});
            (payload, "connection.connected", Effect::Linked { connection_id })
        }
    };
    let body = json!({"id": id, "eventType": event_type, "generatedDate": generated, "payload": payload})
        .to_string();
    Delivery { id, body, merchant: merchant.clone(), effect }
}

/// Sends a delivery signed now; true when the server answered 2xx (acknowledged).
async fn deliver(http: &reqwest::Client, base: &str, delivery: &Delivery) -> bool {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let signature = WebhookSecret::parse(SECRET).unwrap().sign(&delivery.id, now, delivery.body.as_bytes());
    http.post(format!("{base}/webhooks/codat"))
        .header("webhook-id", &delivery.id)
        .header("webhook-timestamp", now.to_string())
        .header("webhook-signature", signature)
        .body(delivery.body.clone())
        .send()
        .await
        .is_ok_and(|answer| answer.status().is_success())
}

/// The deliveries of one test run: new ones in order, and those a kill left unanswered, sent
/// again first with the same id (as Codat does).
struct Feed {
    next: usize,
    resend: Vec<Delivery>,
    acknowledged: Vec<Delivery>,
    merchants: Vec<(String, String)>,
    connections: Vec<Vec<String>>,
    limit: usize,
}

impl Feed {
    fn take(&mut self) -> Option<Delivery> {
        if let Some(delivery) = self.resend.pop() {
            return Some(delivery);
        }
        if self.next >= self.limit {
            return None;
        }
        self.next += 1;
        Some(nth_delivery(self.next, &self.merchants, &mut self.connections))
    }
}

/// Sends from the feed with `in_flight` workers until `stop` is set or the feed is empty.
async fn send_from(
    http: &reqwest::Client,
    base: &str,
    feed: &Arc<Mutex<Feed>>,
    in_flight: usize,
    stop: &Arc<std::sync::atomic::AtomicBool>,
) {
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..in_flight {
        let (http, base, feed, stop) = (http.clone(), base.to_owned(), feed.clone(), stop.clone());
        workers.spawn(async move {
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                let Some(delivery) = feed.lock().unwrap().take() else { return };
                let answered = deliver(&http, &base, &delivery).await;
                let mut feed = feed.lock().unwrap();
                if answered {
                    feed.acknowledged.push(delivery);
                } else {
                    feed.resend.push(delivery);
                }
            }
        });
    }
    while workers.join_next().await.is_some() {}
}

/// A small xorshift: the kill points, reproducible from the seed printed on failure.
fn next_random(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_acknowledged_webhook_has_its_effect_and_its_lender_event_once_across_kills() {
    // A few dozen in CI's time; `KILL_ROUNDS=100` for the full run.
    let rounds: usize = std::env::var("KILL_ROUNDS").ok().and_then(|n| n.parse().ok()).unwrap_or(30);
    let (emulator_url, _emulator) = spawn_emulator(KEY, |_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("connect.db").display());
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
    let mut seed =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1;
    let first_seed = seed;

    let mut server = spawn_server(port, &database, &emulator_url, dir.path());
    wait_ready(&http, &base).await;
    let mut merchants = Vec::new();
    for n in 0..4 {
        let merchant = format!("kill-{n}");
        let company = session(&http, &base, &merchant).await.expect("a session");
        merchants.push((merchant, company));
    }
    let feed = Arc::new(Mutex::new(Feed {
        next: 0,
        resend: Vec::new(),
        acknowledged: Vec::new(),
        connections: vec![Vec::new(); merchants.len()],
        merchants,
        limit: usize::MAX,
    }));
    for round in 0..rounds {
        if round > 0 {
            server = spawn_server(port, &database, &emulator_url, dir.path());
            wait_ready(&http, &base).await;
        }
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let sending = {
            let (http, base, feed, stop) = (http.clone(), base.clone(), feed.clone(), stop.clone());
            tokio::spawn(async move { send_from(&http, &base, &feed, 16, &stop).await })
        };
        // SIGKILL at a random moment while deliveries are in flight.
        let acknowledged_before = feed.lock().unwrap().acknowledged.len();
        let wait = Duration::from_millis(50 + next_random(&mut seed) % 400);
        let deadline = Instant::now() + Duration::from_secs(20);
        while feed.lock().unwrap().acknowledged.len() == acknowledged_before {
            assert!(Instant::now() < deadline, "nothing acknowledged in round {round}");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        tokio::time::sleep(wait).await;
        server.kill().expect("SIGKILL");
        server.wait().unwrap();
        stop.store(true, std::sync::atomic::Ordering::SeqCst);
        sending.await.unwrap();
    }

    // After the last restart: what the kills left unanswered is sent again, then the backlog
    // drains (processing follows the acknowledgement).
    let mut server = spawn_server(port, &database, &emulator_url, dir.path());
    wait_ready(&http, &base).await;
    {
        let mut feed = feed.lock().unwrap();
        feed.limit = feed.next;
    }
    let never = Arc::new(std::sync::atomic::AtomicBool::new(false));
    send_from(&http, &base, &feed, 16, &never).await;
    assert!(feed.lock().unwrap().resend.is_empty(), "every delivery acknowledged in the end");
    let mut db = <sqlx::SqliteConnection as sqlx::Connection>::connect(&database).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let waiting: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM webhook_events WHERE processed_at IS NULL")
                .fetch_one(&mut db)
                .await
                .unwrap();
        if waiting == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "{waiting} webhooks never processed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    server.kill().unwrap();
    server.wait().unwrap();

    let acknowledged = feed.lock().unwrap().acknowledged.clone();
    let mut without_effect = Vec::new();
    let mut without_event = Vec::new();
    for delivery in &acknowledged {
        let failure: Option<Option<String>> =
            sqlx::query_scalar("SELECT failure FROM webhook_events WHERE id = ?")
                .bind(&delivery.id)
                .fetch_optional(&mut db)
                .await
                .unwrap();
        assert_eq!(failure, Some(None), "{} stored and processed without failure", delivery.id);
        // What the delivery must have stored, the state it must show, and its lender event.
        let (effect_sql, key, expected, event_type) = match &delivery.effect {
            Effect::Linked { connection_id } => (
                "SELECT status FROM connections WHERE merchant_id = ? AND id = ?",
                connection_id,
                "Linked",
                "merchant.connection.linked",
            ),
            Effect::Read { data_type } => (
                "SELECT status FROM data_reads WHERE merchant_id = ? AND data_type = ?",
                data_type,
                "Complete",
                "merchant.sync.completed",
            ),
        };
        let effect: Option<String> = sqlx::query_scalar(effect_sql)
            .bind(&delivery.merchant)
            .bind(key)
            .fetch_optional(&mut db)
            .await
            .unwrap();
        let events: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM lender_events WHERE event_type = ? AND merchant_id = ? AND body LIKE ?",
        )
        .bind(event_type)
        .bind(&delivery.merchant)
        .bind(format!("%\"{key}\"%"))
        .fetch_one(&mut db)
        .await
        .unwrap();
        if effect.as_deref() != Some(expected) {
            without_effect.push(delivery.id.clone());
        }
        if events != 1 {
            without_event.push((delivery.id.clone(), events));
        }
    }
    assert!(
        without_effect.is_empty() && without_event.is_empty(),
        "seed {first_seed}: of {} acknowledged webhooks, {} lack their effect and {} do not have exactly one \
         lender event: {:?}",
        acknowledged.len(),
        without_effect.len(),
        without_event.len(),
        without_event.iter().take(10).collect::<Vec<_>>()
    );
    eprintln!(
        "{} acknowledged webhooks over {rounds} kills, each with its effect and one lender event",
        acknowledged.len()
    );
}
