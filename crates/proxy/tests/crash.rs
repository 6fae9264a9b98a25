//! Crash safety: the server is killed with SIGKILL in the middle of session requests and webhook
//! deliveries, then started again on the same SQLite file. Nothing it acknowledged is lost, no
//! merchant gets a second Codat company, and the database passes its integrity check.

use codat::WebhookSecret;
use support::{codat_get, spawn_emulator};

mod support;
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
