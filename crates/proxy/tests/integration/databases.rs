//! Storage behaves the same on SQLite and on a real PostgreSQL that the test starts (a
//! throwaway cluster on a free port, removed afterwards), and the whole server runs on both.

use crate::support::{
    codat_get, connect_and_authorize, get_json, postgres::Cluster, sign_up, spawn_emulator, start_connection,
    xero_receipt, JsonAnswer,
};
use codat_connect_api::SyncState;
use codat_connect_proxy::{
    config::Config,
    db::{
        AttemptOutcome, Backend, ConnectionFacts, Db, DeliveryStatus, Merchant, NewLenderEvent,
        NewPendingLink, PendingLinkState, Tally, Withdrawal,
    },
    funnel::Recorded,
    start,
};
use serde_json::{json, Value};

use std::{path::Path, time::Duration};

fn merchant(id: &str) -> Merchant {
    Merchant { id: id.into(), business_name: "Acme".into(), email: "a@acme.test".into(), company_id: None }
}

/// What every backend must do the same way.
async fn exercise(db: &Db) {
    assert!(db.is_ready().await);
    assert!(db.claim_merchant(&merchant("m1")).await.unwrap());
    assert!(!db.claim_merchant(&merchant("m1")).await.unwrap(), "a merchant is claimed once");
    let mut locked = db.lock("m1").await.unwrap();
    assert!(locked.set_company("m1", "c1").await.unwrap());
    assert!(!locked.set_company("m1", "c2").await.unwrap(), "a company is set once");
    locked.release().await.unwrap();
    assert_eq!(db.merchant_by_company("c1").await.unwrap().unwrap().id, "m1");

    db.insert_session("live", "m1", Duration::from_secs(60)).await.unwrap();
    db.insert_session("dead", "m1", Duration::ZERO).await.unwrap();
    let idle = Duration::from_secs(600);
    assert_eq!(
        db.use_session("live", idle).await.unwrap().unwrap().merchant.company_id.as_deref(),
        Some("c1")
    );
    assert!(db.use_session("dead", idle).await.unwrap().is_none());
    assert!(db.peek_session("live", idle).await.unwrap().is_some());
    db.insert_session("ended", "m1", Duration::from_secs(60)).await.unwrap();
    assert_eq!(db.delete_session("ended").await.unwrap().as_deref(), Some("m1"));
    assert_eq!(db.delete_session("ended").await.unwrap(), None);
    let swept = db.sweep_records(idle, Duration::from_secs(86_400)).await.unwrap();
    assert_eq!(swept.sessions, 1, "the expired one");
    assert!(db.abandoned_merchants(Duration::ZERO, 10).await.unwrap().is_empty(), "m1 has a live session");

    assert!(db.insert_webhook_event("msg_1", "read.completed", "{}").await.unwrap());
    assert!(!db.insert_webhook_event("msg_1", "read.completed", "{}").await.unwrap());
    assert_eq!(db.unprocessed_webhook_events().await.unwrap().len(), 1);
    db.mark_webhook_processed("msg_1").await.unwrap();
    assert!(db.unprocessed_webhook_events().await.unwrap().is_empty());

    let facts = |status| ConnectionFacts {
        id: "k1",
        platform_key: Some("gbol"),
        platform_name: "Xero",
        source_type: "Accounting",
        status,
    };
    // A change and its event are kept together, or neither is.
    let event = |id| NewLenderEvent { id, merchant_id: "m1", event_type: "merchant.ready", body: "{}" };
    let mut abandoned = db.begin().await.unwrap();
    assert!(abandoned.lock_merchant("m1").await.unwrap().is_some());
    assert!(abandoned.upsert_connection("m1", facts(codat::ConnectionStatus::Linked)).await.unwrap());
    abandoned.enqueue_lender_event(event("e0"), &[("d0".into(), "http://a".into())], 0).await.unwrap();
    drop(abandoned);
    assert!(!db.owns_connection("m1", "k1").await.unwrap(), "a transaction dropped keeps nothing");
    assert!(db.due_deliveries(0, 10).await.unwrap().is_empty(), "nor its event");

    let mut tx = db.begin().await.unwrap();
    assert!(tx.upsert_connection("m1", facts(codat::ConnectionStatus::PendingAuth)).await.unwrap());
    assert!(tx.upsert_connection("m1", facts(codat::ConnectionStatus::Linked)).await.unwrap());
    assert!(!tx.upsert_connection("m1", facts(codat::ConnectionStatus::Linked)).await.unwrap(), "no change");
    tx.commit().await.unwrap();
    assert!(db.owns_connection("m1", "k1").await.unwrap());
    assert!(!db.owns_connection("m2", "k1").await.unwrap());
    db.claim_merchant(&merchant("m3")).await.unwrap();
    let mut tx = db.begin().await.unwrap();
    assert!(!tx.upsert_connection("m3", facts(codat::ConnectionStatus::Unlinked)).await.unwrap());
    tx.commit().await.unwrap();
    assert!(!db.owns_connection("m3", "k1").await.unwrap(), "a connection never changes owner");
    assert_eq!(db.merchant_connections("m1").await.unwrap()[0].status, codat::ConnectionStatus::Linked);
    assert_eq!(db.connection_owner("k1").await.unwrap().as_deref(), Some("m1"));

    // Readiness, reads and the lender's outbox.
    let mut tx = db.begin().await.unwrap();
    let locked = tx.lock_merchant("m1").await.unwrap().unwrap();
    assert_eq!(locked.company_id.as_deref(), Some("c1"));
    assert!(tx.record_read("m1", "invoices", SyncState::Queued).await.unwrap());
    assert!(!tx.record_read("m1", "invoices", SyncState::Queued).await.unwrap());
    assert!(tx.record_read("m1", "invoices", SyncState::Complete).await.unwrap());
    assert_eq!(tx.data_reads("m1").await.unwrap()[0].status, SyncState::Complete);
    tx.set_requirements("m1", r#"{"Accounting":"required"}"#).await.unwrap();
    assert!(tx.mark_ready("m1", true).await.unwrap());
    assert!(!tx.mark_ready("m1", true).await.unwrap());
    tx.enqueue_lender_event(event("e1"), &[("d1".into(), "http://a".into())], 0).await.unwrap();
    tx.enqueue_lender_event(event("e2"), &[("d2".into(), "http://a".into())], 0).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(db.data_reads("m1").await.unwrap()[0].status, SyncState::Complete);
    let ready: Vec<String> =
        db.merchant_records(Some(true), 0, 10).await.unwrap().into_iter().map(|r| r.id).collect();
    assert_eq!(ready, ["m1"]);
    let due: Vec<String> = db.due_deliveries(0, 10).await.unwrap().into_iter().map(|d| d.id).collect();
    assert_eq!(due, ["d1"], "a merchant's events in order");
    assert!(db.claim_delivery("d1", 0, 100).await.unwrap());
    assert!(!db.claim_delivery("d1", 0, 100).await.unwrap());
    db.delivery_attempt_failed("d1", Some(500), "boom", Some(50)).await.unwrap();
    assert_eq!(db.next_delivery_due_ms().await.unwrap(), Some(0), "d2 is due, behind d1");
    db.delivery_succeeded("d1", 200).await.unwrap();
    assert!(db.replay_delivery("d1", "d1-again", 60).await.unwrap());
    let log = db.delivery_records(Some("m1"), Some(DeliveryStatus::Delivered), 0, 10).await.unwrap();
    assert_eq!((log.len(), log[0].event_id.as_str()), (1, "e1"));
    assert_eq!(db.delivery_records(None, None, 0, 10).await.unwrap().len(), 3);

    // Consent receipts and the funnel.
    let mut tx = db.begin().await.unwrap();
    tx.insert_receipt(xero_receipt("k1")).await.unwrap();
    tx.withdraw_receipt("k1", Withdrawal::Unlinked).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(db.consent_receipts("m1").await.unwrap()[0].withdrawal, Some(Withdrawal::Unlinked));
    let step = |step, platform: Option<&str>, detail: Option<&str>| Recorded {
        step,
        source_type: None,
        platform_key: platform.map(Into::into),
        detail: detail.map(Into::into),
    };
    db.record_funnel_step(&step("link_returned", Some("gbol"), Some("200"))).await.unwrap();
    db.record_funnel_step(&step("search_made", None, Some("sage"))).await.unwrap();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let counts = db.funnel_counts(now - 60, now + 60).await.unwrap();
    assert!(counts.per_step_platform.contains(&(
        "link_returned".into(),
        Some("gbol".into()),
        Some("200".into()),
        1
    )));
    assert_eq!(counts.zero_result_searches, vec![("sage".to_owned(), 1)]);
    db.record_funnel_step(&step("platform_chosen", Some("gbol"), None)).await.unwrap();
    assert_eq!(db.platform_choices(now - 60, now + 60).await.unwrap(), vec![("gbol".to_owned(), 1)]);
    let mut tx = db.begin().await.unwrap();
    assert!(tx.mark_first_read("m1").await.unwrap());
    assert!(tx.delete_connection("k1").await.unwrap());
    tx.commit().await.unwrap();
    assert!(!db.owns_connection("m1", "k1").await.unwrap());

    assert!(db.cached_grid("Accounting").await.unwrap().is_none());
    db.store_grid("Accounting", "[1]").await.unwrap();
    db.store_grid("Accounting", "[2]").await.unwrap();
    let (cards, age) = db.cached_grid("Accounting").await.unwrap().unwrap();
    assert_eq!((cards.as_str(), age <= 1), ("[2]", true));

    let link = |state_hash| NewPendingLink {
        session_hash: "s1",
        merchant_id: "m1",
        connection_id: "k2",
        state_hash,
        lifetime: Duration::from_secs(60),
    };
    db.insert_pending_link(link("h1")).await.unwrap();
    db.insert_pending_link(link("h2")).await.unwrap();
    let latest = db.pending_link("s1", "k2", None).await.unwrap().unwrap();
    assert_eq!(Some(&latest), db.pending_link("s1", "k2", Some("h2")).await.unwrap().as_ref());
    assert_eq!(latest.state, PendingLinkState::Waiting);
    let uses = futures_util::future::join_all((0..5).map(|_| db.use_pending_link(&latest.id))).await;
    assert_eq!(uses.into_iter().filter(|u| *u.as_ref().unwrap()).count(), 1, "a pending link is used once");
    assert!(db.pending_link("s2", "k2", None).await.unwrap().is_none(), "bound to its session");

    let minute = Duration::from_secs(60);
    assert!(db.hold_watch_lease("c1", "server-a", minute).await.unwrap());
    assert!(!db.hold_watch_lease("c1", "server-b", minute).await.unwrap(), "one watcher per company");
    db.release_watch_lease("c1", "server-a").await.unwrap();
    assert!(db.hold_watch_lease("c1", "server-b", minute).await.unwrap());

    // A Link attempt ends once (a failure, then linked after all), and a platform is judged
    // degraded once; a hand-off is revoked once.
    let now = i64::try_from(std::time::SystemTime::UNIX_EPOCH.elapsed().unwrap().as_secs()).unwrap();
    let mut tx = db.begin().await.unwrap();
    tx.start_link_attempt("att-1", "m1", "gbol").await.unwrap();
    assert_eq!(
        tx.end_link_attempt("att-1", AttemptOutcome::Failed, now).await.unwrap().as_deref(),
        Some("gbol")
    );
    assert_eq!(tx.end_link_attempt("att-1", AttemptOutcome::Failed, now).await.unwrap(), None, "ended once");
    let linked = tx.end_link_attempt("att-1", AttemptOutcome::Linked, now).await.unwrap();
    assert_eq!(linked.as_deref(), Some("gbol"), "linked after all");
    assert_eq!(tx.platform_tally("gbol", now - 60).await.unwrap(), Tally { failed: 0, linked: 1 });
    assert!(tx.set_platform_degraded("gbol", true).await.unwrap());
    assert!(!tx.set_platform_degraded("gbol", true).await.unwrap(), "judged once");
    assert!(tx.degraded_since("gbol").await.unwrap().is_some());
    tx.insert_handoff("hof-1", "m1", "Dana", Some("Xero, please")).await.unwrap();
    assert_eq!(tx.revoke_handoff("m1", "hof-1").await.unwrap(), Some(Vec::new()));
    assert_eq!(tx.revoke_handoff("m1", "hof-1").await.unwrap(), None, "revoked once");
    let document = codat_connect_proxy::db::NewDocument {
        id: "doc-1",
        kind: codat_connect_api::SourceType::Accounting,
        name: "Statement.pdf",
        size: 10_485_760,
        connection_id: "c-files",
        sent_at: now,
    };
    tx.insert_document("m1", document).await.unwrap();
    assert_eq!(tx.documents("m1").await.unwrap()[0].kind(), codat_connect_api::SourceType::Accounting);
    let seen = codat_connect_api::lender_events::CompanyIdentity {
        company_name: "Acme Ltd".into(),
        registration_number: Some("01234567".into()),
    };
    let mut identity = codat_connect_proxy::db::StoredIdentity::of(seen, "read-1");
    tx.store_identity("m1", &identity, now).await.unwrap();
    identity.previous_name = Some("Old Ltd".into());
    identity.changed_at = Some(now);
    tx.store_identity("m1", &identity, now).await.unwrap();
    assert_eq!(tx.identity("m1").await.unwrap().as_ref(), Some(&identity), "stored over the first");
    tx.commit().await.unwrap();
    let documents = db.documents("m1").await.unwrap();
    assert_eq!((documents[0].name.as_str(), documents[0].size), ("Statement.pdf", 10_485_760));
    let upload = |id, started_at| codat_connect_proxy::db::NewUpload {
        id,
        kind: codat_connect_api::SourceType::Banking,
        name: "Bank.csv",
        size: 4,
        started_at,
    };
    db.begin_upload("m1", upload("doc-2", now - 600)).await.unwrap();
    let unsettled = db.unsettled_uploads(now).await.unwrap();
    assert_eq!((unsettled[0].id.as_str(), unsettled[0].size, unsettled.len()), ("doc-2", 4, 1));
    db.begin_upload("m1", upload("doc-3", now)).await.unwrap();
    assert!(db.uploading_since("m1", now - 300).await.unwrap());
    assert!(db.unsettled_uploads(now - 300).await.unwrap().is_empty(), "one is on its way: left");
    let mut tx = db.begin().await.unwrap();
    assert!(tx.settle_upload("doc-2").await.unwrap());
    assert!(!tx.settle_upload("doc-2").await.unwrap(), "settled once");
    tx.commit().await.unwrap();
    db.forget_upload("doc-3").await.unwrap();
    assert!(db.unsettled_uploads(now + 1).await.unwrap().is_empty());
    assert_eq!(db.identity("m1").await.unwrap().unwrap().previous_name.as_deref(), Some("Old Ltd"));
    assert_eq!(db.degraded_platforms().await.unwrap(), ["gbol"]);
    let health = db.platform_health().await.unwrap();
    assert_eq!(
        (health[0].linked_hour, health[0].failed_day, health[0].degraded_since.is_some()),
        (1, 0, true)
    );
    assert!(db.latest_handoff("m1").await.unwrap().is_none(), "a revoked hand-off waits on no one");

    let deployment = db.deployment_id().await.unwrap();
    assert_eq!(db.deployment_id().await.unwrap(), deployment, "a deployment's id is made once");

    let m2 = merchant("m2");
    let claims = futures_util::future::join_all((0..20).map(|_| db.claim_merchant(&m2))).await;
    assert_eq!(
        claims.into_iter().filter(|c| *c.as_ref().unwrap()).count(),
        1,
        "one of twenty concurrent claims wins"
    );
}

#[tokio::test]
async fn storage_behaves_alike_on_sqlite_and_postgresql() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = Db::connect(&format!("sqlite://{}", dir.path().join("db").display())).await.unwrap();
    assert_eq!(sqlite.backend(), Backend::Sqlite);
    exercise(&sqlite).await;

    let cluster = Cluster::start();
    let postgres = Db::connect(&cluster.database("storage").await).await.unwrap();
    assert_eq!(postgres.backend(), Backend::Postgres);
    exercise(&postgres).await;
    // Migrations already applied are not applied again.
    Db::connect(&cluster.database("storage_again").await).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_starting_at_once_on_a_new_postgresql_database_all_migrate_it() {
    let cluster = Cluster::start();
    let url = cluster.database("replicas").await;
    let starts: Vec<_> = (0..4)
        .map(|_| {
            tokio::spawn({
                let url = url.clone();
                async move { Db::connect(&url).await }
            })
        })
        .collect();
    for start in starts {
        let db = start.await.unwrap().expect("each replica starts");
        assert!(db.is_ready().await);
    }
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    let (applied,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM _sqlx_migrations").fetch_one(&pool).await.unwrap();
    let shipped =
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/postgres")).unwrap().count();
    assert_eq!(applied as usize, shipped, "each migration applied once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_simultaneous_sign_ups_than_pooled_connections_all_succeed_on_postgresql() {
    // Each first sign-up holds its merchant's lock while Codat creates the company; a holder that
    // needed a second pooled connection would starve once every connection was a holder.
    let cluster = Cluster::start();
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::local(cluster.database("crowd").await, dir.path().join("dist"));
    config.rate_limit_per_minute = u32::MAX;
    config.sign_ups_per_hour = u32::MAX;
    config.webhooks_per_minute = u32::MAX;
    let running = start(config).await.unwrap();
    let base = running.public_url.clone();
    let http = reqwest::Client::new();
    let answers = futures_util::future::join_all((0..32).map(|i| {
        http.post(format!("{base}/api/signup"))
            .header("x-codat-connect", "1")
            .json(&json!({"businessName": format!("Crowd {i}"), "email": "owner@crowd.test"}))
            .send()
    }))
    .await;
    let statuses: Vec<u16> = answers.into_iter().map(|answer| answer.unwrap().status().as_u16()).collect();
    assert!(statuses.iter().all(|status| *status == 200), "{statuses:?}");
    running.stop().await.unwrap();
}

#[tokio::test]
async fn the_server_signs_up_and_connects_on_postgresql() {
    let cluster = Cluster::start();
    let dir = tempfile::tempdir().unwrap();
    let config = Config::local(cluster.database("server").await, dir.path().join("dist"));
    let running = start(config).await.unwrap();
    let base = running.public_url.clone();
    let http = reqwest::Client::new();
    let cookie = sign_up(&http, &base).await;

    let started = start_connection(&http, &base, &cookie, "gbol").await;
    assert_eq!(started["connection"]["status"], "PendingAuth");
    let ready = http.get(format!("{base}/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    running.stop().await.unwrap();
    assert!(Path::new(&cluster.data()).exists());
}

/// Reads server-sent events until one named `wanted` arrives; its data, as JSON.
async fn next_event(response: &mut reqwest::Response, wanted: &str) -> Value {
    let mut buffer = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let chunk = tokio::time::timeout_at(deadline, response.chunk())
            .await
            .unwrap_or_else(|_| panic!("no {wanted} event within 15 s"))
            .unwrap()
            .expect("the stream stays open");
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            let name = block.lines().find_map(|l| l.strip_prefix("event:")).map(str::trim);
            let data = block.lines().find_map(|l| l.strip_prefix("data:")).map(str::trim);
            if let (Some(name), Some(data)) = (name, data) {
                let data: Value = serde_json::from_str(data).unwrap();
                if name == wanted && data["eventType"] == "connection.connected" {
                    return data;
                }
            }
        }
    }
}

#[tokio::test]
async fn a_webhook_received_by_one_server_reaches_a_page_on_another() {
    let cluster = Cluster::start();
    let url = cluster.database("shared").await;
    let dir = tempfile::tempdir().unwrap();
    let mut sending_webhooks = Config::local(url.clone(), dir.path().join("dist"));
    sending_webhooks.emulator_webhooks = true;
    let receiving = start(sending_webhooks).await.unwrap();
    let serving_page = start(Config::local(url, dir.path().join("dist"))).await.unwrap();
    let (a, b) = (receiving.public_url.clone(), serving_page.public_url.clone());
    let http = reqwest::Client::new();
    let cookie = sign_up(&http, &a).await;

    // The page is connected to the second server; the session lives in the shared database.
    let mut events = http.get(format!("{b}/api/events")).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(events.status(), 200);
    connect_and_authorize(&http, &a, &cookie, "mqjo").await;

    let event = next_event(&mut events, "connectionChanged").await;
    assert_eq!(event["connection"]["status"], "Linked");
    drop(events);
    receiving.stop().await.unwrap();
    serving_page.stop().await.unwrap();
}

#[tokio::test]
async fn two_servers_on_one_database_give_a_merchant_one_company() {
    let (emulator_url, _emulator) = spawn_emulator("two-key", |_| {}).await;

    let cluster = Cluster::start();
    let url = cluster.database("two_servers").await;
    let dir = tempfile::tempdir().unwrap();
    let config = || {
        let mut config = Config::local(url.clone(), dir.path().join("dist"));
        config.codat_api_key = Some("two-key".into());
        config.codat_base_url = emulator_url.clone();
        config.admin_token = Some("admin-0123456789abcdefghijklmnopqrstuv".into());
        config
    };
    let (one, two) = (start(config()).await.unwrap(), start(config()).await.unwrap());
    let http = reqwest::Client::new();
    let ask = |base: String| {
        let http = http.clone();
        async move {
            let answer: Value = http
                .post(format!("{base}/v1/sessions"))
                .bearer_auth("admin-0123456789abcdefghijklmnopqrstuv")
                .json(&json!({"merchantId": "shared-merchant", "businessName": "Acme"}))
                .json_answer()
                .await;
            answer["companyId"].as_str().unwrap().to_owned()
        }
    };
    let bases = [one.public_url.clone(), two.public_url.clone()];
    let answers = futures_util::future::join_all((0..20).map(|i| ask(bases[i % 2].clone()))).await;
    assert!(answers.iter().all(|company| *company == answers[0]), "{answers:?}");
    let page = codat_get(&emulator_url, "two-key", "/companies?query=name%3Dshared-merchant").await;
    assert_eq!(page["totalResults"], 1);
    one.stop().await.unwrap();
    two.stop().await.unwrap();
}

#[tokio::test]
async fn a_consent_given_through_one_server_shows_in_the_connections_another_server_lists() {
    let (emulator_url, _emulator) = spawn_emulator("kept-key", |_| {}).await;
    let cluster = Cluster::start();
    let url = cluster.database("kept_records").await;
    let dir = tempfile::tempdir().unwrap();
    let config = || {
        let mut config = Config::local(url.clone(), dir.path().join("dist"));
        config.codat_api_key = Some("kept-key".into());
        config.codat_base_url = emulator_url.clone();
        config
    };
    let (one, two) = (start(config()).await.unwrap(), start(config()).await.unwrap());
    let http = reqwest::Client::new();
    let cookie = sign_up(&http, &one.public_url).await;
    let list_on_two = format!("{}/api/connections", two.public_url);
    let listed_by_two = || get_json(&http, &list_on_two, &cookie);
    // The second server now keeps what is stored of the merchant: nothing yet.
    assert_eq!(listed_by_two().await, json!([]));

    let started = start_connection(&http, &one.public_url, &cookie, "gbol").await;
    // PostgreSQL tells the second server of the change as it commits: it shows the receipt
    // long before it would read the database again of its own accord (a minute).
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let listed = listed_by_two().await;
        if listed[0]["consent"].is_object() {
            assert_eq!(listed[0]["id"], started["connection"]["id"]);
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "no receipt on the second server: {listed}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    one.stop().await.unwrap();
    two.stop().await.unwrap();
}
