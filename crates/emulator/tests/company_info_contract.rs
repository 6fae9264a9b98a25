//! Contract test of company information (`GET /companies/{companyId}/data/info`, from
//! `crates/codat/spec/Codat-Spend-Insights.json`, the same operation as in Codat's Accounting and
//! Lending APIs): 404 until the company's accounting platform has been read, then what the
//! latest read found, valid against the spec's schema.

use axum::{
    body::Body,
    http::{header, Request, StatusCode},
    Router,
};
use codat_emulator::{router, Emulator, EmulatorConfig};
use serde_json::{json, Value};
use spec_check::{Spec, BASIC};
use std::{sync::OnceLock, time::Duration};
use tower::ServiceExt as _;

mod spec_check;

fn info_spec() -> Spec {
    static SPEC: OnceLock<Value> = OnceLock::new();
    Spec(SPEC.get_or_init(|| {
        serde_json::from_str(include_str!("../../codat/spec/Codat-Spend-Insights.json"))
            .expect("the spec is JSON")
    }))
}

fn platform_spec() -> Spec {
    static SPEC: OnceLock<Value> = OnceLock::new();
    Spec(SPEC.get_or_init(|| {
        serde_json::from_str(include_str!("../../codat/spec/Codat-Platform.json")).expect("the spec is JSON")
    }))
}

const INFO: &str = "/companies/{companyId}/data/info";

/// Presses the Link page's "authorize" for a connection.
async fn authorize(app: &Router, company_id: &str, connection_id: &str) {
    let complete = format!("/link-api/companies/{company_id}/connections/{connection_id}/complete");
    let request = Request::post(complete)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("outcome=authorize"))
        .unwrap();
    assert_eq!(app.clone().oneshot(request).await.unwrap().status(), StatusCode::SEE_OTHER);
}

/// Asks for the company's information until `found` holds of the answer (reads end on the
/// clock), for at most ten seconds.
async fn info_once(app: &Router, company_id: &str, found: impl Fn(&Value) -> bool) -> Value {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let answer =
            info_spec().call(app, "GET", &format!("/companies/{company_id}/data/info"), None, INFO).await;
        if answer.status == StatusCode::OK && found(&answer.body) {
            return answer.body;
        }
        assert!(std::time::Instant::now() < deadline, "never found: {}", answer.body);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn company_information_is_what_the_latest_read_of_the_company_found() {
    let mut config = EmulatorConfig::new("http://emulator.test", "key", "https://app.test/cb");
    config.sync_duration = Duration::from_millis(100);
    let app = router(Emulator::new(config));
    let company =
        platform_spec().call(&app, "POST", "/companies", Some(json!({"name": "m_1"})), "/companies").await;
    let company_id = company.body["id"].as_str().unwrap().to_owned();
    let info = format!("/companies/{company_id}/data/info");
    let before = info_spec().call(&app, "GET", &info, None, INFO).await;
    assert_eq!(before.status, StatusCode::NOT_FOUND, "nothing read yet");

    let path = format!("/companies/{company_id}/connections");
    let created = platform_spec()
        .call(&app, "POST", &path, Some(json!({"platformKey": "mqjo"})), "/companies/{companyId}/connections")
        .await;
    authorize(&app, &company_id, created.body["id"].as_str().unwrap()).await;
    // The platform's business changes while the first read is under way: that read found the
    // business as it was.
    let set = Request::put(format!("/_emulator/companies/{company_id}/info"))
        .header(header::AUTHORIZATION, BASIC)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(json!({"companyName": "Other Ltd", "registrationNumber": "99999999"}).to_string()))
        .unwrap();
    assert_eq!(app.clone().oneshot(set).await.unwrap().status(), StatusCode::NO_CONTENT);
    let first = info_once(&app, &company_id, |_| true).await;
    assert_eq!(first["companyName"], "m_1");
    assert_ne!(first["registrationNumber"], "99999999");

    // A later read finds the business as the platform has it then.
    let refresh = format!("/companies/{company_id}/data/all");
    platform_spec().call(&app, "POST", &refresh, None, "/companies/{companyId}/data/all").await;
    let later = info_once(&app, &company_id, |body| body["companyName"] == "Other Ltd").await;
    assert_eq!(later["registrationNumber"], "99999999");
}
