//! `cargo bench -p codat-connect-proxy --bench flow`: the proxy's cost in Codat calls, its
//! latency and throughput against the emulator's (`benches/scale.rs` has sign-ups and webhooks a
//! second, and latency as the database grows). Prints one
//! `name<TAB>value<TAB>unit` line per measurement; `cargo xtask bench` collects them.

#[path = "../tests/integration/support/mod.rs"]
mod support;

use codat_connect_proxy::{config::Config, start};
use serde_json::{json, Value};
use std::{
    sync::Arc,
    time::{Duration, Instant},
};

const KEY: &str = "bench-key";

fn report(name: &str, value: f64, unit: &str) {
    println!("{name}\t{value:.1}\t{unit}");
}

/// p50, p99 (in µs) and requests a second of `total` GETs of `url` from `concurrency` clients.
async fn measure(
    http: &reqwest::Client,
    url: &str,
    headers: &[(&str, &str)],
    concurrency: usize,
    total: usize,
) -> (f64, f64, f64) {
    let headers: Arc<Vec<(String, String)>> =
        Arc::new(headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect());
    let started = Instant::now();
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let (http, url, headers) = (http.clone(), url.to_owned(), headers.clone());
        let count = total / concurrency;
        workers.spawn(async move {
            let mut latencies = Vec::with_capacity(count);
            for _ in 0..count {
                let mut request = http.get(&url);
                for (name, value) in headers.iter() {
                    request = request.header(name, value);
                }
                let begun = Instant::now();
                let response = request.send().await.expect("answer");
                assert!(response.status().is_success(), "{url}: {}", response.status());
                response.bytes().await.expect("body");
                latencies.push(begun.elapsed());
            }
            latencies
        });
    }
    let mut latencies: Vec<Duration> = Vec::with_capacity(total);
    while let Some(done) = workers.join_next().await {
        latencies.extend(done.expect("worker"));
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort();
    let at = |q: f64| {
        latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)].as_secs_f64() * 1e6
    };
    (at(0.50), at(0.99), latencies.len() as f64 / elapsed)
}

#[tokio::main]
async fn main() {
    let (emulator_url, counted) = support::spawn_emulator(KEY, |config| config.daily_quota = None).await;
    let dir = tempfile::tempdir().unwrap();
    let mut config =
        Config::local(format!("sqlite://{}", dir.path().join("db").display()), dir.path().join("dist"));
    config.codat_api_key = Some(KEY.into());
    config.codat_base_url = emulator_url.clone();
    config.rate_limit_per_minute = u32::MAX;
    config.sign_ups_per_hour = u32::MAX;
    config.webhooks_per_minute = u32::MAX;
    let proxy = start(config).await.unwrap();
    let base = proxy.public_url.clone();
    let http = reqwest::Client::builder().pool_max_idle_per_host(128).build().unwrap();
    let calls = || counted.request_counts().values().sum::<u64>() as f64;

    // Cost in Codat calls.
    let before = calls();
    let signed_up = http
        .post(format!("{base}/api/signup"))
        .header("x-codat-connect", "1")
        .json(&json!({"businessName": "Bench Ltd", "email": "owner@bench.test"}))
        .send()
        .await
        .unwrap();
    let cookie = signed_up.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let company: Value = signed_up.json().await.unwrap();
    let company_id = company["companyId"].as_str().unwrap().to_owned();
    report("codat_calls_per_sign_up", calls() - before, "calls");
    let grid = format!("{base}/api/integrations?sourceType=Accounting");
    let before = calls();
    http.get(&grid).send().await.unwrap().bytes().await.unwrap();
    report("codat_calls_first_grid_view", calls() - before, "calls");
    let before = calls();
    http.get(&grid).send().await.unwrap().bytes().await.unwrap();
    report("codat_calls_repeat_grid_view", calls() - before, "calls");

    // Latency and throughput: the cached grid, a forwarded call, and Codat (the emulator) itself.
    let direct = format!("{emulator_url}/companies/{company_id}/connections");
    // One page of Codat's own integration list, what the cached grid spares (its branding
    // calls come on top).
    let codat_list = format!("{emulator_url}/integrations?query=sourceType%3DAccounting&pageSize=100");
    // The floor of any answer through the proxy: one more hop on loopback and its layers.
    let (hop, _, _) = measure(&http, &format!("{base}/healthz"), &[], 1, 800).await;
    report("proxy_hop_c1_p50", hop, "µs");
    for concurrency in [1, 16, 64] {
        let total = 3200;
        let (p50, p99, rate) = measure(&http, &grid, &[], concurrency, total).await;
        report(&format!("cached_grid_c{concurrency}_p50"), p50, "µs");
        report(&format!("cached_grid_c{concurrency}_p99"), p99, "µs");
        report(&format!("cached_grid_c{concurrency}_throughput"), rate, "req/s");
        let (l50, l99, _) =
            measure(&http, &codat_list, &[("authorization", &support::basic(KEY))], concurrency, total / 4)
                .await;
        report(&format!("codat_integrations_c{concurrency}_p50"), l50, "µs");
        report(&format!("codat_integrations_c{concurrency}_p99"), l99, "µs");
        let (d50, d99, _) =
            measure(&http, &direct, &[("authorization", &support::basic(KEY))], concurrency, total / 4).await;
        let (f50, f99, frate) = measure(
            &http,
            &format!("{base}/api/connections"),
            &[("cookie", &cookie)],
            concurrency,
            total / 4,
        )
        .await;
        report(&format!("direct_c{concurrency}_p50"), d50, "µs");
        report(&format!("direct_c{concurrency}_p99"), d99, "µs");
        report(&format!("forwarded_c{concurrency}_p50"), f50, "µs");
        report(&format!("forwarded_c{concurrency}_p99"), f99, "µs");
        report(&format!("forwarded_c{concurrency}_throughput"), frate, "req/s");
        report(&format!("forwarded_c{concurrency}_added_p50"), f50 - d50, "µs");
        report(&format!("forwarded_c{concurrency}_added_p99"), f99 - d99, "µs");
    }

    proxy.stop().await.unwrap();
}
