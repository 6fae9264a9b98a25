//! Codat's own demo for this guide, "Copay" (`codatio/demo-auth-flow`), served beside ours so
//! that one run loads both on the same phone profile, turn about. Set `COPAY_DIR` to a checkout
//! whose client is built into `server/public` and whose server's packages are installed (the
//! method is in BENCHMARKS.md); its server talks to an emulator of its own on a free port.

use serde_json::Value;
use std::{path::PathBuf, process::Child, time::Duration};

/// A running Copay: its Node server (stopped on drop), its emulator, and one applicant.
pub struct Copay {
    server: Child,
    /// Where the browser reaches Copay.
    pub url: String,
    /// The applicant whose loan form is loaded.
    user_id: String,
}

impl Drop for Copay {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}

/// The checkout named by `COPAY_DIR`, when it is set.
pub fn checkout() -> Option<PathBuf> {
    std::env::var_os("COPAY_DIR").map(PathBuf::from)
}

/// A free loopback port.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port()
}

impl Copay {
    /// Starts an emulator (no daily quota: Copay asks Codat on every view) and Copay's server
    /// against it, and applies once, as "Apply for a loan" does.
    pub async fn start(checkout: PathBuf) -> Self {
        let key = "copay-bench-key";
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a port for the emulator");
        let emulator_url = format!("http://{}", listener.local_addr().expect("bound"));
        let mut config =
            codat_emulator::EmulatorConfig::new(emulator_url.clone(), key, "http://127.0.0.1/redirect");
        config.daily_quota = None;
        let emulator = codat_emulator::Emulator::new(config);
        tokio::spawn(async move { axum::serve(listener, codat_emulator::router(emulator)).await });
        let port = free_port();
        let server = std::process::Command::new("node")
            .arg("index.js")
            .current_dir(checkout.join("server"))
            .env("CODAT_API_KEY", key)
            .env("API_BASE_URL", &emulator_url)
            .env("PORT", port.to_string())
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("node runs Copay's server");
        let url = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        let mut applied = None;
        // Until its server listens: each attempt is refused at once until then.
        for _ in 0..200 {
            match http.post(format!("{url}/apply")).send().await {
                Ok(answer) => {
                    applied = Some(answer.json::<Value>().await.expect("Copay's /apply answers JSON"));
                    break;
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
        let applied = applied.expect("Copay's server came up");
        let user_id = applied["userId"].as_str().expect("a userId").to_owned();
        Self { server, url, user_id }
    }

    /// The page an applicant opens the integration list from.
    pub fn loan_form(&self) -> String {
        format!("{}/{}/loan-form", self.url, self.user_id)
    }
}

/// After Copay's loan form has loaded: presses "Connect" as soon as it is there, and gives the
/// milliseconds from navigation until every integration logo on screen when the list first
/// shows has been painted (Element Timing: each logo is named as it is inserted, before its
/// first paint), with the time "Connect" was pressed, the bytes and the requests so far.
pub const CONNECT_AND_TIME_LOGOS: &str = "
    const done = arguments[arguments.length - 1];
    const onScreen = (image) => {
        const box = (image.closest('button') || image).getBoundingClientRect();
        return box.bottom > 0 && box.top < innerHeight && box.width > 0;
    };
    let pressed = NaN;
    let logos = null;
    const painted = new Map();
    const finish = () => {
        if (!logos || painted.size < logos.length) return;
        const page = performance.getEntriesByType('navigation')[0];
        const resources = performance.getEntriesByType('resource');
        const bytes = resources.reduce((sum, entry) => sum + entry.transferSize, page.transferSize);
        done([Math.max(...painted.values()), pressed, bytes, resources.length + 1]);
    };
    new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) {
            if (entry.identifier === 'copay-logo') painted.set(entry.element, entry.renderTime || entry.loadTime);
        }
        if (logos) for (const image of painted.keys()) if (!logos.includes(image)) painted.delete(image);
        finish();
    }).observe({ type: 'element', buffered: true });
    const look = () => {
        for (const image of document.querySelectorAll('.integrations-buttons img:not([elementtiming])')) {
            image.setAttribute('elementtiming', 'copay-logo');
        }
        if (Number.isNaN(pressed)) {
            const connect = [...document.querySelectorAll('button')].find((b) => b.textContent.trim() === 'Connect');
            if (connect) { pressed = performance.now(); connect.click(); }
        }
        const shown = [...document.querySelectorAll('.integrations-buttons img')];
        if (!logos && shown.length > 0) {
            logos = shown.filter(onScreen);
            for (const image of painted.keys()) if (!logos.includes(image)) painted.delete(image);
            finish();
        }
    };
    new MutationObserver(look).observe(document.body, { childList: true, subtree: true });
    look();";
