//! A rolling restart as an operator does one: two servers (the binary) on one PostgreSQL behind
//! a load balancer that sends requests only to servers whose `/readyz` was 200 at its last check
//! and never tries a request again elsewhere (as a Kubernetes Service does), steady page API
//! calls and Codat webhooks, each server stopped with SIGTERM and started again in turn. Nothing
//! fails and every webhook acknowledged is stored: the server's drain (not ready, still serving)
//! outlasts the balancer's health-check interval.

use crate::support::process::ServerProcess;
use codat::WebhookSecret;
use serde_json::json;
use std::{
    sync::{
        atomic::{AtomicBool, AtomicUsize, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

const KEY: &str = "rolling-key";
const SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
/// How often the load balancer asks each server whether it is ready.
const HEALTH_INTERVAL: Duration = Duration::from_millis(100);

/// The servers behind the balancer: each one's URL and whether its last `/readyz` was 200.
#[derive(Default)]
struct Pool {
    backends: Mutex<Vec<(String, bool)>>,
    next: AtomicUsize,
}

impl Pool {
    fn ready(&self) -> Vec<String> {
        self.backends.lock().unwrap().iter().filter(|(_, ready)| *ready).map(|(url, _)| url.clone()).collect()
    }

    fn replace(&self, old: &str, new: &str) {
        for backend in self.backends.lock().unwrap().iter_mut() {
            if backend.0 == old {
                *backend = (new.to_owned(), false);
            }
        }
    }

    /// Checks every server's readiness until `stop`.
    async fn health_checks(self: Arc<Self>, stop: Arc<AtomicBool>) {
        let http = reqwest::Client::builder().timeout(Duration::from_secs(1)).build().unwrap();
        while !stop.load(Ordering::SeqCst) {
            let urls: Vec<String> =
                self.backends.lock().unwrap().iter().map(|(url, _)| url.clone()).collect();
            for url in urls {
                let ready = http.get(format!("{url}/readyz")).send().await.is_ok_and(|r| r.status() == 200);
                for backend in self.backends.lock().unwrap().iter_mut().filter(|b| b.0 == url) {
                    backend.1 = ready;
                }
            }
            tokio::time::sleep(HEALTH_INTERVAL).await;
        }
    }

    /// Sends a request to the next server that was ready at the last check.
    async fn send(
        &self,
        http: &reqwest::Client,
        build: impl Fn(&reqwest::Client, &str) -> reqwest::RequestBuilder,
    ) -> reqwest::Result<reqwest::Response> {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let ready = self.ready();
            if ready.is_empty() {
                assert!(Instant::now() < deadline, "no server was ready for five seconds");
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
            let backend = &ready[self.next.fetch_add(1, Ordering::Relaxed) % ready.len()];
            return build(http, backend).send().await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restarting_each_server_in_turn_fails_no_request_and_loses_no_webhook() {
    let Some(cluster) = crate::support::postgres::Cluster::try_start(false) else {
        eprintln!("SKIPPED: PostgreSQL's server binaries are not installed");
        return;
    };
    let database = cluster.database("rolling").await;
    // Thousands of page calls in seconds pass Codat's daily quota for one company (1,000 on a
    // fresh account; a release build makes that many in about half a second), and the servers
    // then rightly answer 503 (`codat_quota`). This test is about the restart, so Codat here has
    // no daily quota; the quota's own behaviour is tested with the emulator's default.
    let (codat_url, _emulator) =
        crate::support::spawn_emulator(KEY, |config| config.daily_quota = None).await;
    let env = [
        ("DATABASE_URL", database.clone()),
        ("CODAT_API_KEY", KEY.to_owned()),
        ("CODAT_BASE_URL", codat_url),
        ("CODAT_WEBHOOK_SECRET", SECRET.to_owned()),
        // Ten health checks' worth.
        ("SHUTDOWN_DRAIN_SECONDS", "1".to_owned()),
        ("RATE_LIMIT_PER_MINUTE", "100000".to_owned()),
        ("WEBHOOKS_PER_MINUTE", "100000".to_owned()),
        ("RUST_LOG", "warn".to_owned()),
    ];
    let mut servers = [ServerProcess::start(&env).await, ServerProcess::start(&env).await];
    let pool = Arc::new(Pool::default());
    *pool.backends.lock().unwrap() = servers.iter().map(|s| (s.url.clone(), false)).collect();
    let stop = Arc::new(AtomicBool::new(false));
    tokio::spawn(pool.clone().health_checks(stop.clone()));
    // The balancer opens a connection per request, as one that keeps none idle does.
    let http = reqwest::Client::builder().pool_max_idle_per_host(0).build().unwrap();
    let signed_up = pool
        .send(&http, |http, base| {
            http.post(format!("{base}/api/signup"))
                .header("x-codat-connect", "1")
                .json(&json!({"businessName": "Steady Ltd", "email": "owner@steady.example"}))
        })
        .await
        .unwrap();
    assert!(signed_up.status().is_success());
    let cookie = signed_up.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();

    let failures = Arc::new(Mutex::new(Vec::<String>::new()));
    let requests = Arc::new(AtomicUsize::new(0));
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut load = Vec::new();
    for worker in 0..3 {
        let (pool, http, stop, failures, requests, cookie) =
            (pool.clone(), http.clone(), stop.clone(), failures.clone(), requests.clone(), cookie.clone());
        load.push(tokio::spawn(async move {
            let paths = ["/api/session", "/api/connections", "/api/integrations?sourceType=Banking"];
            let mut n = worker;
            while !stop.load(Ordering::SeqCst) {
                let path = paths[n % paths.len()];
                n += 1;
                let answer = pool
                    .send(&http, |http, base| http.get(format!("{base}{path}")).header("cookie", &cookie))
                    .await;
                requests.fetch_add(1, Ordering::SeqCst);
                match answer {
                    Ok(answer) if answer.status() == 200 => {
                        if let Err(error) = answer.bytes().await {
                            failures.lock().unwrap().push(format!("{path}: body cut: {error}"));
                        }
                    }
                    Ok(answer) => failures.lock().unwrap().push(format!("{path}: {}", answer.status())),
                    Err(error) => failures.lock().unwrap().push(format!("{path}: {error}")),
                }
            }
        }));
    }
    {
        let (pool, http, stop, failures, requests, acknowledged) = (
            pool.clone(),
            http.clone(),
            stop.clone(),
            failures.clone(),
            requests.clone(),
            acknowledged.clone(),
        );
        load.push(tokio::spawn(async move {
            let secret = WebhookSecret::parse(SECRET).unwrap();
            let mut n = 0;
            while !stop.load(Ordering::SeqCst) {
                let id = format!("msg_rolling_{n}");
                n += 1;
                let body = json!({"id": id, "eventType": "read.completed", "generatedDate": "2026-01-01T00:00:00Z", "payload": {}})
                    .to_string();
                let answer = pool
                    .send(&http, |http, base| {
                        let now = time::OffsetDateTime::now_utc().unix_timestamp();
                        http.post(format!("{base}/webhooks/codat"))
                            .header("webhook-id", &id)
                            .header("webhook-timestamp", now.to_string())
                            .header("webhook-signature", secret.sign(&id, now, body.as_bytes()))
                            .body(body.clone())
                    })
                    .await;
                requests.fetch_add(1, Ordering::SeqCst);
                match answer {
                    Ok(answer) if answer.status() == 200 => acknowledged.lock().unwrap().push(id),
                    Ok(answer) => failures.lock().unwrap().push(format!("webhook {id}: {}", answer.status())),
                    Err(error) => failures.lock().unwrap().push(format!("webhook {id}: {error}")),
                }
            }
        }));
    }

    // Each server in turn: SIGTERM, a clean exit, a new one on the same database.
    let started = Instant::now();
    for server in servers.iter_mut() {
        let before = requests.load(Ordering::SeqCst);
        while requests.load(Ordering::SeqCst) < before + 100 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let old_url = server.url.clone();
        server.terminate();
        let exit = server.wait().await;
        assert!(exit.success(), "a clean exit on SIGTERM:\n{}", server.output());
        let replacement = ServerProcess::start(&env).await;
        pool.replace(&old_url, &replacement.url);
        *server = replacement;
        while !pool.ready().contains(&server.url) {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
    let before = requests.load(Ordering::SeqCst);
    while requests.load(Ordering::SeqCst) < before + 100 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    stop.store(true, Ordering::SeqCst);
    for task in load {
        task.await.unwrap();
    }
    let total = requests.load(Ordering::SeqCst);
    let acknowledged = acknowledged.lock().unwrap().clone();
    let failures = failures.lock().unwrap().clone();
    println!(
        "rolling restart: {total} requests ({} webhooks) over two restarts in {:.1} s, {} failed",
        acknowledged.len(),
        started.elapsed().as_secs_f64(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {total} failed: {:?}",
        failures.len(),
        &failures[..failures.len().min(10)]
    );
    let pg = sqlx::PgPool::connect(&database).await.unwrap();
    let stored: Vec<String> =
        sqlx::query_scalar("SELECT id FROM webhook_events WHERE id LIKE 'msg_rolling_%'")
            .fetch_all(&pg)
            .await
            .unwrap();
    let lost: Vec<&String> = acknowledged.iter().filter(|id| !stored.contains(id)).collect();
    assert!(lost.is_empty(), "{} acknowledged webhooks are not stored: {lost:?}", lost.len());
    assert!(acknowledged.len() > 50, "webhooks kept arriving: {}", acknowledged.len());
}
