//! The same company: after each new read of the business at the accounting platform, its name
//! and registration number are compared with the ones read before; a reconnect to another
//! company is kept with the one before it, shown on the owner's connection and sent to the
//! lender as `merchant.connection.identity_changed`, once.

use crate::support::{basic, router::*};
use axum::http::StatusCode;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

async fn setup() -> Setup {
    setup_with_emulator(
        |emulator| emulator.sync_duration = Duration::from_millis(200),
        |config| config.admin_token = Some(ADMIN.into()),
    )
    .await
}

/// Reads the sync's progress as the page does until `done` holds, for at most ten seconds.
async fn sync_until(setup: &Setup, token: &str, done: impl AsyncFn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let sync = send(&setup.app, get_with_bearer("/api/sync", token)).await;
        assert_eq!(sync.status, StatusCode::OK, "{}", sync.text);
        if done().await {
            return;
        }
        assert!(Instant::now() < deadline, "never done: {}", sync.text);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn emulator_call(setup: &Setup, path: &str, body: Option<Value>) {
    let http = reqwest::Client::new();
    let url = format!("{}{path}", setup.emulator_url);
    let request = match body {
        Some(body) => http.put(url).json(&body),
        None => http.post(url),
    };
    let answer = request.header("authorization", basic(KEY)).send().await.unwrap();
    assert!(answer.status().is_success(), "{path}: {}", answer.status());
}

#[tokio::test]
async fn a_reconnect_to_another_company_is_shown_to_the_owner_and_told_to_the_lender() {
    let setup = setup().await;
    let token = lender_session(&setup, "m-same").await;
    let body = consented(&setup.app, "gbol").await;
    let started = send(&setup.app, post_json_with_bearer("/api/connections", &body, &token)).await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.text);
    let id = started.body["connection"]["id"].as_str().unwrap().to_owned();
    authorize(started.body["linkUrl"].as_str().unwrap()).await;
    let status = || async { send(&setup.app, get_with_bearer("/v1/merchants/m-same", ADMIN)).await.body };
    sync_until(&setup, &token, || async { !status().await["companyIdentity"].is_null() }).await;
    let first = status().await;
    let company = first["companyId"].as_str().unwrap().to_owned();
    assert!(first["companyIdentity"]["previous"].is_null(), "{first}");
    assert!(stored_events(&setup, "merchant.connection.identity_changed").await.is_empty(), "a first read");

    // At the platform, the owner reconnects to another company.
    let other = json!({"companyName": "Other Trading Ltd", "registrationNumber": "99999999"});
    emulator_call(&setup, &format!("/_emulator/companies/{company}/info"), Some(other)).await;
    emulator_call(&setup, &format!("/_emulator/companies/{company}/connections/{id}/deauthorize"), None)
        .await;
    let relinked =
        send(&setup.app, post_json_with_bearer(&format!("/api/connections/{id}/link"), "{}", &token)).await;
    assert_eq!(relinked.status, StatusCode::OK, "{}", relinked.text);
    authorize(relinked.body["linkUrl"].as_str().unwrap()).await;
    sync_until(&setup, &token, || async {
        !stored_events(&setup, "merchant.connection.identity_changed").await.is_empty()
    })
    .await;

    let told = stored_events(&setup, "merchant.connection.identity_changed").await;
    assert_eq!(told.len(), 1);
    let data = &told[0]["data"];
    assert_eq!(data["previous"]["companyName"], first["companyIdentity"]["companyName"]);
    assert_eq!(
        data["current"],
        json!({"companyName": "Other Trading Ltd", "registrationNumber": "99999999"})
    );
    assert_eq!(data["connectionId"], id.as_str());
    let now = status().await;
    assert_eq!(now["companyIdentity"]["companyName"], "Other Trading Ltd", "{now}");
    assert_eq!(now["companyIdentity"]["previous"], data["previous"]);
    let listed = send(&setup.app, get_with_bearer("/api/connections", &token)).await;
    assert_eq!(listed.body[0]["companyNow"], "Other Trading Ltd (99999999)", "{}", listed.text);
    assert!(listed.body[0]["companyWas"]
        .as_str()
        .unwrap()
        .starts_with(first["companyIdentity"]["companyName"].as_str().unwrap()));

    // Reading the same business again tells no one again.
    let company_read = || async {
        let statuses =
            crate::support::codat_get(&setup.emulator_url, KEY, &format!("/companies/{company}/dataStatus"))
                .await;
        statuses["company"]["latestSuccessfulSyncId"].clone()
    };
    let read_before = company_read().await;
    let refreshed = send(&setup.app, post_json_with_bearer("/api/sync/refresh", "{}", &token)).await;
    assert_eq!(refreshed.status, StatusCode::NO_CONTENT);
    sync_until(&setup, &token, || async { company_read().await != read_before }).await;
    send(&setup.app, get_with_bearer("/api/sync", &token)).await;
    assert_eq!(stored_events(&setup, "merchant.connection.identity_changed").await.len(), 1);
}
