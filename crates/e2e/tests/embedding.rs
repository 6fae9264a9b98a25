//! Codat Connect embedded in a lender's page: Northwind Capital, the example lender's site,
//! mounts it with `embed.js` under its own strict CSP; Codat's Link opens in a popup whose
//! return page reports back and closes; the host hears every step as a DOM CustomEvent.

mod support;

use fantoccini::{wd::WindowHandle, Locator};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use support::{axe_violations, Harness};

async fn start(name: &str) -> Harness {
    Harness::start_with(name, |config| config.example_lender_listen = Some(([127, 0, 0, 1], 0).into())).await
}

/// Opens the lender's application page.
async fn open_lender(harness: &Harness) {
    let url = harness.proxy.as_ref().and_then(|proxy| proxy.example_lender_url.clone()).expect("lender site");
    harness.browser.goto(&url).await.expect("the lender's page");
    harness.heading("Apply for working capital").await;
}

/// Waits until the host page has logged `event`, and returns its detail.
async fn host_event(harness: &Harness, event: &str) -> Value {
    let item = harness.find(&format!("//ol[@id='event-log']/li[@data-event='{event}']")).await;
    let text = item.text().await.expect("event text");
    let detail = text.strip_prefix(event).unwrap_or_default().trim();
    serde_json::from_str(detail).unwrap_or_else(|e| panic!("{event} detail {detail:?}: {e}"))
}

/// Enters the Codat Connect frame.
async fn enter_app(harness: &Harness) {
    harness.browser.enter_parent_frame().await.ok();
    let frame = harness.find("//iframe[contains(@class,'codat-connect-frame')]").await;
    frame.enter_frame().await.expect("entering the frame");
}

/// Opens the lender's page, starts the flow and enters its frame; answers the lender's window.
async fn start_in_lender(harness: &Harness) -> WindowHandle {
    open_lender(harness).await;
    harness.button("Connect your accounts").await.click().await.expect("start");
    let lender_window = harness.browser.window().await.expect("the lender's window");
    enter_app(harness).await;
    lender_window
}

/// Authorizes Sandbox in the Link popup just opened, and comes back to the app in the lender's
/// window once the popup has closed.
async fn authorize_sandbox_in_popup(harness: &Harness, lender_window: &WindowHandle) {
    let popup = windows(harness, 2).await.into_iter().find(|w| w != lender_window).expect("the popup");
    harness.browser.switch_to_window(popup).await.expect("to the popup");
    harness.heading("Connect Sandbox").await;
    harness.button("Authorize").await.click().await.expect("authorize");
    windows(harness, 1).await;
    harness.browser.switch_to_window(lender_window.clone()).await.expect("back to the lender");
    enter_app(harness).await;
    assert_eq!(harness.heading("is connected").await, "Sandbox is connected");
}

/// Waits until the browser has `count` windows, and returns them.
async fn windows(harness: &Harness, count: usize) -> Vec<WindowHandle> {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let handles = harness.browser.windows().await.expect("window handles");
        if handles.len() == count {
            return handles;
        }
        assert!(Instant::now() < deadline, "expected {count} windows, have {}", handles.len());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lender_page_embeds_the_flow_and_hears_each_step() {
    let harness = start("embedding").await;
    open_lender(&harness).await;
    harness.screenshot("01-lender-page").await;
    harness.button("Connect your accounts").await.click().await.expect("start");
    host_event(&harness, "ready").await;
    let lender_window = harness.browser.window().await.expect("the lender's window");

    enter_app(&harness).await;
    harness.heading("Connect your accounting software").await;
    // Northwind requires accounting software: the checklist says so, and "Done" is not offered.
    harness.find("//ul[@class='checklist']/li[contains(., 'Accounting')][contains(., 'Required')]").await;
    harness.find("//ul[@class='checklist']/li[contains(., 'Banking')][contains(., 'skip it for now')]").await;
    harness.find("//p[@class='finish-needs'][contains(., 'To finish, connect: Accounting')]").await;
    let done = harness.browser.find_all(Locator::XPath("//button[normalize-space()='Done']")).await.unwrap();
    assert!(done.is_empty(), "a required kind cannot be skipped");
    let close = harness.button("Close").await;
    assert!(close.is_displayed().await.unwrap(), "an embedded app can be closed");
    // In the lender's colours the embedded app still meets WCAG 2.2 AA, and so does the example.
    let in_frame = axe_violations(&harness).await;
    assert!(in_frame.is_empty(), "the embedded app: {in_frame:?}");
    harness.browser.enter_parent_frame().await.unwrap();
    let host = axe_violations(&harness).await;
    assert!(host.is_empty(), "the lender's page: {host:?}");
    harness.screenshot("02-embedded-grid").await;

    enter_app(&harness).await;
    // A search that finds nothing (the lender's funnel keeps its text), then Sandbox, declined
    // once and then agreed to.
    let search = harness.find("//input[@type='search']").await;
    search.send_keys("Acme Ledger\n").await.expect("search");
    harness.find("//p[contains(., 'Acme Ledger')]").await;
    let clear = "const box = document.querySelector('input[type=search]'); box.value = ''; \
                 box.dispatchEvent(new Event('input', {bubbles: true}));";
    harness.browser.execute(clear, vec![]).await.expect("clearing the search");
    harness.button("Connect Sandbox").await.click().await.expect("choose Sandbox");
    harness.button("Decline").await.click().await.expect("decline");
    harness.button("Connect Sandbox").await.click().await.expect("choose Sandbox again");
    harness.agree().await;
    harness.find("//p[contains(., 'in the window that opened')]").await;
    let popup = windows(&harness, 2).await.into_iter().find(|w| *w != lender_window).expect("the popup");
    harness.browser.switch_to_window(popup).await.expect("to the popup");
    harness.heading("Connect Sandbox").await;
    harness.screenshot("03-link-popup").await;
    harness.button("Authorize").await.click().await.expect("authorize");

    // The popup's return page hands Codat's redirect to the app and closes itself.
    windows(&harness, 1).await;
    harness.browser.switch_to_window(lender_window).await.expect("back to the lender");
    let started = host_event(&harness, "started").await;
    assert_eq!(started["platformKey"], "mqjo");
    enter_app(&harness).await;
    assert_eq!(harness.heading("is connected").await, "Sandbox is connected");
    harness.find("//h2[normalize-space()='All set']").await;
    // The page asked for a one-time ticket, and with it (the session token is never taken from
    // an address) opened its live stream: the server holds a channel for its merchant.
    let asked = harness
        .browser
        .execute(
            "return performance.getEntriesByType('resource').map((e) => e.name).filter((n) => n.includes('/api/events'));",
            vec![],
        )
        .await
        .expect("resource timings");
    let asked: Vec<String> = serde_json::from_value(asked).expect("names");
    assert!(asked.iter().any(|url| url.ends_with("/api/events/ticket")), "{asked:?}");
    let live = &harness.proxy.as_ref().expect("running").state;
    assert_eq!(live.live.channels_held(), 1, "a stream was opened for the merchant");
    harness.browser.enter_parent_frame().await.unwrap();
    let connected = host_event(&harness, "connected").await;
    assert_eq!(connected["connectionId"], started["connectionId"]);
    assert_eq!(connected["platformName"], "Sandbox");
    assert_eq!(connected["sourceType"], "Accounting");
    harness.screenshot("04-embedded-connected").await;

    enter_app(&harness).await;
    harness.button("Done").await.click().await.expect("done");
    harness.browser.enter_parent_frame().await.unwrap();
    let finished = host_event(&harness, "finished").await;
    assert_eq!(
        finished,
        json!({"complete": ["Accounting"], "missing": [], "skipped": ["Banking", "Commerce"]})
    );
    // The lender's page takes the app away once the owner is finished.
    harness.find("//p[@id='start-status'][contains(., 'Thanks')]").await;
    let frames = harness.browser.find_all(Locator::Css("iframe")).await.unwrap();
    assert!(frames.is_empty(), "the lender removed the frame");
    harness.screenshot("05-lender-after-finish").await;

    // The lender's back office: the applicant is ready, told by verified webhooks.
    let lender =
        harness.proxy.as_ref().and_then(|proxy| proxy.example_lender_url.clone()).expect("lender site");
    harness.browser.goto(&format!("{lender}/back-office")).await.expect("the back office");
    harness.heading("Applicants").await;
    harness.find("//tr[@data-merchant='nw-maple-street-bakery']/td[normalize-space()='Ready']").await;
    harness.find("//ol[@id='webhooks']/li[@data-type='merchant.connection.linked']").await;
    harness.find("//ol[@id='webhooks']/li[@data-type='merchant.ready']").await;
    harness.find("//tbody[@id='deliveries']/tr[td[normalize-space()='merchant.ready']]/td[normalize-space()='delivered']").await;
    // The funnel of this one visit, and the search that found nothing.
    let reached = |step: &str, count: u32| {
        format!(
            "//tbody[@id='funnel']/tr[@data-step='{step}']/td[@class='count'][normalize-space()='{count}']"
        )
    };
    for (step, count) in [
        ("platform_chosen", 2),
        ("consent_declined", 1),
        ("consent_given", 1),
        ("link_returned", 1),
        ("first_read_finished", 1),
    ] {
        harness.find(&reached(step, count)).await;
    }
    harness
        .find(
            "//tbody[@id='zero-searches']/tr[td[normalize-space()='acme ledger']]/td[normalize-space()='1']",
        )
        .await;
    let back_office = axe_violations(&harness).await;
    assert!(back_office.is_empty(), "the back office: {back_office:?}");
    harness.screenshot("06-back-office").await;
    let scroll = "document.getElementById('funnel-heading').scrollIntoView();";
    harness.browser.execute(scroll, vec![]).await.expect("scrolling to the funnel");
    harness.screenshot("07-funnel").await;
    harness.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_connection_is_said_on_the_first_page_with_a_one_click_reconnect() {
    let harness = start("embedding-attention").await;
    let lender_window = start_in_lender(&harness).await;
    harness.button("Connect Sandbox").await.click().await.expect("choose Sandbox");
    harness.agree().await;
    authorize_sandbox_in_popup(&harness, &lender_window).await;

    // The owner revokes Codat's access at the platform.
    let proxy = harness.proxy.as_ref().expect("running");
    let merchant = proxy.state.db.merchant("nw-maple-street-bakery").await.unwrap().expect("the applicant");
    let company = merchant.company_id.expect("a company");
    let connection = proxy.state.db.merchant_connections(&merchant.id).await.unwrap().remove(0).id;
    let emulator = proxy.state.emulator.as_ref().expect("the embedded emulator");
    let revoked = emulator.store.update_connection(&company, &connection, |connection| {
        connection.status = codat::ConnectionStatus::Deauthorized;
    });
    assert!(revoked.is_some(), "the emulator knows the connection");

    // Back at the first page, the owner is told and can reconnect in one click.
    harness.link("Connect").await.click().await.expect("to the grid");
    harness
        .find("//div[contains(@class,'attention')][contains(., 'Sandbox needs you to sign in again')]")
        .await;
    harness.screenshot("01-attention").await;
    harness.browser.enter_parent_frame().await.unwrap();
    let attention = host_event(&harness, "attention_needed").await;
    assert_eq!(attention["connectionIds"], json!([connection]));
    enter_app(&harness).await;
    harness.button("Reconnect").await.click().await.expect("reconnect");
    authorize_sandbox_in_popup(&harness, &lender_window).await;
    harness.screenshot("02-reconnected").await;
    harness.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_host_chooses_language_theme_kinds_and_platforms() {
    let harness = start("embedding-options").await;
    open_lender(&harness).await;
    // What a lender's own script does: a session from its backend, then mount with options.
    let mounted = harness
        .browser
        .execute(
            r#"fetch("/session", {method: "POST", headers: {"content-type": "application/json"},
                                  body: JSON.stringify({businessName: "Café Olé"})})
                 .then((r) => r.json())
                 .then((s) => {
                   window.connect = CodatConnect.mount(document.getElementById("codat-connect"), {
                     sessionToken: s.sessionToken, locale: "fr-CA", theme: "dark",
                     sourceTypes: ["Banking"], platforms: ["suuo"],
                   });
                 });
               return true;"#,
            vec![],
        )
        .await;
    // `execute` is synchronous; the mount above finishes after it returns.
    assert!(mounted.is_ok(), "{mounted:?}");
    host_event(&harness, "ready").await;
    let frame = harness.find("//iframe[contains(@class,'codat-connect-frame')]").await;
    assert_eq!(frame.attr("title").await.unwrap().as_deref(), Some("Connectez votre entreprise"));
    enter_app(&harness).await;
    harness.heading("Connectez votre banque").await;
    harness.button("Connecter Plaid").await;
    let cards = harness.browser.find_all(Locator::Css(".integration-card:not(.skeleton)")).await.unwrap();
    assert_eq!(cards.len(), 1, "only the platforms the host allows");
    let tabs = harness.browser.find_all(Locator::Css(".segmented")).await.unwrap();
    assert!(tabs.is_empty(), "one kind of platform needs no tabs");
    let theme =
        harness.browser.execute("return document.documentElement.dataset.theme", vec![]).await.unwrap();
    assert_eq!(theme, json!("dark"));
    harness.browser.enter_parent_frame().await.unwrap();
    harness.screenshot("french-dark-banking-only").await;
    harness.browser.set_window_size(360, 800).await.expect("a phone-sized window");
    harness
        .browser
        .execute("document.querySelector('.codat-connect-frame').scrollIntoView()", vec![])
        .await
        .expect("scrolling to the frame");
    enter_app(&harness).await;
    // The card's images load lazily, now that the frame is on screen.
    let loaded = harness
        .browser
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const images = [...document.querySelectorAll('.integration-card img:not(.brand-button-hover)')];
             const check = () => images.every((i) => i.complete && i.naturalWidth > 0) ? done(true) : setTimeout(check, 20);
             check();",
            vec![],
        )
        .await;
    assert!(loaded.is_ok(), "the card's images load: {loaded:?}");
    harness.browser.enter_parent_frame().await.unwrap();
    harness.screenshot("french-dark-banking-only-360px").await;

    enter_app(&harness).await;
    harness.button("Fermer").await.click().await.expect("close");
    harness.browser.enter_parent_frame().await.unwrap();
    host_event(&harness, "closed").await;
    harness.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_the_link_popup_early_lets_the_owner_choose_again() {
    let harness = start("embedding-popup-closed").await;
    let lender_window = start_in_lender(&harness).await;
    harness.button("Connect Xero").await.click().await.expect("choose Xero");
    harness.agree().await;
    let popup = windows(&harness, 2).await.into_iter().find(|w| *w != lender_window).expect("the popup");
    harness.browser.switch_to_window(popup).await.expect("to the popup");
    harness.heading("Connect Xero").await;
    harness.browser.close_window().await.expect("closing the popup");
    harness.browser.switch_to_window(lender_window).await.expect("back to the lender");

    enter_app(&harness).await;
    harness.find("//p[contains(., 'The sign-in window was closed before you finished')]").await;
    let xero = harness.button("Connect Xero").await;
    assert!(xero.is_enabled().await.unwrap(), "the grid is usable again");
    harness.browser.enter_parent_frame().await.unwrap();
    harness.screenshot("popup-closed").await;
    harness.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn options_the_app_refuses_are_reported_to_the_host() {
    let harness = start("embedding-refused").await;
    open_lender(&harness).await;
    harness
        .browser
        .execute(
            r#"CodatConnect.mount(document.getElementById("codat-connect"), {
                 sessionToken: "any-token", themeTokens: {"color": "red"} });"#,
            vec![],
        )
        .await
        .expect("mounting");
    let error = host_event(&harness, "error").await;
    assert_eq!(error["code"], "invalid_options");
    assert_eq!(error["recoverable"], false);
    assert!(error["message"].as_str().unwrap().contains("themeTokens"), "{error}");
    enter_app(&harness).await;
    harness.heading("This page cannot open").await;
    harness.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embed_options_in_a_page_no_lender_frames_are_refused() {
    // Someone sends an owner a link carrying their own session: the owner's books would land in
    // that someone's company.
    let harness = start("embedding-planted").await;
    let options =
        json!({ "sessionToken": "planted-token-of-another-applicant", "hostOrigin": harness.url("") });
    let fragment = url::form_urlencoded::byte_serialize(options.to_string().as_bytes()).collect::<String>();
    harness.open(&format!("/connect#embed={fragment}")).await;
    harness.heading("This page cannot open").await;
    let page = harness.find("//main").await.text().await.expect("page text");
    assert!(page.contains("only in a frame of the lender's page"), "{page}");
    assert!(harness
        .browser
        .find(Locator::XPath("//button[starts-with(@aria-label,'Connect ')]"))
        .await
        .is_err());
    harness.screenshot("planted-session-refused").await;
    harness.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blocked_link_popup_is_offered_again_from_a_button() {
    let harness = start("embedding-popup-blocked").await;
    let lender_window = start_in_lender(&harness).await;
    let xero = harness.button("Connect Xero").await;
    // A popup blocker, as the app meets it: `window.open` answers null.
    let block = "window.ccOpen = window.open; window.open = () => null; return null;";
    harness.browser.execute(block, vec![]).await.expect("blocking popups");
    xero.click().await.expect("choose Xero");
    harness.agree().await;

    harness.find("//*[@role='alert']/p[normalize-space()='Your browser blocked the sign-in window.']").await;
    assert_eq!(harness.browser.windows().await.unwrap().len(), 1, "no popup opened");
    // The notice is above the grid: its button takes focus, bringing it into view.
    let focused = harness.browser.active_element().await.expect("a focused element");
    assert_eq!(focused.text().await.unwrap(), "Open the sign-in window");
    assert!(xero.is_enabled().await.unwrap(), "the owner may also choose another platform");
    harness.browser.enter_parent_frame().await.unwrap();
    harness.screenshot("popup-blocked").await;

    enter_app(&harness).await;
    harness.browser.execute("window.open = window.ccOpen; return null;", vec![]).await.expect("unblocking");
    harness.button("Open the sign-in window").await.click().await.expect("open it from the button");
    let popup = windows(&harness, 2).await.into_iter().find(|w| *w != lender_window).expect("the popup");
    harness.browser.switch_to_window(popup).await.expect("to the popup");
    harness.heading("Connect Xero").await;
    harness.browser.switch_to_window(lender_window).await.expect("back to the lender");
    enter_app(&harness).await;
    harness.find("//p[normalize-space()='Finish signing in to Xero in the window that opened.']").await;
    harness.finish().await;
}

/// Link cannot be framed: "Reconnect" on the connections page opens it in the popup, as the
/// picker does, and the return is handled the same way.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconnecting_in_the_frame_opens_link_in_a_popup() {
    let harness = start("embedding-reconnect").await;
    let lender_window = start_in_lender(&harness).await;
    harness.button("Connect Sandbox").await.click().await.expect("choose Sandbox");
    harness.agree().await;
    authorize_sandbox_in_popup(&harness, &lender_window).await;

    harness.link("View your connections").await.click().await.expect("open connections");
    harness.heading("Your connections").await;
    harness.button("Disconnect").await.click().await.expect("disconnect");
    harness.press_in_dialog("Disconnect").await;
    harness.button("Reconnect").await.click().await.expect("reconnect");
    harness.find("//p[contains(., 'in the window that opened')]").await;
    harness.screenshot("01-reconnect-popup-open").await;
    authorize_sandbox_in_popup(&harness, &lender_window).await;

    harness.browser.enter_parent_frame().await.unwrap();
    let count = |event: &'static str| {
        let harness = &harness;
        async move {
            let path = format!("//ol[@id='event-log']/li[@data-event='{event}']");
            harness.browser.find_all(Locator::XPath(&path)).await.unwrap().len()
        }
    };
    harness.find("(//ol[@id='event-log']/li[@data-event='connected'])[2]").await;
    assert_eq!((count("started").await, count("connected").await), (2, 2));
    harness.screenshot("02-reconnected").await;
    harness.finish().await;
}

/// Where a popup is not an option (a phone's in-app browser), the lender's page sends the whole
/// tab to the flow by its one-time link; "Done" brings the owner back, and the outcome arrives
/// on the lender's page as the same `finished` event.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_phone_the_whole_tab_goes_to_the_flow_and_comes_back_to_the_lender() {
    let harness = start("embedding-redirect").await;
    harness.browser.set_window_size(390, 844).await.expect("a phone's size");
    open_lender(&harness).await;
    harness.find("//select[@id='mode']/option[@value='redirect']").await.click().await.expect("whole tab");
    harness.button("Connect your accounts").await.click().await.expect("start");
    // The link's own page: one button, so that a scanner fetching the link does not use it up.
    harness.heading("Share your financial data").await;
    let link_page = axe_violations(&harness).await;
    assert!(link_page.is_empty(), "the link's page: {link_page:?}");
    harness.screenshot("00-phone-link-page").await;
    harness.button("Continue").await.click().await.expect("continue");
    harness.heading("Connect your accounting software").await;
    let here = harness.browser.current_url().await.expect("the address");
    assert_eq!(here.path(), "/connect", "the app in the whole tab, not a frame: {here}");
    harness.screenshot("01-phone-grid").await;
    harness.button("Connect Sandbox").await.click().await.expect("choose Sandbox");
    harness.screenshot("02-phone-consent").await;
    harness.agree().await;
    harness.heading("Connect Sandbox").await;
    harness.button("Authorize").await.click().await.expect("authorize");
    assert_eq!(harness.heading("is connected").await, "Sandbox is connected");
    harness.screenshot("03-phone-connected").await;
    harness.button("Done").await.click().await.expect("done");

    harness.heading("Apply for working capital").await;
    let finished = host_event(&harness, "finished").await;
    assert_eq!(
        finished,
        json!({"complete": ["Accounting"], "missing": [], "skipped": ["Banking", "Commerce"]})
    );
    harness.find("//p[@id='start-status'][contains(., 'Thanks')]").await;
    let back = harness.browser.current_url().await.expect("the address");
    assert!(
        back.query().is_none_or(|q| !q.contains("codat_connect")),
        "the outcome left the address: {back}"
    );
    harness.screenshot("04-phone-back-at-the-lender").await;
    harness.finish().await;
}

/// An owner leaving before linking what the lender requires may say why, or not, and goes back
/// to the lender's page with what is missing; the lender's funnel counts both.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_owner_who_leaves_early_may_say_why_and_goes_back_to_the_lender() {
    let harness = start("leaving-early").await;
    harness.browser.set_window_size(390, 844).await.expect("a phone's size");
    for (answer, shot) in [(Some("no_login"), "01-a-reason-given"), (None, "02-skipped")] {
        open_lender(&harness).await;
        harness
            .find("//select[@id='mode']/option[@value='redirect']")
            .await
            .click()
            .await
            .expect("whole tab");
        harness.button("Connect your accounts").await.click().await.expect("start");
        harness.button("Continue").await.click().await.expect("continue");
        harness.heading("Connect your accounting software").await;
        harness.find("//summary[normalize-space()=\"I'll do this later\"]").await.click().await.unwrap();
        if let Some(reason) = answer {
            harness
                .find(&format!("//select/option[@value='{reason}']"))
                .await
                .click()
                .await
                .expect("a reason");
        }
        assert_eq!(axe_violations(&harness).await, Vec::<String>::new());
        harness.screenshot(shot).await;
        harness.button("Leave for now").await.click().await.expect("leaving");
        harness.heading("Apply for working capital").await;
        let finished = host_event(&harness, "finished").await;
        assert_eq!(finished["missing"], json!(["Accounting"]), "{finished}");
    }
    let state = &harness.proxy.as_ref().expect("running").state;
    let counts = state.db.funnel_counts(0, i64::MAX).await.expect("the funnel's counts");
    let mut leaving = counts.leaving;
    leaving.sort();
    assert_eq!(leaving, [("no_login".to_owned(), 1), ("unsaid".to_owned(), 1)]);
    harness.finish().await;
}

/// A platform's app on a phone can send the owner back into another browser than the one the
/// link opened (an app switch): there, without a session, the page says the platform is
/// connected and "Done" takes the owner back to the lender with the outcome; nothing else of the
/// merchant's is shown, since the connection id in that address is no secret.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn back_from_link_in_another_browser_the_owner_sees_the_outcome_and_returns_to_the_lender() {
    let harness = start("embedding-app-switch").await;
    harness.browser.set_window_size(390, 844).await.expect("a phone's size");
    open_lender(&harness).await;
    harness.find("//select[@id='mode']/option[@value='redirect']").await.click().await.expect("whole tab");
    harness.button("Connect your accounts").await.click().await.expect("start");
    harness.button("Continue").await.click().await.expect("continue");
    harness.button("Connect Sandbox").await.click().await.expect("choose Sandbox");
    harness.agree().await;
    harness.heading("Connect Sandbox").await;
    // The platform's app authorizes and sends the owner back; the address lands in a browser
    // that holds no session (here: this one with its cookies gone).
    let link_page = harness.browser.current_url().await.expect("the Link page");
    let complete = link_page.as_str().split('?').next().unwrap().replace("/start", "/complete");
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let answer = http.post(complete).form(&[("outcome", "authorize")]).send().await.expect("authorized");
    let back = answer.headers()["location"].to_str().unwrap().to_owned();
    harness.browser.delete_all_cookies().await.expect("no session here");
    harness.browser.goto(&back).await.expect("the return");
    assert_eq!(harness.heading("is connected").await, "Sandbox is connected");
    let violations = axe_violations(&harness).await;
    assert!(violations.is_empty(), "the outcome page: {violations:?}");
    harness.screenshot("00-outcome-in-another-browser").await;
    let shown = harness.find("//main").await.text().await.expect("the page's text");
    assert!(
        !shown.contains("View your connections"),
        "nothing of the merchant's beyond the outcome: {shown}"
    );
    harness.link("Done").await.click().await.expect("done");
    harness.heading("Apply for working capital").await;
    let finished = host_event(&harness, "finished").await;
    assert_eq!(finished["complete"], json!(["Accounting"]));
    harness.screenshot("01-back-at-the-lender").await;
    harness.finish().await;
}

/// The lender's page names the platform to start at ("Start at: Sandbox"): in the frame the app
/// opens at Sandbox's consent step, and the grid is one click ("Decline") behind it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lender_can_open_the_flow_at_one_platform_in_the_frame() {
    let harness = start("opening-framed").await;
    open_lender(&harness).await;
    harness.find("//select[@id='platform']/option[@value='mqjo']").await.click().await.expect("Sandbox");
    harness.button("Connect your accounts").await.click().await.expect("start");
    let lender_window = harness.browser.window().await.expect("the lender's window");
    enter_app(&harness).await;
    let dialog = harness.dialog().await;
    assert!(dialog.contains("Sandbox"), "the consent step for Sandbox: {dialog}");
    let violations = axe_violations(&harness).await;
    assert!(violations.is_empty(), "{violations:?}");
    harness.screenshot("00-opened-at-sandbox").await;
    harness.press_in_dialog("Decline").await;
    harness.button("Connect Xero").await;
    harness.screenshot("01-the-grid-behind-it").await;
    // And from the grid, the same platform as any other.
    harness.button("Connect Sandbox").await.click().await.expect("choose Sandbox");
    harness.agree().await;
    authorize_sandbox_in_popup(&harness, &lender_window).await;
    harness.finish().await;
}

/// The same, by the one-time link a phone follows: the page opens at the platform's consent step.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lender_can_open_the_flow_at_one_platform_in_the_whole_tab() {
    let harness = start("opening-whole-tab").await;
    harness.browser.set_window_size(390, 844).await.expect("a phone's size");
    open_lender(&harness).await;
    harness.find("//select[@id='mode']/option[@value='redirect']").await.click().await.expect("whole tab");
    harness.find("//select[@id='platform']/option[@value='gbol']").await.click().await.expect("Xero");
    harness.button("Connect your accounts").await.click().await.expect("start");
    harness.heading("Share your financial data").await;
    harness.button("Continue").await.click().await.expect("continue");
    let dialog = harness.dialog().await;
    assert!(dialog.contains("Xero"), "the consent step for Xero: {dialog}");
    harness.screenshot("00-phone-opened-at-xero").await;
    harness.agree().await;
    harness.heading("Connect Xero").await;
    harness.finish().await;
}

/// A host page names the platform in `embed.js`'s options (`platform`), with no word from the
/// lender's backend: the frame opens at its consent step.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_host_page_can_open_the_flow_at_one_platform_from_its_options() {
    let harness = start("opening-by-option").await;
    open_lender(&harness).await;
    let mounted = harness
        .browser
        .execute(
            r#"fetch("/session", {method: "POST", headers: {"content-type": "application/json"},
                                  body: JSON.stringify({businessName: "Harbour Tea"})})
                 .then((r) => r.json())
                 .then((s) => CodatConnect.mount(document.getElementById("codat-connect"),
                                                 {sessionToken: s.sessionToken, platform: "gbol"}));
               return true;"#,
            vec![],
        )
        .await;
    assert!(mounted.is_ok(), "{mounted:?}");
    enter_app(&harness).await;
    let dialog = harness.dialog().await;
    assert!(dialog.contains("Before you connect Xero"), "{dialog}");
    harness.press_in_dialog("Decline").await;
    harness.button("Connect Xero").await;
    harness.finish().await;
}
