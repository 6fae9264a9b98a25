//! The end-to-end harness: the real proxy (with its embedded emulator and a fresh SQLite file)
//! serving the built app, and headless Chromium driven through chromedriver.

// Each test file is its own crate and uses part of the harness.
#![allow(dead_code)]

use codat_connect_proxy::{config::Config, start, RunningProxy};
use fantoccini::{elements::Element, wd::Capabilities, Client, ClientBuilder, Locator};
use std::{
    net::TcpListener,
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

/// How long any one expectation may take before the test fails.
const PATIENCE: Duration = Duration::from_secs(15);

/// Where cargo puts build outputs, as `cargo xtask` finds it (`cargo metadata`'s
/// `target_directory`, which honours `CARGO_TARGET_DIR`): the parent of the `tmp/` directory
/// cargo names to tests and benchmarks.
pub fn target_dir() -> PathBuf {
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    tmp.parent().map(PathBuf::from).unwrap_or(tmp)
}

/// The built web app, `dist/` at the workspace's root (where `cargo xtask` has trunk put it).
pub fn dist_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../dist")
}

/// A proxy and a browser pointed at it; both end when this is dropped.
pub struct Harness {
    pub proxy: Option<RunningProxy>,
    pub browser: Client,
    chromedriver: Child,
    /// A second person's browser, while the first one's is set aside (see `swap_browsers`).
    other: Option<(Client, Child)>,
    _data: tempfile::TempDir,
    shots: PathBuf,
}

impl Harness {
    /// Starts the proxy on a free port and a fresh headless Chromium.
    pub async fn start(name: &str) -> Self {
        Self::start_with(name, |_| {}).await
    }

    /// Like `start`, with the server's settings adjusted first.
    pub async fn start_with(name: &str, adjust: impl FnOnce(&mut Config)) -> Self {
        let dist = dist_dir();
        assert!(
            dist.join("index.html").exists(),
            "the web app is not built in {}: `cargo xtask test` builds it before the tests",
            dist.display()
        );
        let data = tempfile::tempdir().expect("temporary directory");
        let database = format!("sqlite://{}", data.path().join("connect.db").display());
        let mut config = Config::local(database, dist);
        config.emulator_sync_seconds = 2;
        adjust(&mut config);
        let proxy = start(config).await.expect("the proxy starts");
        let (chromedriver, browser) = start_browser(data.path().join("profile")).await;
        let shots = target_dir().join("e2e-screenshots").join(name);
        std::fs::create_dir_all(&shots).expect("screenshot directory");
        Self { proxy: Some(proxy), browser, chromedriver, other: None, _data: data, shots }
    }

    /// The absolute URL of an app path.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.proxy.as_ref().expect("running").public_url)
    }

    /// Opens an app path.
    pub async fn open(&self, path: &str) {
        self.browser.goto(&self.url(path)).await.expect("navigation");
    }

    /// Waits for an element matching the XPath expression.
    pub async fn find(&self, xpath: &str) -> Element {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let patience = deadline.saturating_duration_since(Instant::now());
            match self.browser.wait().at_most(patience).for_element(Locator::XPath(xpath)).await {
                Ok(element) => return element,
                // Asked while the page was leaving (a click that navigates): ask the next page.
                Err(e) if e.to_string().contains("aborted by navigation") && Instant::now() < deadline => {}
                Err(e) => panic!("no element {xpath} within {PATIENCE:?}: {e}"),
            }
        }
    }

    /// Agrees to the consent terms shown after a platform is chosen ("Agree and continue").
    pub async fn agree(&self) {
        self.button("Agree and continue").await.click().await.expect("agreeing to the terms");
    }

    /// Waits for a button with this accessible name (its text or `aria-label`).
    pub async fn button(&self, name: &str) -> Element {
        let name = literal(name);
        self.find(&format!("//button[normalize-space()={name} or @aria-label={name}]")).await
    }

    /// Sends a command to Chromium's DevTools protocol (chromedriver's `goog/cdp/execute`), e.g.
    /// `Network.emulateNetworkConditions`, and returns its result.
    pub async fn devtools(&self, command: &str, params: serde_json::Value) -> serde_json::Value {
        let command = DevToolsCommand { command: command.to_owned(), params };
        self.browser.issue_cmd(command).await.unwrap_or_else(|e| panic!("DevTools command failed: {e}"))
    }

    /// Waits for the open confirmation dialog and returns its text.
    pub async fn dialog(&self) -> String {
        self.find("//dialog[@open]").await.text().await.expect("dialog text")
    }

    /// Presses the button named `label` (confirm or cancel) in the open confirmation dialog.
    pub async fn press_in_dialog(&self, label: &str) {
        let xpath = format!("//dialog[@open]//button[normalize-space()={}]", literal(label));
        self.find(&xpath).await.click().await.expect("press in the dialog");
    }

    /// Waits for a link with this text.
    pub async fn link(&self, name: &str) -> Element {
        self.find(&format!("//a[normalize-space()={}]", literal(name))).await
    }

    /// Waits for the page's main heading to contain `text`, and returns the heading.
    pub async fn heading(&self, text: &str) -> String {
        let element = self.find(&format!("//h1[contains(normalize-space(), {})]", literal(text))).await;
        element.text().await.expect("heading text")
    }

    /// Types into the input whose label says `label`.
    pub async fn fill(&self, label: &str, value: &str) {
        let label = self.find(&format!("//label[normalize-space()={}]", literal(label))).await;
        // A label names its field by `for`, or holds it.
        let input = match label.attr("for").await.expect("label attribute") {
            Some(id) => self.find(&format!("//*[@id='{id}']")).await,
            None => self.find_within(&label, "input, textarea").await,
        };
        input.send_keys(value).await.expect("typing");
    }

    /// The first element matching `css` inside `element`, waiting for it to appear.
    pub async fn find_within(&self, element: &Element, css: &str) -> Element {
        let deadline = Instant::now() + PATIENCE;
        loop {
            match element.find(Locator::Css(css)).await {
                Ok(found) => return found,
                Err(error) if Instant::now() > deadline => panic!("no {css} within {PATIENCE:?}: {error}"),
                Err(_) => tokio::task::yield_now().await,
            }
        }
    }

    /// The computed `visibility` of the first element matching `css` inside `element` (once
    /// there is one).
    pub async fn visibility_within(&self, element: &Element, css: &str) -> String {
        self.find_within(element, css).await.css_value("visibility").await.expect("style")
    }

    /// Presses a key on the focused element (or types into it).
    pub async fn press(&self, key: fantoccini::key::Key) {
        let focused = self.browser.active_element().await.expect("a focused element");
        focused.send_keys(&char::from(key).to_string()).await.expect("key press");
    }

    /// The focused element's `id`, tag and text, for assertions about focus.
    pub async fn focused(&self) -> (Option<String>, String, String) {
        let focused = self.browser.active_element().await.expect("a focused element");
        let id = focused.attr("id").await.unwrap_or(None);
        let tag = focused.tag_name().await.unwrap_or_default();
        let label = focused.attr("aria-label").await.unwrap_or(None).unwrap_or_default();
        (id, tag, label)
    }

    /// Saves a screenshot of the page under the target directory.
    pub async fn screenshot(&self, name: &str) {
        let png = self.browser.screenshot().await.expect("screenshot");
        std::fs::write(self.shots.join(format!("{name}.png")), png).expect("saving the screenshot");
    }

    /// Starts a second person's browser (its own profile: no cookies shared) and makes it the
    /// one the helpers drive; `swap_browsers` goes back and forth.
    pub async fn start_second_browser(&mut self) {
        let (chromedriver, browser) = start_browser(self._data.path().join("second-profile")).await;
        self.other = Some((browser, chromedriver));
        self.swap_browsers();
    }

    /// Drives the other person's browser from now on.
    pub fn swap_browsers(&mut self) {
        if let Some((other, _)) = self.other.as_mut() {
            std::mem::swap(&mut self.browser, other);
        }
    }

    /// Closes the browser and stops the proxy.
    pub async fn finish(mut self) {
        if let Some((other, _)) = self.other.as_ref() {
            let _ = other.clone().close().await;
        }
        let _ = self.browser.clone().close().await;
        if let Some(proxy) = self.proxy.take() {
            proxy.stop().await.expect("the proxy stops cleanly");
        }
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        let _ = self.chromedriver.kill();
        let _ = self.chromedriver.wait();
        if let Some((_, chromedriver)) = self.other.as_mut() {
            let _ = chromedriver.kill();
            let _ = chromedriver.wait();
        }
    }
}

async fn start_chromedriver() -> (Child, u16) {
    let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
    let child = Command::new(chromedriver_path())
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts (cargo xtask test installs it)");
    let deadline = Instant::now() + PATIENCE;
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not listen on port {port}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    (child, port)
}

/// chromedriver and a Chromium session through it. The free port chromedriver is told to use can
/// be taken by another test's server before chromedriver binds it (chromedriver then exits, and
/// the session finds nothing listening): such a start is tried again on a new port.
async fn start_browser(profile: PathBuf) -> (Child, Client) {
    let mut attempts = 0;
    loop {
        let (mut chromedriver, port) = start_chromedriver().await;
        match connect_browser(port, profile.clone()).await {
            Ok(browser) => return (chromedriver, browser),
            Err(error) if attempts < 2 => {
                attempts += 1;
                eprintln!("chromedriver on port {port} gave no session ({error}); starting it again");
                let _ = chromedriver.kill();
                let _ = chromedriver.wait();
            }
            Err(error) => panic!("a Chromium session: {error}"),
        }
    }
}

async fn connect_browser(port: u16, profile: PathBuf) -> Result<Client, fantoccini::error::NewSessionError> {
    let mut capabilities = Capabilities::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": chromium_path(),
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--window-size=1280,900",
                format!("--user-data-dir={}", profile.display()),
            ]
        }),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector)
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
}

/// The lender's admin token in the tests that read the lender's API.
pub const ADMIN: &str = "admin-secret-0123456789abcdefghijklmnop";

/// `GET` of the lender's API with [`ADMIN`]: the answer's JSON.
pub async fn lender_api(harness: &Harness, path: &str) -> serde_json::Value {
    let answer = reqwest::Client::new().get(harness.url(path)).bearer_auth(ADMIN).send().await.unwrap();
    assert_eq!(answer.status(), 200, "{path}");
    answer.json().await.unwrap()
}

/// A DevTools protocol command, sent through chromedriver.
#[derive(Debug)]
struct DevToolsCommand {
    command: String,
    params: serde_json::Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for DevToolsCommand {
    fn endpoint(&self, base_url: &url::Url, session_id: Option<&str>) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!("session/{}/goog/cdp/execute", session_id.unwrap_or_default()))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        let body = serde_json::json!({ "cmd": self.command, "params": self.params });
        (http::Method::POST, Some(body.to_string()))
    }
}

/// A text as an XPath string literal, whatever quotes it holds.
fn literal(text: &str) -> String {
    if !text.contains('\'') {
        format!("'{text}'")
    } else if !text.contains('"') {
        format!("\"{text}\"")
    } else {
        let parts: Vec<String> = text.split('\'').map(|part| format!("'{part}'")).collect();
        format!("concat({})", parts.join(", \"'\", "))
    }
}

fn chromium_path() -> String {
    std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into())
}

fn chromedriver_path() -> String {
    std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into())
}

/// Runs axe-core's WCAG 2.2 AA rules, and its experimental ones, on the page and returns the violations found.
pub async fn axe_violations(harness: &Harness) -> Vec<String> {
    let path = target_dir().join("axe").join("axe.min.js");
    let script = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (cargo xtask test fetches axe-core)", path.display()));
    harness.browser.execute(&format!("{script}; return true;"), vec![]).await.expect("axe loads");
    let found = harness
        .browser
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'experimental'] })
                .then(r => done(r.violations.map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))))
                .catch(e => done(['axe failed: ' + e]));",
            vec![],
        )
        .await
        .expect("axe runs");
    found.as_array().unwrap().iter().map(|v| v.as_str().unwrap_or_default().to_owned()).collect()
}
