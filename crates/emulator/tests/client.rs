//! The Codat client against the emulator on a real socket: the flow's operations, the first
//! sync, signed webhooks delivered at least once, one-time links, and faults the client must
//! survive or report cleanly.

use axum::{extract::State, http::HeaderMap, http::StatusCode, routing::post, Router};
use codat::{
    ApiKey, CodatClient, CodatError, CompanyRequestBody, ConnectionStatus, PullStatus, WebhookSecret,
};
use codat_emulator::{router, Emulator, EmulatorConfig};
use serde_json::{json, Value};
use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

const KEY: &str = "client-test-key";
const PATIENCE: Duration = Duration::from_secs(10);

struct Running {
    url: String,
    emulator: Arc<Emulator>,
    client: CodatClient,
    http: reqwest::Client,
}

async fn serve(adjust: impl FnOnce(&mut EmulatorConfig)) -> Running {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let mut config = EmulatorConfig::new(url.clone(), KEY, "https://app.test/cb?code={statusCode}");
    config.sync_duration = Duration::from_millis(300);
    adjust(&mut config);
    let emulator = Emulator::new(config);
    let app = router(emulator.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let client = CodatClient::new(&url, &ApiKey::new(KEY)).unwrap();
    Running { url, emulator, client, http: reqwest::Client::new() }
}

async fn company(running: &Running) -> String {
    let body = CompanyRequestBody { name: "m_test".into(), description: None, tags: None };
    running.client.create_company(&body).await.unwrap().id
}

/// Presses a button on a connection's Link page, as the browser's form would.
async fn link_outcome(running: &Running, company_id: &str, connection_id: &str, outcome: &str) -> String {
    let response = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(format!("{}/link-api/companies/{company_id}/connections/{connection_id}/complete", running.url))
        .form(&[("outcome", outcome)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    response.headers()["location"].to_str().unwrap().to_owned()
}

async fn until<F: std::future::Future<Output = bool>>(what: &str, mut check: impl FnMut() -> F) {
    let deadline = Instant::now() + PATIENCE;
    while !check().await {
        assert!(Instant::now() < deadline, "{what} did not happen within {PATIENCE:?}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

#[tokio::test]
async fn linking_starts_a_first_sync_that_completes_every_data_type() {
    let running = serve(|_| {}).await;
    let company_id = company(&running).await;
    let connection = running.client.create_connection(&company_id, "mqjo").await.unwrap();
    assert_eq!(connection.status, ConnectionStatus::PendingAuth);
    let location = link_outcome(&running, &company_id, &connection.id, "authorize").await;
    assert_eq!(location, "https://app.test/cb?code=200");

    let linked = running.client.get_connection(&company_id, &connection.id).await.unwrap();
    assert_eq!(linked.status, ConnectionStatus::Linked);
    let early = running.client.data_status(&company_id).await.unwrap();
    assert_eq!(early.len(), 9, "an accounting platform reads nine data types first");
    assert!(early.values().flatten().any(|s| s.current_status != PullStatus::Complete));

    until("every data type completes", || async {
        let status = running.client.data_status(&company_id).await.unwrap();
        status.values().flatten().all(|s| s.current_status == PullStatus::Complete)
    })
    .await;
    let history = running.client.pull_operations(&company_id).await.unwrap();
    assert!(history.iter().all(|op| op.is_completed && op.progress == 100));
    until("lastSync is set", || async {
        running.client.get_connection(&company_id, &connection.id).await.unwrap().last_sync.is_some()
    })
    .await;
}

#[tokio::test]
async fn unlinking_and_deleting_a_connection() {
    let running = serve(|_| {}).await;
    let company_id = company(&running).await;
    let connection = running.client.create_connection(&company_id, "suuo").await.unwrap();
    let refused = running.client.unlink_connection(&company_id, &connection.id).await.unwrap_err();
    assert_eq!(refused.status(), Some(StatusCode::BAD_REQUEST), "only Linked connections can be unlinked");
    link_outcome(&running, &company_id, &connection.id, "authorize").await;
    let unlinked = running.client.unlink_connection(&company_id, &connection.id).await.unwrap();
    assert_eq!(unlinked.status, ConnectionStatus::Unlinked);
    running.client.delete_connection(&company_id, &connection.id).await.unwrap();
    let gone = running.client.get_connection(&company_id, &connection.id).await.unwrap_err();
    assert_eq!(gone.status(), Some(StatusCode::NOT_FOUND));
    assert!(gone.correlation_id().is_some());
}

/// One webhook delivery: its headers and raw body.
type Delivery = (HeaderMap, Vec<u8>);

#[derive(Clone, Default)]
struct Received {
    deliveries: Arc<Mutex<Vec<Delivery>>>,
    refuse_first: Arc<Mutex<bool>>,
}

async fn receive(
    State(received): State<Received>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> StatusCode {
    received.deliveries.lock().unwrap().push((headers, body.to_vec()));
    let mut refuse = received.refuse_first.lock().unwrap();
    if *refuse {
        *refuse = false;
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::NO_CONTENT
    }
}

#[tokio::test]
async fn webhooks_are_signed_and_retried_until_accepted() {
    let received = Received { refuse_first: Arc::new(Mutex::new(true)), ..Default::default() };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let receiver_url = format!("http://{}/hook", listener.local_addr().unwrap());
    let app = Router::new().route("/hook", post(receive)).with_state(received.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let running = serve(|config| config.webhook_retry_delays = vec![Duration::from_millis(50); 3]).await;
    let consumer = codat::WebhookConsumer {
        id: None,
        url: receiver_url,
        disabled: None,
        event_types: vec!["connection.connected".into(), "read.completed.initial".into()],
        company_tags: None,
    };
    let created = running.client.create_webhook_consumer(&consumer).await.unwrap();
    assert!(created.id.is_some());

    let company_id = company(&running).await;
    let connection = running.client.create_connection(&company_id, "fztf").await.unwrap();
    link_outcome(&running, &company_id, &connection.id, "authorize").await;
    until("both events are accepted", || async {
        let deliveries = received.deliveries.lock().unwrap();
        let types: Vec<String> = deliveries
            .iter()
            .filter_map(|(_, body)| serde_json::from_slice::<Value>(body).ok())
            .map(|event| event["eventType"].as_str().unwrap_or_default().to_owned())
            .collect();
        types.iter().filter(|t| *t == "read.completed.initial").count() == 5
            && types.iter().filter(|t| *t == "connection.connected").count() == 2
    })
    .await;

    let secret = WebhookSecret::parse(running.emulator.webhook_secret()).unwrap();
    let deliveries = received.deliveries.lock().unwrap().clone();
    for (headers, body) in &deliveries {
        let id = headers["webhook-id"].to_str().unwrap();
        let timestamp: i64 = headers["webhook-timestamp"].to_str().unwrap().parse().unwrap();
        let signature = headers["webhook-signature"].to_str().unwrap();
        assert!(secret.verify(id, timestamp, body, signature), "delivery {id} is signed with the secret");
    }
    let (first, retry) = (&deliveries[0].0, &deliveries[1].0);
    assert_eq!(first["webhook-id"], retry["webhook-id"], "a retry keeps the message id");
    // One read.completed.initial per data type, as each is first stored.
    let initial: Vec<Value> = deliveries
        .iter()
        .filter_map(|(_, body)| serde_json::from_slice::<Value>(body).ok())
        .filter(|event| event["eventType"] == "read.completed.initial")
        .collect();
    let mut data_types = std::collections::BTreeSet::new();
    for event in &initial {
        assert_eq!(event["payload"]["referenceCompany"]["id"], json!(company_id));
        let read = event["payload"]["dataTypes"].as_array().unwrap();
        assert_eq!(read.len(), 1, "{event}");
        assert_eq!(read[0]["status"], "Complete");
        data_types.insert(read[0]["dataType"].as_str().unwrap().to_owned());
    }
    assert_eq!(data_types.len(), 5, "a commerce platform reads five data types first");
}

#[tokio::test]
async fn a_one_time_link_opens_once() {
    let running = serve(|config| config.one_time_links = true).await;
    let company_id = company(&running).await;
    let connection = running.client.create_connection(&company_id, "gbol").await.unwrap();
    assert!(connection.link_url.contains("?otp="));
    let first = running.http.get(&connection.link_url).send().await.unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    let again = running.http.get(&connection.link_url).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::FORBIDDEN);
    let fresh = running.client.get_connection(&company_id, &connection.id).await.unwrap();
    assert_ne!(fresh.link_url, connection.link_url);
    assert_eq!(running.http.get(&fresh.link_url).send().await.unwrap().status(), StatusCode::OK);
}

async fn set_faults(running: &Running, plan: Value) {
    let response = running
        .http
        .put(format!("{}/_emulator/faults", running.url))
        .header("authorization", "Basic Y2xpZW50LXRlc3Qta2V5") // base64("client-test-key")
        .json(&plan)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn the_client_retries_through_429_5xx_and_dropped_connections() {
    let running = serve(|_| {}).await;
    let company_id = company(&running).await;
    set_faults(
        &running,
        json!({"seed": 3, "rules": [
            {"path": "/companies", "method": "GET", "kind": "tooManyRequests", "retryAfterSeconds": 1, "times": 1},
            {"path": "/companies", "method": "GET", "kind": "serverError", "status": 503, "times": 1},
            {"path": "/companies", "method": "GET", "kind": "drop", "times": 1}
        ]}),
    )
    .await;
    let started = Instant::now();
    let found = running.client.get_company(&company_id).await.unwrap();
    assert_eq!(found.id, company_id);
    assert!(started.elapsed() >= Duration::from_secs(1), "Retry-After was honoured");
    let counts = running.emulator.request_counts();
    assert_eq!(counts["GET /companies/{company_id}"], 4, "three faults, then success: {counts:?}");
}

#[tokio::test]
async fn the_client_gives_up_cleanly_when_faults_persist() {
    let running = serve(|_| {}).await;
    let company_id = company(&running).await;
    set_faults(&running, json!({"rules": [{"path": "/companies", "kind": "serverError", "status": 500}]}))
        .await;
    let client = running.client.clone().with_max_attempts(2);
    let error = client.get_company(&company_id).await.unwrap_err();
    assert!(matches!(error, CodatError::Api { status, .. } if status == StatusCode::INTERNAL_SERVER_ERROR));

    set_faults(&running, json!({"rules": [{"path": "/companies", "method": "POST", "kind": "drop"}]})).await;
    let body = CompanyRequestBody { name: "m_other".into(), description: None, tags: None };
    let dropped = running.client.create_company(&body).await.unwrap_err();
    assert!(matches!(dropped, CodatError::Transport(_)), "a POST is not repeated: {dropped:?}");
    assert_eq!(running.emulator.request_counts()["POST /companies"], 2);
}
