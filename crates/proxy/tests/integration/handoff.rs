//! "Someone else handles our books": the owner names the person, the server makes a one-time
//! link handed to the lender with `merchant.handoff_requested`, the person links in their own
//! name through it, and the lender sees whom the merchant waits on and may revoke it.

use crate::support::router::*;
use axum::http::{header, StatusCode};
use http_body_util::BodyExt as _;
use serde_json::{json, Value};
use tower::ServiceExt as _;

async fn setup() -> Setup {
    setup_with(|config| config.admin_token = Some(ADMIN.into())).await
}

async fn hand_off(setup: &Setup, token: &str, body: Value) -> Reply {
    send(&setup.app, post_json_with_bearer("/api/handoffs", &body.to_string(), token)).await
}

#[tokio::test]
async fn the_person_an_owner_hands_off_to_links_in_their_own_name_and_the_lender_knows_whom_it_waits_on() {
    let setup = setup().await;
    let token = lender_session(&setup, "m-handoff").await;
    let asked = hand_off(&setup, &token, json!({"person": "  Dana  Patel ", "note": "Xero, please"})).await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.text);
    let url = asked.body["url"].as_str().unwrap().to_owned();
    let told = stored_events(&setup, "merchant.handoff_requested").await;
    assert_eq!(told.len(), 1);
    let data = &told[0]["data"];
    assert_eq!((data["person"].as_str(), data["note"].as_str()), (Some("Dana Patel"), Some("Xero, please")));
    assert_eq!(data["link"].as_str(), Some(url.as_str()));
    let status = send(&setup.app, get_with_bearer("/v1/merchants/m-handoff", ADMIN)).await;
    assert_eq!(status.body["waitingOn"]["person"], "Dana Patel", "{}", status.text);
    assert_eq!(status.body["waitingOn"]["handoffId"], data["handoffId"]);

    // The accountant, in their own browser, agrees and links.
    let (cookie, to) = open_start_link(&setup, &url).await;
    assert_eq!(to, "/connect");
    let cookie = cookie.expect("a session for the accountant");
    let body = consented(&setup.app, "gbol").await;
    let started = send(&setup.app, post("/api/connections", &body, Some(&cookie))).await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.text);
    authorize(started.body["linkUrl"].as_str().unwrap()).await;
    let receipts = send(&setup.app, get_with_bearer("/v1/merchants/m-handoff/consents", ADMIN)).await;
    assert_eq!(receipts.body[0]["handoffPerson"], "Dana Patel", "{}", receipts.text);
    // The owner's own list shows the connection the accountant made.
    let mine = send(&setup.app, get_with_bearer("/api/connections", &token)).await;
    assert_eq!(mine.body.as_array().unwrap().len(), 1, "{}", mine.text);

    // A hand-off's session does not hand off again.
    let again =
        send(&setup.app, post("/api/handoffs", &json!({"person": "Someone"}).to_string(), Some(&cookie)))
            .await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST, "{}", again.text);
    assert_eq!(open_start_link(&setup, &url).await, (None, "/?problem=link".to_owned()), "one time");
}

#[tokio::test]
async fn the_lender_revokes_a_hand_off_its_link_and_the_sessions_it_started() {
    let setup = setup().await;
    let token = lender_session(&setup, "m-revoke").await;
    let first =
        hand_off(&setup, &token, json!({"person": "Sam"})).await.body["url"].as_str().unwrap().to_owned();
    let (cookie, _) = open_start_link(&setup, &first).await;
    let cookie = cookie.unwrap();
    let stream = setup.app.clone().oneshot(get("/api/events", Some(&cookie))).await.unwrap();
    assert_eq!(stream.status(), StatusCode::OK);
    let second =
        hand_off(&setup, &token, json!({"person": "Lee"})).await.body["url"].as_str().unwrap().to_owned();
    let ids: Vec<String> = stored_events(&setup, "merchant.handoff_requested")
        .await
        .iter()
        .map(|event| event["data"]["handoffId"].as_str().unwrap().to_owned())
        .collect();
    let revoke = |id: &str| {
        axum::http::Request::delete(format!("/v1/merchants/m-revoke/handoffs/{id}"))
            .header(header::AUTHORIZATION, format!("Bearer {ADMIN}"))
            .body(axum::body::Body::empty())
            .unwrap()
    };
    assert_eq!(send(&setup.app, revoke(&ids[0])).await.status, StatusCode::NO_CONTENT);
    assert_eq!(send(&setup.app, revoke(&ids[0])).await.status, StatusCode::NOT_FOUND, "once");
    // The accountant's open event stream ends (a live stream never would: it only keeps alive).
    let ended = tokio::time::timeout(std::time::Duration::from_secs(10), stream.into_body().collect()).await;
    assert!(ended.is_ok(), "the revoked hand-off's event stream is still open");
    assert_eq!(send(&setup.app, get("/api/session", Some(&cookie))).await.status, StatusCode::UNAUTHORIZED);
    let status = send(&setup.app, get_with_bearer("/v1/merchants/m-revoke", ADMIN)).await;
    assert_eq!(status.body["waitingOn"]["person"], "Lee", "the latest hand-off in force");
    assert_eq!(send(&setup.app, revoke(&ids[1])).await.status, StatusCode::NO_CONTENT);
    assert_eq!(
        open_start_link(&setup, &second).await,
        (None, "/?problem=link".to_owned()),
        "an unused link stops working"
    );
    let status = send(&setup.app, get_with_bearer("/v1/merchants/m-revoke", ADMIN)).await;
    assert!(status.body.get("waitingOn").is_none(), "{}", status.text);
}

#[tokio::test]
async fn a_hand_off_needs_a_name_and_a_session_and_keeps_its_words_short() {
    let setup = setup().await;
    let token = lender_session(&setup, "m-bad").await;
    for body in [
        json!({"person": "   "}),
        json!({"person": "x".repeat(81)}),
        json!({"person": "Dana", "note": "x".repeat(301)}),
        json!({"note": "no one"}),
    ] {
        let refused = hand_off(&setup, &token, body.clone()).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{body}: {}", refused.text);
        assert!(refused.body["message"].is_string(), "{}", refused.text);
    }
    let anonymous =
        send(&setup.app, post("/api/handoffs", &json!({"person": "Dana"}).to_string(), None)).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert!(stored_events(&setup, "merchant.handoff_requested").await.is_empty());
}
