//! What an attacker, or a careless client, can and cannot do: rate limits that cannot be dodged
//! or made to lock everyone out, sign-up that cannot mint Codat companies without end, sessions
//! that can be ended, admin tokens that cannot be guessed at speed.

use axum::{
    body::Body,
    http::{header, Request, StatusCode},
};
use codat_connect_proxy::config::SignUp;
use http_body_util::BodyExt as _;
use serde_json::json;
use std::time::Duration;
use tower::ServiceExt as _;

use crate::support::router::*;

fn from(address: &str, cookie: Option<&str>) -> Request<Body> {
    let mut request = Request::get("/api/integrations?sourceType=Banking").header("x-forwarded-for", address);
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    request.body(Body::empty()).unwrap()
}

async fn limited_to(per_minute: u32) -> Setup {
    setup_with(move |config| {
        config.rate_limit_per_minute = per_minute;
        config.forwarded_hops = 1;
    })
    .await
}

#[tokio::test]
async fn a_client_over_its_rate_limit_is_told_when_to_come_back() {
    let setup = limited_to(5).await;
    for _ in 0..5 {
        assert_eq!(send(&setup.app, from("203.0.113.9", None)).await.status, StatusCode::OK);
    }
    let limited = send(&setup.app, from("203.0.113.9", None)).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.body["code"], "rate_limited");
    assert!(limited.headers[header::RETRY_AFTER].to_str().unwrap().parse::<u64>().unwrap() >= 1);
    let other = send(&setup.app, from("198.51.100.4", None)).await;
    assert_eq!(other.status, StatusCode::OK, "another client is unaffected");
}

#[tokio::test]
async fn what_a_client_writes_in_x_forwarded_for_does_not_give_it_a_new_bucket() {
    let setup = limited_to(3).await;
    // The load balancer appends the address it saw; anything left of it is the client's own.
    for spoofed in 0..3 {
        let request = from(&format!("10.9.9.{spoofed}, 203.0.113.9"), None);
        assert_eq!(send(&setup.app, request).await.status, StatusCode::OK);
    }
    let again = send(&setup.app, from("10.9.9.99, 203.0.113.9", None)).await;
    assert_eq!(again.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn ipv6_clients_count_by_their_64_bit_network() {
    let setup = limited_to(2).await;
    assert_eq!(send(&setup.app, from("2001:db8:0:7::1", None)).await.status, StatusCode::OK);
    assert_eq!(send(&setup.app, from("2001:db8:0:7::2", None)).await.status, StatusCode::OK);
    let same_network = send(&setup.app, from("2001:db8:0:7:ffff::3", None)).await;
    assert_eq!(same_network.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(send(&setup.app, from("2001:db8:0:8::1", None)).await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_made_up_session_gets_no_bucket_and_a_real_one_has_its_own() {
    let setup = limited_to(1000).await;
    let before = setup.state.rate_limits.keys_held();
    for junk in 0..20 {
        send(&setup.app, from("203.0.113.9", Some(&format!("cc_session=junk-{junk}")))).await;
    }
    assert_eq!(setup.state.rate_limits.keys_held(), before + 1, "one bucket: the address's");
    let cookie = sign_up(&setup.app, "Acme").await;
    let held = setup.state.rate_limits.keys_held();
    send(&setup.app, from("203.0.113.9", Some(&cookie))).await;
    assert_eq!(setup.state.rate_limits.keys_held(), held + 1, "the live session's own bucket");
}

fn sign_up_request() -> Request<Body> {
    post("/api/signup", &json!({"businessName": "Acme", "email": "owner@acme.test"}).to_string(), None)
}

#[tokio::test]
async fn sign_up_is_closed_where_the_lender_starts_sessions_unless_opened() {
    let embedding = setup_with(|config| config.admin_token = Some(ADMIN.into())).await;
    let refused = send(&embedding.app, sign_up_request()).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.body["code"], "sign_up_closed");
    assert_eq!(companies_named(&embedding, "Acme").await, 0, "no company was created");

    let opened = setup_with(|config| {
        config.admin_token = Some(ADMIN.into());
        config.sign_up = Some(SignUp::Open);
    })
    .await;
    assert_eq!(send(&opened.app, sign_up_request()).await.status, StatusCode::OK);
}

#[tokio::test]
async fn sign_ups_from_one_address_are_limited_and_create_no_company_beyond() {
    let setup = setup_with(|config| config.sign_ups_per_hour = 2).await;
    for _ in 0..2 {
        assert_eq!(send(&setup.app, sign_up_request()).await.status, StatusCode::OK);
    }
    let third = send(&setup.app, sign_up_request()).await;
    assert_eq!(third.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(third.headers[header::RETRY_AFTER].to_str().unwrap().parse::<u64>().unwrap() > 60);
    let page = crate::support::codat_get(&setup.emulator_url, KEY, "/companies?pageSize=100").await;
    assert_eq!(page["totalResults"], 2);
}

#[tokio::test]
async fn signing_out_ends_the_session_and_removes_the_cookie() {
    let setup = setup().await;
    let cookie = sign_up(&setup.app, "Acme").await;
    let forged = Request::post("/api/logout").header(header::COOKIE, &cookie).body(Body::empty()).unwrap();
    assert_eq!(send(&setup.app, forged).await.status, StatusCode::FORBIDDEN, "CSRF-checked");
    let out = send(&setup.app, post("/api/logout", "", Some(&cookie))).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    let removal = out.headers[header::SET_COOKIE].to_str().unwrap();
    assert!(removal.starts_with("cc_session=;") && removal.contains("Max-Age=0"), "{removal}");
    let after = send(&setup.app, get("/api/connections", Some(&cookie))).await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
}

fn bearer_get(path: &str, token: &str) -> Request<Body> {
    Request::get(path).header(header::AUTHORIZATION, format!("Bearer {token}")).body(Body::empty()).unwrap()
}

fn revoke(token: &str) -> Request<Body> {
    Request::delete(format!("/v1/sessions/{token}"))
        .header(header::AUTHORIZATION, format!("Bearer {ADMIN}"))
        .body(Body::empty())
        .unwrap()
}

#[tokio::test]
async fn the_lender_revokes_a_session_and_its_open_event_stream_ends() {
    let setup = setup_with(|config| config.admin_token = Some(ADMIN.into())).await;
    let token = lender_session(&setup, "lender-1").await;
    let stream = setup.app.clone().oneshot(bearer_get("/api/events", &token)).await.unwrap();
    assert_eq!(stream.status(), StatusCode::OK);
    let anyone = Request::delete(format!("/v1/sessions/{token}")).body(Body::empty()).unwrap();
    assert_eq!(send(&setup.app, anyone).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(send(&setup.app, revoke(&token)).await.status, StatusCode::NO_CONTENT);
    // The stream's body ends (a live stream never would: it only sends keep-alives).
    let ended = tokio::time::timeout(Duration::from_secs(10), stream.into_body().collect()).await;
    assert!(ended.is_ok(), "the event stream is still open");
    let refused = send(&setup.app, bearer_get("/api/connections", &token)).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    let again = send(&setup.app, revoke(&token)).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    assert_eq!(again.body["code"], "not_found");
}

#[tokio::test]
async fn a_session_holds_only_a_few_event_streams_at_once() {
    let setup = setup_with(|config| config.admin_token = Some(ADMIN.into())).await;
    let token = lender_session(&setup, "lender-2").await;
    let mut open = Vec::new();
    for _ in 0..codat_connect_proxy::live::STREAMS_PER_SESSION {
        let stream = setup.app.clone().oneshot(bearer_get("/api/events", &token)).await.unwrap();
        assert_eq!(stream.status(), StatusCode::OK);
        open.push(stream);
    }
    let one_more = send(&setup.app, bearer_get("/api/events", &token)).await;
    assert_eq!(one_more.status, StatusCode::TOO_MANY_REQUESTS);
    drop(open.pop());
    let after_one_closed = setup.app.clone().oneshot(bearer_get("/api/events", &token)).await.unwrap();
    assert_eq!(after_one_closed.status(), StatusCode::OK, "a closed stream frees its place");
}

#[tokio::test]
async fn wrong_admin_tokens_soon_get_an_address_refused_before_any_comparison() {
    let setup = setup_with(|config| {
        config.admin_token = Some(ADMIN.into());
        config.forwarded_hops = 1;
    })
    .await;
    let body = r#"{"merchantId": "lender-3", "businessName": "Acme"}"#;
    let attempt = |token: &str, address: &str| {
        let mut request = embed_request(Some(token), body);
        request.headers_mut().insert("x-forwarded-for", address.parse().unwrap());
        request
    };
    let mut refused_as = Vec::new();
    for guess in 0..12 {
        refused_as.push(send(&setup.app, attempt(&format!("guess-{guess}"), "203.0.113.9")).await.status);
    }
    assert!(refused_as[..10].iter().all(|status| *status == StatusCode::UNAUTHORIZED), "{refused_as:?}");
    assert_eq!(refused_as[11], StatusCode::TOO_MANY_REQUESTS);
    let right_but_throttled = send(&setup.app, attempt(ADMIN, "203.0.113.9")).await;
    assert_eq!(right_but_throttled.status, StatusCode::TOO_MANY_REQUESTS);
    let elsewhere = send(&setup.app, attempt(ADMIN, "198.51.100.4")).await;
    assert_eq!(elsewhere.status, StatusCode::OK, "{}", elsewhere.text);
}

#[tokio::test]
async fn webhooks_are_limited_per_sending_address() {
    let setup = setup_with(|config| {
        config.forwarded_hops = 1;
        config.webhooks_per_minute = 100;
    })
    .await;
    let webhook = |address: &str| {
        Request::post("/webhooks/codat")
            .header("x-forwarded-for", address)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from("{}"))
            .unwrap()
    };
    let mut statuses = Vec::new();
    // A minute's allowance is 100; the bucket refills by one or two a second meanwhile.
    for _ in 0..150 {
        statuses.push(send(&setup.app, webhook("203.0.113.9")).await.status);
    }
    assert!(statuses[..100].iter().all(|status| *status == StatusCode::UNAUTHORIZED), "unsigned, refused");
    assert!(statuses[100..].contains(&StatusCode::TOO_MANY_REQUESTS));
    assert_eq!(send(&setup.app, webhook("198.51.100.4")).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_sweep_removes_long_abandoned_merchants_with_their_codat_company_and_keeps_the_rest() {
    let setup = setup().await;
    let abandoned = sign_up(&setup.app, "Abandoned").await;
    let linked = sign_up(&setup.app, "Linked").await;
    let (connection_id, _) = start_connection(&setup.app, &linked, "gbol").await;
    let company_of = |cookie: String| {
        let app = setup.app.clone();
        async move {
            send(&app, get("/api/session", Some(&cookie))).await.body["companyId"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    let abandoned_company = company_of(abandoned.clone()).await;
    let linked_company = company_of(linked.clone()).await;
    // Both signed up forty days ago and their sessions have ended; one linked a platform.
    let db = sqlx::SqlitePool::connect(&setup.database_url).await.unwrap();
    let long_ago = time::OffsetDateTime::now_utc().unix_timestamp() - 40 * 86_400;
    sqlx::query("UPDATE merchants SET created_at = ?").bind(long_ago).execute(&db).await.unwrap();
    sqlx::query("UPDATE sessions SET expires_at = ?").bind(long_ago).execute(&db).await.unwrap();
    sqlx::query("UPDATE connections SET status = 'Linked' WHERE id = ?")
        .bind(&connection_id)
        .execute(&db)
        .await
        .unwrap();
    sqlx::query("UPDATE merchants SET first_linked_at = created_at WHERE company_id = ?")
        .bind(&linked_company)
        .execute(&db)
        .await
        .unwrap();

    let report = codat_connect_proxy::sweep::sweep_once(&setup.state).await.unwrap();
    assert_eq!(report.merchants, 1);
    assert_eq!(report.records.sessions, 2);
    let codat_company = |id: &str| {
        reqwest::Client::new()
            .get(format!("{}/companies/{id}", setup.emulator_url))
            .header("authorization", crate::support::basic(KEY))
            .send()
    };
    assert_eq!(codat_company(&abandoned_company).await.unwrap().status(), 404, "deleted at Codat");
    assert_eq!(codat_company(&linked_company).await.unwrap().status(), 200, "kept");
    let again = codat_connect_proxy::sweep::sweep_once(&setup.state).await.unwrap();
    assert_eq!(again.merchants, 0);
}

#[tokio::test]
async fn an_embedded_event_stream_is_opened_with_a_one_time_ticket_never_the_session_token() {
    let setup = setup_with(|config| config.admin_token = Some(ADMIN.into())).await;
    let token = lender_session(&setup, "lender-4").await;
    let ask = Request::post("/api/events/ticket")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header("x-codat-connect", "1")
        .body(Body::empty())
        .unwrap();
    let issued = send(&setup.app, ask).await;
    assert_eq!(issued.status, StatusCode::OK, "{}", issued.text);
    assert_eq!(issued.body["expiresIn"], 60);
    let ticket = issued.body["ticket"].as_str().unwrap().to_owned();
    assert_ne!(ticket, token);
    // The stream never ends by itself, so only its head is read.
    let stream = setup.app.clone().oneshot(get(&format!("/api/events?ticket={ticket}"), None)).await.unwrap();
    assert_eq!(stream.status(), StatusCode::OK);
    assert_eq!(stream.headers()[header::CONTENT_TYPE], "text/event-stream");
    let reused = send(&setup.app, get(&format!("/api/events?ticket={ticket}"), None)).await;
    assert_eq!(reused.status, StatusCode::UNAUTHORIZED, "a ticket opens one stream");
    let by_token = send(&setup.app, get(&format!("/api/events?access_token={token}"), None)).await;
    assert_eq!(by_token.status, StatusCode::UNAUTHORIZED, "the session token is never taken from a URL");
    let elsewhere = send(&setup.app, get(&format!("/api/connections?ticket={ticket}"), None)).await;
    assert_eq!(elsewhere.status, StatusCode::UNAUTHORIZED, "a ticket is for the event stream only");
}

#[tokio::test]
async fn answers_with_personal_data_are_never_stored_by_a_cache() {
    let setup = setup_with(|config| {
        config.admin_token = Some(ADMIN.into());
        config.sign_up = Some(SignUp::Open);
    })
    .await;
    let cookie = sign_up(&setup.app, "Cache Ltd").await;
    let token = lender_session(&setup, "m-cache").await;
    for (request, what) in [
        (get("/api/session", Some(&cookie)), "the session"),
        (get("/api/connections", Some(&cookie)), "the connections"),
        (get("/api/consents", Some(&cookie)), "the receipts"),
        (get("/api/session", None), "a first visit"),
        (bearer_get("/api/connections", &token), "an embedded page's connections"),
        (bearer_get("/v1/merchants", ADMIN), "the lender's merchants"),
        (bearer_get("/v1/merchants/m-cache", ADMIN), "one merchant"),
        (bearer_get("/v1/merchants/m-cache/consents?format=csv", ADMIN), "a CSV export"),
        (bearer_get("/v1/webhook-deliveries", ADMIN), "the delivery log"),
        (bearer_get("/v1/merchants", "wrong-token-wrong-token-wrong-token"), "a refusal"),
    ] {
        let answer = send(&setup.app, request).await;
        assert_eq!(
            answer.headers.get(header::CACHE_CONTROL).map(|v| v.to_str().unwrap()),
            Some("no-store"),
            "{what} ({})",
            answer.status
        );
    }
}

#[tokio::test]
async fn credentials_in_a_lender_endpoints_url_are_not_shown_in_the_delivery_log() {
    let url = "http://user:pa55@127.0.0.1:9/hook?token=s3cret";
    let setup = setup_with(|config| {
        config.admin_token = Some(ADMIN.into());
        let secret = codat::WebhookSecret::parse(&codat::WebhookSecret::generate()).unwrap();
        config.lender_webhooks = vec![codat_connect_proxy::config::LenderEndpoint {
            url: url.into(),
            secret,
            previous_secret: None,
        }];
    })
    .await;
    let token = lender_session(&setup, "m-hooks").await;
    let started = send(
        &setup.app,
        post_json_with_bearer("/api/connections", &consented(&setup.app, "mqjo").await, &token),
    )
    .await;
    authorize(started.body["linkUrl"].as_str().unwrap()).await;
    let body = json!({"connectionId": started.body["connection"]["id"]}).to_string();
    let confirmed = send(&setup.app, post_json_with_bearer("/api/callback", &body, &token)).await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.text);
    let log = send(&setup.app, bearer_get("/v1/webhook-deliveries", ADMIN)).await;
    let endpoints: Vec<&str> =
        log.body["results"].as_array().unwrap().iter().map(|d| d["endpoint"].as_str().unwrap()).collect();
    assert!(!endpoints.is_empty(), "{}", log.text);
    assert!(
        endpoints.iter().all(|e| *e == "http://redacted@127.0.0.1:9/hook?token=redacted"),
        "{endpoints:?}"
    );
    assert!(!log.text.contains("pa55") && !log.text.contains("s3cret"));
}

/// A real server (sockets, not the router) with these connection limits.
async fn server_with(
    adjust: impl FnOnce(&mut codat_connect_proxy::config::Config),
) -> (codat_connect_proxy::server::RunningProxy, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("dist")).unwrap();
    let database_url = format!("sqlite://{}", dir.path().join("db").display());
    let mut config = codat_connect_proxy::config::Config::local(database_url, dir.path().join("dist"));
    adjust(&mut config);
    (codat_connect_proxy::server::start(config).await.unwrap(), dir)
}

/// Everything the server sends on `stream` until it closes it, waiting at most `limit`.
async fn read_until_closed(stream: &mut tokio::net::TcpStream, limit: Duration) -> String {
    use tokio::io::AsyncReadExt as _;
    let mut answer = Vec::new();
    tokio::time::timeout(limit, stream.read_to_end(&mut answer))
        .await
        .expect("the server closed the connection in time")
        .ok();
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_or_its_body_is_cut_off() {
    use tokio::io::AsyncWriteExt as _;
    let (server, _dir) = server_with(|config| {
        config.header_read_timeout_seconds = 0.5;
        config.body_read_timeout_seconds = 0.5;
    })
    .await;
    let mut headers = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    headers.write_all(b"GET /healthz HTTP/1.1\r\nHost: app.test\r\n").await.unwrap();
    read_until_closed(&mut headers, Duration::from_secs(10)).await;

    let mut body = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let request = "POST /api/signup HTTP/1.1\r\nHost: app.test\r\nContent-Type: application/json\r\n\
                   x-codat-connect: 1\r\nContent-Length: 100\r\n\r\n{\"businessName\"";
    body.write_all(request.as_bytes()).await.unwrap();
    let answer = read_until_closed(&mut body, Duration::from_secs(10)).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    server.stop().await.unwrap();
}

#[tokio::test]
async fn connections_beyond_the_cap_wait_until_one_ends() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let (server, _dir) = server_with(|config| config.max_connections = 2).await;
    let mut held = Vec::new();
    for _ in 0..2 {
        let mut stream = tokio::net::TcpStream::connect(server.addr).await.unwrap();
        stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: app.test\r\n\r\n").await.unwrap();
        let mut first = [0u8; 12];
        stream.read_exact(&mut first).await.unwrap();
        assert_eq!(&first, b"HTTP/1.1 200");
        held.push(stream);
    }
    let mut third = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    third.write_all(b"GET /healthz HTTP/1.1\r\nHost: app.test\r\nConnection: close\r\n\r\n").await.unwrap();
    let mut first = [0u8; 12];
    let early = tokio::time::timeout(Duration::from_millis(500), third.read_exact(&mut first)).await;
    assert!(early.is_err(), "a third connection is not served while two are open");
    drop(held.pop());
    let answer = read_until_closed(&mut third, Duration::from_secs(10)).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "served once one ended: {answer}");
    drop(held);
    server.stop().await.unwrap();
}

/// The first line of the server's answer on `stream`, waiting at most `limit`.
async fn status_line_within(stream: &mut tokio::net::TcpStream, limit: Duration) -> String {
    use tokio::io::AsyncReadExt as _;
    let mut first = [0u8; 12];
    tokio::time::timeout(limit, stream.read_exact(&mut first))
        .await
        .expect("the server answered in time, without waiting for the rest of the body")
        .unwrap();
    String::from_utf8_lossy(&first).into_owned()
}

#[tokio::test]
async fn a_stranger_cannot_make_the_server_wait_for_or_hold_a_documents_size_body() {
    use tokio::io::AsyncWriteExt as _;
    let (server, _dir) = server_with(|config| config.documents_platform = Some("fupd".into())).await;
    // A made-up session with the CSRF header, declaring 5 MB and sending 64 KB of it: refused
    // before the body is read, rather than held until the document's read timeout.
    let mut upload = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let head = "POST /api/documents?kind=Accounting HTTP/1.1\r\nHost: app.test\r\nx-codat-connect: 1\r\n\
                Authorization: Bearer made-up\r\nx-document-name: a.pdf\r\nContent-Length: 5000000\r\n\r\n";
    upload.write_all(head.as_bytes()).await.unwrap();
    upload.write_all(&[b'x'; 64 * 1024]).await.unwrap();
    assert_eq!(status_line_within(&mut upload, Duration::from_secs(10)).await, "HTTP/1.1 401");

    // The embedded emulator's Files API with a wrong key gets only the small limit.
    let mut files = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let head = "POST /emulator/companies/c/connections/d/files HTTP/1.1\r\nHost: app.test\r\n\
                Authorization: Basic bm90LXRoZS1rZXk=\r\nContent-Length: 5000000\r\n\r\n";
    files.write_all(head.as_bytes()).await.unwrap();
    assert_eq!(status_line_within(&mut files, Duration::from_secs(10)).await, "HTTP/1.1 413");
    server.stop().await.unwrap();
}
