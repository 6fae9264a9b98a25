//! A new visitor's cold load of the grid on a throttled phone, phase by phase, and (with
//! `COPAY_DIR` set) Codat's own demo loaded turn about with ours in the same browser.

use crate::{copay, grid_ready_ms, support::Harness};
use serde_json::Value;

/// Cold loads measured; the median is reported.
const COLD_LOADS: usize = 7;

/// A phone: 1.6 Mbps down, 750 kbps up, 150 ms round trip (Chrome DevTools' "Slow 4G"
/// class), a CPU four times slower than this machine's, and a phone's screen.
async fn throttle_like_a_phone(harness: &Harness) {
    harness.devtools("Network.enable", serde_json::json!({})).await;
    let network = serde_json::json!({
        "offline": false,
        "latency": 150,
        "downloadThroughput": 1_600_000 / 8,
        "uploadThroughput": 750_000 / 8,
    });
    harness.devtools("Network.emulateNetworkConditions", network).await;
    harness.devtools("Emulation.setCPUThrottlingRate", serde_json::json!({ "rate": 4 })).await;
    // A phone's screen: 390 by 844 CSS pixels, three device pixels to each.
    let screen = serde_json::json!({ "width": 390, "height": 844, "deviceScaleFactor": 3, "mobile": true });
    harness.devtools("Emulation.setDeviceMetricsOverride", screen).await;
}

/// One cold load's phases, in milliseconds from navigation start, and its bytes.
#[derive(Debug, Clone, Copy)]
struct Phases {
    /// The HTML received.
    html: f64,
    /// The wasm received (the network's share).
    wasm_received: f64,
    /// The app's `main` running (wasm compiled and instantiated: the `cc-app-start` mark).
    app_started: f64,
    /// The last answer the first view waited for received (the HTML's own time when the
    /// first view's data came inside it).
    data_in: f64,
    /// The cards on screen and clickable (`cc-grid-ready`).
    grid_usable: f64,
    /// The logos in view decoded.
    logos_decoded: f64,
    /// Bytes transferred by then (Resource Timing's `transferSize`: each compressed body plus a
    /// flat 300 bytes that Chrome counts for its headers, whatever their real size).
    transferred: f64,
    /// Requests made by then.
    requests: f64,
}

/// One cold load of the grid (browser cache emptied first), with each request printed to
/// stderr when `log` is set (one run's request log).
async fn cold_load(harness: &Harness, log: bool) -> Phases {
    harness.devtools("Network.clearBrowserCache", serde_json::json!({})).await;
    harness.open("/connect").await;
    let done = grid_ready_ms(harness).await;
    let detail = harness
        .browser
        .execute(
            "const resources = performance.getEntriesByType('resource');
             const page = performance.getEntriesByType('navigation')[0];
             const wasm = resources.find((entry) => entry.name.endsWith('.wasm'));
             const mark = (name) => { const m = performance.getEntriesByName(name)[0]; return m ? m.startTime : NaN; };
             const ready = mark('cc-grid-ready');
             const answers = resources.filter((entry) => new URL(entry.name).pathname.startsWith('/api/')
                 && entry.initiatorType === 'fetch' && entry.responseEnd <= ready);
             const dataIn = answers.reduce((latest, entry) => Math.max(latest, entry.responseEnd), page.responseEnd);
             const bytes = resources.reduce((sum, entry) => sum + entry.transferSize, page.transferSize);
             const log = resources.map((entry) => [new URL(entry.name).pathname, Math.round(entry.startTime),
                 Math.round(entry.responseEnd), entry.transferSize]);
             return [page.responseEnd, wasm ? wasm.responseEnd : NaN, mark('cc-app-start'), dataIn, ready, bytes,
                 resources.length + 1, log];",
            vec![],
        )
        .await
        .expect("the load's timings");
    let at = |i: usize| detail.get(i).and_then(Value::as_f64).unwrap_or(f64::NAN);
    if log {
        eprintln!("one cold load's requests (path, start ms, end ms, bytes); HTML at {:.0} ms:", at(0));
        for entry in detail.get(7).and_then(Value::as_array).into_iter().flatten() {
            eprintln!("  {entry}");
        }
    }
    Phases {
        html: at(0),
        wasm_received: at(1),
        app_started: at(2),
        data_in: at(3),
        grid_usable: at(4),
        logos_decoded: done,
        transferred: at(5),
        requests: at(6),
    }
}

/// One cold load of Copay's integration list.
struct CopayLoad {
    /// "Connect" pressed, as soon as the loan form showed it.
    connect_pressed: f64,
    /// The integration logos on screen painted.
    logos_decoded: f64,
    transferred: f64,
    requests: f64,
}

/// One cold load of Copay's loan form (browser cache emptied first), its "Connect" pressed
/// at once, until its integration logos are painted.
async fn copay_cold_load(harness: &Harness, copay: &copay::Copay) -> CopayLoad {
    harness.devtools("Network.clearBrowserCache", serde_json::json!({})).await;
    harness.browser.goto(&copay.loan_form()).await.expect("Copay's loan form");
    let found = harness
        .browser
        .execute_async(copay::CONNECT_AND_TIME_LOGOS, vec![])
        .await
        .expect("Copay's integration list shows");
    let at = |i: usize| found.get(i).and_then(Value::as_f64).unwrap_or(f64::NAN);
    CopayLoad { logos_decoded: at(0), connect_pressed: at(1), transferred: at(2), requests: at(3) }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// The phone profile's round trip (ms) and download speed (bytes a millisecond).
const ROUND_TRIP_MS: f64 = 150.0;
const DOWNLOAD_BYTES_PER_MS: f64 = 1_600_000.0 / 8.0 / 1000.0;

/// The physical floor of a load that moved `bytes`: the HTML's round trip, one more for the
/// files it names (fetched in parallel), and every byte at the link's speed; no time to run
/// anything.
fn physical_floor_ms(bytes: f64) -> f64 {
    2.0 * ROUND_TRIP_MS + bytes / DOWNLOAD_BYTES_PER_MS
}

/// The cold load of an owner who has signed up, median of [`COLD_LOADS`] (after one load that
/// fills the server's caches).
pub async fn cold_loads() {
    let harness = Harness::start("bench-cold-load").await;
    let patience = std::time::Duration::from_secs(120);
    let timeouts = fantoccini::wd::TimeoutConfiguration::new(Some(patience), Some(patience), None);
    harness.browser.update_timeouts(timeouts).await.expect("timeouts");
    // An owner who has signed up (the page's first step) comes to the picker: the session cookie
    // stays, the browser's cache is emptied before each load.
    harness.open("/").await;
    harness.fill("Business name", "Phone Bakery").await;
    harness.fill("Work email", "owner@example.com").await;
    harness.button("Continue").await.click().await.expect("sign up");
    harness.heading("Connect your accounting software").await;
    throttle_like_a_phone(&harness).await;
    cold_load(&harness, false).await;
    let copay = match copay::checkout() {
        Some(checkout) => Some(copay::Copay::start(checkout).await),
        None => None,
    };
    if let Some(copay) = &copay {
        copay_cold_load(&harness, copay).await;
    }
    let mut runs = Vec::new();
    let mut copay_runs = Vec::new();
    for run in 0..COLD_LOADS {
        runs.push(cold_load(&harness, run == 0).await);
        if let Some(copay) = &copay {
            copay_runs.push(copay_cold_load(&harness, copay).await);
        }
    }
    let median_of = |field: fn(&Phases) -> f64| median(runs.iter().map(field).collect());
    println!("cold_load_phone_html\t{:.0}\tms", median_of(|p| p.html));
    println!("cold_load_phone_wasm_received\t{:.0}\tms", median_of(|p| p.wasm_received));
    println!("cold_load_phone_app_started\t{:.0}\tms", median_of(|p| p.app_started));
    println!("cold_load_phone_data_in\t{:.0}\tms", median_of(|p| p.data_in));
    println!("cold_load_phone_grid_usable\t{:.0}\tms", median_of(|p| p.grid_usable));
    println!("cold_load_phone_logos_decoded\t{:.0}\tms", median_of(|p| p.logos_decoded));
    println!("cold_load_phone_requests\t{:.0}\trequests", median_of(|p| p.requests));
    println!("cold_load_phone_transferred\t{:.1}\tKB", median_of(|p| p.transferred) / 1024.0);
    let floor = physical_floor_ms(median_of(|p| p.transferred));
    println!("cold_load_phone_physical_floor\t{floor:.0}\tms");
    println!("cold_load_phone_logos_decoded_over_floor\t{:.2}\tx", median_of(|p| p.logos_decoded) / floor);
    if !copay_runs.is_empty() {
        let copay_of = |field: fn(&CopayLoad) -> f64| median(copay_runs.iter().map(field).collect());
        println!("copay_cold_load_phone_connect_pressed\t{:.0}\tms", copay_of(|c| c.connect_pressed));
        println!("copay_cold_load_phone_logos_decoded\t{:.0}\tms", copay_of(|c| c.logos_decoded));
        println!("copay_cold_load_phone_requests\t{:.0}\trequests", copay_of(|c| c.requests));
        println!("copay_cold_load_phone_transferred\t{:.1}\tKB", copay_of(|c| c.transferred) / 1024.0);
        let ratio = median_of(|p| p.logos_decoded) / copay_of(|c| c.logos_decoded);
        println!("cold_load_phone_logos_decoded_over_copay\t{ratio:.2}\tx");
    }
    drop(copay);
    harness.finish().await;
}
