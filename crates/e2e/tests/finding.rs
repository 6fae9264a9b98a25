//! Owners find their platform: by the names they use (aliases, typos, in both languages), and
//! when it is not there, by telling the lender which software they use.

mod support;

use support::{axe_violations, Harness};

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
