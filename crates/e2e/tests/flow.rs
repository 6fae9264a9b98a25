//! The whole flow in a real browser: sign up, pick a platform, authorize or cancel on the
//! emulator's Link page, come back, and see the outcome confirmed.

mod support;

use support::Harness;

async fn sign_up(harness: &Harness, business: &str) {
    harness.open("/").await;
    harness.heading("Share your business's financial data").await;
    harness.fill("Business name", business).await;
    harness.fill("Work email", "owner@example.com").await;
    harness.screenshot("01-sign-up").await;
    harness.button("Continue").await.click().await.expect("submit");
}

/// By default the emulator is no kinder than Codat may be: the Link URL's `state` does not
/// come back, no webhook arrives (the server watches Codat itself), and links are one-time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authorizing_a_platform_shows_it_connected_and_listed() {
    let harness = Harness::start("authorize").await;
    authorize_and_list(&harness).await;
    harness.finish().await;
}

/// With the emulator's generous behaviours on (the `state` carried back, webhooks delivered,
/// reusable links) the same flow holds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authorizing_works_the_same_when_codat_carries_state_and_sends_webhooks() {
    let harness = Harness::start_with("authorize-relaxed", |config| {
        config.emulator_carry_link_query = true;
        config.emulator_webhooks = true;
        config.emulator_reusable_links = true;
    })
    .await;
    authorize_and_list(&harness).await;
    harness.finish().await;
}

async fn authorize_and_list(harness: &Harness) {
    sign_up(harness, "Acme Bakery").await;

    harness.heading("Connect your accounting software").await;
    let sandbox = harness.button("Connect Sandbox").await;
    harness.screenshot("02-integration-grid").await;
    sandbox.click().await.expect("choose Sandbox");
    // Consent first: what Sandbox will share, why and for how long.
    harness.find("//dialog[@open]//h2[normalize-space()='Before you connect Sandbox']").await;
    harness.find("//dialog[@open]//li[normalize-space()='Invoices']").await;
    harness.screenshot("02b-consent").await;
    harness.agree().await;

    harness.heading("Connect Sandbox").await;
    harness.screenshot("03-link-page").await;
    harness.button("Authorize").await.click().await.expect("authorize");

    let heading = harness.heading("is connected").await;
    assert_eq!(heading, "Sandbox is connected");
    harness.find("//h2[normalize-space()='Reading your data' or normalize-space()='All set']").await;
    harness.screenshot("04-callback-connected").await;
    // The first sync ends with Codat's read.completed.initial webhook, pushed to the page.
    harness.find("//h2[normalize-space()='All set']").await;
    let invoices =
        harness.find("//li[contains(@class,'sync-row')][span[normalize-space()='Invoices']]").await;
    assert!(invoices.text().await.unwrap().contains("Done"));
    harness.screenshot("05-first-sync-done").await;

    harness.link("View your connections").await.click().await.expect("open connections");
    harness.heading("Your connections").await;
    let row = harness.find("//li[contains(@class,'connection-row')]").await;
    let text = row.text().await.expect("row text");
    assert!(text.contains("Sandbox") && text.contains("Connected"), "row: {text}");
    // The receipt of the owner's consent, beside the connection.
    harness.find("//li[contains(@class,'connection-row')]/p[@class='connection-receipt'][starts-with(., 'You agreed on')]").await;
    harness.screenshot("06-connections").await;

    // A business has one accounting platform; banks and stores are added beside it.
    harness.link("Connect").await.click().await.expect("open the picker");
    harness.find("//p[contains(., 'Sandbox is your accounting platform')]").await;
    harness.button("Banking").await.click().await.expect("banking tab");
    harness.heading("Connect your bank").await;
    harness.find("//input[@type='search']").await.send_keys("pla").await.expect("search");
    harness.button("Connect Plaid").await;
    let shown =
        harness.browser.find_all(fantoccini::Locator::Css(".integration-card:not(.skeleton)")).await.unwrap();
    assert_eq!(shown.len(), 1, "the search leaves Plaid alone");
    harness.screenshot("07-banking-search").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_on_the_link_page_says_so_and_offers_to_try_again() {
    let harness = Harness::start("cancel").await;
    sign_up(&harness, "Brightside Florists").await;

    harness.button("Connect Xero").await.click().await.expect("choose Xero");
    harness.agree().await;
    harness.heading("Connect Xero").await;
    // Xero's extra step from the platform list is shown before authorizing.
    harness.find("//h2[normalize-space()='Confirm your company name']").await;
    harness.button("Cancel").await.click().await.expect("cancel");

    let heading = harness.heading("You cancelled").await;
    assert_eq!(heading, "You cancelled connecting Xero");
    harness.screenshot("callback-cancelled").await;

    harness.link("Try again").await.click().await.expect("try again");
    harness.heading("Connect your accounting software").await;
    harness.button("Connect Xero").await;

    // A platform without a connect button of its own gets a plain one, named like the others.
    harness.find("//input[@type='search']").await.send_keys("wave").await.expect("search");
    let wave = harness.button("Connect Wave").await;
    let plain = wave.find(fantoccini::Locator::Css(".plain-button")).await.expect("a plain button");
    assert_eq!(plain.text().await.unwrap(), "Connect");
    harness.screenshot("plain-button").await;
    harness.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_is_disconnected_reconnectable_and_removed_after_confirmation() {
    let harness = Harness::start("manage").await;
    sign_up(&harness, "Corner Hardware").await;
    harness.button("Connect Sandbox").await.click().await.expect("choose Sandbox");
    harness.agree().await;
    harness.button("Authorize").await.click().await.expect("authorize");
    harness.heading("is connected").await;
    harness.link("View your connections").await.click().await.expect("open connections");
    // The platform's logo, as the grid showed it.
    let logo = harness.find("//li[contains(@class,'connection-row')]//img[@class='connection-logo']").await;
    assert!(logo.attr("src").await.unwrap().is_some_and(|src| src.starts_with("data:image/svg+xml,")));

    harness.button("Disconnect").await.click().await.expect("disconnect");
    assert!(harness.dialog().await.contains("The data already shared is kept"));
    harness.screenshot("01-disconnect-dialog").await;
    harness.press_in_dialog("Disconnect").await;
    harness.find("//span[contains(@class,'status-badge')][normalize-space()='Disconnected']").await;
    harness.button("Reconnect").await;
    harness.screenshot("02-disconnected").await;

    harness.button("Remove").await.click().await.expect("remove");
    assert!(harness.dialog().await.contains("deleted"));
    harness.press_in_dialog("Remove and delete data").await;
    harness.find("//p[normalize-space()='You have not connected any platforms yet.']").await;
    harness.screenshot("03-removed").await;
    harness.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_grid_shows_a_page_of_cards_and_more_on_request() {
    // 19 shipped accounting platforms and 81 made-up ones: 100 cards.
    let harness = Harness::start_with("long-grid", |config| config.emulator_synthetic_platforms = 81).await;
    sign_up(&harness, "Many Platforms Ltd").await;
    harness.heading("Connect your accounting software").await;
    let count = || async {
        let cards = fantoccini::Locator::Css(".integration-card:not(.skeleton)");
        harness.browser.find_all(cards).await.unwrap().len()
    };
    // The grid has replaced its loading placeholders.
    harness.button("Connect Sandbox").await;
    assert_eq!(count().await, 60, "the first page of cards");
    harness.button("Show more platforms (40 more)").await.click().await.expect("show more");
    harness.find("(//li[contains(@class,'integration-card')])[100]").await;
    assert_eq!(count().await, 100);
    // A search looks through every platform, shown or not yet.
    harness.find("//input[@type='search']").await.send_keys("Test platform 008").await.expect("search");
    harness.find("//button[@aria-label='Connect Test platform 0081']").await;
    assert_eq!(count().await, 2, "0080 and 0081");
    harness.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_change_the_page_in_place_and_back_returns() {
    let harness = Harness::start("navigation").await;
    sign_up(&harness, "Lakeside Books").await;
    harness.heading("Connect your accounting software").await;
    // Only this document holds the mark: a full page load would lose it.
    harness.browser.execute("window.ccSameDocument = true; return null;", vec![]).await.expect("mark");

    harness.link("Your connections").await.click().await.expect("follow the link");
    harness.heading("Your connections").await;
    let current = harness.find("//nav//a[@aria-current='page']").await;
    assert_eq!(current.text().await.unwrap(), "Your connections");
    assert_eq!(harness.browser.current_url().await.unwrap().path(), "/connections");

    harness.browser.back().await.expect("back");
    harness.heading("Connect your accounting software").await;
    assert_eq!(harness.browser.current_url().await.unwrap().path(), "/connect");
    let current = harness.find("//nav//a[@aria-current='page']").await;
    assert_eq!(current.text().await.unwrap(), "Connect");
    let same = harness.browser.execute("return window.ccSameDocument === true;", vec![]).await.unwrap();
    assert_eq!(same, serde_json::Value::Bool(true), "following links reloaded the page");
    harness.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_out_ends_the_session_and_returns_to_sign_up() {
    let harness = Harness::start("sign-out").await;
    sign_up(&harness, "Harbour Tea").await;
    harness.heading("Connect your accounting software").await;
    harness.screenshot("signed-in-header").await;
    harness.button("Sign out").await.click().await.expect("sign out");
    harness.heading("Share your business's financial data").await;
    let in_header = fantoccini::Locator::XPath("//header//button[normalize-space()='Sign out']");
    assert!(harness.browser.find(in_header).await.is_err(), "nothing to sign out of on the sign-up page");
    // The session is gone on the server, not only in this tab.
    harness.open("/connections").await;
    harness.find("//main//p[normalize-space()='Start by telling us about your business.']").await;
    assert!(harness.browser.find(in_header).await.is_err(), "signed out, nothing to sign out of");
    harness.screenshot("signed-out-connections").await;
    harness.finish().await;
}

/// A data type whose first read fails is shown as such, with a next step that works.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_that_could_not_be_read_is_said_and_can_be_read_again() {
    let harness = Harness::start_with("sync-failure", |config| {
        config.emulator_failing_data_types = vec!["bills".into()];
    })
    .await;
    sign_up(&harness, "Harbour Chandlery").await;
    harness.button("Connect Sandbox").await.click().await.expect("choose Sandbox");
    harness.agree().await;
    harness.button("Authorize").await.click().await.expect("authorize");
    harness.heading("is connected").await;
    harness.find("//h2[normalize-space()='Some data could not be read']").await;
    let bills = harness.find("//li[contains(@class,'sync-row')][span[normalize-space()='Bills']]").await;
    assert!(bills.text().await.unwrap().contains("Failed"), "{}", bills.text().await.unwrap());
    harness.screenshot("01-some-data-not-read").await;

    harness.button("Read it again").await.click().await.expect("read again");
    harness.find("//h2[normalize-space()='All set']").await;
    harness.screenshot("02-read-again").await;
    harness.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn declining_the_terms_returns_to_the_grid_and_connects_nothing() {
    let harness = Harness::start("consent-declined").await;
    sign_up(&harness, "Careful Cafe").await;
    harness.button("Connect Sandbox").await.click().await.expect("choose Sandbox");
    harness.find("//dialog[@open]//h3[normalize-space()='Why']").await;
    harness.button("Decline").await.click().await.expect("decline");
    harness.heading("Connect your accounting software").await;
    let open = harness.browser.find_all(fantoccini::Locator::XPath("//dialog[@open]")).await.unwrap();
    assert!(open.is_empty(), "the dialog closed");
    let sandbox = harness.button("Connect Sandbox").await;
    assert!(sandbox.is_enabled().await.unwrap(), "the grid is usable");
    let proxy = harness.proxy.as_ref().expect("running");
    let merchant = proxy.state.db.merchant_records(None, 0, 10).await.unwrap().remove(0);
    assert!(
        proxy.state.db.merchant_connections(&merchant.id).await.unwrap().is_empty(),
        "no connection started"
    );
    harness.finish().await;
}

/// An owner who opens the picker's page has its first view drawn from the answers the page came
/// with: the grid shows without the page asking the proxy for the session, the grid, the
/// connections or the sync.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pickers_first_view_asks_the_proxy_nothing_it_came_with() {
    let harness = Harness::start("first-view").await;
    sign_up(&harness, "Quick Start Ltd").await;
    harness.heading("Connect your accounting software").await;
    // A fresh load of the page, as an owner coming back would make.
    harness.open("/connect").await;
    harness.button("Connect Xero").await;
    let asked = harness
        .browser
        .execute(
            "return performance.getEntriesByType('resource')
                 .map((entry) => new URL(entry.name))
                 .filter((url) => url.pathname.startsWith('/api/'))
                 .map((url) => url.pathname + url.search);",
            vec![],
        )
        .await
        .expect("the page's requests");
    let asked: Vec<String> = serde_json::from_value(asked).expect("paths");
    for answered in
        ["/api/session", "/api/integrations?sourceType=Accounting", "/api/connections", "/api/sync"]
    {
        assert!(!asked.iter().any(|path| path == answered), "{answered} was asked again: {asked:?}");
    }
    harness.screenshot("01-grid-from-the-page").await;
    harness.finish().await;
}
