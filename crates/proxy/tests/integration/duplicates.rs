//! No duplicates: choosing a platform the business already has a connection to that waits for
//! authorization, or lost its access, continues that connection rather than making a second;
//! a linked bank may have a second account.

use crate::support::router::*;
use axum::http::StatusCode;

async fn started(setup: &Setup, cookie: &str, platform_key: &str) -> (String, String) {
    let body = consented(&setup.app, platform_key).await;
    let answer = send(&setup.app, post("/api/connections", &body, Some(cookie))).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let id = answer.body["connection"]["id"].as_str().unwrap().to_owned();
    (id, answer.body["linkUrl"].as_str().unwrap().to_owned())
}

async fn codat_connections(setup: &Setup, cookie: &str) -> usize {
    let session = send(&setup.app, get("/api/session", Some(cookie))).await;
    let company = session.body["companyId"].as_str().unwrap().to_owned();
    let page =
        crate::support::codat_get(&setup.emulator_url, KEY, &format!("/companies/{company}/connections"))
            .await;
    page["results"].as_array().unwrap().len()
}

#[tokio::test]
async fn a_platform_waiting_for_authorization_is_continued_not_connected_twice() {
    let setup = setup().await;
    let cookie = sign_up(&setup.app, "Twice Ltd").await;
    let (first, _) = started(&setup, &cookie, "gbol").await;
    let (again, link) = started(&setup, &cookie, "gbol").await;
    assert_eq!(again, first, "the same connection");
    assert_eq!(codat_connections(&setup, &cookie).await, 1);
    // Its fresh Link URL works.
    authorize(&link).await;
    let listed = send(&setup.app, get("/api/connections", Some(&cookie))).await;
    assert_eq!(listed.body[0]["status"], "Linked", "{}", listed.text);
}

#[tokio::test]
async fn a_connection_that_lost_its_access_is_reconnected_not_duplicated() {
    let setup = setup().await;
    let cookie = sign_up(&setup.app, "Lost Access Ltd").await;
    let (id, link) = started(&setup, &cookie, "suuo").await;
    authorize(&link).await;
    let session = send(&setup.app, get("/api/session", Some(&cookie))).await;
    let company = session.body["companyId"].as_str().unwrap();
    let url = format!("{}/_emulator/companies/{company}/connections/{id}/deauthorize", setup.emulator_url);
    let revoked =
        reqwest::Client::new().post(url).header("authorization", crate::support::basic(KEY)).send().await;
    assert!(revoked.unwrap().status().is_success());
    let listed = send(&setup.app, get("/api/connections", Some(&cookie))).await;
    assert_eq!(listed.body[0]["status"], "Deauthorized", "{}", listed.text);
    let (again, _) = started(&setup, &cookie, "suuo").await;
    assert_eq!(again, id);
    assert_eq!(codat_connections(&setup, &cookie).await, 1);
}

#[tokio::test]
async fn a_linked_bank_may_have_a_second_account() {
    let setup = setup().await;
    let cookie = sign_up(&setup.app, "Two Accounts Ltd").await;
    let (first, link) = started(&setup, &cookie, "suuo").await;
    authorize(&link).await;
    send(&setup.app, get("/api/connections", Some(&cookie))).await;
    let (second, _) = started(&setup, &cookie, "suuo").await;
    assert_ne!(second, first);
    assert_eq!(codat_connections(&setup, &cookie).await, 2);
}
