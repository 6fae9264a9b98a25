//! The proxy's router driven in-process (`oneshot`), against a standalone emulator on a real
//! socket standing in for Codat: set-up, requests and their answers.

use axum::{
    body::Body,
    http::{header, Request, StatusCode},
    Router,
};
use codat_connect_proxy::{app, build_state, config::Config};
use http_body_util::BodyExt as _;
use serde_json::{json, Value};
use tower::ServiceExt as _;

pub const KEY: &str = "test-api-key";
/// The lender's admin token in these tests (at least 32 characters, as the server requires).
pub const ADMIN: &str = "admin-secret-0123456789abcdefghijklmnop";

pub struct Setup {
    pub app: Router,
    pub emulator: std::sync::Arc<codat_emulator::Emulator>,
    pub emulator_url: String,
    pub state: codat_connect_proxy::AppState,
    /// The server's SQLite database, for tests that age what it holds.
    pub database_url: String,
    _dir: tempfile::TempDir,
}

pub async fn setup() -> Setup {
    setup_with(|_| {}).await
}

pub async fn setup_with(adjust: impl FnOnce(&mut Config)) -> Setup {
    setup_with_emulator(|_| {}, adjust).await
}

pub async fn setup_with_emulator(
    adjust_emulator: impl FnOnce(&mut codat_emulator::EmulatorConfig),
    adjust: impl FnOnce(&mut Config),
) -> Setup {
    let (emulator_url, emulator) = super::spawn_emulator(KEY, adjust_emulator).await;
    let dir = tempfile::tempdir().unwrap();
    let dist = dir.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    let index = r#"<!doctype html><html><head><link rel="stylesheet" href="/theme.css"><script nonce="__CSP_NONCE__" type="module"></script></head><body></body></html>"#;
    std::fs::write(dist.join("index.html"), index).unwrap();
    std::fs::create_dir_all(dist.join("assets")).unwrap();
    std::fs::write(dist.join("assets/badge.svg"), r#"<svg xmlns="http://www.w3.org/2000/svg"/>"#).unwrap();
    let database_url = format!("sqlite://{}", dir.path().join("db").display());
    let mut config = Config::local(database_url.clone(), dist);
    config.codat_api_key = Some(KEY.into());
    config.codat_base_url = emulator_url.clone();
    adjust(&mut config);
    let state = build_state(&config, "http://app.test", "127.0.0.1:1".parse().unwrap()).await.unwrap();
    Setup { app: app(state.clone()), emulator, emulator_url, state, database_url, _dir: dir }
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Value,
    pub text: String,
}

pub async fn send(app: &Router, request: Request<Body>) -> Reply {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    Reply { status, headers, body: serde_json::from_str(&text).unwrap_or(Value::Null), text }
}

pub fn post(path: &str, body: &str, cookie: Option<&str>) -> Request<Body> {
    let mut request =
        Request::post(path).header(header::CONTENT_TYPE, "application/json").header("x-codat-connect", "1");
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    request.body(Body::from(body.to_owned())).unwrap()
}

pub fn delete(path: &str, cookie: &str) -> Request<Body> {
    Request::delete(path)
        .header("x-codat-connect", "1")
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .unwrap()
}

/// Presses Authorize on the (emulator's) Link page of a `linkUrl`.
pub async fn authorize(link_url: &str) {
    let complete = link_url.split('?').next().unwrap().replace("/start", "/complete");
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let response = client.post(complete).form(&[("outcome", "authorize")]).send().await.unwrap();
    assert_eq!(response.status(), 303);
}

pub fn get(path: &str, cookie: Option<&str>) -> Request<Body> {
    let mut request = Request::get(path);
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    request.body(Body::empty()).unwrap()
}

/// Signs up and returns the session cookie (`name=value`).
pub async fn sign_up(app: &Router, business: &str) -> String {
    let body = json!({"businessName": business, "email": "owner@example.com"}).to_string();
    let reply = send(app, post("/api/signup", &body, None)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let set_cookie = reply.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap().to_owned();
    set_cookie.split(';').next().unwrap().to_owned()
}

/// `POST /v1/sessions` with the admin token `token` and a JSON body.
pub fn embed_request(token: Option<&str>, body: &str) -> Request<Body> {
    let mut request = Request::post("/v1/sessions").header(header::CONTENT_TYPE, "application/json");
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    request.body(Body::from(body.to_owned())).unwrap()
}

/// Companies named `name` in the emulator, counted through Codat's own API.
pub async fn companies_named(setup: &Setup, name: &str) -> usize {
    let page = super::codat_get(&setup.emulator_url, KEY, &format!("/companies?query=name%3D{name}")).await;
    page["totalResults"].as_u64().unwrap() as usize
}

/// Starts a connection to `platform_key`: its id and the `state` on its Link URL.
pub async fn start_connection(app: &Router, cookie: &str, platform_key: &str) -> (String, String) {
    let body = consented(app, platform_key).await;
    let started = send(app, post("/api/connections", &body, Some(cookie))).await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.text);
    let id = started.body["connection"]["id"].as_str().unwrap().to_owned();
    let link = url::Url::parse(started.body["linkUrl"].as_str().unwrap()).unwrap();
    let state = link.query_pairs().find(|(k, _)| k == "state").map(|(_, v)| v.into_owned());
    (id, state.expect("a state on the link"))
}

/// The body of `POST /api/connections` for `platform_key`, with the owner's consent to the
/// current terms of its kind (in English), as the page sends it after "Agree and continue".
pub async fn consented(app: &Router, platform_key: &str) -> String {
    for kind in ["Accounting", "Banking", "Commerce"] {
        let grid = send(app, get(&format!("/api/integrations?sourceType={kind}"), None)).await;
        if grid.body.as_array().into_iter().flatten().any(|card| card["platformKey"] == platform_key) {
            let terms = send(app, get(&format!("/api/consent?sourceType={kind}&locale=en"), None)).await;
            let consent = json!({"version": terms.body["version"], "locale": "en"});
            return json!({"platformKey": platform_key, "consent": consent}).to_string();
        }
    }
    json!({ "platformKey": platform_key }).to_string()
}

/// A GET with `Authorization: Bearer <token>` (an embedded page's session, or the admin token).
pub fn get_with_bearer(path: &str, token: &str) -> Request<Body> {
    Request::get(path).header(header::AUTHORIZATION, format!("Bearer {token}")).body(Body::empty()).unwrap()
}

/// A POST without a body, with `Authorization: Bearer <token>`.
pub fn post_with_bearer(path: &str, token: &str) -> Request<Body> {
    Request::post(path).header(header::AUTHORIZATION, format!("Bearer {token}")).body(Body::empty()).unwrap()
}

/// A state-changing JSON POST from an embedded page holding the session `token`.
pub fn post_json_with_bearer(path: &str, body: &str, token: &str) -> Request<Body> {
    Request::post(path)
        .header(header::CONTENT_TYPE, "application/json")
        .header("x-codat-connect", "1")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::from(body.to_owned()))
        .unwrap()
}

/// Opens a lender's one-time `/start/` link in a browser of its own (no session yet): the
/// session cookie it starts (`name=value`), and where it leads.
pub async fn open_start_link(setup: &Setup, url: &str) -> (Option<String>, String) {
    let path = url.strip_prefix("http://app.test").expect("a link to this server");
    let answer = send(&setup.app, Request::post(path).body(Body::empty()).unwrap()).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    let cookie = answer
        .headers
        .get(header::SET_COOKIE)
        .map(|c| c.to_str().unwrap().split(';').next().unwrap().to_owned());
    (cookie, answer.headers[header::LOCATION].to_str().unwrap().to_owned())
}

/// The bodies of the lender's events of `event_type` the server stored, oldest first.
pub async fn stored_events(setup: &Setup, event_type: &str) -> Vec<Value> {
    let mut db = <sqlx::SqliteConnection as sqlx::Connection>::connect(&setup.database_url).await.unwrap();
    let bodies: Vec<(String,)> =
        sqlx::query_as("SELECT body FROM lender_events WHERE event_type = ? ORDER BY seq")
            .bind(event_type)
            .fetch_all(&mut db)
            .await
            .unwrap();
    bodies.into_iter().map(|(body,)| serde_json::from_str(&body).unwrap()).collect()
}

/// A session the lender's backend starts for `merchant_id` (`POST /v1/sessions`): its bearer token.
pub async fn lender_session(setup: &Setup, merchant_id: &str) -> String {
    let body = json!({"merchantId": merchant_id, "businessName": "Acme"}).to_string();
    let issued = send(&setup.app, embed_request(Some(ADMIN), &body)).await;
    assert_eq!(issued.status, StatusCode::OK, "{}", issued.text);
    issued.body["sessionToken"].as_str().unwrap().to_owned()
}
