//! `cargo bench -p codat-connect --bench grid`: time to a usable integration grid in headless
//! Chromium, from navigation start until the cards are on screen and clickable (the app's
//! `cc-grid-ready` Performance mark) and the logos in view are loaded and decoded, with 30 and
//! 1,000 accounting platforms, cold and warm; one search keystroke over 1,000 cards; and a new
//! visitor's cold load of the grid on a throttled phone (Slow 4G-like network, 4x slower CPU).
//! Prints `name<TAB>value<TAB>unit` lines for `cargo xtask bench`.

#[path = "../tests/support/mod.rs"]
mod support;

use serde_json::Value;
use support::Harness;

/// The shipped catalog has 19 accounting platforms; these many more make 30 and 1,000.
const GRIDS: [(usize, usize); 2] = [(30, 11), (1000, 981)];

/// Milliseconds from navigation to the grid's `cc-grid-ready` mark with every logo then in view
/// loaded and decoded. Nothing is polled: the mark is observed and the logos' `decode()` awaited,
/// so the measurement adds no work to the page it measures (on a throttled CPU, polling the
/// layout every few milliseconds slowed the load it timed).
async fn grid_ready_ms(harness: &Harness) -> f64 {
    let found = harness
        .browser
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const onScreen = (image) => {
                 const box = image.getBoundingClientRect();
                 return box.bottom > 0 && box.top < innerHeight && box.width > 0;
             };
             const marked = new Promise((resolve) => {
                 const seen = (entries) => entries.some((entry) => entry.name === 'cc-grid-ready');
                 const observer = new PerformanceObserver((list) => {
                     if (seen(list.getEntries())) { observer.disconnect(); resolve(); }
                 });
                 observer.observe({ type: 'mark', buffered: true });
             });
             marked
                 .then(() => {
                     const logos = [...document.querySelectorAll('.integration-logo')].filter(onScreen);
                     // decode() waits for the image to arrive, then for it to be ready to paint.
                     return Promise.all(logos.map((logo) => logo.decode().catch(() => {})));
                 })
                 .then(() => done(performance.now()));",
            vec![],
        )
        .await
        .expect("the grid becomes ready");
    found.as_f64().unwrap_or(f64::NAN)
}

/// Cold loads measured; the median is reported.
const COLD_LOADS: usize = 5;

/// A new visitor on a phone: 1.6 Mbps down, 750 kbps up, 150 ms round trip (Chrome DevTools'
/// "Slow 4G" class), and a CPU four times slower than this machine's.
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
}

/// One cold load of the grid (browser cache emptied first): milliseconds from navigation to
/// the wasm received, to the cards usable, and to the logos in view decoded; and the bytes
/// transferred by then.
async fn cold_load(harness: &Harness) -> [f64; 4] {
    harness.devtools("Network.clearBrowserCache", serde_json::json!({})).await;
    harness.open("/connect").await;
    let done = grid_ready_ms(harness).await;
    let detail = harness
        .browser
        .execute(
            "const resources = performance.getEntriesByType('resource');
             const page = performance.getEntriesByType('navigation')[0];
             const wasm = resources.find((entry) => entry.name.endsWith('.wasm'));
             const ready = performance.getEntriesByName('cc-grid-ready')[0];
             const bytes = resources.reduce((sum, entry) => sum + entry.transferSize, page.transferSize);
             return [wasm ? wasm.responseEnd : NaN, ready ? ready.startTime : NaN, bytes];",
            vec![],
        )
        .await
        .expect("the load's timings");
    let at = |i: usize| detail.get(i).and_then(Value::as_f64).unwrap_or(f64::NAN);
    [at(0), at(1), done, at(2)]
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// The cold load, median of [`COLD_LOADS`] (after one load that fills the server's caches).
async fn cold_loads() {
    let harness = Harness::start("bench-cold-load").await;
    let patience = std::time::Duration::from_secs(120);
    let timeouts = fantoccini::wd::TimeoutConfiguration::new(Some(patience), Some(patience), None);
    harness.browser.update_timeouts(timeouts).await.expect("timeouts");
    throttle_like_a_phone(&harness).await;
    cold_load(&harness).await;
    let runs: Vec<[f64; 4]> = {
        let mut runs = Vec::new();
        for _ in 0..COLD_LOADS {
            runs.push(cold_load(&harness).await);
        }
        runs
    };
    let column = |i: usize| median(runs.iter().map(|run| run[i]).collect());
    println!("cold_load_phone_wasm_received\t{:.0}\tms", column(0));
    println!("cold_load_phone_grid_usable\t{:.0}\tms", column(1));
    println!("cold_load_phone_logos_decoded\t{:.0}\tms", column(2));
    println!("cold_load_phone_transferred\t{:.1}\tKB", column(3) / 1024.0);
    harness.finish().await;
}

#[tokio::main]
async fn main() {
    cold_loads().await;
    for (cards, synthetic) in GRIDS {
        let harness = Harness::start_with(&format!("bench-{cards}"), move |config| {
            config.emulator_synthetic_platforms = synthetic;
            // One branding request per platform: a large grid alone passes Codat's daily quota.
            config.emulator_daily_quota = 0;
        })
        .await;
        let patience = std::time::Duration::from_secs(120);
        let timeouts = fantoccini::wd::TimeoutConfiguration::new(Some(patience), Some(patience), None);
        harness.browser.update_timeouts(timeouts).await.expect("timeouts");
        harness.open("/connect").await;
        let cold = grid_ready_ms(&harness).await;
        harness.browser.refresh().await.expect("reload");
        let warm = grid_ready_ms(&harness).await;
        println!("grid_{cards}_cards_cold\t{cold:.1}\tms");
        println!("grid_{cards}_cards_warm\t{warm:.1}\tms");
        if cards == 1000 {
            // Until the DOM shows the first 60 of the 100 matches (the app's work), and until the browser has
            // rendered the frame after it (style, layout, paint and the newly shown images).
            let keystroke: Value = harness
                .browser
                .execute_async(
                    "const done = arguments[arguments.length - 1];
                     const input = document.querySelector('input[type=search]');
                     const grid = document.querySelector('.integration-grid');
                     const names = () => [...grid.querySelectorAll('.integration-name')].map((n) => n.textContent);
                     const narrowed = () => { const n = names(); return n.length === 60 && n.every((t) => t.startsWith('Test platform 05')); };
                     const started = performance.now();
                     const watch = new MutationObserver(() => {
                         if (!narrowed()) return;
                         watch.disconnect();
                         const updated = performance.now() - started;
                         requestAnimationFrame(() => setTimeout(() => done([updated, performance.now() - started]), 0));
                     });
                     watch.observe(grid, { attributes: true, childList: true, subtree: true });
                     input.value = 'Test platform 05';
                     input.dispatchEvent(new Event('input', { bubbles: true }));",
                    vec![],
                )
                .await
                .expect("filtering runs");
            let shown = harness
                .browser
                .find_all(fantoccini::Locator::Css(".integration-card:not(.skeleton)"))
                .await
                .unwrap()
                .len();
            assert_eq!(shown, 60, "the search narrowed 1,000 cards to 100, the first 60 shown");
            let at = |i: usize| keystroke.get(i).and_then(Value::as_f64).unwrap_or(f64::NAN);
            println!("filter_1000_cards_keystroke_dom\t{:.1}\tms", at(0));
            println!("filter_1000_cards_keystroke_frame\t{:.1}\tms", at(1));
        }
        harness.finish().await;
    }
}
