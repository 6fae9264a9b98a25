//! The platforms' health: Link attempts that end failed at the platform, as Codat reports them,
//! mark a platform degraded in the grid and tell the lender, once; the owner's word alone does
//! not; links and time bring it back.

use crate::support::router::*;
use axum::http::StatusCode;
use serde_json::{json, Value};

const XERO: &str = "gbol";

async fn setup(degraded_after: u32) -> Setup {
    setup_with(|config| {
        config.admin_token = Some(ADMIN.into());
        config.degraded_after_failures = degraded_after;
    })
    .await
}

/// A new business starts a connection to Xero and presses Authorize on its Link page; the page
/// then reports the return with the status Codat's redirect carried.
async fn attempt(setup: &Setup, business: &str) {
    let token = lender_session(setup, business).await;
    let body = consented(&setup.app, XERO).await;
    let started = send(&setup.app, post_json_with_bearer("/api/connections", &body, &token)).await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.text);
    let connection_id = started.body["connection"]["id"].as_str().unwrap().to_owned();
    let link = url::Url::parse(started.body["linkUrl"].as_str().unwrap()).unwrap();
    let state = link.query_pairs().find(|(name, _)| name == "state").unwrap().1.into_owned();
    let complete = link.as_str().split('?').next().unwrap().replace("/start", "/complete");
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let answer = client.post(complete).form(&[("outcome", "authorize")]).send().await.unwrap();
    let redirect = answer.headers()["location"].to_str().unwrap().to_owned();
    let status: u16 = url::Url::parse(&redirect)
        .unwrap()
        .query_pairs()
        .find(|(name, _)| name == "statusCode")
        .map(|(_, value)| value.parse().unwrap())
        .unwrap();
    if status == 200 {
        let body = json!({"connectionId": connection_id, "state": state}).to_string();
        let confirmed = send(&setup.app, post_json_with_bearer("/api/callback", &body, &token)).await;
        assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.text);
    } else {
        report_return(setup, &token, &connection_id, status).await;
    }
}

async fn report_return(setup: &Setup, token: &str, connection_id: &str, status: u16) {
    let step = json!({"step": "link_returned", "connectionId": connection_id, "statusCode": status});
    let reported = send(&setup.app, post_json_with_bearer("/api/funnel", &step.to_string(), token)).await;
    assert_eq!(reported.status, StatusCode::NO_CONTENT, "{}", reported.text);
}

async fn xero_card(setup: &Setup) -> Value {
    let grid = send(&setup.app, get("/api/integrations?sourceType=Accounting", None)).await;
    grid.body.as_array().unwrap().iter().find(|card| card["platformKey"] == XERO).unwrap().clone()
}

async fn xero_health(setup: &Setup) -> Value {
    let health = send(&setup.app, get_with_bearer("/v1/platforms", ADMIN)).await;
    assert_eq!(health.status, StatusCode::OK, "{}", health.text);
    let platforms = health.body["platforms"].as_array().unwrap().iter();
    platforms.clone().find(|platform| platform["platformKey"] == XERO).cloned().unwrap_or(Value::Null)
}

#[tokio::test]
async fn a_platform_most_businesses_fail_at_is_marked_degraded_and_the_lender_told_once() {
    let setup = setup(3).await;
    setup.emulator.set_link_failing(XERO, true);
    attempt(&setup, "failing-one").await;
    attempt(&setup, "failing-two").await;
    assert!(xero_card(&setup).await.get("degraded").is_none(), "two businesses are too few");
    attempt(&setup, "failing-three").await;
    assert_eq!(xero_card(&setup).await["degraded"], true);
    let health = xero_health(&setup).await;
    assert_eq!(
        (health["degraded"].clone(), health["lastHour"].clone()),
        (json!(true), json!({"linked": 0, "failed": 3}))
    );
    let degraded = stored_events(&setup, "platform.degraded").await;
    assert_eq!(degraded.len(), 1);
    assert_eq!(degraded[0]["data"]["platformKey"], XERO);
    assert_eq!(degraded[0]["data"]["platformName"], "Xero");
    assert_eq!(degraded[0]["data"]["failedBusinesses"], 3);

    // A fourth failure changes nothing the lender hears.
    attempt(&setup, "failing-four").await;
    assert_eq!(stored_events(&setup, "platform.degraded").await.len(), 1);

    // Mended: once links are as many as failures, it has recovered.
    setup.emulator.set_link_failing(XERO, false);
    for business in ["linked-one", "linked-two", "linked-three"] {
        attempt(&setup, business).await;
        assert_eq!(xero_card(&setup).await["degraded"], true, "still more failures than links");
    }
    attempt(&setup, "linked-four").await;
    assert!(xero_card(&setup).await.get("degraded").is_none());
    let recovered = stored_events(&setup, "platform.recovered").await;
    assert_eq!(recovered.len(), 1);
    assert_eq!(
        (recovered[0]["data"]["failedBusinesses"].clone(), recovered[0]["data"]["linkedBusinesses"].clone()),
        (json!(4), json!(4))
    );
    assert_eq!(xero_health(&setup).await["degraded"], false);
}

#[tokio::test]
async fn an_owners_word_that_the_platform_failed_does_not_count_without_codats() {
    let setup = setup(1).await;
    let token = lender_session(&setup, "says-it-failed").await;
    let body = consented(&setup.app, XERO).await;
    let started = send(&setup.app, post_json_with_bearer("/api/connections", &body, &token)).await;
    let connection_id = started.body["connection"]["id"].as_str().unwrap().to_owned();
    // The Link page was never used: Codat shows no error on the connection.
    report_return(&setup, &token, &connection_id, 500).await;
    assert!(xero_card(&setup).await.get("degraded").is_none());
    assert!(stored_events(&setup, "platform.degraded").await.is_empty());
    assert_eq!(xero_health(&setup).await, Value::Null, "no attempt has ended");
}

#[tokio::test]
async fn a_degraded_platform_recovers_once_its_failures_are_older_than_an_hour() {
    let setup = setup(1).await;
    setup.emulator.set_link_failing(XERO, true);
    attempt(&setup, "failed-long-ago").await;
    assert_eq!(xero_card(&setup).await["degraded"], true);
    // Nothing changes while the failure is recent.
    codat_connect_proxy::facts::platforms_rejudged(&setup.state).await.unwrap();
    assert!(stored_events(&setup, "platform.recovered").await.is_empty());
    let mut db = <sqlx::SqliteConnection as sqlx::Connection>::connect(&setup.database_url).await.unwrap();
    sqlx::query("UPDATE link_attempts SET ended_at = ended_at - 3601").execute(&mut db).await.unwrap();
    codat_connect_proxy::facts::platforms_rejudged(&setup.state).await.unwrap();
    assert_eq!(stored_events(&setup, "platform.recovered").await.len(), 1);
    assert!(xero_card(&setup).await.get("degraded").is_none());
    let health = xero_health(&setup).await;
    assert_eq!(
        (health["lastHour"]["failed"].clone(), health["lastDay"]["failed"].clone()),
        (json!(0), json!(1))
    );
}

#[tokio::test]
async fn the_platforms_health_is_only_for_the_lender() {
    let setup = setup(3).await;
    assert_eq!(send(&setup.app, get("/v1/platforms", None)).await.status, StatusCode::UNAUTHORIZED);
    let token = lender_session(&setup, "curious-owner").await;
    assert_eq!(
        send(&setup.app, get_with_bearer("/v1/platforms", &token)).await.status,
        StatusCode::UNAUTHORIZED
    );
}
