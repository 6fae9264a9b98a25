//! The proxy's JSON API through its router (`oneshot`), against a standalone emulator on a
//! real socket standing in for Codat.

use axum::{
    body::Body,
    http::{header, Request, StatusCode},
};
use serde_json::{json, Value};

use crate::support::router::*;

#[tokio::test]
async fn sign_up_creates_a_company_and_an_http_only_session() {
    let setup = setup().await;
    let body = json!({"businessName": "Acme", "email": "owner@acme.test"}).to_string();
    let reply = send(&setup.app, post("/api/signup", &body, None)).await;
    assert_eq!(reply.status, StatusCode::OK);
    let set_cookie = reply.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"), "{set_cookie}");
    assert!(reply.body["companyId"].as_str().is_some_and(|id| uuid::Uuid::parse_str(id).is_ok()));

    let cookie = set_cookie.split(';').next().unwrap();
    let session = send(&setup.app, get("/api/session", Some(cookie))).await;
    assert_eq!(session.status, StatusCode::OK);
    assert_eq!(session.body["businessName"], "Acme");
    assert_eq!(session.body["companyId"], reply.body["companyId"]);
}

#[tokio::test]
async fn signing_up_again_with_a_session_keeps_the_same_company() {
    let setup = setup().await;
    let cookie = sign_up(&setup.app, "Acme").await;
    let first = send(&setup.app, get("/api/session", Some(&cookie))).await;
    let body = json!({"businessName": "Acme", "email": "owner@example.com"}).to_string();
    let again = send(&setup.app, post("/api/signup", &body, Some(&cookie))).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.body["companyId"], first.body["companyId"]);
    assert_eq!(again.body["merchantId"], first.body["merchantId"]);
}

#[tokio::test]
async fn a_state_changing_request_without_the_csrf_header_is_refused() {
    let setup = setup().await;
    let request = Request::post("/api/signup")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(json!({"businessName": "Acme", "email": "a@acme.test"}).to_string()))
        .unwrap();
    let reply = send(&setup.app, request).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(reply.body["code"], "cross_site_request");
}

#[tokio::test]
async fn malformed_and_invalid_bodies_get_json_errors() {
    let setup = setup().await;
    let cases = [
        ("{not json", "bad_request"),
        (r#"{"businessName": 5}"#, "bad_request"),
        (r#"{"businessName":"Acme","email":"nope"}"#, "implausible_email"),
        (r#"{"businessName":" ","email":"a@acme.test"}"#, "missing_business_name"),
    ];
    for (body, code) in cases {
        let reply = send(&setup.app, post("/api/signup", body, None)).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(reply.body["code"], code, "{body}: {}", reply.text);
        assert!(reply.body["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
}

#[tokio::test]
async fn the_grid_lists_only_enabled_accounting_platforms_with_branding() {
    let setup = setup().await;
    let reply = send(&setup.app, get("/api/integrations?sourceType=Accounting", None)).await;
    assert_eq!(reply.status, StatusCode::OK);
    let cards = reply.body.as_array().unwrap();
    assert_eq!(cards.len(), 19);
    // Every image is on our origin: written into the answer (a grid this short is one page).
    for card in cards {
        assert_eq!(card["sourceType"], "Accounting");
        assert!(card["logoUrl"].as_str().unwrap().starts_with("data:image/svg+xml,"), "{}", card["name"]);
    }
    let card = |key: &str| cards.iter().find(|c| c["platformKey"] == key).unwrap();
    let quickbooks_hover = card("qhyg")["buttonHoverUrl"].as_str().unwrap();
    assert!(quickbooks_hover.starts_with("data:image/svg+xml,"), "QuickBooks' own buttons");
    // Wave has no connect button of its own at Codat (the emulator's least generous case).
    assert_eq!((&card("pbtz")["buttonUrl"], &card("pbtz")["buttonHoverUrl"]), (&Value::Null, &Value::Null));
    let unknown = send(&setup.app, get("/api/integrations?sourceType=Payroll", None)).await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn connecting_answers_a_link_on_the_allow_listed_host() {
    let setup = setup().await;
    let cookie = sign_up(&setup.app, "Acme").await;
    let reply =
        send(&setup.app, post("/api/connections", &consented(&setup.app, "gbol").await, Some(&cookie))).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.body["connection"]["status"], "PendingAuth");
    assert!(reply.body["linkUrl"].as_str().unwrap().contains("/link-api/companies/"));

    let bad_key =
        send(&setup.app, post("/api/connections", r#"{"platformKey":"../x"}"#, Some(&cookie))).await;
    assert_eq!(bad_key.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_flow_needs_a_session() {
    let setup = setup().await;
    let reply = send(&setup.app, post("/api/connections", &consented(&setup.app, "gbol").await, None)).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.body["code"], "not_signed_in");
    let forged = send(&setup.app, get("/api/connections", Some("cc_session=forged"))).await;
    assert_eq!(forged.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn another_merchants_connection_is_not_found() {
    let setup = setup().await;
    let alice = sign_up(&setup.app, "Alice's Cafe").await;
    let bob = sign_up(&setup.app, "Bob's Bikes").await;
    let started =
        send(&setup.app, post("/api/connections", &consented(&setup.app, "mqjo").await, Some(&alice))).await;
    let id = started.body["connection"]["id"].as_str().unwrap().to_owned();

    let own = send(&setup.app, get(&format!("/api/connections/{id}"), Some(&alice))).await;
    assert_eq!(own.status, StatusCode::OK);
    let other = send(&setup.app, get(&format!("/api/connections/{id}"), Some(&bob))).await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    let listed = send(&setup.app, get("/api/connections", Some(&bob))).await;
    assert_eq!(listed.body, json!([]));
}

#[tokio::test]
async fn unknown_api_paths_answer_json_404() {
    let setup = setup().await;
    let reply = send(&setup.app, get("/api/nope", None)).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.body["code"], "not_found");
}

#[tokio::test]
async fn the_apps_pages_answer_200_and_other_paths_404_with_the_app() {
    let setup = setup().await;
    for page in ["/", "/connect", "/callback?statusCode=200&connectionId=x", "/connections/"] {
        let reply = send(&setup.app, get(page, None)).await;
        assert_eq!(reply.status, StatusCode::OK, "{page}");
        assert!(reply.text.contains("<script"), "{page} serves the app");
    }
    let missing = send(&setup.app, get("/nowhere", None)).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.text.contains("<script"), "the app says the page does not exist");
}

#[tokio::test]
async fn every_page_gets_a_fresh_nonce_matching_its_csp() {
    let setup = setup().await;
    let first = send(&setup.app, get("/connect", None)).await;
    let second = send(&setup.app, get("/connect", None)).await;
    let nonce_of = |reply: &Reply| {
        let csp = reply.headers.get(header::CONTENT_SECURITY_POLICY).unwrap().to_str().unwrap().to_owned();
        assert!(!csp.contains("unsafe-inline") && csp.contains("'wasm-unsafe-eval'"), "{csp}");
        let start = csp.find("'nonce-").unwrap() + "'nonce-".len();
        csp[start..start + csp[start..].find('\'').unwrap()].to_owned()
    };
    let (a, b) = (nonce_of(&first), nonce_of(&second));
    assert_ne!(a, b);
    assert!(first.text.contains(&format!("nonce=\"{a}\"")), "{}", first.text);
    // Safe unquoted too, as the minified index.html has it.
    assert!(a.len() >= 22 && a.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'), "{a}");
    assert!(!first.text.contains("__CSP_NONCE__"));
}

#[tokio::test]
async fn a_connection_is_finished_unlinked_renewed_and_deleted_by_its_owner_only() {
    let setup = setup().await;
    let alice = sign_up(&setup.app, "Alice's Cafe").await;
    let bob = sign_up(&setup.app, "Bob's Bikes").await;
    let started =
        send(&setup.app, post("/api/connections", &consented(&setup.app, "suuo").await, Some(&alice))).await;
    let id = started.body["connection"]["id"].as_str().unwrap().to_owned();

    let resumed = send(&setup.app, post(&format!("/api/connections/{id}/link"), "", Some(&alice))).await;
    assert_eq!(resumed.status, StatusCode::OK, "a pending connection can be finished: {}", resumed.text);
    let early_unlink =
        send(&setup.app, post(&format!("/api/connections/{id}/unlink"), "", Some(&alice))).await;
    assert_eq!(early_unlink.status, StatusCode::BAD_REQUEST);
    authorize(resumed.body["linkUrl"].as_str().unwrap()).await;
    let linked_again = send(&setup.app, post(&format!("/api/connections/{id}/link"), "", Some(&alice))).await;
    assert_eq!(linked_again.status, StatusCode::BAD_REQUEST, "a working connection needs no new link");

    for (request, what) in [
        (post(&format!("/api/connections/{id}/unlink"), "", Some(&bob)), "unlink"),
        (post(&format!("/api/connections/{id}/link"), "", Some(&bob)), "link"),
        (delete(&format!("/api/connections/{id}"), &bob), "delete"),
    ] {
        assert_eq!(
            send(&setup.app, request).await.status,
            StatusCode::NOT_FOUND,
            "another merchant cannot {what}"
        );
    }

    let unlinked = send(&setup.app, post(&format!("/api/connections/{id}/unlink"), "", Some(&alice))).await;
    assert_eq!(unlinked.body["status"], "Unlinked");
    let renew = send(&setup.app, post(&format!("/api/connections/{id}/link"), "", Some(&alice))).await;
    assert_eq!(renew.status, StatusCode::OK);
    let deleted = send(&setup.app, delete(&format!("/api/connections/{id}"), &alice)).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let gone = send(&setup.app, get(&format!("/api/connections/{id}"), Some(&alice))).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_embedding_api_needs_the_admin_token_and_gives_a_bearer_session() {
    let disabled = setup().await;
    let body = r#"{"merchantId": "lender-42", "businessName": "Acme"}"#;
    assert_eq!(send(&disabled.app, embed_request(Some("x"), body)).await.status, StatusCode::NOT_FOUND);

    let setup = setup_with(|config| config.admin_token = Some(ADMIN.into())).await;
    let wrong = send(&setup.app, embed_request(Some("admin-wrong"), body)).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.body["code"], "admin_token_required");
    assert_eq!(send(&setup.app, embed_request(None, body)).await.status, StatusCode::UNAUTHORIZED);
    let bad_id =
        send(&setup.app, embed_request(Some(ADMIN), r#"{"merchantId": "a b", "businessName": "Acme"}"#))
            .await;
    assert_eq!(bad_id.status, StatusCode::BAD_REQUEST);

    let issued = send(&setup.app, embed_request(Some(ADMIN), body)).await;
    assert_eq!(issued.status, StatusCode::OK, "{}", issued.text);
    let token = issued.body["sessionToken"].as_str().unwrap();
    let session = Request::get("/api/session")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let session = send(&setup.app, session).await;
    assert_eq!(session.body["merchantId"], "lender-42");
    assert_eq!(session.body["companyId"], issued.body["companyId"]);
}

#[tokio::test]
async fn concurrent_sessions_for_one_merchant_make_one_company() {
    let setup = setup_with(|config| config.admin_token = Some(ADMIN.into())).await;
    let body = r#"{"merchantId": "lender-7", "businessName": "Acme"}"#;
    let replies =
        futures_util::future::join_all((0..20).map(|_| send(&setup.app, embed_request(Some(ADMIN), body))))
            .await;
    let mut companies: Vec<&str> = replies.iter().map(|r| r.body["companyId"].as_str().unwrap()).collect();
    companies.dedup();
    assert_eq!(companies.len(), 1, "every answer names the same company");
    assert_eq!(companies_named(&setup, "lender-7").await, 1, "Codat holds one company for the merchant");
}

#[tokio::test]
async fn a_company_whose_creation_answer_was_lost_is_found_not_duplicated() {
    let setup = setup_with(|config| config.admin_token = Some(ADMIN.into())).await;
    // The company exists at Codat (as if our first request's answer was lost), unknown to us.
    reqwest::Client::new()
        .post(format!("{}/companies", setup.emulator_url))
        .header("authorization", crate::support::basic(KEY))
        .json(&json!({"name": "lender-9"}))
        .send()
        .await
        .unwrap();
    let body = r#"{"merchantId": "lender-9", "businessName": "Acme"}"#;
    let issued = send(&setup.app, embed_request(Some(ADMIN), body)).await;
    assert_eq!(issued.status, StatusCode::OK);
    assert_eq!(companies_named(&setup, "lender-9").await, 1);
}

#[tokio::test]
async fn every_answer_carries_a_request_id_and_pages_the_configured_frame_ancestors() {
    let setup = setup_with(|config| config.frame_ancestors = "https://lender.example".into()).await;
    let reply = send(&setup.app, get("/api/nope", None)).await;
    assert!(reply.headers.get("x-request-id").is_some_and(|id| !id.is_empty()));
    let page = send(&setup.app, get("/nowhere", None)).await;
    let csp = page.headers.get(header::CONTENT_SECURITY_POLICY).unwrap().to_str().unwrap();
    assert!(csp.ends_with("frame-ancestors https://lender.example"), "{csp}");
    let ready = send(&setup.app, get("/readyz", None)).await;
    assert_eq!(ready.status, StatusCode::OK);
}

#[tokio::test]
async fn an_oversized_body_is_refused() {
    let setup = setup().await;
    let huge = format!(r#"{{"businessName": "{}", "email": "a@b.co"}}"#, "x".repeat(300 * 1024));
    let reply = send(&setup.app, post("/api/signup", &huge, None)).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", &reply.text[..reply.text.len().min(200)]);
    assert_eq!(reply.body["code"], "too_large");
}

/// The page's `POST /api/callback` for a return, with the `state` Codat carried back ("": none).
fn confirm(connection_id: &str, state: &str, cookie: &str) -> Request<Body> {
    let body = match state {
        "" => json!({ "connectionId": connection_id }),
        state => json!({ "connectionId": connection_id, "state": state }),
    }
    .to_string();
    post("/api/callback", &body, Some(cookie))
}

#[tokio::test]
async fn a_return_carrying_the_state_is_confirmed_once_and_a_wrong_state_never() {
    let setup = setup().await;
    let alice = sign_up(&setup.app, "Alice's Cafe").await;
    let (id, issued) = start_connection(&setup.app, &alice, "mqjo").await;
    assert!(issued.len() >= 40, "the state is unguessable");

    let forged = send(&setup.app, confirm(&id, "forged-state", &alice)).await;
    assert_eq!(
        (forged.status, forged.body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("return_link_unknown"))
    );
    let good = send(&setup.app, confirm(&id, &issued, &alice)).await;
    assert_eq!(good.status, StatusCode::OK, "{}", good.text);
    assert_eq!(good.body["connection"]["status"], "PendingAuth");
    let again = send(&setup.app, confirm(&id, &issued, &alice)).await;
    assert_eq!(
        (again.status, again.body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("return_link_used"))
    );
}

#[tokio::test]
async fn a_return_without_state_is_bound_to_the_session_that_was_sent_to_link() {
    let setup = setup().await;
    let alice = sign_up(&setup.app, "Alice's Cafe").await;
    let bob = sign_up(&setup.app, "Bob's Bikes").await;
    let (id, _) = start_connection(&setup.app, &alice, "mqjo").await;

    let empty = json!({ "connectionId": id, "state": "" }).to_string();
    let empty = send(&setup.app, post("/api/callback", &empty, Some(&alice))).await;
    assert_eq!(empty.body["code"], "return_link_unknown", "an empty state is a wrong one: {}", empty.text);
    let bobs = send(&setup.app, confirm(&id, "", &bob)).await;
    assert_eq!(bobs.status, StatusCode::BAD_REQUEST, "another session's return is refused: {}", bobs.text);
    let alices = send(&setup.app, confirm(&id, "", &alice)).await;
    assert_eq!(
        alices.status,
        StatusCode::OK,
        "Codat dropped the state; the session still binds it: {}",
        alices.text
    );
    let replayed = send(&setup.app, confirm(&id, "", &alice)).await;
    assert_eq!(replayed.body["code"], "return_link_used");
    // Asking for the link again (to finish connecting) issues a new pending link.
    let relinked = send(&setup.app, post(&format!("/api/connections/{id}/link"), "", Some(&alice))).await;
    assert_eq!(relinked.status, StatusCode::OK, "{}", relinked.text);
    assert_eq!(send(&setup.app, confirm(&id, "", &alice)).await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_second_accounting_platform_replaces_one_abandoned_but_not_one_authorized() {
    let setup = setup().await;
    let alice = sign_up(&setup.app, "Alice's Cafe").await;
    let ids = |reply: Reply| -> Vec<String> {
        reply.body.as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_owned()).collect()
    };
    let (abandoned, _) = start_connection(&setup.app, &alice, "gbol").await;
    let (chosen, _) = start_connection(&setup.app, &alice, "qhyg").await;
    let listed = ids(send(&setup.app, get("/api/connections", Some(&alice))).await);
    assert_eq!(listed, vec![chosen.clone()], "Xero, never authorized ({abandoned}), made way for QuickBooks");

    let relinked = send(&setup.app, post(&format!("/api/connections/{chosen}/link"), "", Some(&alice))).await;
    authorize(relinked.body["linkUrl"].as_str().unwrap()).await;
    let third =
        send(&setup.app, post("/api/connections", &consented(&setup.app, "gbol").await, Some(&alice))).await;
    assert_eq!(third.status, StatusCode::BAD_REQUEST);
    assert_eq!(third.body["code"], "accounting_already_connected");
    let listed = ids(send(&setup.app, get("/api/connections", Some(&alice))).await);
    assert_eq!(listed, vec![chosen], "the authorized one is kept");
}

#[tokio::test]
async fn only_what_can_be_shown_as_a_page_carries_the_policy() {
    let setup = setup().await;
    for path in ["/connect", "/assets/badge.svg"] {
        let reply = send(&setup.app, get(path, None)).await;
        assert!(reply.headers.contains_key(header::CONTENT_SECURITY_POLICY), "{path}");
    }
    // These run under the page's policy; the page asks for each on a phone's first view.
    for path in ["/api/consent", "/api/nope", "/theme.css"] {
        let reply = send(&setup.app, get(path, None)).await;
        assert!(!reply.headers.contains_key(header::CONTENT_SECURITY_POLICY), "{path}");
        assert_eq!(reply.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{path}");
    }
}

#[tokio::test]
async fn the_lenders_theme_is_served_as_a_stylesheet() {
    let plain = setup().await;
    let none = send(&plain.app, get("/theme.css", None)).await;
    assert_eq!(none.status, StatusCode::OK);
    assert_eq!(none.headers[header::CONTENT_TYPE], "text/css; charset=utf-8");
    assert!(none.text.is_empty());

    let theme = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(theme.path(), ":root { --cc-color-primary: #0b6e4f; }").unwrap();
    let path = theme.path().to_owned();
    let themed = setup_with(move |config| config.theme_css = Some(path)).await;
    let css = send(&themed.app, get("/theme.css", None)).await;
    assert_eq!(css.text, ":root { --cc-color-primary: #0b6e4f; }");
    let links = |text: &str| text.contains("/theme.css");
    assert!(links(&send(&themed.app, get("/connect", None)).await.text), "a themed page loads the theme");
    assert!(!links(&send(&plain.app, get("/connect", None)).await.text), "no request for an empty one");
}

#[tokio::test]
async fn platform_images_come_from_our_origin_with_an_etag() {
    let setup = setup().await;
    send(&setup.app, get("/api/integrations?sourceType=Accounting", None)).await;
    let image = send(&setup.app, get("/branding/gbol/button-hover", None)).await;
    assert_eq!(image.status, StatusCode::OK);
    assert_eq!(image.headers[header::CONTENT_TYPE], "image/svg+xml");
    assert!(image.text.contains("Connect to Xero"));
    assert_eq!(image.headers[header::CACHE_CONTROL], "public, max-age=86400");
    let etag = image.headers[header::ETAG].to_str().unwrap().to_owned();
    let again = Request::get("/branding/gbol/button-hover")
        .header(header::IF_NONE_MATCH, &etag)
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&setup.app, again).await.status, StatusCode::NOT_MODIFIED);
    let unknown = send(&setup.app, get("/branding/zzzz/logo", None)).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.body["code"], "not_found");
}

#[tokio::test]
async fn a_repeat_view_of_the_grid_makes_no_codat_call() {
    let setup = setup().await;
    let calls = || setup.emulator.request_counts().values().sum::<u64>();
    send(&setup.app, get("/api/integrations?sourceType=Commerce", None)).await;
    let after_first = calls();
    assert!(after_first > 0);
    let again = send(&setup.app, get("/api/integrations?sourceType=Commerce", None)).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(calls(), after_first, "the second view is answered from the cache");
}

#[tokio::test]
async fn every_endpoint_keeps_one_merchants_connection_from_another() {
    let setup = setup().await;
    let alice = sign_up(&setup.app, "Alice's Cafe").await;
    let bob = sign_up(&setup.app, "Bob's Bikes").await;
    let started =
        send(&setup.app, post("/api/connections", &consented(&setup.app, "fztf").await, Some(&alice))).await;
    let id = started.body["connection"]["id"].as_str().unwrap().to_owned();
    let link = url::Url::parse(started.body["linkUrl"].as_str().unwrap()).unwrap();
    let issued = link.query_pairs().find(|(k, _)| k == "state").map(|(_, v)| v.into_owned()).unwrap();
    let codat_calls = || setup.emulator.request_counts().values().sum::<u64>();
    let before = codat_calls();

    let attempts: Vec<(&str, Request<Body>)> = vec![
        ("get", get(&format!("/api/connections/{id}"), Some(&bob))),
        ("unlink", post(&format!("/api/connections/{id}/unlink"), "", Some(&bob))),
        ("link", post(&format!("/api/connections/{id}/link"), "", Some(&bob))),
        ("delete", delete(&format!("/api/connections/{id}"), &bob)),
        (
            "callback",
            post("/api/callback", &json!({"connectionId": id, "state": issued}).to_string(), Some(&bob)),
        ),
    ];
    for (what, request) in attempts {
        let reply = send(&setup.app, request).await;
        assert!(
            matches!(reply.status, StatusCode::NOT_FOUND | StatusCode::BAD_REQUEST),
            "{what}: Bob reached Alice's connection ({})",
            reply.status
        );
    }
    assert_eq!(codat_calls(), before, "another merchant's id is refused before Codat is asked");
    let listed = send(&setup.app, get("/api/connections", Some(&bob))).await;
    assert_eq!(listed.body, json!([]));
    let sync = send(&setup.app, get("/api/sync", Some(&bob))).await;
    assert_eq!(sync.body, json!([]), "Bob's sync shows none of Alice's data");
    let own = send(&setup.app, get(&format!("/api/connections/{id}"), Some(&alice))).await;
    assert_eq!(own.status, StatusCode::OK);
}

#[tokio::test]
async fn the_codat_api_key_appears_in_no_answer() {
    let setup = setup().await;
    let cookie = sign_up(&setup.app, "Acme").await;
    // Codat failing must not echo anything of the request back either.
    setup.emulator.faults.set(
        serde_json::from_value(json!({"rules": [{"path": "/companies", "method": "POST", "kind": "serverError", "status": 500}]}))
            .unwrap(),
    );
    let basic = "dGVzdC1hcGkta2V5"; // base64 of the key
    let requests = vec![
        get("/api/session", Some(&cookie)),
        get("/api/integrations?sourceType=Accounting", None),
        get("/api/connections", Some(&cookie)),
        post("/api/connections", &consented(&setup.app, "gbol").await, Some(&cookie)),
        get("/api/sync", Some(&cookie)),
        get("/connect", None),
    ];
    for request in requests {
        let path = request.uri().to_string();
        let reply = send(&setup.app, request).await;
        let headers = format!("{:?}", reply.headers);
        for secret in [KEY, basic] {
            assert!(!reply.text.contains(secret) && !headers.contains(secret), "{path} leaks the key");
        }
    }
}

#[tokio::test]
async fn a_used_up_codat_quota_is_answered_at_once_as_try_later() {
    let setup = setup_with_emulator(|emulator| emulator.daily_quota = Some(2), |_| {}).await;
    let body = json!({"businessName": "Late Night Bakery", "email": "owner@example.com"}).to_string();
    let reply = send(&setup.app, post("/api/signup", &body, None)).await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE, "{}", reply.text);
    assert_eq!(reply.body["code"], "codat_quota");
    let retry_after: u64 = reply.headers[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
    assert!((1..=86_400).contains(&retry_after), "until midnight UTC: {retry_after}");
    // Two lookups by tag and by name, then the refused creation: not retried.
    let answered: u64 = setup.emulator.request_counts().values().sum();
    assert_eq!(answered, 3, "{:?}", setup.emulator.request_counts());
}

#[tokio::test]
async fn a_first_visit_has_no_session_without_an_error_and_a_stale_session_is_refused() {
    let setup = setup().await;
    let first = send(&setup.app, get("/api/session", None)).await;
    assert_eq!(first.status, StatusCode::NO_CONTENT, "{}", first.text);
    assert!(first.text.is_empty());
    let stale = send(&setup.app, get("/api/session", Some("cc_session=expired-or-forged"))).await;
    assert_eq!(stale.status, StatusCode::UNAUTHORIZED);
    assert_eq!(stale.body["code"], "not_signed_in");
}

#[tokio::test]
async fn a_return_that_codat_could_not_confirm_can_be_tried_again() {
    let setup = setup().await;
    let alice = sign_up(&setup.app, "Alice's Cafe").await;
    let (id, state) = start_connection(&setup.app, &alice, "mqjo").await;
    let company = send(&setup.app, get("/api/session", Some(&alice))).await.body["companyId"].clone();
    // Codat fails every attempt of the first confirmation.
    let path = format!("/companies/{}/connections/{id}", company.as_str().unwrap());
    setup.emulator.faults.set(
        serde_json::from_value(json!({"rules": [{"path": path, "method": "GET", "kind": "serverError", "status": 503, "times": 4}]}))
            .unwrap(),
    );
    let failed = send(&setup.app, confirm(&id, &state, &alice)).await;
    assert!(failed.status.is_server_error(), "{}", failed.text);
    let again = send(&setup.app, confirm(&id, &state, &alice)).await;
    assert_eq!(again.status, StatusCode::OK, "the link was not used up by the failure: {}", again.text);
}

#[tokio::test]
async fn the_connections_list_shows_logos_from_grids_already_seen_without_asking_codat_for_them() {
    let setup = setup().await;
    let cookie = sign_up(&setup.app, "Logo Bakery").await;
    let grid = send(&setup.app, get("/api/integrations?sourceType=Accounting", Some(&cookie))).await;
    let cards = grid.body.as_array().unwrap();
    let xero_logo = cards.iter().find(|card| card["platformKey"] == "gbol").unwrap()["logoUrl"].clone();
    start_connection(&setup.app, &cookie, "gbol").await;
    // Starting a connection finds the platform's kind in the grids (its consent terms depend on
    // it), so Plaid's banking grid has been seen too.
    start_connection(&setup.app, &cookie, "suuo").await;
    let integration_calls = || {
        let counts = setup.emulator.request_counts();
        counts
            .iter()
            .filter(|(operation, _)| operation.contains("/integrations"))
            .map(|(_, n)| *n)
            .sum::<u64>()
    };
    let before = integration_calls();

    let list = send(&setup.app, get("/api/connections", Some(&cookie))).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text);
    let logo_of = |key: &str| {
        let connections = list.body.as_array().unwrap();
        let connection = connections.iter().find(|c| c["platformKey"] == key).unwrap();
        connection["logoUrl"].clone()
    };
    assert_eq!(logo_of("gbol"), xero_logo, "the logo the grid showed");
    assert!(logo_of("suuo").as_str().is_some_and(|logo| !logo.is_empty()), "the banking grid's logo");
    assert_eq!(integration_calls(), before, "the list asked Codat for integrations or branding");
    let logo = send(&setup.app, get("/branding/gbol/logo", None)).await;
    assert_eq!(logo.status, StatusCode::OK);
    assert_eq!(logo.headers[header::CONTENT_TYPE], "image/svg+xml");
}

#[tokio::test]
async fn the_grids_first_page_carries_its_small_images_and_later_cards_their_urls() {
    let setup = setup_with_emulator(|emulator| emulator.synthetic_platforms = 70, |_| {}).await;
    let grid = send(&setup.app, get("/api/integrations?sourceType=Accounting", None)).await;
    let cards = grid.body.as_array().unwrap();
    let page = codat_connect_api::GRID_PAGE_SIZE;
    assert!(cards.len() > page, "{} cards", cards.len());
    let images = |card: &Value| {
        ["logoUrl", "buttonUrl", "buttonHoverUrl"]
            .into_iter()
            .filter_map(|field| card[field].as_str().map(str::to_owned))
            .collect::<Vec<_>>()
    };
    for card in &cards[..page] {
        for image in images(card) {
            assert!(image.starts_with("data:image/svg+xml,"), "{}: {image:.60}", card["name"]);
        }
    }
    for card in &cards[page..] {
        for image in images(card) {
            assert!(image.starts_with("/branding/"), "{}: {image:.60}", card["name"]);
        }
    }
    // What the answer carries is the image its URL serves.
    let key = cards[0]["platformKey"].as_str().unwrap();
    let inlined = cards[0]["logoUrl"].as_str().unwrap().split_once(',').unwrap().1;
    let served = send(&setup.app, get(&format!("/branding/{key}/logo"), None)).await;
    assert_eq!(percent_encoding::percent_decode_str(inlined).decode_utf8().unwrap(), served.text);
}

#[tokio::test]
async fn a_slow_image_host_does_not_hold_up_the_grid() {
    let setup = setup().await;
    // Every image takes a minute; the grid's answer waits a few seconds for them at most.
    setup.emulator.faults.set(codat_emulator::faults::FaultPlan {
        seed: 1,
        rules: vec![codat_emulator::faults::FaultRule {
            path: "/static".into(),
            method: None,
            kind: codat_emulator::faults::FaultKind::Latency { millis: 60_000 },
            probability: 1.0,
            times: None,
        }],
    });
    let request = send(&setup.app, get("/api/integrations?sourceType=Accounting", None));
    let grid =
        tokio::time::timeout(std::time::Duration::from_secs(30), request).await.expect("the grid answered");
    assert_eq!(grid.status, StatusCode::OK);
    for card in grid.body.as_array().unwrap() {
        assert!(card["logoUrl"].as_str().unwrap().starts_with("/branding/"), "{}", card["name"]);
    }
}

/// The answers written into a page's `cc-first` element, by the path they answer.
fn first_answers(page: &str) -> std::collections::HashMap<String, (u64, String)> {
    let start = page.find(r#"<script type="application/json" id="cc-first">"#).expect("the data element");
    let json = &page[start..];
    let json = &json[json.find('>').unwrap() + 1..json.find("</script>").unwrap()];
    let data: Value = serde_json::from_str(json).expect("the element holds JSON");
    assert_eq!(data["page"], "/connect");
    data["answers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|answer| {
            let path = answer[0].as_str().unwrap().to_owned();
            (path, (answer[1].as_u64().unwrap(), answer[2].as_str().unwrap().to_owned()))
        })
        .collect()
}

#[tokio::test]
async fn the_pickers_page_carries_its_first_views_answers_for_its_owner_only() {
    let setup = setup().await;
    let cookie = sign_up(&setup.app, "First View Ltd").await;
    let page = send(&setup.app, get("/connect", Some(&cookie))).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.headers[header::CACHE_CONTROL], "no-store", "the owner's data is in it");
    assert!(page.text.ends_with("</script></body></html>"), "the document ends after the answers");
    let answers = first_answers(&page.text);
    let (status, session) = &answers["/api/session"];
    assert_eq!(*status, 200);
    assert_eq!(serde_json::from_str::<Value>(session).unwrap()["businessName"], "First View Ltd");
    let (status, grid) = &answers["/api/integrations?sourceType=Accounting"];
    assert_eq!(*status, 200);
    assert!(serde_json::from_str::<Value>(grid).unwrap().as_array().is_some_and(|cards| !cards.is_empty()));
    assert_eq!(answers["/api/connections"], (200, "[]".to_owned()));
    assert_eq!(answers["/api/sync"].0, 200);

    // A visitor without a session is told it has none, and gets the grid; nothing of the owner's.
    let anonymous = send(&setup.app, get("/connect", None)).await;
    assert_eq!(anonymous.headers[header::CACHE_CONTROL], "no-cache");
    assert!(!anonymous.text.contains("First View Ltd"));
    let answers = first_answers(&anonymous.text);
    assert_eq!(answers["/api/session"], (204, String::new()));
    assert!(answers.contains_key("/api/integrations?sourceType=Accounting"));
    assert!(!answers.contains_key("/api/connections") && !answers.contains_key("/api/sync"));

    // Only the picker's page carries them.
    let other = send(&setup.app, get("/connections", Some(&cookie))).await;
    assert!(!other.text.contains("cc-first") && !other.text.contains("First View Ltd"));
}
