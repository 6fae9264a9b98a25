//! What a lender's session asks of the grid: platforms shown first, and one platform the page
//! opens at, in the frame (a bearer session) and by a one-time link (the cookie session it starts).

use crate::support::router::*;
use axum::http::{header, StatusCode};
use serde_json::{json, Value};

const LENDER: &str = "https://lender.example";

async fn setup() -> Setup {
    setup_with(|config| {
        config.admin_token = Some(ADMIN.into());
        config.frame_ancestors = LENDER.into();
    })
    .await
}

async fn session_of(setup: &Setup, body: Value) -> Reply {
    send(&setup.app, embed_request(Some(ADMIN), &body.to_string())).await
}

#[tokio::test]
async fn a_framed_session_opens_at_its_platform() {
    let setup = setup().await;
    let body = json!({"merchantId": "m-open", "businessName": "Acme", "platform": "gbol"});
    let issued = session_of(&setup, body).await;
    assert_eq!(issued.status, StatusCode::OK, "{}", issued.text);
    let token = issued.body["sessionToken"].as_str().unwrap();
    let session = send(&setup.app, get_with_bearer("/api/session", token)).await;
    assert_eq!(session.body["openingKey"], "gbol");
    assert_eq!(session.body["openingName"], "Xero");
    assert_eq!(session.body["openingKind"], "Accounting");
    // The host page may name another (`embed.js`'s `platform`); one no grid offers opens nothing.
    let asked = send(&setup.app, get_with_bearer("/api/session?platform=mqjo", token)).await;
    assert_eq!(
        (asked.body["openingKey"].as_str(), asked.body["openingName"].as_str()),
        (Some("mqjo"), Some("Sandbox"))
    );
    let unknown = send(&setup.app, get_with_bearer("/api/session?platform=zzzz", token)).await;
    assert_eq!(unknown.status, StatusCode::OK);
    assert!(unknown.body.get("openingKey").is_none(), "{}", unknown.text);

    let plain = session_of(&setup, json!({"merchantId": "m-open", "businessName": "Acme"})).await;
    let token = plain.body["sessionToken"].as_str().unwrap();
    let session = send(&setup.app, get_with_bearer("/api/session", token)).await;
    assert!(session.body.get("openingKey").is_none());
}

#[tokio::test]
async fn a_sessions_featured_platforms_come_first_in_its_grids_and_no_one_elses() {
    let setup = setup().await;
    let keys = |grid: &Reply| -> Vec<String> {
        let cards = grid.body.as_array().unwrap().iter();
        cards.map(|card| card["platformKey"].as_str().unwrap().to_owned()).collect()
    };
    let everyone = keys(&send(&setup.app, get("/api/integrations?sourceType=Accounting", None)).await);
    assert_ne!(everyone[..2], ["qhyg", "gbol"], "the grid's own order differs from the session's");
    let body =
        json!({"merchantId": "m-featured", "businessName": "Acme", "featuredPlatforms": ["qhyg", "gbol"]});
    let token = session_of(&setup, body).await.body["sessionToken"].as_str().unwrap().to_owned();
    let featured =
        keys(&send(&setup.app, get_with_bearer("/api/integrations?sourceType=Accounting", &token)).await);
    assert_eq!(featured[..2], ["qhyg", "gbol"]);
    let rest: Vec<_> = everyone.iter().filter(|key| !["qhyg", "gbol"].contains(&key.as_str())).collect();
    assert_eq!(featured[2..].iter().collect::<Vec<_>>(), rest, "the others keep the grid's order");
    let again = keys(&send(&setup.app, get("/api/integrations?sourceType=Accounting", None)).await);
    assert_eq!(again, everyone, "the shared grid is not reordered");
}

#[tokio::test]
async fn a_platform_no_grid_offers_or_too_many_featured_are_refused_with_the_reason() {
    let setup = setup().await;
    let unknown =
        session_of(&setup, json!({"merchantId": "m-x", "businessName": "Acme", "platform": "xeroo"})).await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert!(unknown.body["message"].as_str().unwrap().contains("\"xeroo\""), "{}", unknown.text);
    let many: Vec<String> = (0..21).map(|n| format!("p{n}")).collect();
    let body = json!({"merchantId": "m-x", "businessName": "Acme", "featuredPlatforms": many});
    assert_eq!(session_of(&setup, body).await.status, StatusCode::BAD_REQUEST);
    let body = json!({"merchantId": "m-x", "businessName": "Acme", "featuredPlatforms": ["a,b"]});
    assert_eq!(session_of(&setup, body).await.status, StatusCode::BAD_REQUEST, "a key is a key");
}

#[tokio::test]
async fn a_link_carries_its_platform_into_the_session_it_starts() {
    let setup = setup().await;
    let body = json!({"merchantId": "m-link", "businessName": "Acme", "delivery": "link",
        "returnUrl": format!("{LENDER}/apply"), "platform": "gbol"});
    let issued = session_of(&setup, body).await;
    assert_eq!(issued.status, StatusCode::OK, "{}", issued.text);
    let path = issued.body["url"].as_str().unwrap().strip_prefix("http://app.test").unwrap().to_owned();
    let opened =
        send(&setup.app, axum::http::Request::post(path).body(axum::body::Body::empty()).unwrap()).await;
    let cookie = opened.headers[header::SET_COOKIE].to_str().unwrap().split(';').next().unwrap().to_owned();
    let session = send(&setup.app, get("/api/session", Some(&cookie))).await;
    assert_eq!(session.body["openingKey"], "gbol");
    assert_eq!(session.body["returnUrl"], format!("{LENDER}/apply"));
}

#[tokio::test]
async fn a_platform_already_linked_is_not_opened_again() {
    let setup = setup().await;
    let body = json!({"merchantId": "m-done", "businessName": "Acme", "platform": "gbol"});
    let token = session_of(&setup, body).await.body["sessionToken"].as_str().unwrap().to_owned();
    let body = consented(&setup.app, "gbol").await;
    let started = send(&setup.app, post_json_with_bearer("/api/connections", &body, &token)).await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.text);
    authorize(started.body["linkUrl"].as_str().unwrap()).await;
    // The owner's page reads the connections, as it does on each visit, and so learns it is linked.
    send(&setup.app, get_with_bearer("/api/connections", &token)).await;
    let session = send(&setup.app, get_with_bearer("/api/session", &token)).await;
    assert!(session.body.get("openingKey").is_none(), "{}", session.text);
}
