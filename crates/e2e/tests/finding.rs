//! Owners find their platform: by the names they use (aliases, typos, in both languages), and
//! when it is not there, by telling the lender which software they use.

mod support;

use support::{axe_violations, lender_api, Harness, ADMIN};

/// Types `text` into the search box in place of what was there, once the page shows it.
async fn search_for(harness: &Harness, text: &str) {
    harness.find("//input[@type='search']").await;
    let replace = "const box = document.querySelector('input[type=search]'); box.value = arguments[0]; \
                   box.dispatchEvent(new Event('input', { bubbles: true }));";
    harness.browser.execute(replace, vec![text.into()]).await.expect("searching");
}

/// An owner finds their platform by the name they use (one the server ships, one the lender
/// added, or with a typo), first in the grid, with what matched marked; in both languages.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn owners_find_their_platform_by_the_names_they_use() {
    let aliases = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(aliases.path(), r#"{"gbol": ["Northwind Books"]}"#).unwrap();
    let path = aliases.path().to_owned();
    let harness =
        Harness::start_with("alias-search", move |config| config.platform_aliases = Some(path)).await;
    harness.open("/connect").await;
    harness.heading("Connect your accounting software").await;
    let first = "(//li[contains(@class,'integration-card')])[1]/button";

    search_for(&harness, "qbo").await;
    // Found by its other name, which it shows (marked) and is named by.
    let card =
        harness.find(&format!("{first}[@aria-label='Connect QuickBooks Online, Also known as QBO']")).await;
    assert_eq!(harness.find_within(&card, ".integration-alias mark").await.text().await.unwrap(), "QBO");
    assert_eq!(axe_violations(&harness).await, Vec::<String>::new());
    harness.screenshot("01-by-alias").await;

    search_for(&harness, "xeor").await;
    let card = harness.find(&format!("{first}[@aria-label='Connect Xero']")).await;
    assert_eq!(harness.find_within(&card, ".integration-name mark").await.text().await.unwrap(), "Xero");
    harness.screenshot("02-with-a-typo").await;

    search_for(&harness, "northwind").await;
    let card =
        harness.find(&format!("{first}[@aria-label='Connect Xero, Also known as Northwind Books']")).await;
    assert_eq!(
        harness.find_within(&card, ".integration-alias mark").await.text().await.unwrap(),
        "Northwind"
    );

    harness.open("/connect?locale=fr-CA").await;
    harness.heading("Connectez votre logiciel de comptabilité").await;
    search_for(&harness, "quickbooks en ligne").await;
    let label = "Connecter QuickBooks Online, Aussi appelée QuickBooks en ligne";
    harness.find(&format!("{first}[@aria-label='{label}']")).await;
    assert_eq!(axe_violations(&harness).await, Vec::<String>::new());
    harness.screenshot("03-by-alias-in-french").await;
    harness.finish().await;
}

/// An owner whose software is not in the grid says which it is, from "Can't find your
/// platform?"; the page thanks them, in both languages.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_owner_who_cannot_find_their_platform_tells_the_lender_which_it_is() {
    let harness = Harness::start("cant-find").await;
    harness.open("/").await;
    harness.fill("Business name", "Lakeside Joinery").await;
    harness.fill("Work email", "owner@example.com").await;
    harness.button("Continue").await.click().await.expect("signing up");
    harness.heading("Connect your accounting software").await;
    for (path, question, send, thanks) in [
        ("/connect", "Can't find your platform?", "Tell your lender", "Thank you."),
        (
            "/connect?locale=fr-CA",
            "Vous ne trouvez pas votre plateforme?",
            "Informer votre prêteur",
            "Merci.",
        ),
    ] {
        harness.open(path).await;
        search_for(&harness, "acme ledger").await;
        harness.find(&format!("//summary[normalize-space()=\"{question}\"]")).await.click().await.unwrap();
        harness.find("//input[@id='cant-find-name']").await.send_keys("Acme Ledger Pro").await.unwrap();
        harness.button(send).await.click().await.expect("sending");
        harness.find(&format!("//p[@role='status'][starts-with(normalize-space(), '{thanks}')]")).await;
        assert_eq!(axe_violations(&harness).await, Vec::<String>::new(), "{path}");
        harness.screenshot(if path.contains("fr-CA") { "02-told-in-french" } else { "01-told" }).await;
    }
    harness.finish().await;
}

/// Signs up a business with the standalone form.
async fn sign_up(harness: &Harness, business: &str) {
    harness.open("/").await;
    harness.fill("Business name", business).await;
    harness.fill("Work email", "owner@example.com").await;
    harness.button("Continue").await.click().await.expect("signing up");
}

/// A platform whose Link attempts fail is shown as one that may not work right now, in both
/// languages, and the lender hears `platform.degraded`; the owner may still try it, and it
/// connects once the platform works again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_platform_that_keeps_failing_says_so_on_its_card_and_can_still_be_tried() {
    let harness = Harness::start_with("degraded-platform", |config| {
        // A lender with few owners an hour judges on one business's failure.
        config.degraded_after_failures = 1;
        config.admin_token = Some(ADMIN.into());
        config.sign_up = Some(codat_connect_proxy::config::SignUp::Open);
        config.lender_webhooks = vec![codat_connect_proxy::config::LenderEndpoint {
            url: "http://127.0.0.1:9/hooks".into(),
            secret: codat::WebhookSecret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap(),
            previous_secret: None,
        }];
    })
    .await;
    let emulator = harness.proxy.as_ref().and_then(|proxy| proxy.state.emulator.clone()).expect("emulator");
    emulator.set_link_failing("gbol", true);
    sign_up(&harness, "Harbour Cafe").await;
    harness.button("Connect Xero").await.click().await.expect("choosing Xero");
    harness.agree().await;
    harness.button("Authorize").await.click().await.expect("authorizing");
    harness.heading("Xero could not be connected").await;
    // The page reports the return; the server asks Codat, which shows the platform's error.
    let mut health = serde_json::Value::Null;
    for _ in 0..100 {
        health = lender_api(&harness, "/v1/platforms").await;
        if health["platforms"][0]["degraded"] == true {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(health["platforms"][0]["platformKey"], "gbol", "{health}");
    assert_eq!(health["platforms"][0]["degraded"], true, "{health}");
    let deliveries = lender_api(&harness, "/v1/webhook-deliveries?merchantId=platform:gbol").await;
    let told: Vec<_> =
        deliveries["results"].as_array().unwrap().iter().map(|d| d["eventType"].clone()).collect();
    assert_eq!(told, ["platform.degraded"], "{deliveries}");

    // Another owner, who has not tried Xero yet, sees it said on its card.
    harness.browser.delete_all_cookies().await.expect("signing out");
    sign_up(&harness, "Quayside Books").await;
    let notice = "May not work right now. You can try anyway.";
    harness.open("/connect").await;
    search_for(&harness, "xero").await;
    let card = harness.button(&format!("Connect Xero. {notice}")).await;
    assert_eq!(harness.find_within(&card, ".integration-health").await.text().await.unwrap(), notice);
    assert_eq!(axe_violations(&harness).await, Vec::<String>::new());
    harness.screenshot("01-degraded").await;
    harness.open("/connect?locale=fr-CA").await;
    search_for(&harness, "xero").await;
    harness
        .button("Connecter Xero. Pourrait ne pas fonctionner en ce moment. Vous pouvez essayer quand même.")
        .await;
    assert_eq!(axe_violations(&harness).await, Vec::<String>::new());
    harness.screenshot("02-degraded-in-french").await;

    // Tried anyway, once the platform works again.
    emulator.set_link_failing("gbol", false);
    harness.open("/connect?locale=en").await;
    harness.button(&format!("Connect Xero. {notice}")).await.click().await.expect("trying anyway");
    harness.agree().await;
    harness.button("Authorize").await.click().await.expect("authorizing");
    assert_eq!(harness.heading("is connected").await, "Xero is connected");
    harness.finish().await;
}

/// On a phone, a platform that connects only from its own computer says so before consent and
/// offers a one-time link; opened on the computer, the link starts the flow there at that
/// platform's consent step (where the offer is not shown). In both languages.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_phone_a_desktop_only_platform_offers_a_link_to_continue_on_its_computer() {
    let harness = Harness::start("desktop-only").await;
    harness.browser.set_window_size(390, 844).await.expect("a phone's size");
    sign_up(&harness, "Ridge Farm Supplies").await;
    let offer = "//dialog[@open]//div[contains(@class,'continue-elsewhere')]";
    for (path, name, note, ask) in [
        (
            "/connect?locale=fr-CA",
            "Connecter QuickBooks Desktop",
            "QuickBooks Desktop se connecte depuis l'ordinateur où il est installé, pas depuis un téléphone.",
            "Continuer sur un ordinateur",
        ),
        (
            "/connect?locale=en",
            "Connect QuickBooks Desktop",
            "QuickBooks Desktop connects from the computer it is installed on, not from a phone.",
            "Continue on a computer",
        ),
    ] {
        harness.open(path).await;
        search_for(&harness, "quickbooks desktop").await;
        harness.button(name).await.click().await.expect("choosing QuickBooks Desktop");
        harness.find(&format!("{offer}/p[normalize-space()=\"{note}\"]")).await;
        harness.button(ask).await.click().await.expect("asking for a link");
        harness.find(&format!("{offer}//a[starts-with(@href, '{}')]", harness.url("/start/"))).await;
        assert_eq!(axe_violations(&harness).await, Vec::<String>::new(), "{path}");
        harness.screenshot(if path.contains("fr-CA") { "02-link-in-french" } else { "01-link" }).await;
    }
    let link = harness.find(&format!("{offer}//a")).await.attr("href").await.unwrap().expect("the link");

    // The computer: another browser (no cookies), a wide screen.
    harness.browser.delete_all_cookies().await.expect("another browser");
    harness.browser.set_window_size(1280, 800).await.expect("a computer's size");
    harness.browser.goto(&link).await.expect("opening the link");
    harness.button("Continue").await.click().await.expect("opening the flow");
    harness.find("//dialog[@open]//h2[normalize-space()='Before you connect QuickBooks Desktop']").await;
    let offer = harness.find_within(&harness.find("//dialog[@open]").await, ".continue-elsewhere").await;
    assert_eq!(offer.css_value("display").await.unwrap(), "none", "a computer connects it where it stands");
    harness.screenshot("03-on-the-computer").await;
    harness.finish().await;
}

/// The platforms the lender features come first in the grid, in its order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_lenders_featured_platforms_come_first_in_its_order() {
    let harness = Harness::start_with("featured", |config| {
        config.featured_platforms = vec!["qhyg".into(), "gbol".into()];
    })
    .await;
    sign_up(&harness, "Orchard Dental").await;
    harness.heading("Connect your accounting software").await;
    let first = harness.find("(//li[contains(@class,'integration-card')])[1]/button").await;
    let second = harness.find("(//li[contains(@class,'integration-card')])[2]/button").await;
    assert_eq!(first.attr("data-platform").await.unwrap().as_deref(), Some("qhyg"));
    assert_eq!(second.attr("data-platform").await.unwrap().as_deref(), Some("gbol"));
    harness.screenshot("01-featured-first").await;
    harness.finish().await;
}
