//! The flow by keyboard alone, the branded buttons' hover state, focus on route changes, and
//! how the pages look in the dark theme and on a 360-pixel-wide phone.

mod support;

use fantoccini::{
    actions::{InputSource as _, MouseActions, PointerAction},
    key::Key,
};
use support::{axe_violations, Harness};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_flow_works_by_keyboard_and_focus_follows_the_page() {
    let harness = Harness::start("keyboard").await;
    harness.open("/").await;
    harness.heading("Share your business's financial data").await;
    harness.fill("Business name", "Keyboard Café").await;
    harness.fill("Work email", "owner@example.com").await;
    harness.press(Key::Enter).await;

    // From the search box, Tab reaches the first platform; its branded button shows its hover state.
    harness.heading("Connect your accounting software").await;
    let search = harness.find("//input[@type='search']").await;
    search.send_keys(&char::from(Key::Tab).to_string()).await.expect("tab");
    let (_, tag, label) = harness.focused().await;
    assert_eq!((tag.as_str(), label.as_str()), ("button", "Connect Dynamics 365 Business Central"));
    let card = harness.browser.active_element().await.unwrap();
    assert_eq!(harness.visibility_within(&card, ".brand-button-hover").await, "visible");
    assert_eq!(harness.visibility_within(&card, ".brand-button-default").await, "hidden");
    harness.screenshot("01-card-focused").await;

    // Tab on to Sandbox by name, then Enter opens its Link page; Enter on Authorize comes back.
    let sandbox = harness.button("Connect Sandbox").await;
    sandbox.send_keys(&char::from(Key::Enter).to_string()).await.expect("enter");
    // The consent dialog takes focus; Enter on "Agree and continue" goes on to Link.
    let agree = harness.button("Agree and continue").await;
    agree.send_keys(&char::from(Key::Enter).to_string()).await.expect("enter");
    harness.heading("Connect Sandbox").await;
    harness.button("Authorize").await.send_keys(&char::from(Key::Enter).to_string()).await.expect("enter");
    harness.heading("Sandbox is connected").await;

    // A route change inside the app moves focus to the main region and names the page.
    harness.link("View your connections").await.send_keys(&char::from(Key::Enter).to_string()).await.unwrap();
    harness.heading("Your connections").await;
    let (id, _, _) = harness.focused().await;
    assert_eq!(id.as_deref(), Some("main"));
    assert_eq!(harness.browser.title().await.unwrap(), "Your connections · Codat Connect");
    harness.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_branded_button_swaps_to_its_hover_image_under_the_pointer() {
    let harness = Harness::start("hover").await;
    harness.open("/connect").await;
    let card = harness.button("Connect QuickBooks Online").await;
    assert_eq!(harness.visibility_within(&card, ".brand-button-hover").await, "hidden");
    // The hover image comes just after the grid's first paint, before the pointer arrives.
    let hover_image = harness.find_within(&card, ".brand-button-hover").await;
    let loaded = harness
        .browser
        .execute_async(
            "const [image, done] = [arguments[0], arguments[arguments.length - 1]];
             const check = () => image.complete && image.naturalWidth > 0 ? done(true) : setTimeout(check, 20);
             check();",
            vec![serde_json::to_value(&hover_image).expect("element reference")],
        )
        .await;
    assert_eq!(loaded.ok(), Some(serde_json::Value::Bool(true)), "the hover image loaded before the hover");
    let hover = MouseActions::new("mouse".into()).then(PointerAction::MoveToElement {
        element: card.clone(),
        duration: None,
        x: 0.0,
        y: 0.0,
    });
    harness.browser.perform_actions(hover).await.expect("pointer moves");
    assert_eq!(harness.visibility_within(&card, ".brand-button-hover").await, "visible");
    assert_eq!(harness.visibility_within(&card, ".brand-button-default").await, "hidden");
    harness.screenshot("01-card-hovered").await;
    harness.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_in_the_dark_theme_on_a_small_phone() {
    let harness = Harness::start("phone-dark").await;
    harness.browser.set_window_size(360, 780).await.expect("resize");
    harness.open("/").await;
    harness.heading("Share your business's financial data").await;
    harness.screenshot("01-sign-up-360-light").await;
    harness.browser.execute("document.documentElement.dataset.theme = 'dark'", vec![]).await.expect("theme");
    harness.screenshot("02-sign-up-360-dark").await;
    let background = harness.find("//body").await.css_value("background-color").await.unwrap();
    assert_eq!(background, "rgba(14, 19, 26, 1)", "the dark tokens apply");

    harness.fill("Business name", "Night Owl Books").await;
    harness.fill("Work email", "owner@example.com").await;
    harness.button("Continue").await.click().await.unwrap();
    harness.heading("Connect your accounting software").await;
    harness.browser.execute("document.documentElement.dataset.theme = 'dark'", vec![]).await.unwrap();
    harness.button("Connect Xero").await;
    let overflow = harness
        .browser
        .execute("return document.documentElement.scrollWidth - document.documentElement.clientWidth", vec![])
        .await
        .unwrap()
        .as_i64()
        .unwrap();
    assert_eq!(overflow, 0, "nothing overflows a 360-pixel screen sideways");
    harness.screenshot("03-grid-360-dark").await;
    harness.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lenders_theme_restyles_the_page() {
    let theme = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(theme.path(), ":root { --cc-color-primary: #0b6e4f; --cc-radius-small: 2px; }").unwrap();
    let path = theme.path().to_owned();
    let harness = Harness::start_with("themed", move |config| config.theme_css = Some(path)).await;
    harness.open("/").await;
    let button = harness.button("Continue").await;
    assert_eq!(button.css_value("background-color").await.unwrap(), "rgba(11, 110, 79, 1)");
    assert_eq!(button.css_value("border-top-left-radius").await.unwrap(), "2px");
    harness.screenshot("01-sign-up-themed").await;
    harness.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lenders_words_replace_the_pages_in_each_language() {
    let texts = tempfile::NamedTempFile::new().unwrap();
    let words = r#"{"en": {"sign_up_heading": "Share your books with Northwind", "continue_label": "Next"},
                    "fr-CA": {"sign_up_heading": "Partagez vos livres avec Northwind"}}"#;
    std::fs::write(texts.path(), words).unwrap();
    let path = texts.path().to_owned();
    let harness = Harness::start_with("texts", move |config| config.text_overrides = Some(path)).await;
    harness.open("/").await;
    harness.heading("Share your books with Northwind").await;
    harness.button("Next").await;
    harness.screenshot("01-lenders-words").await;
    harness.open("/?locale=fr-CA").await;
    harness.heading("Partagez vos livres avec Northwind").await;
    // What the lender did not override keeps the catalogue's words.
    harness.button("Continuer").await;
    harness.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_flow_speaks_canadian_french() {
    let harness = Harness::start("french").await;
    harness.open("/?locale=fr-CA").await;
    harness.heading("Partagez les données financières de votre entreprise").await;
    let lang = harness.find("//html").await.attr("lang").await.unwrap();
    assert_eq!(lang.as_deref(), Some("fr-CA"));
    // A problem with the form is worded in the page's language.
    harness.button("Continuer").await.click().await.unwrap();
    harness.find("//p[@role='alert'][normalize-space()='Entrez le nom de votre entreprise.']").await;
    harness.fill("Nom de l'entreprise", "Boulangerie du Coin").await;
    harness.fill("Courriel professionnel", "proprio@exemple.ca").await;
    harness.screenshot("01-inscription").await;
    harness.button("Continuer").await.click().await.unwrap();
    harness.heading("Connectez votre logiciel de comptabilité").await;
    harness.button("Connecter Sandbox").await;
    harness.button("Banque").await;
    harness.screenshot("02-plateformes").await;
    // The language chosen in the URL survives the round trip through Codat's Link.
    harness.button("Connecter Sandbox").await.click().await.unwrap();
    harness.find("//dialog[@open]//h2[normalize-space()='Avant de connecter Sandbox']").await;
    harness.find("//dialog[@open]//h3[normalize-space()='Pourquoi']").await;
    harness.screenshot("02b-consentement").await;
    harness.button("Accepter et continuer").await.click().await.unwrap();
    harness.button("Cancel").await.click().await.unwrap();
    harness.heading("Vous avez annulé").await;
    harness.screenshot("03-retour").await;
    harness.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_passes_axe_in_light_and_dark() {
    let harness = Harness::start("axe").await;
    let mut problems = Vec::new();
    let mut check = |page: &str, violations: Vec<String>| {
        problems.extend(violations.into_iter().map(|v| format!("{page}: {v}")));
    };
    harness.open("/nowhere").await;
    harness.heading("Page not found").await;
    check("not found", axe_violations(&harness).await);
    harness.open("/").await;
    harness.heading("Share your business's financial data").await;
    check("sign-up", axe_violations(&harness).await);
    harness.fill("Business name", "Axe Hardware").await;
    harness.fill("Work email", "owner@example.com").await;
    harness.button("Continue").await.click().await.unwrap();
    harness.button("Connect Sandbox").await;
    check("grid", axe_violations(&harness).await);
    harness.browser.execute("document.documentElement.dataset.theme = 'dark'", vec![]).await.unwrap();
    check("grid (dark)", axe_violations(&harness).await);
    harness.button("Connect Sandbox").await.click().await.unwrap();
    harness.button("Agree and continue").await;
    check("consent", axe_violations(&harness).await);
    harness.agree().await;
    harness.button("Authorize").await.click().await.unwrap();
    harness.find("//h2[normalize-space()='All set']").await;
    check("callback", axe_violations(&harness).await);
    harness.link("View your connections").await.click().await.unwrap();
    harness.button("Disconnect").await;
    check("connections", axe_violations(&harness).await);
    harness.browser.execute("document.documentElement.dataset.theme = 'dark'", vec![]).await.unwrap();
    check("connections (dark)", axe_violations(&harness).await);
    harness.button("Disconnect").await.click().await.unwrap();
    harness.find("//dialog[@open]").await;
    check("dialog (dark)", axe_violations(&harness).await);
    assert!(problems.is_empty(), "accessibility violations:\n{}", problems.join("\n"));
    // The check itself sees a violation when there is one.
    harness.press_in_dialog("Cancel").await;
    harness
        .browser
        .execute("document.querySelector('main').append(document.createElement('input'))", vec![])
        .await
        .unwrap();
    let planted = axe_violations(&harness).await;
    assert!(planted.iter().any(|v| v.starts_with("label:")), "axe reports an unlabelled field: {planted:?}");
    harness.finish().await;
}
