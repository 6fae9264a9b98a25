//! Random bodies, headers, paths and query strings at every endpoint (seeded, so a failure
//! repeats): every answer is a 4xx or 2xx, never a 5xx, and every API answer is JSON.

use axum::{
    body::Body,
    http::{header, Method, Request},
    Router,
};
use codat_connect_proxy::{app, build_state, config::Config};
use http_body_util::BodyExt as _;
use serde_json::Value;
use tower::ServiceExt as _;

/// xorshift64*: repeatable randomness without a dependency.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, choices: &[&'a str]) -> &'a str {
        choices[self.below(choices.len())]
    }

    fn junk(&mut self, max: usize) -> String {
        let alphabet: Vec<char> = "aZ09 {}[]\":,\\/.-_%&?=#'<>\n\t\u{0}é漢🙂".chars().collect();
        (0..self.below(max + 1)).map(|_| alphabet[self.below(alphabet.len())]).collect()
    }
}

const ROUTES: [(&str, &str); 17] = [
    ("GET", "/v1/sessions"),
    ("GET", "/webhooks/codat"),
    ("PUT", "/api/connections"),
    ("PATCH", "/api/session"),
    ("POST", "/api/signup"),
    ("GET", "/api/session"),
    ("GET", "/api/integrations"),
    ("GET", "/api/connections"),
    ("POST", "/api/connections"),
    ("GET", "/api/connections/{id}"),
    ("DELETE", "/api/connections/{id}"),
    ("POST", "/api/connections/{id}/unlink"),
    ("POST", "/api/connections/{id}/link"),
    ("GET", "/api/sync"),
    ("POST", "/v1/sessions"),
    ("POST", "/webhooks/codat"),
    ("GET", "/api/{id}"),
];

const BODIES: [&str; 10] = [
    "",
    "null",
    "[]",
    "{}",
    r#"{"businessName": 5, "email": []}"#,
    r#"{"platformKey": "gbol"}"#,
    r#"{"platformKey": "GBOL"}"#,
    r#"{"merchantId": "m-1", "businessName": "Acme"}"#,
    r#"{"businessName": "Acme", "email": "a@acme.test"}"#,
    "{\"eventType\": \"connection.connected\", \"payload\": {\"referenceCompany\": {\"id\": 7}}}",
];

async fn setup(dir: &tempfile::TempDir) -> (Router, String) {
    let mut config =
        Config::local(format!("sqlite://{}", dir.path().join("db").display()), dir.path().join("dist"));
    config.admin_token = Some("admin-0123456789abcdefghijklmnopqrstuv".into());
    // Both doors open, so junk reaches sign-up's validation as well as the lender's API.
    config.sign_up = Some(codat_connect_proxy::config::SignUp::Open);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let state = build_state(&config, &format!("http://{address}"), address).await.unwrap();
    let router = app(state);
    // The embedded emulator is served by the same router, reached over a real socket.
    let served = router.clone();
    tokio::spawn(async move { axum::serve(listener, served).await });
    let signed_up = router
        .clone()
        .oneshot(
            Request::post("/api/signup")
                .header(header::CONTENT_TYPE, "application/json")
                .header("x-codat-connect", "1")
                .body(Body::from(r#"{"businessName": "Acme", "email": "a@acme.test"}"#))
                .unwrap(),
        )
        .await
        .unwrap();
    let cookie =
        signed_up.headers()[header::SET_COOKIE].to_str().unwrap().split(';').next().unwrap().to_owned();
    (router, cookie)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_requests_get_4xx_json_answers_never_5xx() {
    let dir = tempfile::tempdir().unwrap();
    let (router, cookie) = setup(&dir).await;
    let mut dice = Dice(0x5eed_c0da);
    for round in 0..600 {
        let (method, template) = ROUTES[dice.below(ROUTES.len())];
        let id = match dice.below(4) {
            0 => uuid::Uuid::new_v4().to_string(),
            1 => "..%2F..%2Fprofile".to_owned(),
            2 => dice.junk(12).chars().filter(|c| c.is_ascii_alphanumeric()).collect(),
            _ => "%F0%9F%99%82".to_owned(),
        };
        let id = if id.is_empty() { "x".to_owned() } else { id };
        let mut uri = template.replace("{id}", &id);
        if dice.below(3) == 0 {
            let query: String = url::form_urlencoded::byte_serialize(dice.junk(20).as_bytes()).collect();
            uri.push_str(&format!("?{}={query}", dice.pick(&["sourceType", "state", "page", "x"])));
        }
        let body = if dice.below(3) == 0 { dice.junk(200) } else { dice.pick(&BODIES).to_owned() };
        let mut request = Request::builder().method(Method::from_bytes(method.as_bytes()).unwrap()).uri(&uri);
        if dice.below(4) != 0 {
            request = request.header(
                header::CONTENT_TYPE,
                dice.pick(&[
                    "application/json",
                    "text/plain",
                    "application/json; charset=utf-8",
                    "multipart/form-data",
                ]),
            );
        }
        if dice.below(3) != 0 {
            request = request.header("x-codat-connect", "1");
        }
        match dice.below(4) {
            0 => request = request.header(header::COOKIE, cookie.clone()),
            1 => {
                request = request.header(
                    header::COOKIE,
                    format!("cc_session={}", dice.junk(30).replace(['\n', '\t', '\0'], "")),
                )
            }
            2 => {
                request = request.header(
                    header::AUTHORIZATION,
                    dice.pick(&["Bearer admin", "Bearer nope", "Basic YWJj", "Bearer "]),
                )
            }
            _ => {}
        }
        for name in ["webhook-id", "webhook-timestamp", "webhook-signature", "svix-id"] {
            if dice.below(4) == 0 {
                request = request.header(
                    name,
                    dice.pick(&["msg_1", "1700000000", "v1,", "v1,AAAA", "-5", "99999999999999999999"]),
                );
            }
        }
        let response = router.clone().oneshot(request.body(Body::from(body.clone())).unwrap()).await.unwrap();
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        assert!(
            !status.is_server_error(),
            "round {round}: {method} {uri} with {body:?} answered {status}: {}",
            String::from_utf8_lossy(&bytes)
        );
        if status.is_client_error() {
            let json: Value = serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| panic!("round {round}: {method} {uri} answered {status} without JSON"));
            assert!(json["code"].is_string() && json["message"].is_string(), "round {round}: {json}");
        }
    }
}
