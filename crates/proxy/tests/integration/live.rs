//! Webhooks to the browser, over real sockets: the embedded emulator signs and sends Codat's
//! events to the proxy's receiver, which verifies, stores and turns them into server-sent events
//! on the merchant's stream, and refuses forgeries.

use crate::support::{connect_and_authorize, get_json, sign_up};
use codat::WebhookSecret;
use codat_connect_proxy::{config::Config, start, RunningProxy};
use futures_util::StreamExt as _;
use serde_json::{json, Value};
use std::time::Duration;

const SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";

async fn proxy(dir: &tempfile::TempDir) -> RunningProxy {
    proxy_with(dir, true).await
}

async fn proxy_with(dir: &tempfile::TempDir, webhooks: bool) -> RunningProxy {
    let mut config =
        Config::local(format!("sqlite://{}", dir.path().join("db").display()), dir.path().join("dist"));
    config.codat_webhook_secret = Some(SECRET.into());
    config.emulator_sync_seconds = 1;
    config.emulator_webhooks = webhooks;
    start(config).await.unwrap()
}

/// Reads server-sent events until `done` says so, or fails after the deadline.
async fn read_events_until(
    response: reqwest::Response,
    done: impl Fn(&[(String, Value)]) -> bool,
) -> Vec<(String, Value)> {
    let mut stream = response.bytes_stream();
    let mut buffer = String::new();
    let mut seen = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while !done(&seen) {
        let chunk = tokio::time::timeout_at(deadline, stream.next())
            .await
            .unwrap_or_else(|_| panic!("the events awaited did not all come; got {seen:?}"))
            .expect("the stream stays open")
            .unwrap();
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            let name = block.lines().find_map(|l| l.strip_prefix("event:")).map(|n| n.trim().to_owned());
            let data = block.lines().find_map(|l| l.strip_prefix("data:")).map(|d| d.trim().to_owned());
            if let (Some(name), Some(data)) = (name, data) {
                seen.push((name, serde_json::from_str(&data).unwrap_or(Value::Null)));
            }
        }
    }
    seen
}

#[tokio::test]
async fn linking_reaches_the_merchants_event_stream_through_signed_webhooks() {
    let dir = tempfile::tempdir().unwrap();
    let running = proxy(&dir).await;
    let base = running.public_url.clone();
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let cookie = sign_up(&http, &base).await;
    let events = http.get(format!("{base}/api/events")).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(events.headers()["content-type"], "text/event-stream");

    connect_and_authorize(&http, &base, &cookie, "mqjo").await;

    // Each of the nine data types ends with read.completed, and read.completed.initial as its
    // data is first stored.
    let first_stored = |seen: &[(String, Value)]| {
        seen.iter().filter(|(name, data)| name == "syncCompleted" && data["initial"] == true).count()
    };
    let connected = |(name, data): &(String, Value)| {
        name == "connectionChanged" && data["eventType"] == "connection.connected"
    };
    let seen = read_events_until(events, |seen| first_stored(seen) == 9 && seen.iter().any(connected)).await;
    let linked = seen.iter().find(|event| connected(event));
    assert_eq!(linked.expect("connection.connected arrives").1["connection"]["status"], "Linked");

    let progress = get_json(&http, &format!("{base}/api/sync"), &cookie).await;
    let states: Vec<&Value> = progress.as_array().unwrap().iter().map(|p| &p["state"]).collect();
    assert_eq!(states.len(), 9);
    assert!(states.iter().all(|s| *s == "Complete"), "{progress}");
    running.stop().await.unwrap();
}

#[tokio::test]
async fn without_webhooks_the_server_watches_codat_and_the_stream_still_moves() {
    let dir = tempfile::tempdir().unwrap();
    let running = proxy_with(&dir, false).await;
    let base = running.public_url.clone();
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let cookie = sign_up(&http, &base).await;
    let events = http.get(format!("{base}/api/events")).header("cookie", &cookie).send().await.unwrap();

    connect_and_authorize(&http, &base, &cookie, "mqjo").await;

    let connected = |(name, data): &(String, Value)| {
        name == "connectionChanged" && data["eventType"] == "connection.connected"
    };
    let seen = read_events_until(events, |seen| seen.iter().any(connected)).await;
    let linked = seen.iter().find(|event| connected(event)).unwrap();
    assert_eq!(linked.1["connection"]["status"], "Linked");
    assert!(seen.iter().all(|(name, _)| name != "syncCompleted"), "no webhook came: {seen:?}");
    running.stop().await.unwrap();
}

#[tokio::test]
async fn forged_stale_and_replayed_webhooks_are_not_processed() {
    let dir = tempfile::tempdir().unwrap();
    let running = proxy(&dir).await;
    let url = format!("{}/webhooks/codat", running.public_url);
    let http = reqwest::Client::new();
    let body = json!({"id": "e1", "eventType": "connection.connected", "generatedDate": "2026-01-01T00:00:00Z", "payload": {}})
        .to_string();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let secret = WebhookSecret::parse(SECRET).unwrap();
    let post = |id: &str, timestamp: i64, signature: String, body: String| {
        http.post(&url)
            .header("webhook-id", id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(body)
            .send()
    };
    let valid = post("msg_a", now, secret.sign("msg_a", now, body.as_bytes()), body.clone()).await.unwrap();
    assert_eq!(valid.status(), 200);
    assert_eq!(valid.json::<Value>().await.unwrap()["status"], "accepted");
    let replay = post("msg_a", now, secret.sign("msg_a", now, body.as_bytes()), body.clone()).await.unwrap();
    assert_eq!(replay.json::<Value>().await.unwrap()["status"], "duplicate");

    let tampered = post("msg_b", now, secret.sign("msg_b", now, body.as_bytes()), body.replace("e1", "e2"))
        .await
        .unwrap();
    assert_eq!(tampered.status(), 401);
    let stale_at = now - 301;
    let stale =
        post("msg_c", stale_at, secret.sign("msg_c", stale_at, body.as_bytes()), body.clone()).await.unwrap();
    assert_eq!(stale.status(), 401);
    let empty = post("msg_d", now, "v1,".into(), body.clone()).await.unwrap();
    assert_eq!(empty.status(), 401);
    let error: Value = empty.json().await.unwrap();
    assert_eq!(error["code"], "webhook_refused");
    running.stop().await.unwrap();
}

#[tokio::test]
async fn sparse_events_are_completed_from_codat_and_unreadable_ones_kept_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let running = proxy_with(&dir, false).await;
    let base = running.public_url.clone();
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let cookie = sign_up(&http, &base).await;
    let session = get_json(&http, &format!("{base}/api/session"), &cookie).await;
    let company_id = session["companyId"].as_str().expect("a company").to_owned();
    let started = connect_and_authorize(&http, &base, &cookie, "mqjo").await;
    let connection_id = started["connection"]["id"].as_str().unwrap().to_owned();
    let events = http.get(format!("{base}/api/events")).header("cookie", &cookie).send().await.unwrap();

    let secret = WebhookSecret::parse(SECRET).unwrap();
    let send = |id: &'static str, body: String| {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        http.post(format!("{base}/webhooks/codat"))
            .header("webhook-id", id)
            .header("webhook-timestamp", now.to_string())
            .header("webhook-signature", secret.sign(id, now, body.as_bytes()))
            .body(body)
            .send()
    };
    // `type` for `eventType`, and a connection with nothing but its id: every field is optional.
    let sparse = json!({"type": "connection.reconnected",
        "payload": {"referenceCompany": {"id": company_id}, "connection": {"id": connection_id}}});
    let accepted = send("msg_sparse", sparse.to_string()).await.unwrap();
    assert_eq!(accepted.json::<Value>().await.unwrap()["status"], "accepted");
    let reconnected = |(name, data): &(String, Value)| {
        name == "connectionChanged" && data["eventType"] == "connection.reconnected"
    };
    let seen = read_events_until(events, |seen| seen.iter().any(reconnected)).await;
    let event = seen.iter().find(|event| reconnected(event)).unwrap();
    assert_eq!(event.1["connection"]["platformName"], "Sandbox", "completed from Codat");
    // A whole connection, its company named by id alone: the connection is read as sent, and
    // Codat (which does not know this one) is not asked.
    let whole = json!({"eventType": "connection.connected", "payload": {"referenceCompany": {"id": company_id},
        "connection": {"id": "6f0e1a52-8d0e-4c55-9a55-0d3f3f3c2a11", "integrationId": "i", "integrationKey": "suuo",
            "sourceId": "s", "sourceType": "Banking", "platformName": "Plaid", "linkUrl": "https://link.codat.io/x",
            "status": "Linked", "created": "2026-01-01T00:00:00Z"}}});
    let events = http.get(format!("{base}/api/events")).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(send("msg_whole", whole.to_string()).await.unwrap().status(), 200);
    let plaid = |(name, data): &(String, Value)| {
        name == "connectionChanged" && data["connection"]["platformName"] == "Plaid"
    };
    read_events_until(events, |seen| seen.iter().any(plaid)).await;

    let unreadable = send("msg_unreadable", "{\"payload\": []}".into()).await.unwrap();
    assert_eq!(unreadable.status(), 200, "Codat would only send it again");
    assert_eq!(unreadable.json::<Value>().await.unwrap()["status"], "kept");
    let db = codat_connect_proxy::db::Db::connect(&format!("sqlite://{}", dir.path().join("db").display()))
        .await
        .unwrap();
    let (count, failed) = db.failed_webhooks(5).await.unwrap();
    assert_eq!(count, 1);
    assert_eq!(failed[0].id, "msg_unreadable");
    assert!(failed[0].failure.contains("not a Codat event"), "{:?}", failed[0]);
    running.stop().await.unwrap();
}

#[tokio::test]
async fn stopping_the_server_ends_open_event_streams() {
    let dir = tempfile::tempdir().unwrap();
    let running = proxy(&dir).await;
    let base = running.public_url.clone();
    let http = reqwest::Client::new();
    let cookie = sign_up(&http, &base).await;
    let mut events = http.get(format!("{base}/api/events")).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(events.status(), 200);
    tokio::time::timeout(Duration::from_secs(10), running.stop())
        .await
        .expect("a graceful stop does not wait for open event streams")
        .unwrap();
    // An event sent before the stop may still be on its way; after it, the stream ends.
    let ended = tokio::time::timeout(Duration::from_secs(5), async {
        while let Ok(Some(_)) = events.chunk().await {}
    });
    ended.await.expect("the stream ends");
}
