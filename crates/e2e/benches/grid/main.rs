//! `cargo bench -p codat-connect-e2e --bench grid`: time to a usable integration grid in headless
//! Chromium, from navigation start until the cards are on screen and clickable (the app's
//! `cc-grid-ready` Performance mark) and the logos in view are loaded and decoded, with 30 and
//! 1,000 accounting platforms, cold and warm; one search keystroke over 1,000 cards; and a new
//! visitor's cold load of the grid on a throttled phone (Slow 4G-like network, 4x slower CPU).
//! Prints `name<TAB>value<TAB>unit` lines for `cargo xtask bench`.

#[path = "../../tests/support/mod.rs"]
mod support;

mod cold_load;
mod copay;

use serde_json::Value;
use support::Harness;

/// The shipped catalog has 19 accounting platforms; these many more make 30 and 1,000.
const GRIDS: [(usize, usize); 2] = [(30, 11), (1000, 981)];

/// Milliseconds from navigation until every logo in view when the grid's `cc-grid-ready` mark
/// is made has been painted: the latest paint time the browser itself gives each logo (the
/// Element Timing API; the app names its logos `elementtiming="cc-logo"`). Nothing is polled
/// and no time is taken by this script, which only collects what the browser recorded, so
/// neither its own work on a throttled CPU nor the driver's delay in running it is counted.
pub async fn grid_ready_ms(harness: &Harness) -> f64 {
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
             marked.then(() => {
                 const logos = [...document.querySelectorAll('.integration-logo')].filter(onScreen);
                 const painted = new Map();
                 const observer = new PerformanceObserver((list) => {
                     for (const entry of list.getEntries()) {
                         if (entry.identifier === 'cc-logo' && logos.includes(entry.element)) {
                             painted.set(entry.element, entry.renderTime || entry.loadTime);
                         }
                     }
                     if (painted.size === logos.length) {
                         observer.disconnect();
                         done(Math.max(...painted.values()));
                     }
                 });
                 observer.observe({ type: 'element', buffered: true });
             });",
            vec![],
        )
        .await
        .expect("the grid becomes ready");
    found.as_f64().unwrap_or(f64::NAN)
}

#[tokio::main]
async fn main() {
    cold_load::cold_loads().await;
    if std::env::var_os("COLD_LOAD_ONLY").is_some() {
        return;
    }
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
