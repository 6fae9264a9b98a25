//! A sign-up storm: 200 concurrent session requests for 20 merchants while the emulator loses
//! the answers to some company creations (after creating the company). Retrying like a lender's
//! backend would, every merchant ends with exactly one company.

use axum::{
    body::Body,
    http::{header, Request, StatusCode},
    Router,
};
use codat_connect_proxy::{app, build_state, config::Config};
use http_body_util::BodyExt as _;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use tower::ServiceExt as _;

const KEY: &str = "storm-key";
const ADMIN: &str = "storm-admin-0123456789abcdefghijklmnop";

async fn session(app: &Router, merchant: &str) -> (StatusCode, Value) {
    let body = json!({"merchantId": merchant, "businessName": "Storm Ltd"}).to_string();
    let request = Request::post("/v1/sessions")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, format!("Bearer {ADMIN}"))
        .body(Body::from(body))
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

/// Asks until a session is given, as a lender's backend retries a failed call.
async fn session_with_retries(app: &Router, merchant: &str) -> (String, u32) {
    for attempt in 1..=30 {
        let (status, body) = session(app, merchant).await;
        if status == StatusCode::OK {
            return (body["companyId"].as_str().unwrap().to_owned(), attempt - 1);
        }
        assert!(status.is_server_error(), "only upstream failures are retried: {status} {body}");
    }
    panic!("{merchant} got no session in 30 attempts");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_concurrent_requests_for_twenty_merchants_make_twenty_companies() {
    let (emulator_url, emulator) = crate::support::spawn_emulator(KEY, |_| {}).await;
    emulator.faults.set(
        serde_json::from_value(json!({"seed": 2026, "rules": [
            {"path": "/companies", "method": "POST", "kind": "dropAfter", "probability": 0.3}
        ]}))
        .unwrap(),
    );

    let dir = tempfile::tempdir().unwrap();
    let mut config =
        Config::local(format!("sqlite://{}", dir.path().join("db").display()), dir.path().join("dist"));
    config.codat_api_key = Some(KEY.into());
    config.codat_base_url = emulator_url.clone();
    config.admin_token = Some(ADMIN.into());
    let app = app(build_state(&config, "http://app.test", "127.0.0.1:1".parse().unwrap()).await.unwrap());

    let merchants: Vec<String> = (0..20).map(|i| format!("storm-{i:02}")).collect();
    let requests = merchants.iter().cycle().take(200).map(|merchant| session_with_retries(&app, merchant));
    let answers: Vec<(String, u32)> = futures_util::future::join_all(requests).await;
    let retried: u32 = answers.iter().map(|(_, retries)| retries).sum();
    assert!(retried > 0, "the faults fired (the test would prove nothing otherwise)");

    let mut company_of: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (merchant, (company, _)) in merchants.iter().cycle().zip(&answers) {
        company_of.entry(merchant).or_default().insert(company);
    }
    assert_eq!(company_of.len(), 20);
    assert!(
        company_of.values().all(|companies| companies.len() == 1),
        "each merchant was always given one company"
    );

    let page = crate::support::codat_get(&emulator_url, KEY, "/companies?pageSize=500").await;
    assert_eq!(page["totalResults"], 20, "Codat holds exactly twenty companies");
    let names: BTreeSet<&str> =
        page["results"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names.len(), 20, "one company per merchant name");
}

#[tokio::test]
async fn two_deployments_sharing_a_key_never_adopt_each_others_companies() {
    let (emulator_url, emulator) = crate::support::spawn_emulator(KEY, |_| {}).await;
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let mut deployments = Vec::new();
    for dir in &dirs {
        let mut config =
            Config::local(format!("sqlite://{}", dir.path().join("db").display()), dir.path().join("dist"));
        config.codat_api_key = Some(KEY.into());
        config.codat_base_url = emulator_url.clone();
        config.admin_token = Some(ADMIN.into());
        deployments.push(app(build_state(&config, "http://app.test", "127.0.0.1:1".parse().unwrap())
            .await
            .unwrap()));
    }
    let (status, first) = session(&deployments[0], "merchant-7").await;
    assert_eq!(status, StatusCode::OK, "{first}");

    // The second deployment's creation is answered into the void; its retry finds the company
    // it made by its own tags, not the first deployment's company of the same name.
    emulator.faults.set(
        serde_json::from_value(json!({"rules": [
            {"path": "/companies", "method": "POST", "kind": "dropAfter", "times": 1}
        ]}))
        .unwrap(),
    );
    let (lost, _) = session(&deployments[1], "merchant-7").await;
    assert!(lost.is_server_error(), "the answer was lost: {lost}");
    let (status, second) = session(&deployments[1], "merchant-7").await;
    assert_eq!(status, StatusCode::OK, "{second}");
    assert_ne!(first["companyId"], second["companyId"]);

    let page = crate::support::codat_get(&emulator_url, KEY, "/companies?pageSize=500").await;
    assert_eq!(page["totalResults"], 2, "one company per deployment, none made twice");
}
