//! The emulator through its router: auth, Codat's error body, paging, queries, and the Link
//! page's redirect with placeholders filled.

use axum::{
    body::Body,
    http::{header, Request, StatusCode},
    Router,
};
use codat_emulator::{router, Emulator, EmulatorConfig};
use http_body_util::BodyExt as _;
use serde_json::{json, Value};
use tower::ServiceExt as _;

const BASIC: &str = "Basic a2V5"; // base64("key")

fn config() -> EmulatorConfig {
    EmulatorConfig::new(
        "http://emulator.test",
        "key",
        "https://app.test/cb?code={statusCode}&id={connectionId}&msg={errorMessage}&state={state}",
    )
}

fn emulator() -> Router {
    router(Emulator::new(config()))
}

async fn call(
    app: &Router,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value, header::HeaderMap) {
    let mut request = Request::builder().method(method).uri(path).header(header::AUTHORIZATION, BASIC);
    if body.is_some() {
        request = request.header(header::CONTENT_TYPE, "application/json");
    }
    let body = body.map(|b| Body::from(b.to_string())).unwrap_or_default();
    let response = app.clone().oneshot(request.body(body).unwrap()).await.unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null), headers)
}

#[tokio::test]
async fn a_missing_or_wrong_key_is_401_with_codats_error_body() {
    let app = emulator();
    for auth in [None, Some("Basic d3Jvbmc="), Some("Bearer key")] {
        let mut request = Request::get("/companies");
        if let Some(auth) = auth {
            request = request.header(header::AUTHORIZATION, auth);
        }
        let response = app.clone().oneshot(request.body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let body: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(body["statusCode"], 401);
        assert_eq!(body["canBeRetried"], "Unknown");
    }
}

#[tokio::test]
async fn integrations_page_and_filter_with_the_query_language() {
    let app = emulator();
    let query = "/integrations?page=1&pageSize=5&query=sourceType%3DAccounting%26%26enabled%3Dtrue";
    let (status, page, _) = call(&app, "GET", query, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["totalResults"], 19);
    assert_eq!(page["results"].as_array().unwrap().len(), 5);
    assert_eq!(page["_links"]["self"]["href"], "/integrations");
    let next = page["_links"]["next"]["href"].as_str().unwrap();
    assert!(next.starts_with("/integrations?page=2&pageSize=5&query="), "{next}");

    let (status, error, _) = call(&app, "GET", "/integrations?query=sourceType%3D", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error["error"].as_str().unwrap().starts_with("Error parsing query"));
}

#[tokio::test]
async fn unknown_companies_and_bad_bodies_get_codats_errors() {
    let app = emulator();
    let (status, body, _) = call(&app, "GET", "/companies/8a1b7f5c-0000-4000-8000-000000000000", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["statusCode"], 404);
    let (status, body, _) = call(&app, "POST", "/companies", Some(json!({"name": 7}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["statusCode"], 400);
    let (status, _, _) = call(&app, "POST", "/companies", Some(json!({"name": "  "}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn authorizing_on_the_link_page_links_and_redirects_with_placeholders() {
    let app = emulator();
    let (_, company, _) = call(&app, "POST", "/companies", Some(json!({"name": "m_1"}))).await;
    let company_id = company["id"].as_str().unwrap();
    let path = format!("/companies/{company_id}/connections");
    let (status, connection, _) = call(&app, "POST", &path, Some(json!({"platformKey": "gbol"}))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(connection["status"], "PendingAuth");
    let id = connection["id"].as_str().unwrap();
    let link = connection["linkUrl"].as_str().unwrap();
    let start = format!("http://emulator.test/link-api/companies/{company_id}/connections/{id}/start?otp=");
    assert!(link.starts_with(&start), "a one-time link: {link}");

    let complete = format!("/link-api/companies/{company_id}/connections/{id}/complete");
    let request = Request::post(&complete)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("outcome=authorize&state=xyz"))
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()[header::LOCATION].to_str().unwrap();
    // Only Codat's reserved placeholders are filled: the Link URL's own `state` is not carried.
    assert_eq!(location, format!("https://app.test/cb?code=200&id={id}&msg=&state="));

    let (_, linked, _) = call(&app, "GET", &format!("{path}/{id}"), None).await;
    assert_eq!(linked["status"], "Linked");
}

#[tokio::test]
async fn the_link_urls_own_query_reaches_the_redirect_only_when_asked_for() {
    let mut carrying = config();
    carrying.carry_link_query = true;
    let app = router(Emulator::new(carrying));
    let (_, company, _) = call(&app, "POST", "/companies", Some(json!({"name": "m_carry"}))).await;
    let company_id = company["id"].as_str().unwrap();
    let path = format!("/companies/{company_id}/connections");
    let (_, connection, _) = call(&app, "POST", &path, Some(json!({"platformKey": "gbol"}))).await;
    let id = connection["id"].as_str().unwrap();
    let request = Request::post(format!("/link-api/companies/{company_id}/connections/{id}/complete"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("outcome=authorize&state=xyz"))
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let location = response.headers()[header::LOCATION].to_str().unwrap();
    assert_eq!(location, format!("https://app.test/cb?code=200&id={id}&msg=&state=xyz"));
}

#[tokio::test]
async fn a_company_gets_one_accounting_connection_unless_allowed_more() {
    for (allowed, expected) in [(false, StatusCode::BAD_REQUEST), (true, StatusCode::OK)] {
        let mut settings = config();
        settings.multiple_accounting = allowed;
        let app = router(Emulator::new(settings));
        let (_, company, _) = call(&app, "POST", "/companies", Some(json!({"name": "m_two"}))).await;
        let path = format!("/companies/{}/connections", company["id"].as_str().unwrap());
        let (first, _, _) = call(&app, "POST", &path, Some(json!({"platformKey": "gbol"}))).await;
        assert_eq!(first, StatusCode::OK);
        let (bank, _, _) = call(&app, "POST", &path, Some(json!({"platformKey": "suuo"}))).await;
        assert_eq!(bank, StatusCode::OK, "banking is not limited");
        let (second, body, _) = call(&app, "POST", &path, Some(json!({"platformKey": "qhyg"}))).await;
        assert_eq!(second, expected, "{body}");
        if !allowed {
            assert_eq!(body["statusCode"], 400);
            assert!(body["error"].as_str().unwrap().contains("accounting"), "{body}");
        }
    }
}

#[tokio::test]
async fn cancelling_redirects_with_403_and_leaves_the_connection_pending() {
    let app = emulator();
    let (_, company, _) = call(&app, "POST", "/companies", Some(json!({"name": "m_2"}))).await;
    let company_id = company["id"].as_str().unwrap();
    let path = format!("/companies/{company_id}/connections");
    let (_, connection, _) = call(&app, "POST", &path, Some(json!({"platformKey": "mqjo"}))).await;
    let id = connection["id"].as_str().unwrap();
    let request = Request::post(format!("/link-api/companies/{company_id}/connections/{id}/complete"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("outcome=cancel"))
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let location = response.headers()[header::LOCATION].to_str().unwrap();
    assert!(location.contains("code=403") && location.contains("msg=User%20cancelled."), "{location}");
    let (_, after, _) = call(&app, "GET", &format!("{path}/{id}"), None).await;
    assert_eq!(after["status"], "PendingAuth");
    assert_eq!(after["dataConnectionErrors"][0]["statusCode"], "403");
}

#[tokio::test]
async fn bad_input_gets_codats_error_body_with_the_right_status() {
    let app = emulator();
    let (_, company, _) = call(&app, "POST", "/companies", Some(json!({"name": "m_3"}))).await;
    let company_id = company["id"].as_str().unwrap().to_owned();
    let unknown = "8a1b7f5c-0000-4000-8000-000000000000";
    let cases: Vec<(&str, String, Option<Value>, StatusCode)> = vec![
        (
            "POST",
            format!("/companies/{company_id}/connections"),
            Some(json!({"platformKey": "zzzz"})),
            StatusCode::BAD_REQUEST,
        ),
        (
            "POST",
            format!("/companies/{company_id}/connections"),
            Some(json!({"platformKey": 4})),
            StatusCode::BAD_REQUEST,
        ),
        (
            "POST",
            format!("/companies/{unknown}/connections"),
            Some(json!({"platformKey": "gbol"})),
            StatusCode::NOT_FOUND,
        ),
        ("GET", format!("/companies/{company_id}/connections/{unknown}"), None, StatusCode::NOT_FOUND),
        (
            "PATCH",
            format!("/companies/{company_id}/connections/{unknown}"),
            Some(json!({"status": "Unlinked"})),
            StatusCode::NOT_FOUND,
        ),
        ("GET", "/companies?pageSize=0".to_owned(), None, StatusCode::BAD_REQUEST),
        ("GET", "/companies?page=abc".to_owned(), None, StatusCode::BAD_REQUEST),
        ("GET", "/companies?query=name%3D%3D".to_owned(), None, StatusCode::OK),
        ("GET", "/integrations?query=%7D".to_owned(), None, StatusCode::BAD_REQUEST),
        ("GET", "/integrations/toolong".to_owned(), None, StatusCode::NOT_FOUND),
        ("POST", format!("/companies/{company_id}/data/queue/notAType"), None, StatusCode::BAD_REQUEST),
        ("PUT", "/profile".to_owned(), Some(json!({"name": "x"})), StatusCode::BAD_REQUEST),
        (
            "POST",
            "/webhooks".to_owned(),
            Some(json!({"url": "not a url", "eventTypes": []})),
            StatusCode::BAD_REQUEST,
        ),
        ("DELETE", format!("/webhooks/{unknown}"), None, StatusCode::NOT_FOUND),
        ("GET", "/nothing/here".to_owned(), None, StatusCode::NOT_FOUND),
    ];
    for (method, path, body, expected) in cases {
        let (status, error, _) = call(&app, method, &path, body.clone()).await;
        assert_eq!(status, expected, "{method} {path} {body:?}");
        if !status.is_success() {
            assert_eq!(error["statusCode"], expected.as_u16(), "{method} {path}");
            assert!(error["error"].as_str().is_some_and(|e| !e.is_empty()), "{method} {path}: {error}");
            assert!(error["correlationId"].is_string());
        }
    }
}

#[tokio::test]
async fn a_companys_redirect_is_codats_hosted_link_page_that_starts_a_connection() {
    let app = emulator();
    let (_, company, _) = call(&app, "POST", "/companies", Some(json!({"name": "m_hosted"}))).await;
    let company_id = company["id"].as_str().unwrap();
    let redirect = company["redirect"].as_str().unwrap();
    let path = redirect.strip_prefix("http://emulator.test").expect("the redirect is on the emulator");
    let response = app.clone().oneshot(Request::get(path).body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let page = response.into_body().collect().await.unwrap().to_bytes();
    let page = String::from_utf8_lossy(&page);
    assert!(page.contains("Connect m_hosted") && page.contains(r#"value="gbol">Xero<"#), "{page}");

    let request = Request::post(format!("{path}/connect"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("platformKey=gbol"))
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()[header::LOCATION].to_str().unwrap().to_owned();
    let (_, connections, _) = call(&app, "GET", &format!("/companies/{company_id}/connections"), None).await;
    let connection = &connections["results"][0];
    assert_eq!(connection["status"], "PendingAuth");
    // Each answer carries a fresh one-time code; the link itself is the same.
    let without_code = |url: &str| url.split('?').next().unwrap().to_owned();
    assert_eq!(without_code(connection["linkUrl"].as_str().unwrap()), without_code(&location));
}

#[tokio::test]
async fn every_answer_tells_the_daily_quota_and_past_it_codat_answers_429_until_midnight() {
    let mut settings = config();
    settings.daily_quota = Some(2);
    let app = router(Emulator::new(settings));
    let (status, _, headers) = call(&app, "GET", "/companies", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["x-rate-limit-limit"], "2");
    assert_eq!(headers["x-rate-limit-remaining"], "1");
    let reset: i64 = headers["x-rate-limit-reset"].to_str().unwrap().parse().unwrap();
    assert_eq!(reset % 86_400, 0, "midnight UTC");
    call(&app, "GET", "/companies", None).await;
    let (status, body, headers) = call(&app, "GET", "/companies", None).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(body["statusCode"], 429);
    assert_eq!(headers["x-rate-limit-remaining"], "0");
    let wait: i64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=86_400).contains(&wait));
}
