//! Contract tests: every emulator answer, success and error, and every webhook it sends,
//! validated with a JSON Schema validator against the schemas in Codat's published spec
//! (`crates/codat/spec/Codat-Platform.json`, a copy of Codat's OpenAPI 3.1 description).

use axum::{
    body::Body,
    extract::State,
    http::{header, Request, StatusCode},
    routing::post,
    Router,
};
use codat_emulator::{router, Emulator, EmulatorConfig};
use http_body_util::BodyExt as _;
use serde_json::{json, Value};
use spec_check::{escape, Call, Spec};
use std::{
    sync::{Arc, Mutex, OnceLock},
    time::{Duration, Instant},
};
use tower::ServiceExt as _;

mod spec_check;

fn spec() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| {
        let text = include_str!("../../codat/spec/Codat-Platform.json");
        serde_json::from_str(text).expect("the spec is JSON")
    })
}

fn platform() -> Spec {
    Spec(spec())
}

fn validate(pointer: &str, instance: &Value, what: &str) {
    platform().validate(pointer, instance, what);
}

async fn call(app: &Router, method: &str, path: &str, body: Option<Value>, template: &str) -> Call {
    platform().call(app, method, path, body, template).await
}

async fn wait_for_events(inbox: &Inbox, wanted: &[&str]) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let seen: Vec<String> = inbox
            .0
            .lock()
            .unwrap()
            .iter()
            .map(|e| e["eventType"].as_str().unwrap_or("").to_owned())
            .collect();
        let missing: Vec<&&str> = wanted.iter().filter(|t| !seen.iter().any(|s| s == **t)).collect();
        if missing.is_empty() {
            return;
        }
        assert!(Instant::now() < deadline, "events never sent: {missing:?}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

#[derive(Clone, Default)]
struct Inbox(Arc<Mutex<Vec<Value>>>);

async fn receive(State(inbox): State<Inbox>, body: axum::body::Bytes) -> StatusCode {
    inbox.0.lock().unwrap().push(serde_json::from_slice(&body).unwrap_or(Value::Null));
    StatusCode::OK
}

#[tokio::test]
async fn every_answer_and_webhook_matches_the_spec() {
    let inbox = Inbox::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook = format!("http://{}/hook", listener.local_addr().unwrap());
    let receiver = Router::new().route("/hook", post(receive)).with_state(inbox.clone());
    tokio::spawn(async move { axum::serve(listener, receiver).await });

    let mut config =
        EmulatorConfig::new("http://emulator.test", "key", "https://app.test/cb?code={statusCode}");
    config.sync_duration = Duration::from_millis(200);
    let app = router(Emulator::new(config));
    let event_types: Vec<&str> =
        codat::COMPANY_EVENT_TYPES.iter().chain(&codat::CONNECTION_EVENT_TYPES).copied().collect();
    let consumer = json!({"url": hook, "eventTypes": event_types});
    call(&app, "POST", "/webhooks", Some(consumer), "/webhooks").await;
    call(&app, "GET", "/webhooks", None, "/webhooks").await;

    // Companies.
    let company = call(
        &app,
        "POST",
        "/companies",
        Some(json!({"name": "m_1", "tags": {"region": "uk"}})),
        "/companies",
    )
    .await;
    let company_id = company.body["id"].as_str().unwrap().to_owned();
    let one = "/companies/{companyId}";
    call(&app, "GET", "/companies?page=1&pageSize=10&query=name%3Dm_1&orderBy=-created", None, "/companies")
        .await;
    call(&app, "GET", &format!("/companies/{company_id}"), None, one).await;
    call(&app, "PATCH", &format!("/companies/{company_id}"), Some(json!({"description": "Bakery"})), one)
        .await;
    call(
        &app,
        "PUT",
        &format!("/companies/{company_id}"),
        Some(json!({"name": "m_1", "description": "Bakery"})),
        one,
    )
    .await;
    call(
        &app,
        "GET",
        &format!("/companies/{company_id}/accessToken"),
        None,
        "/companies/{companyId}/accessToken",
    )
    .await;

    // Integrations.
    call(&app, "GET", "/integrations?query=sourceType%3DBanking", None, "/integrations").await;
    call(&app, "GET", "/integrations/gbol", None, "/integrations/{platformKey}").await;
    call(&app, "GET", "/integrations/gbol/branding", None, "/integrations/{platformKey}/branding").await;
    let sync_settings = call(&app, "GET", "/profile/syncSettings", None, "/profile/syncSettings").await;
    assert!(sync_settings.body["settings"].as_array().is_some_and(|s| !s.is_empty()));

    // Connections through their life: linked, synced, unlinked, reconnected, deleted.
    let connections = "/companies/{companyId}/connections";
    let connection_path = "/companies/{companyId}/connections/{connectionId}";
    let created = call(
        &app,
        "POST",
        &format!("/companies/{company_id}/connections"),
        Some(json!({"platformKey": "mqjo"})),
        connections,
    )
    .await;
    let connection_id = created.body["id"].as_str().unwrap().to_owned();
    let complete = format!("/link-api/companies/{company_id}/connections/{connection_id}/complete");
    let press = |outcome: &'static str| {
        Request::post(&complete)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!("outcome={outcome}")))
            .unwrap()
    };
    assert_eq!(app.clone().oneshot(press("cancel")).await.unwrap().status(), StatusCode::SEE_OTHER);
    assert_eq!(app.clone().oneshot(press("authorize")).await.unwrap().status(), StatusCode::SEE_OTHER);
    call(&app, "GET", &format!("/companies/{company_id}/connections"), None, connections).await;
    call(&app, "GET", &format!("/companies/{company_id}/connections/{connection_id}"), None, connection_path)
        .await;
    call(
        &app,
        "GET",
        &format!("/companies/{company_id}/dataStatus"),
        None,
        "/companies/{companyId}/dataStatus",
    )
    .await;
    let history = call(
        &app,
        "GET",
        &format!("/companies/{company_id}/data/history"),
        None,
        "/companies/{companyId}/data/history",
    )
    .await;
    let dataset = history.body["results"][0]["id"].as_str().unwrap().to_owned();
    call(
        &app,
        "GET",
        &format!("/companies/{company_id}/data/history/{dataset}"),
        None,
        "/companies/{companyId}/data/history/{datasetId}",
    )
    .await;
    call(
        &app,
        "POST",
        &format!("/companies/{company_id}/data/queue/invoices"),
        None,
        "/companies/{companyId}/data/queue/{dataType}",
    )
    .await;
    call(&app, "POST", &format!("/companies/{company_id}/data/all"), None, "/companies/{companyId}/data/all")
        .await;
    call(
        &app,
        "PATCH",
        &format!("/companies/{company_id}/connections/{connection_id}"),
        Some(json!({"status": "Unlinked"})),
        connection_path,
    )
    .await;
    assert_eq!(app.clone().oneshot(press("authorize")).await.unwrap().status(), StatusCode::SEE_OTHER);
    call(
        &app,
        "PUT",
        &format!("/companies/{company_id}/connections/{connection_id}/authorization"),
        Some(json!({"token": "x"})),
        "/companies/{companyId}/connections/{connectionId}/authorization",
    )
    .await;

    // Errors: each with Codat's error body and a status the spec declares.
    let unknown = "8a1b7f5c-0000-4000-8000-000000000000";
    let missing = call(&app, "GET", &format!("/companies/{unknown}"), None, one).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let bad_query = call(&app, "GET", "/integrations?query=%7Bname", None, "/integrations").await;
    assert_eq!(bad_query.status, StatusCode::BAD_REQUEST);
    let bad_body = call(&app, "POST", "/companies", Some(json!({"name": ["m"]})), "/companies").await;
    assert_eq!(bad_body.status, StatusCode::BAD_REQUEST);
    let no_connection =
        call(&app, "GET", &format!("/companies/{company_id}/connections/{unknown}"), None, connection_path)
            .await;
    assert_eq!(no_connection.status, StatusCode::NOT_FOUND);
    let unauthorized =
        app.clone().oneshot(Request::get("/companies").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(unauthorized.status(), StatusCode::UNAUTHORIZED);
    let bytes = unauthorized.into_body().collect().await.unwrap().to_bytes();
    validate(
        &platform().response_schema("/companies", "get", StatusCode::UNAUTHORIZED),
        &serde_json::from_slice(&bytes).unwrap(),
        "401",
    );

    // The syncs end (and send their events) before the company is deleted.
    wait_for_events(&inbox, &["read.completed.initial", "read.completed"]).await;
    call(
        &app,
        "DELETE",
        &format!("/companies/{company_id}/connections/{connection_id}"),
        None,
        connection_path,
    )
    .await;
    call(&app, "DELETE", &format!("/companies/{company_id}"), None, one).await;
    wait_for_events(&inbox, &event_types).await;
    for event in inbox.0.lock().unwrap().iter() {
        let event_type = event["eventType"].as_str().unwrap();
        let pointer =
            format!("/webhooks/{}/post/requestBody/content/application~1json/schema", escape(event_type));
        validate(&pointer, event, event_type);
    }
}
