//! `codat-connect-server check` against a standalone emulator set up well and badly: each
//! finding, and what `--configure` fixes through Codat's API.

use codat::{ApiKey, CodatClient, SourceType, WebhookConsumer};
use codat_connect_proxy::{
    check::{run, CheckSettings, Level, Report},
    redirect_template, FLOW_EVENT_TYPES,
};
use codat_emulator::EmulatorConfig;

const KEY: &str = "check-key";
const PUBLIC_URL: &str = "https://connect.lender.example";

fn settings() -> CheckSettings {
    CheckSettings {
        public_url: PUBLIC_URL.into(),
        real_codat: true,
        webhook_secret_set: true,
        source_types: vec![SourceType::Accounting, SourceType::Banking, SourceType::Commerce],
        configure: false,
    }
}

fn consumer(url: &str, disabled: bool, event_types: &[&str]) -> WebhookConsumer {
    WebhookConsumer {
        id: Some(uuid::Uuid::new_v4().to_string()),
        url: url.into(),
        disabled: Some(disabled),
        event_types: event_types.iter().map(|t| t.to_string()).collect(),
        company_tags: None,
    }
}

/// An emulator set up as the README asks, adjusted by `adjust`; its client.
async fn codat(adjust: impl FnOnce(&mut EmulatorConfig)) -> CodatClient {
    let (url, _) = crate::support::spawn_emulator(KEY, |config| {
        config.redirect_url = redirect_template(PUBLIC_URL);
        config.webhook_consumers =
            vec![consumer(&format!("{PUBLIC_URL}/webhooks/codat"), false, &FLOW_EVENT_TYPES)];
        adjust(config);
    })
    .await;
    CodatClient::new(&url, &ApiKey::new(KEY.to_owned())).unwrap().with_max_attempts(1)
}

fn level(report: &Report, topic: &str) -> Level {
    report
        .findings
        .iter()
        .find(|f| f.topic == topic)
        .unwrap_or_else(|| panic!("no {topic} in\n{report}"))
        .level
}

#[tokio::test]
async fn a_server_set_up_as_the_readme_says_is_ok_throughout() {
    let report = run(&codat(|_| {}).await, &settings()).await;
    assert!(report.findings.iter().all(|f| f.level == Level::Ok), "{report}");
    assert_eq!(report.findings.len(), 6, "{report}");
}

#[tokio::test]
async fn a_key_codat_refuses_is_an_error() {
    let (url, _) = crate::support::spawn_emulator(KEY, |_| {}).await;
    let wrong = CodatClient::new(&url, &ApiKey::new("not-the-key".to_owned())).unwrap();
    let report = run(&wrong, &settings()).await;
    assert_eq!(level(&report, "API key"), Level::Error);
    assert!(report.to_string().contains("Developers > API keys"), "{report}");
}

#[tokio::test]
async fn a_redirect_url_without_the_connection_is_an_error_and_configure_sets_it_keeping_the_rest() {
    let codat =
        codat(|config| config.redirect_url = format!("{PUBLIC_URL}/callback?statusCode={{statusCode}}"))
            .await;
    let report = run(&codat, &settings()).await;
    assert_eq!(level(&report, "redirect URL"), Level::Error);
    assert!(report.to_string().contains(&redirect_template(PUBLIC_URL)), "the template to paste:\n{report}");

    let before = codat.get_profile().await.unwrap();
    let fixed = run(&codat, &CheckSettings { configure: true, ..settings() }).await;
    assert_eq!(level(&fixed, "redirect URL"), Level::Ok, "{fixed}");
    let after = codat.get_profile().await.unwrap();
    assert_eq!(after.redirect_url, redirect_template(PUBLIC_URL));
    assert_eq!(
        (after.name, after.white_list_urls),
        (before.name, before.white_list_urls),
        "the rest is kept"
    );
}

#[tokio::test]
async fn a_usable_redirect_url_other_than_ours_is_a_warning() {
    let usable = format!("{PUBLIC_URL}/callback?statusCode={{statusCode}}&connectionId={{connectionId}}");
    let report = run(&codat(|config| config.redirect_url = usable).await, &settings()).await;
    assert_eq!(level(&report, "redirect URL"), Level::Warning, "{report}");
}

#[tokio::test]
async fn a_missing_webhook_consumer_is_a_warning_and_configure_creates_it() {
    let codat = codat(|config| config.webhook_consumers.clear()).await;
    let report = run(&codat, &settings()).await;
    assert_eq!(level(&report, "webhook consumer"), Level::Warning);
    assert!(report.to_string().contains("polling"), "{report}");

    let fixed = run(&codat, &CheckSettings { configure: true, ..settings() }).await;
    assert_eq!(level(&fixed, "webhook consumer"), Level::Ok, "{fixed}");
    let consumers = codat.webhook_consumers().await.unwrap();
    assert_eq!(consumers.len(), 1);
    assert_eq!(consumers[0].url, format!("{PUBLIC_URL}/webhooks/codat"));
    assert!(FLOW_EVENT_TYPES.iter().all(|t| consumers[0].event_types.iter().any(|e| e == t)));
}

#[tokio::test]
async fn a_disabled_consumer_or_one_missing_events_is_a_warning() {
    let url = format!("{PUBLIC_URL}/webhooks/codat");
    let disabled = consumer(&url, true, &FLOW_EVENT_TYPES);
    let report = run(&codat(|config| config.webhook_consumers = vec![disabled]).await, &settings()).await;
    assert_eq!(level(&report, "webhook consumer"), Level::Warning);
    let partial = consumer(&url, false, &["connection.connected"]);
    let report = run(&codat(|config| config.webhook_consumers = vec![partial]).await, &settings()).await;
    assert_eq!(level(&report, "webhook consumer"), Level::Warning);
    assert!(report.to_string().contains("read.completed.initial"), "{report}");
}

#[tokio::test]
async fn a_real_key_without_a_webhook_secret_is_a_warning_about_polling() {
    let report = run(&codat(|_| {}).await, &CheckSettings { webhook_secret_set: false, ..settings() }).await;
    assert_eq!(level(&report, "CODAT_WEBHOOK_SECRET"), Level::Warning);
    assert!(report.to_string().contains("polling only"), "{report}");
}

#[tokio::test]
async fn a_source_type_with_no_enabled_integration_is_an_error() {
    let commerce = ["qkdj", "vqzp", "fqly", "aiwb", "ldgh", "fztf", "zsth", "exgd", "ltpp", "ugxp"];
    let codat =
        codat(|config| config.disabled_platforms = commerce.iter().map(|k| k.to_string()).collect()).await;
    let report = run(&codat, &settings()).await;
    assert_eq!(level(&report, "integrations"), Level::Error);
    assert!(report.to_string().contains("none enabled for Commerce"), "{report}");
}

#[tokio::test]
async fn a_public_url_in_clear_text_is_an_error_unless_local() {
    let codat = codat(|_| {}).await;
    let plain =
        run(&codat, &CheckSettings { public_url: "http://connect.lender.example".into(), ..settings() })
            .await;
    assert_eq!(level(&plain, "PUBLIC_URL"), Level::Error);
    let local =
        run(&codat, &CheckSettings { public_url: "http://127.0.0.1:8080".into(), ..settings() }).await;
    assert_eq!(level(&local, "PUBLIC_URL"), Level::Ok);
}
