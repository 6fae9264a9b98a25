//! Helpers shared by the proxy's test files (and its benchmark): a standalone emulator on a real
//! socket, reading Codat's own view of it, and the flow's first steps over HTTP.

// The benchmarks include this module too and use part of it.
#![allow(dead_code)]

pub mod postgres;
pub mod process;
pub mod router;

use base64::Engine as _;
use codat_emulator::{Emulator, EmulatorConfig};
use serde_json::{json, Value};
use std::{future::Future, sync::Arc};

/// A request whose answer the test reads as JSON, failing on any error on the way.
pub trait JsonAnswer {
    /// Sends the request and reads the answer's body as JSON.
    fn json_answer(self) -> impl Future<Output = Value>;
}

impl JsonAnswer for reqwest::RequestBuilder {
    async fn json_answer(self) -> Value {
        self.send().await.unwrap().json().await.unwrap()
    }
}

/// A consent receipt for merchant `m1`'s Xero connection `connection_id`, as the store takes it.
pub fn xero_receipt(connection_id: &str) -> codat_connect_proxy::db::NewReceipt<'_> {
    codat_connect_proxy::db::NewReceipt {
        merchant_id: "m1",
        connection_id,
        platform_key: "gbol",
        platform_name: "Xero",
        source_type: "Accounting",
        locale: "en",
        version: "v1",
        text_hash: "h",
        data_types: "[\"invoices\"]",
        handoff_person: None,
    }
}

/// A standalone emulator accepting `key`, served on a free loopback port: its URL and state.
pub async fn spawn_emulator(key: &str, adjust: impl FnOnce(&mut EmulatorConfig)) -> (String, Arc<Emulator>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let mut config =
        EmulatorConfig::new(url.clone(), key, "http://app.test/callback?statusCode={statusCode}");
    adjust(&mut config);
    let emulator = Emulator::new(config);
    let served = emulator.clone();
    tokio::spawn(async move { axum::serve(listener, codat_emulator::router(served)).await });
    (url, emulator)
}

/// The `Authorization` value Codat expects for `key`.
pub fn basic(key: &str) -> String {
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(key))
}

/// A GET straight to the emulator (Codat's own view), as JSON.
pub async fn codat_get(emulator_url: &str, key: &str, path_and_query: &str) -> Value {
    reqwest::Client::new()
        .get(format!("{emulator_url}{path_and_query}"))
        .header("authorization", basic(key))
        .json_answer()
        .await
}

/// A GET to a running server in the session of `cookie`, as JSON.
pub async fn get_json(http: &reqwest::Client, url: &str, cookie: &str) -> Value {
    http.get(url).header("cookie", cookie).send().await.unwrap().json().await.unwrap()
}

/// Signs up through a running server and returns the session cookie (`name=value`).
pub async fn sign_up(http: &reqwest::Client, base: &str) -> String {
    let response = http
        .post(format!("{base}/api/signup"))
        .header("x-codat-connect", "1")
        .json(&json!({"businessName": "Acme", "email": "owner@acme.test"}))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
    response.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned()
}

/// The body of `POST /api/connections` for `platform_key`, with the owner's consent to the
/// current terms of its kind (in English), as the page sends it after "Agree and continue".
pub async fn consented(http: &reqwest::Client, base: &str, platform_key: &str) -> Value {
    for kind in ["Accounting", "Banking", "Commerce"] {
        let grid: Value = http.get(format!("{base}/api/integrations?sourceType={kind}")).json_answer().await;
        if grid.as_array().into_iter().flatten().any(|card| card["platformKey"] == platform_key) {
            let terms: Value =
                http.get(format!("{base}/api/consent?sourceType={kind}&locale=en")).json_answer().await;
            return json!({"platformKey": platform_key, "consent": {"version": terms["version"], "locale": "en"}});
        }
    }
    json!({"platformKey": platform_key})
}

/// Starts a connection to `platform_key`; the answer to `POST /api/connections`.
pub async fn start_connection(http: &reqwest::Client, base: &str, cookie: &str, platform_key: &str) -> Value {
    http.post(format!("{base}/api/connections"))
        .header("cookie", cookie)
        .header("x-codat-connect", "1")
        .json(&consented(http, base, platform_key).await)
        .json_answer()
        .await
}

/// Starts a connection to `platform_key` and presses Authorize on its Link page; the answer to
/// `POST /api/connections`.
pub async fn connect_and_authorize(
    http: &reqwest::Client,
    base: &str,
    cookie: &str,
    platform_key: &str,
) -> Value {
    let started = start_connection(http, base, cookie, platform_key).await;
    let complete = started["linkUrl"].as_str().unwrap().replace("/start", "/complete");
    let no_redirects =
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let redirect = no_redirects.post(complete).form(&[("outcome", "authorize")]).send().await.unwrap();
    assert_eq!(redirect.status(), 303);
    started
}
