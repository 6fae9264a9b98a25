//! A flow delivered by link: a one-time URL starts a session in whatever browser opens it, a
//! return from Link in another browser (a platform's app switch) is still accepted for such an
//! owner, and "Done" knows where to send them.

mod support;

use axum::http::{header, StatusCode};
use serde_json::{json, Value};
use support::router::*;

const LENDER: &str = "https://lender.example";

async fn link(setup: &Setup, merchant: &str) -> Value {
    let body = json!({"merchantId": merchant, "businessName": "Acme", "delivery": "link",
        "returnUrl": format!("{LENDER}/apply?id=7")});
    let answer = send(&setup.app, embed_request(Some(ADMIN), &body.to_string())).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    answer.body
}

/// Presses the link page's button (`POST` to the link); the session cookie it sets, if any, and
/// where it sends the browser.
async fn open(setup: &Setup, url: &str) -> (Option<String>, String) {
    let path = url.strip_prefix("http://app.test").expect("a link to this server");
    let request = axum::http::Request::post(path).body(axum::body::Body::empty()).unwrap();
    let answer = send(&setup.app, request).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    let cookie = answer
        .headers
        .get(header::SET_COOKIE)
        .map(|c| c.to_str().unwrap().split(';').next().unwrap().to_owned());
    (cookie, answer.headers[header::LOCATION].to_str().unwrap().to_owned())
}

async fn setup() -> Setup {
    setup_with(|config| {
        config.admin_token = Some(ADMIN.into());
        config.frame_ancestors = LENDER.into();
    })
    .await
}

#[tokio::test]
async fn a_link_opens_once_and_returns_only_to_the_lenders_origin() {
    let setup = setup().await;
    for (body, why) in [
        (json!({"merchantId": "m-1", "businessName": "Acme", "delivery": "link"}), "no returnUrl"),
        (
            json!({"merchantId": "m-1", "businessName": "Acme", "delivery": "link", "returnUrl": "https://evil.example/"}),
            "a foreign origin",
        ),
        (
            json!({"merchantId": "m-1", "businessName": "Acme", "delivery": "link", "returnUrl": "javascript:alert(1)"}),
            "not http",
        ),
    ] {
        let refused = send(&setup.app, embed_request(Some(ADMIN), &body.to_string())).await;
        assert_eq!(refused.status, 400, "{why}: {}", refused.text);
    }
    let session = link(&setup, "m-1").await;
    let url = session["url"].as_str().unwrap().to_owned();
    assert!(url.starts_with("http://app.test/start/"), "{url}");
    // Fetching the link (an e-mail scanner does) shows its button and uses nothing up.
    let path = url.strip_prefix("http://app.test").unwrap();
    for _ in 0..2 {
        let page = send(&setup.app, get(path, None)).await;
        assert_eq!(page.status, 200);
        assert!(page.text.contains(&format!(r#"<form method="post" action="{path}">"#)), "{}", page.text);
        assert!(page.headers.get(header::SET_COOKIE).is_none());
    }
    let (cookie, to) = open(&setup, &url).await;
    assert_eq!(to, "/connect");
    let cookie = cookie.expect("a session in this browser");
    let mine = send(&setup.app, get("/api/session", Some(&cookie))).await;
    assert_eq!(mine.body["merchantId"], "m-1");
    assert_eq!(mine.body["returnUrl"], format!("{LENDER}/apply?id=7"));
    let (again, to) = open(&setup, &url).await;
    assert_eq!((again, to.as_str()), (None, "/?problem=link"), "one time");
    let (_, to) = open(&setup, "http://app.test/start/made-up").await;
    assert_eq!(to, "/?problem=link");
}

#[tokio::test]
async fn a_return_in_another_browser_is_accepted_once_for_an_owner_who_came_by_link() {
    let setup = setup().await;
    let session = link(&setup, "m-2").await;
    let (cookie, _) = open(&setup, session["url"].as_str().unwrap()).await;
    let (connection, _) = start_connection(&setup.app, &cookie.unwrap(), "mqjo").await;
    let body = json!({"connectionId": connection, "state": ""}).to_string();
    // The platform's app sent the owner back into another browser: no cookie there.
    let returned = send(&setup.app, post("/api/callback", &body, None)).await;
    assert_eq!(returned.status, 200, "{}", returned.text);
    let there = returned.headers[header::SET_COOKIE].to_str().unwrap().split(';').next().unwrap().to_owned();
    assert_eq!(send(&setup.app, get("/api/session", Some(&there))).await.body["merchantId"], "m-2");
    let replayed = send(&setup.app, post("/api/callback", &body, None)).await;
    assert_eq!(replayed.status, 401, "used once: {}", replayed.text);

    // An owner who signed up here (no lender's link) must come back in the same browser.
    let standalone = setup_with(|config| config.admin_token = None).await;
    let signed_up = sign_up(&standalone.app, "Local Ltd").await;
    let (connection, _) = start_connection(&standalone.app, &signed_up, "mqjo").await;
    let body = json!({"connectionId": connection, "state": ""}).to_string();
    assert_eq!(send(&standalone.app, post("/api/callback", &body, None)).await.status, 401);
}
