//! The server as a lender's operators run it: the binary in its own process, configured by
//! environment, logging JSON, scraped by a real Prometheus, backed up while it serves.

use crate::support::process::{on_path, ServerProcess};
use crate::support::JsonAnswer;
use codat::{ApiKey, CodatClient, WebhookConsumer};
use serde_json::{json, Value};
use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

const ADMIN_TOKEN: &str = "admin-token-0123456789abcdef0123456789abcdef";
const CODAT_SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
const LENDER_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// A lender's webhook endpoint on a free loopback port: its URL and the bodies it received.
async fn lender_receiver() -> (String, Arc<Mutex<Vec<Value>>>) {
    let received = Arc::new(Mutex::new(Vec::new()));
    let kept = received.clone();
    let app = axum::Router::new().route(
        "/hooks",
        axum::routing::post(move |body: String| {
            let kept = kept.clone();
            async move {
                kept.lock().unwrap().push(serde_json::from_str(&body).unwrap_or(Value::Null));
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, received)
}

/// The token of a `Set-Cookie` answer.
fn cookie_of(answer: &reqwest::Response) -> String {
    answer.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned()
}

#[tokio::test]
async fn over_a_whole_flow_every_log_line_is_json_with_its_request_id_and_names_no_secret() {
    let api_key = format!("codat-key-{}", uuid::Uuid::new_v4().simple());
    let (codat_url, _emulator) = crate::support::spawn_emulator(&api_key, |config| {
        config.webhook_secret = CODAT_SECRET.into();
        config.sync_duration = Duration::from_secs(1);
    })
    .await;
    let (lender_url, lender_received) = lender_receiver().await;
    let dir = tempfile::tempdir().unwrap();
    let mut server = ServerProcess::start(&[
        ("LOG_FORMAT", "json".into()),
        ("RUST_LOG", "debug".into()),
        ("DATABASE_URL", format!("sqlite://{}", dir.path().join("db").display())),
        ("CODAT_API_KEY", api_key.clone()),
        ("CODAT_BASE_URL", codat_url.clone()),
        ("CODAT_WEBHOOK_SECRET", CODAT_SECRET.into()),
        ("ADMIN_TOKEN", ADMIN_TOKEN.into()),
        ("FRAME_ANCESTORS", "https://lender.example".into()),
        ("LENDER_WEBHOOKS", format!("{lender_url}|{LENDER_SECRET}")),
    ])
    .await;
    let base = server.url.clone();
    CodatClient::new(&codat_url, &ApiKey::new(api_key.clone()))
        .unwrap()
        .create_webhook_consumer(&WebhookConsumer {
            id: None,
            url: format!("{base}/webhooks/codat"),
            disabled: None,
            event_types: codat_connect_proxy::FLOW_EVENT_TYPES.iter().map(|t| t.to_string()).collect(),
            company_tags: None,
        })
        .await
        .unwrap();
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();

    // The lender starts a session by link, with its own request id.
    let session: Value = http
        .post(format!("{base}/v1/sessions"))
        .bearer_auth(ADMIN_TOKEN)
        .header("x-request-id", "lender-request-7f3a")
        .json(&json!({"merchantId": "m-42", "businessName": "Acme", "delivery": "link",
                      "returnUrl": "https://lender.example/done"}))
        .json_answer()
        .await;
    let session_token = session["sessionToken"].as_str().unwrap().to_owned();
    let link = session["url"].as_str().unwrap().to_owned();
    let link_code = link.rsplit('/').next().unwrap().to_owned();
    // The owner opens the link: a session in the browser's cookie.
    let opened = http.post(&link).header("origin", &base).send().await.unwrap();
    assert_eq!(opened.status(), 303, "{:?}", opened.text().await);
    let cookie = cookie_of(&opened);
    let cookie_token = cookie.split_once('=').unwrap().1.to_owned();
    // ...and connects a platform at Codat; Codat's webhooks tell the server, which tells the lender.
    let started = crate::support::start_connection(&http, &base, &cookie, "gbol").await;
    let complete = started["linkUrl"].as_str().expect("a Link URL").replace("/start", "/complete");
    let authorized = http.post(complete).form(&[("outcome", "authorize")]).send().await.unwrap();
    assert_eq!(authorized.status(), 303);
    let deadline = Instant::now() + Duration::from_secs(30);
    while !lender_received.lock().unwrap().iter().any(|event| event["type"] == "merchant.sync.completed") {
        assert!(
            Instant::now() < deadline,
            "the lender was never told of the first read:\n{}",
            server.output()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let status = http.get(format!("{base}/v1/merchants/m-42")).bearer_auth(ADMIN_TOKEN).send().await.unwrap();
    assert_eq!(status.status(), 200);
    let revoked = http
        .delete(format!("{base}/v1/sessions/{session_token}"))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    assert!(revoked.status().is_success());
    server.terminate();
    assert!(server.wait().await.success(), "a clean exit on SIGTERM:\n{}", server.output());

    let lines = server.lines();
    let secrets = [
        ("the admin token", ADMIN_TOKEN.to_owned()),
        ("the session token", session_token),
        ("the link's code", link_code),
        ("the session cookie", cookie_token),
        ("the Codat API key", api_key),
        ("Codat's webhook secret", CODAT_SECRET.trim_start_matches("whsec_").to_owned()),
        ("the lender's webhook secret", LENDER_SECRET.trim_start_matches("whsec_").to_owned()),
    ];
    let mut traced = 0;
    for line in lines.iter().filter(|line| line.starts_with('{')) {
        let entry: Value = serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}"));
        assert!(entry["level"].is_string() && entry["timestamp"].is_string(), "{line}");
        if entry["span"]["name"] == "request" {
            assert!(entry["span"]["request_id"].as_str().is_some_and(|id| !id.is_empty()), "{line}");
            traced += 1;
        }
        for (what, secret) in &secrets {
            assert!(!line.contains(secret.as_str()), "{what} is in a log line: {line}");
        }
    }
    assert!(traced > 10, "requests log with their span:\n{}", lines.join("\n"));
    assert!(
        lines.iter().any(|line| line.contains("\"request_id\":\"lender-request-7f3a\"")),
        "the lender's own request id is the one logged"
    );
    // Every line but the two the binary prints for people is a JSON log entry.
    let plain: Vec<&String> = lines.iter().filter(|line| !line.starts_with('{')).collect();
    assert!(plain.iter().all(|line| line.starts_with("Codat Connect is serving on ")), "{plain:?}");
}

#[tokio::test]
async fn a_real_prometheus_scrapes_the_metrics_listener_and_reads_a_counter_a_request_moved() {
    if !on_path("prometheus") || !on_path("promtool") {
        eprintln!("SKIPPED: Debian's prometheus package (prometheus, promtool) is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&[
        ("DATABASE_URL", format!("sqlite://{}", dir.path().join("db").display())),
        ("METRICS_LISTEN", "127.0.0.1:0".into()),
    ])
    .await;
    let metrics_url = server.printed("Metrics are served on ").await;
    let http = reqwest::Client::new();
    // Not served on the public listener (there, /metrics is just a path the app does not have).
    let public = http.get(format!("{}/metrics", server.url)).send().await.unwrap().text().await.unwrap();
    assert!(!public.contains("codat_connect_"), "{public}");
    for _ in 0..3 {
        // No session yet: 204.
        assert_eq!(http.get(format!("{}/api/session", server.url)).send().await.unwrap().status(), 204);
    }
    let scraped = http.get(&metrics_url).send().await.unwrap().text().await.unwrap();
    assert!(scraped.contains("codat_connect_build_info{version=\""), "{scraped}");
    let mut lint = std::process::Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut lint.stdin.take().unwrap(), scraped.as_bytes()).unwrap();
    let linted = lint.wait_with_output().unwrap();
    assert!(
        linted.status.success(),
        "promtool check metrics: {}{}",
        String::from_utf8_lossy(&linted.stdout),
        String::from_utf8_lossy(&linted.stderr)
    );

    let target = metrics_url.trim_start_matches("http://").trim_end_matches("/metrics");
    std::fs::write(
        dir.path().join("prometheus.yml"),
        format!("global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: connect\n    static_configs:\n      - targets: ['{target}']\n"),
    )
    .unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut prometheus = std::process::Command::new("prometheus")
        .arg(format!("--config.file={}", dir.path().join("prometheus.yml").display()))
        .arg(format!("--storage.tsdb.path={}", dir.path().join("tsdb").display()))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let query = r#"codat_connect_http_requests_total{route="/api/session",method="GET",status="204"}"#;
    let deadline = Instant::now() + Duration::from_secs(60);
    let value = loop {
        let answer =
            http.get(format!("http://127.0.0.1:{port}/api/v1/query")).query(&[("query", query)]).send().await;
        let found = match answer {
            Ok(answer) => answer.json::<Value>().await.ok().and_then(|body| {
                body["data"]["result"][0]["value"][1].as_str().and_then(|v| v.parse::<f64>().ok())
            }),
            Err(_) => None,
        };
        if let Some(value) = found {
            break value;
        }
        assert!(Instant::now() < deadline, "Prometheus never stored {query}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let _ = prometheus.kill();
    let _ = prometheus.wait();
    assert_eq!(value, 3.0, "the three requests, as Prometheus scraped them");
}

#[tokio::test]
async fn a_backup_taken_under_load_restores_every_sign_up_acknowledged_before_it() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("connect.db");
    let database_url = format!("sqlite://{}", database.display());
    let env = [
        ("DATABASE_URL", database_url.clone()),
        ("SIGN_UPS_PER_HOUR", "100000".into()),
        ("RATE_LIMIT_PER_MINUTE", "100000".into()),
    ];
    let server = ServerProcess::start(&env).await;
    // Sign-ups keep arriving while the backup is taken.
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut load = Vec::new();
    for worker in 0..4 {
        let (acknowledged, stop, base) = (acknowledged.clone(), stop.clone(), server.url.clone());
        load.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                let name = format!("Business {worker}-{n}");
                n += 1;
                let answer = http
                    .post(format!("{base}/api/signup"))
                    .header("x-codat-connect", "1")
                    .json(&json!({"businessName": name, "email": "owner@example.com"}))
                    .send()
                    .await
                    .unwrap();
                assert!(answer.status().is_success(), "{:?}", answer.text().await);
                acknowledged.lock().unwrap().push(name);
            }
        }));
    }
    while acknowledged.lock().unwrap().len() < 40 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let before_backup: Vec<String> = acknowledged.lock().unwrap().clone();
    let backup = dir.path().join("backup.db");
    let taken = std::process::Command::new(env!("CARGO_BIN_EXE_codat-connect-server"))
        .env_clear()
        .env("DATABASE_URL", &database_url)
        .arg("backup")
        .arg(&backup)
        .output()
        .unwrap();
    assert!(taken.status.success(), "{}", String::from_utf8_lossy(&taken.stderr));
    let during_backup = acknowledged.lock().unwrap().len();
    while acknowledged.lock().unwrap().len() < during_backup + 20 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    for worker in load {
        worker.await.unwrap();
    }
    drop(server);

    // Restored: a server starts on the copy, and every sign-up acknowledged before it is there.
    let restored_url = format!("sqlite://{}", backup.display());
    let restored = ServerProcess::start(&[("DATABASE_URL", restored_url.clone())]).await;
    let pool = sqlx::SqlitePool::connect(&restored_url).await.unwrap();
    let names: Vec<String> =
        sqlx::query_scalar("SELECT business_name FROM merchants").fetch_all(&pool).await.unwrap();
    for name in &before_backup {
        assert!(names.contains(name), "{name} was acknowledged before the backup and is not in it");
    }
    drop(restored);
}
