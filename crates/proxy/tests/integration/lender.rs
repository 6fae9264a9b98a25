//! What the lender's systems get: requirements set with a session, signed webhooks delivered at
//! least once and in order to a receiver that fails, times out, recovers and outlives a server
//! restart, and the status API behind the admin token.

use crate::support::JsonAnswer;
use crate::support::{
    router::{self, embed_request, get, send, setup_with, ADMIN, KEY},
    spawn_emulator,
};
use axum::{
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode},
    routing::post,
    Router,
};
use codat::WebhookSecret;
use codat_connect_proxy::{config::Config, config::LenderEndpoint, start, RunningProxy};
use serde_json::{json, Value};
use std::{
    collections::{HashSet, VecDeque},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// How the receiver answers one delivery.
#[derive(Debug, Clone, Copy)]
enum Answer {
    Fail,
    Hang,
    Acknowledge,
}

/// A delivery as the receiver saw it.
#[derive(Debug, Clone)]
struct Received {
    id: String,
    body: Value,
    verified: bool,
    acknowledged: bool,
}

/// The lender's endpoint: answers from a script, then acknowledges while `up`, else fails.
#[derive(Default)]
struct Receiver {
    script: Mutex<VecDeque<Answer>>,
    down: Mutex<bool>,
    seen: Mutex<Vec<Received>>,
}

async fn receive(State(receiver): State<Arc<Receiver>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let id = header("webhook-id");
    let timestamp: i64 = header("webhook-timestamp").parse().unwrap_or_default();
    let verified =
        WebhookSecret::parse(SECRET).unwrap().verify(&id, timestamp, &body, &header("webhook-signature"));
    let scripted = receiver.script.lock().unwrap().pop_front();
    let answer =
        scripted.unwrap_or(if *receiver.down.lock().unwrap() { Answer::Fail } else { Answer::Acknowledge });
    let acknowledged = matches!(answer, Answer::Acknowledge);
    let body = serde_json::from_slice(&body).unwrap_or(Value::Null);
    receiver.seen.lock().unwrap().push(Received { id, body, verified, acknowledged });
    match answer {
        Answer::Fail => StatusCode::SERVICE_UNAVAILABLE,
        Answer::Hang => std::future::pending().await,
        Answer::Acknowledge => StatusCode::NO_CONTENT,
    }
}

async fn spawn_receiver(receiver: Arc<Receiver>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    let app = Router::new().route("/hooks", post(receive)).with_state(receiver);
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

fn config(database_url: &str, emulator_url: &str, receiver_url: &str, dist: &std::path::Path) -> Config {
    let mut config = Config::local(database_url, dist);
    config.codat_api_key = Some(KEY.into());
    config.codat_base_url = emulator_url.into();
    config.admin_token = Some(ADMIN.into());
    config.lender_webhooks = vec![LenderEndpoint {
        url: receiver_url.into(),
        secret: WebhookSecret::parse(SECRET).unwrap(),
        previous_secret: None,
    }];
    config.lender_webhook_retry_seconds = vec![0.05; 5];
    config.lender_webhook_timeout_seconds = 0.5;
    config
}

/// A session for `merchant` from the lender's backend; its bearer token.
async fn session(http: &reqwest::Client, base: &str, merchant: &str, requirements: Value) -> String {
    let body = json!({"merchantId": merchant, "businessName": "Acme", "requirements": requirements});
    let answer =
        http.post(format!("{base}/v1/sessions")).bearer_auth(ADMIN).json(&body).send().await.unwrap();
    assert_eq!(answer.status(), 200);
    answer.json::<Value>().await.unwrap()["sessionToken"].as_str().unwrap().to_owned()
}

async fn api(http: &reqwest::Client, base: &str, token: &str, path: &str) -> Value {
    http.get(format!("{base}{path}")).bearer_auth(token).send().await.unwrap().json().await.unwrap()
}

/// Links `platform_key` for the session's merchant through the emulator's Link page, then waits
/// for the first read to finish as the page would (reading `/api/connections` and `/api/sync`).
async fn link_and_read(http: &reqwest::Client, base: &str, token: &str, platform_key: &str) {
    let started: Value = http
        .post(format!("{base}/api/connections"))
        .bearer_auth(token)
        .header("x-codat-connect", "1")
        .json(&crate::support::consented(http, base, platform_key).await)
        .json_answer()
        .await;
    router::authorize(started["linkUrl"].as_str().unwrap()).await;
    let linked = api(http, base, token, "/api/connections").await;
    assert!(linked.as_array().unwrap().iter().any(|c| c["status"] == "Linked"), "{linked}");
    wait_for("the first read", || async {
        let sync = api(http, base, token, "/api/sync").await;
        let items = sync.as_array().cloned().unwrap_or_default();
        !items.is_empty()
            && items.iter().all(|i| matches!(i["state"].as_str(), Some("Complete" | "NotSupported")))
    })
    .await;
}

async fn wait_for<F, Fut>(what: &str, mut done: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done().await {
        assert!(Instant::now() < deadline, "{what} did not happen");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn pending_deliveries(http: &reqwest::Client, base: &str) -> usize {
    let log = admin_json(http, base, "/v1/webhook-deliveries?status=pending").await;
    log["results"].as_array().map_or(usize::MAX, Vec::len)
}

fn event_types(seen: &[Received]) -> Vec<String> {
    seen.iter()
        .filter(|r| r.acknowledged)
        .map(|r| r.body["type"].as_str().unwrap_or_default().to_owned())
        .collect()
}

struct Fixture {
    emulator_url: String,
    receiver: Arc<Receiver>,
    receiver_url: String,
    database_url: String,
    dir: tempfile::TempDir,
}

async fn fixture() -> Fixture {
    let (emulator_url, _emulator) =
        spawn_emulator(KEY, |c| c.sync_duration = Duration::from_millis(300)).await;
    let receiver = Arc::new(Receiver::default());
    let receiver_url = spawn_receiver(receiver.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("dist")).unwrap();
    let database_url = format!("sqlite://{}", dir.path().join("db").display());
    Fixture { emulator_url, receiver, receiver_url, database_url, dir }
}

impl Fixture {
    async fn server(&self) -> RunningProxy {
        start(config(
            &self.database_url,
            &self.emulator_url,
            &self.receiver_url,
            &self.dir.path().join("dist"),
        ))
        .await
        .unwrap()
    }
}

#[tokio::test]
async fn events_reach_the_lender_signed_in_order_once_per_id_through_failures_and_a_timeout() {
    let fixture = fixture().await;
    fixture.receiver.script.lock().unwrap().extend([Answer::Fail, Answer::Hang]);
    let server = fixture.server().await;
    let base = server.public_url.clone();
    let http = reqwest::Client::new();
    let token = session(&http, &base, "applicant-1", json!({"Accounting": "required"})).await;
    link_and_read(&http, &base, &token, "gbol").await;
    wait_for("every delivery", || async { pending_deliveries(&http, &base).await == 0 }).await;

    let seen = fixture.receiver.seen.lock().unwrap().clone();
    assert!(seen.iter().all(|r| r.verified), "every delivery is signed with the endpoint's secret");
    let types = event_types(&seen);
    assert_eq!(types.first().map(String::as_str), Some("merchant.connection.linked"), "{types:?}");
    assert_eq!(types.last().map(String::as_str), Some("merchant.ready"), "{types:?}");
    assert!(types.iter().filter(|t| *t == "merchant.sync.completed").count() > 1, "{types:?}");
    let first = &seen[0];
    let attempts: Vec<&Received> = seen.iter().filter(|r| r.id == first.id).collect();
    assert_eq!(attempts.len(), 3, "failed, timed out, acknowledged: one id throughout");
    let acknowledged: Vec<&str> = seen.iter().filter(|r| r.acknowledged).map(|r| r.id.as_str()).collect();
    let distinct: HashSet<&str> = acknowledged.iter().copied().collect();
    assert_eq!(distinct.len(), acknowledged.len(), "no id acknowledged twice");
    let ready = seen.iter().find(|r| r.body["type"] == "merchant.ready").unwrap();
    assert_eq!(ready.body["data"]["merchantId"], "applicant-1");
    assert_eq!(ready.body["data"]["progress"]["complete"], json!(["Accounting"]));

    let log = admin_json(&http, &base, "/v1/webhook-deliveries?merchantId=applicant-1").await;
    let oldest = log["results"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (oldest["attempts"].as_i64(), oldest["status"].as_str()),
        (Some(3), Some("delivered")),
        "{oldest}"
    );
    assert_eq!(oldest["lastStatus"], 204);
    let ready = admin_json(&http, &base, "/v1/merchants/applicant-1").await;
    assert_eq!((ready["ready"].as_bool(), ready["attentionNeeded"].as_bool()), (Some(true), Some(false)));

    // The platform revokes access: the lender hears `needs_reauth`, and the merchant is no longer ready.
    let connection = ready["connections"][0]["id"].as_str().unwrap().to_owned();
    let company = ready["companyId"].as_str().unwrap().to_owned();
    let revoke = format!(
        "{}/_emulator/companies/{company}/connections/{connection}/deauthorize",
        fixture.emulator_url
    );
    let revoked = http.post(revoke).header("authorization", crate::support::basic(KEY)).send().await.unwrap();
    assert!(revoked.status().is_success());
    api(&http, &base, &token, "/api/connections").await;
    wait_for("the needs_reauth event", || async {
        event_types(&fixture.receiver.seen.lock().unwrap())
            .iter()
            .any(|t| t == "merchant.connection.needs_reauth")
    })
    .await;
    let lost = admin_json(&http, &base, "/v1/merchants/applicant-1").await;
    assert_eq!((lost["ready"].as_bool(), lost["attentionNeeded"].as_bool()), (Some(false), Some(true)));
    assert_eq!(lost["progress"]["missing"], json!(["Accounting"]));
    let waiting = admin_json(&http, &base, "/v1/merchants?ready=false").await;
    assert_eq!(waiting["results"][0]["merchantId"], "applicant-1");
    server.stop().await.unwrap();
}

async fn admin_json(http: &reqwest::Client, base: &str, path: &str) -> Value {
    http.get(format!("{base}{path}")).bearer_auth(ADMIN).send().await.unwrap().json().await.unwrap()
}

#[tokio::test]
async fn deliveries_outlive_a_restart_and_acknowledged_ones_are_not_sent_again() {
    let fixture = fixture().await;
    // The first event gets through; then the endpoint is down until after the restart.
    fixture.receiver.script.lock().unwrap().push_back(Answer::Acknowledge);
    *fixture.receiver.down.lock().unwrap() = true;
    let server = fixture.server().await;
    let base = server.public_url.clone();
    let http = reqwest::Client::new();
    let token = session(&http, &base, "applicant-2", json!({"Accounting": "required"})).await;
    link_and_read(&http, &base, &token, "gbol").await;
    wait_for("a refused delivery", || async {
        fixture.receiver.seen.lock().unwrap().iter().any(|r| !r.acknowledged)
    })
    .await;
    server.stop().await.unwrap();

    *fixture.receiver.down.lock().unwrap() = false;
    let restarted = fixture.server().await;
    let base = restarted.public_url.clone();
    wait_for("every delivery after the restart", || async { pending_deliveries(&http, &base).await == 0 })
        .await;
    let seen = fixture.receiver.seen.lock().unwrap().clone();
    let acknowledged: Vec<&str> = seen.iter().filter(|r| r.acknowledged).map(|r| r.id.as_str()).collect();
    let distinct: HashSet<&str> = acknowledged.iter().copied().collect();
    assert_eq!(distinct.len(), acknowledged.len(), "no acknowledged id sent again: {acknowledged:?}");
    let types = event_types(&seen);
    assert_eq!(types.first().map(String::as_str), Some("merchant.connection.linked"));
    assert_eq!(types.last().map(String::as_str), Some("merchant.ready"), "nothing lost: {types:?}");
    restarted.stop().await.unwrap();
}

#[tokio::test]
async fn the_status_api_answers_only_the_admin_token_and_tells_readiness_against_requirements() {
    let setup = setup_with(|config| config.admin_token = Some(ADMIN.into())).await;
    let admin_get = |path: &str| {
        axum::http::Request::get(path)
            .header("authorization", format!("Bearer {ADMIN}"))
            .body(axum::body::Body::empty())
            .unwrap()
    };
    let body = r#"{"merchantId": "m-42", "businessName": "Acme", "requirements": {"Accounting": "required", "Commerce": "hidden"}}"#;
    assert_eq!(send(&setup.app, embed_request(Some(ADMIN), body)).await.status, 200);

    assert_eq!(send(&setup.app, get("/v1/merchants/m-42", None)).await.status, 401);
    assert_eq!(send(&setup.app, get("/v1/merchants", None)).await.status, 401);
    assert_eq!(send(&setup.app, get("/v1/webhook-deliveries", None)).await.status, 401);
    let unknown = send(&setup.app, admin_get("/v1/merchants/nobody")).await;
    assert_eq!((unknown.status.as_u16(), unknown.body["code"].as_str()), (404, Some("not_found")));
    let bad = send(&setup.app, admin_get("/v1/merchants?ready=perhaps")).await;
    assert_eq!((bad.status.as_u16(), bad.body["code"].as_str()), (400, Some("bad_request")));
    assert_eq!(send(&setup.app, admin_get("/v1/merchants?page=0")).await.status, 400);

    let status = send(&setup.app, admin_get("/v1/merchants/m-42")).await;
    assert_eq!(status.status, 200, "{}", status.text);
    assert_eq!(status.body["ready"], false);
    assert_eq!(
        status.body["requirements"],
        json!({"Accounting": "required", "Banking": "optional", "Commerce": "hidden"})
    );
    assert_eq!(
        status.body["progress"],
        json!({"complete": [], "missing": ["Accounting"], "skipped": ["Banking"]})
    );
    let waiting = send(&setup.app, admin_get("/v1/merchants?ready=false")).await;
    assert_eq!(waiting.body["results"][0]["merchantId"], "m-42");
    assert!(send(&setup.app, admin_get("/v1/merchants?ready=true")).await.body["results"]
        .as_array()
        .unwrap()
        .is_empty());
    let replay =
        send(&setup.app, router::post_with_bearer("/v1/webhook-deliveries/dlv_nope/replay", ADMIN)).await;
    assert_eq!(replay.status, 404);
}

#[tokio::test]
async fn requirements_come_only_from_the_lender_and_hidden_kinds_cannot_be_connected() {
    let setup = setup_with(|config| config.admin_token = Some(ADMIN.into())).await;
    let unknown_kind =
        r#"{"merchantId": "m-1", "businessName": "Acme", "requirements": {"Payroll": "required"}}"#;
    let refused = send(&setup.app, embed_request(Some(ADMIN), unknown_kind)).await;
    assert_eq!(refused.status, 400, "{}", refused.text);
    let body = r#"{"merchantId": "m-1", "businessName": "Acme", "requirements": {"Accounting": "required", "Commerce": "hidden"}}"#;
    let session = send(&setup.app, embed_request(Some(ADMIN), body)).await;
    let token = session.body["sessionToken"].as_str().unwrap().to_owned();

    let mine = send(&setup.app, router::get_with_bearer("/api/session", &token)).await;
    assert_eq!(mine.body["requirements"]["Commerce"], "hidden");
    let commerce = send(&setup.app, get("/api/integrations?sourceType=Commerce", None)).await;
    let shopify = commerce.body[0]["platformKey"].as_str().unwrap().to_owned();
    let start = send(
        &setup.app,
        router::post_json_with_bearer(
            "/api/connections",
            &router::consented(&setup.app, &shopify).await,
            &token,
        ),
    )
    .await;
    assert_eq!(start.status, 400, "{}", start.text);
    assert!(start.body["message"].as_str().unwrap().contains("does not ask"));
    let accounting = send(
        &setup.app,
        router::post_json_with_bearer(
            "/api/connections",
            &router::consented(&setup.app, "gbol").await,
            &token,
        ),
    )
    .await;
    assert_eq!(accounting.status, 200, "{}", accounting.text);
}

/// The one writer's changes, each failing inside its transaction (a table it writes is taken
/// away) and then succeeding: the failure leaves neither the state nor the event.
mod one_writer {
    use super::*;
    use crate::support::xero_receipt;
    use codat_connect_api::SyncState;
    use codat_connect_proxy::{
        db::{Merchant, Withdrawal},
        facts::{self, Cause},
    };

    struct Store {
        setup: router::Setup,
        sqlite: sqlx::SqliteConnection,
    }

    impl Store {
        async fn new() -> Self {
            let setup = setup_with(|_| {}).await;
            let merchant = Merchant {
                id: "m1".into(),
                business_name: "Acme".into(),
                email: String::new(),
                company_id: Some("co1".into()),
            };
            setup.state.db.insert_merchant(&merchant).await.unwrap();
            let sqlite =
                <sqlx::SqliteConnection as sqlx::Connection>::connect(&setup.database_url).await.unwrap();
            Self { setup, sqlite }
        }

        async fn scalar(&mut self, sql: &str) -> i64 {
            sqlx::query_scalar(sql).fetch_one(&mut self.sqlite).await.unwrap()
        }

        async fn text(&mut self, sql: &str) -> Option<String> {
            sqlx::query_scalar(sql).fetch_optional(&mut self.sqlite).await.unwrap()
        }

        /// Takes `table` away (every write to it fails) or puts it back.
        async fn break_table(&mut self, table: &str, broken: bool) {
            let (from, to) = if broken {
                (table.to_owned(), format!("{table}_away"))
            } else {
                (format!("{table}_away"), table.to_owned())
            };
            sqlx::query(&format!("ALTER TABLE {from} RENAME TO {to}"))
                .execute(&mut self.sqlite)
                .await
                .unwrap();
        }

        async fn events(&mut self, event_type: &str) -> i64 {
            self.scalar(&format!("SELECT COUNT(*) FROM lender_events WHERE event_type = '{event_type}'"))
                .await
        }
    }

    fn connection(id: &str, status: codat::ConnectionStatus) -> codat::Connection {
        serde_json::from_value(
            json!({"id": id, "integrationId": "i", "integrationKey": "gbol", "sourceId": "s",
            "sourceType": "Accounting", "platformName": "Xero", "linkUrl": "https://link.codat.io/x",
            "status": status.as_str(), "created": "2026-01-01T00:00:00Z"}),
        )
        .unwrap()
    }

    const LINKED: &str = "SELECT COUNT(*) FROM connections WHERE id = 'c1' AND status = 'Linked'";

    #[tokio::test]
    async fn a_connection_seen_is_stored_with_its_event_or_not_at_all() {
        let mut store = Store::new().await;
        let state = store.setup.state.clone();
        let linked = [connection("c1", codat::ConnectionStatus::Linked)];
        store.break_table("lender_events", true).await;
        assert!(facts::connections_seen(&state, "m1", &linked, Cause::Page).await.is_err());
        store.break_table("lender_events", false).await;
        assert_eq!(store.scalar(LINKED).await, 0, "no state without its event");
        facts::connections_seen(&state, "m1", &linked, Cause::Page).await.unwrap();
        assert_eq!((store.scalar(LINKED).await, store.events("merchant.connection.linked").await), (1, 1));
    }

    #[tokio::test]
    async fn a_connection_started_keeps_its_receipt_with_it() {
        let mut store = Store::new().await;
        let state = store.setup.state.clone();
        let pending = connection("c1", codat::ConnectionStatus::PendingAuth);
        store.break_table("consent_receipts", true).await;
        assert!(facts::connection_started(&state, "m1", &pending, xero_receipt("c1")).await.is_err());
        store.break_table("consent_receipts", false).await;
        assert_eq!(store.scalar("SELECT COUNT(*) FROM connections").await, 0);
        facts::connection_started(&state, "m1", &pending, xero_receipt("c1")).await.unwrap();
        assert_eq!(store.scalar("SELECT COUNT(*) FROM consent_receipts WHERE connection_id = 'c1'").await, 1);
        assert_eq!(store.scalar("SELECT COUNT(*) FROM connections").await, 1);
    }

    #[tokio::test]
    async fn an_unlink_withdraws_consent_with_its_event_or_changes_nothing() {
        let mut store = Store::new().await;
        let state = store.setup.state.clone();
        let pending = connection("c1", codat::ConnectionStatus::PendingAuth);
        facts::connection_started(&state, "m1", &pending, xero_receipt("c1")).await.unwrap();
        let unlinked = connection("c1", codat::ConnectionStatus::Unlinked);
        store.break_table("lender_events", true).await;
        assert!(facts::connection_unlinked(&state, "m1", &unlinked).await.is_err());
        store.break_table("lender_events", false).await;
        assert_eq!(
            store.text("SELECT withdrawal FROM consent_receipts WHERE withdrawal IS NOT NULL").await,
            None
        );
        assert_eq!(store.text("SELECT status FROM connections").await.as_deref(), Some("PendingAuth"));
        facts::connection_unlinked(&state, "m1", &unlinked).await.unwrap();
        assert_eq!(
            store.text("SELECT withdrawal FROM consent_receipts").await.as_deref(),
            Some(Withdrawal::Unlinked.as_str())
        );
        assert_eq!(store.events("merchant.connection.unlinked").await, 1);
    }

    #[tokio::test]
    async fn a_removal_is_forgotten_with_its_event_or_not_at_all() {
        let mut store = Store::new().await;
        let state = store.setup.state.clone();
        let linked = [connection("c1", codat::ConnectionStatus::Linked)];
        facts::connections_seen(&state, "m1", &linked, Cause::Page).await.unwrap();
        store.break_table("lender_events", true).await;
        assert!(facts::connection_removed(&state, "c1", Cause::Page).await.is_err());
        store.break_table("lender_events", false).await;
        assert_eq!(store.scalar(LINKED).await, 1, "still there");
        facts::connection_removed(&state, "c1", Cause::Page).await.unwrap();
        assert_eq!(store.scalar("SELECT COUNT(*) FROM connections").await, 0);
        assert_eq!(store.events("merchant.connection.unlinked").await, 1);
    }

    #[tokio::test]
    async fn a_read_is_stored_with_its_event_and_the_webhook_marked_or_none_of_it() {
        let mut store = Store::new().await;
        let state = store.setup.state.clone();
        state.db.insert_webhook_event("msg_1", "read.completed", "{}").await.unwrap();
        let reads = [("invoices".to_owned(), SyncState::Complete)];
        store.break_table("lender_events", true).await;
        assert!(facts::reads_seen(&state, "m1", &reads, Cause::Webhook("msg_1")).await.is_err());
        store.break_table("lender_events", false).await;
        assert_eq!(store.scalar("SELECT COUNT(*) FROM data_reads").await, 0);
        assert_eq!(store.scalar("SELECT COUNT(*) FROM webhook_events WHERE processed_at IS NULL").await, 1);
        assert_eq!(store.scalar("SELECT COUNT(*) FROM merchants WHERE first_read_at IS NOT NULL").await, 0);
        facts::reads_seen(&state, "m1", &reads, Cause::Webhook("msg_1")).await.unwrap();
        assert_eq!(store.events("merchant.sync.completed").await, 1);
        assert_eq!(store.scalar("SELECT COUNT(*) FROM webhook_events WHERE processed_at IS NULL").await, 0);
        assert_eq!(
            store.scalar("SELECT COUNT(*) FROM funnel_events WHERE step = 'first_read_finished'").await,
            1
        );
    }

    #[tokio::test]
    async fn new_requirements_are_stored_with_the_readiness_they_bring_or_not_at_all() {
        let mut store = Store::new().await;
        let state = store.setup.state.clone();
        let linked = [connection("c1", codat::ConnectionStatus::Linked)];
        facts::connections_seen(&state, "m1", &linked, Cause::Page).await.unwrap();
        let reads = [("invoices".to_owned(), SyncState::Complete)];
        facts::reads_seen(&state, "m1", &reads, Cause::Page).await.unwrap();
        // Ready already with nothing required; requiring Banking makes it not ready.
        assert_eq!(store.events("merchant.ready").await, 1);
        let banking: codat_connect_api::Requirements =
            serde_json::from_str(r#"{"Banking": "required"}"#).unwrap();
        facts::requirements_set(&state, "m1", &banking).await.unwrap();
        assert_eq!(store.scalar("SELECT COUNT(*) FROM merchants WHERE ready_at IS NULL").await, 1);
        let accounting: codat_connect_api::Requirements =
            serde_json::from_str(r#"{"Accounting": "required"}"#).unwrap();
        store.break_table("lender_events", true).await;
        assert!(facts::requirements_set(&state, "m1", &accounting).await.is_err());
        store.break_table("lender_events", false).await;
        assert!(store.text("SELECT requirements FROM merchants").await.unwrap().contains("Banking"));
        assert_eq!(store.scalar("SELECT COUNT(*) FROM merchants WHERE ready_at IS NULL").await, 1);
        facts::requirements_set(&state, "m1", &accounting).await.unwrap();
        assert_eq!(store.events("merchant.ready").await, 2, "ready again, and told");
    }
}
