//! A flow delivered by link: a one-time URL starts a session in whatever browser opens it, a
//! return from Link in another browser (a platform's app switch) is still accepted for such an
//! owner, and "Done" knows where to send them.

use crate::support::router::*;
use axum::http::{header, StatusCode};
use serde_json::{json, Value};

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
    let (cookie, to) = open_start_link(&setup, &url).await;
    assert_eq!(to, "/connect");
    let cookie = cookie.expect("a session in this browser");
    let mine = send(&setup.app, get("/api/session", Some(&cookie))).await;
    assert_eq!(mine.body["merchantId"], "m-1");
    assert_eq!(mine.body["returnUrl"], format!("{LENDER}/apply?id=7"));
    let (again, to) = open_start_link(&setup, &url).await;
    assert_eq!((again, to.as_str()), (None, "/?problem=link"), "one time");
    let (_, to) = open_start_link(&setup, "http://app.test/start/made-up").await;
    assert_eq!(to, "/?problem=link");
}

/// Starts a connection in a session and authorizes it on the emulator's Link page: its id and
/// the `state` value its Link URL carried.
async fn authorized_connection(setup: &Setup, cookie: &str) -> (String, String) {
    let body = consented(&setup.app, "mqjo").await;
    let started = send(&setup.app, post("/api/connections", &body, Some(cookie))).await;
    assert_eq!(started.status, 200, "{}", started.text);
    let link_url = started.body["linkUrl"].as_str().unwrap();
    let link = url::Url::parse(link_url).unwrap();
    let link_state = link.query_pairs().find(|(k, _)| k == "state").map(|(_, v)| v.into_owned()).unwrap();
    authorize(link_url).await;
    (started.body["connection"]["id"].as_str().unwrap().to_owned(), link_state)
}

fn set_cookie(reply: &Reply) -> Option<&str> {
    reply.headers.get(header::SET_COOKIE).map(|c| c.to_str().unwrap())
}

#[tokio::test]
async fn a_connection_id_alone_earns_no_session_only_that_connections_outcome() {
    let setup = setup().await;
    let session = link(&setup, "m-2").await;
    let (cookie, _) = open_start_link(&setup, session["url"].as_str().unwrap()).await;
    let cookie = cookie.unwrap();
    let (connection, _) = authorized_connection(&setup, &cookie).await;

    // The attack as found: a known connection id with an empty state, from another browser.
    let attack = json!({"connectionId": connection, "state": ""}).to_string();
    let refused = send(&setup.app, post("/api/callback", &attack, None)).await;
    assert_eq!(refused.status, 401, "an empty state is a wrong one: {}", refused.text);
    assert_eq!(set_cookie(&refused), None);
    let wrong = json!({"connectionId": connection, "state": "guessed"}).to_string();
    assert_eq!(send(&setup.app, post("/api/callback", &wrong, None)).await.status, 401);

    // Codat carried no state back (the app switch of a platform's OAuth): the outcome of that
    // connection and the way back to the lender, and nothing more.
    let bare = json!({"connectionId": connection}).to_string();
    let outcome = send(&setup.app, post("/api/callback", &bare, None)).await;
    assert_eq!(outcome.status, 200, "{}", outcome.text);
    assert_eq!(set_cookie(&outcome), None, "no session for a connection id");
    assert_eq!(outcome.body["connection"]["status"], "Linked");
    assert_eq!(
        outcome.body["finishUrl"],
        format!("{LENDER}/apply?id=7&codat_connect=finished&complete=Accounting&missing=&skipped=Banking,Commerce")
    );
    assert!(outcome.body.get("merchantId").is_none() && !outcome.text.contains("m-2"), "{}", outcome.text);

    // The owner's own return, in the browser that started it, is not used up by any of that.
    let mine = send(&setup.app, post("/api/callback", &bare, Some(&cookie))).await;
    assert_eq!(mine.status, 200, "{}", mine.text);
    assert_eq!(mine.body["finishUrl"], Value::Null);
}

#[tokio::test]
async fn the_journeys_state_earns_a_session_in_another_browser_once() {
    let setup = setup().await;
    let session = link(&setup, "m-3").await;
    let (cookie, _) = open_start_link(&setup, session["url"].as_str().unwrap()).await;
    let (connection, link_state) = authorized_connection(&setup, &cookie.unwrap()).await;
    let body = json!({"connectionId": connection, "state": link_state}).to_string();
    let returned = send(&setup.app, post("/api/callback", &body, None)).await;
    assert_eq!(returned.status, 200, "{}", returned.text);
    let there = set_cookie(&returned).expect("a session").split(';').next().unwrap().to_owned();
    let mine = send(&setup.app, get("/api/session", Some(&there))).await;
    assert_eq!(mine.body["merchantId"], "m-3");
    assert_eq!(mine.body["returnUrl"], format!("{LENDER}/apply?id=7"));
    let replayed = send(&setup.app, post("/api/callback", &body, None)).await;
    assert_eq!(replayed.status, 401, "used once: {}", replayed.text);
}

#[tokio::test]
async fn eligibility_ends_with_the_links_session() {
    let setup = setup().await;
    let session = link(&setup, "m-4").await;
    let (cookie, _) = open_start_link(&setup, session["url"].as_str().unwrap()).await;
    let cookie = cookie.unwrap();
    let (connection, _) = authorized_connection(&setup, &cookie).await;
    let bare = json!({"connectionId": connection}).to_string();
    assert_eq!(send(&setup.app, post("/api/callback", &bare, None)).await.status, 200);
    assert_eq!(send(&setup.app, post("/api/logout", "", Some(&cookie))).await.status, 204);
    assert_eq!(send(&setup.app, post("/api/callback", &bare, None)).await.status, 401, "signed out");

    // A connection started later in an ordinary embedded session of the same merchant.
    let embedded = json!({"merchantId": "m-4", "businessName": "Acme"}).to_string();
    let embedded = send(&setup.app, embed_request(Some(ADMIN), &embedded)).await;
    let token = embedded.body["sessionToken"].as_str().unwrap();
    let body = consented(&setup.app, "suuo").await;
    let started = send(&setup.app, post_json_with_bearer("/api/connections", &body, token)).await;
    assert_eq!(started.status, 200, "{}", started.text);
    let later = json!({"connectionId": started.body["connection"]["id"]}).to_string();
    assert_eq!(send(&setup.app, post("/api/callback", &later, None)).await.status, 401);

    // An owner who signed up here (no lender's link) must come back in the same browser.
    let standalone = setup_with(|config| config.admin_token = None).await;
    let signed_up = sign_up(&standalone.app, "Local Ltd").await;
    let (connection, _) = start_connection(&standalone.app, &signed_up, "mqjo").await;
    let body = json!({"connectionId": connection}).to_string();
    assert_eq!(send(&standalone.app, post("/api/callback", &body, None)).await.status, 401);
}

#[tokio::test]
async fn another_site_cannot_post_a_link_to_sign_a_browser_in() {
    let setup = setup().await;
    let session = link(&setup, "m-5").await;
    let path = session["url"].as_str().unwrap().strip_prefix("http://app.test").unwrap().to_owned();
    let form_post = |headers: &[(&str, &str)]| {
        let mut request = axum::http::Request::post(path.as_str());
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.body(axum::body::Body::empty()).unwrap()
    };
    for (headers, why) in [
        (vec![("sec-fetch-site", "cross-site"), ("origin", "https://evil.example")], "cross-site"),
        (vec![("sec-fetch-site", "same-site")], "a sibling site"),
        (vec![("origin", "https://evil.example")], "a foreign origin, no fetch metadata"),
        (vec![("origin", "null")], "an opaque origin"),
    ] {
        let refused = send(&setup.app, form_post(&headers)).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{why}: {}", refused.text);
        assert!(refused.headers.get(header::SET_COOKIE).is_none(), "{why}");
    }
    // The link's own page still opens it: nothing above used it up.
    let own = [("sec-fetch-site", "same-origin"), ("origin", "http://app.test")];
    let opened = send(&setup.app, form_post(&own)).await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.text);
    assert!(opened.headers.get(header::SET_COOKIE).is_some());
}

#[tokio::test]
async fn posts_to_links_are_rate_limited_per_address() {
    let setup = setup_with(|config| {
        config.admin_token = Some(ADMIN.into());
        config.frame_ancestors = LENDER.into();
        config.rate_limit_per_minute = 3;
    })
    .await;
    let mut statuses = Vec::new();
    for _ in 0..4 {
        let request = axum::http::Request::post("/start/made-up").body(axum::body::Body::empty()).unwrap();
        statuses.push(send(&setup.app, request).await.status.as_u16());
    }
    assert_eq!(statuses, [303, 303, 303, 429]);
}
