//! `codat-connect-server check`: asks Codat whether this server is set up to work with it, and
//! says what to fix before a customer finds out. Also run at start (summarised in the log) and
//! shown in `/readyz`'s details.

use crate::{redirect_template, FLOW_EVENT_TYPES};
use codat::{CodatClient, CodatError, Profile, SourceType};
use serde::Serialize;
use std::fmt;

/// How a finding stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// As it should be.
    Ok,
    /// Works, with a cost or a risk worth knowing.
    Warning,
    /// A customer will meet a failure.
    Error,
}

/// One thing checked, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// How it stands.
    pub level: Level,
    /// What was checked, e.g. `redirect URL`.
    pub topic: &'static str,
    /// What was found and, unless all is well, the fix in words.
    pub text: String,
}

/// Every finding of one check.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    /// In the order checked.
    pub findings: Vec<Finding>,
}

impl Report {
    /// Whether any finding is an error.
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.level == Level::Error)
    }

    fn push(&mut self, level: Level, topic: &'static str, text: impl Into<String>) {
        self.findings.push(Finding { level, topic, text: text.into() });
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for finding in &self.findings {
            let level = match finding.level {
                Level::Ok => "ok",
                Level::Warning => "warning",
                Level::Error => "error",
            };
            writeln!(f, "{level:<8}{:<22}{}", finding.topic, finding.text)?;
        }
        Ok(())
    }
}

/// What the check needs to know of the server's settings.
#[derive(Debug, Clone)]
pub struct CheckSettings {
    /// The origin users reach the server at.
    pub public_url: String,
    /// Whether real Codat is used (an API key is set), not the embedded emulator.
    pub real_codat: bool,
    /// Whether `CODAT_WEBHOOK_SECRET` is set.
    pub webhook_secret_set: bool,
    /// The source types the app offers.
    pub source_types: Vec<SourceType>,
    /// Fix what can be fixed through Codat's API (the redirect URL, the webhook consumer).
    pub configure: bool,
}

/// Runs every check against Codat.
pub async fn run(codat: &CodatClient, settings: &CheckSettings) -> Report {
    let mut report = Report::default();
    check_public_url(&mut report, settings);
    let profile = match codat.get_profile().await {
        Ok(profile) => {
            report.push(Level::Ok, "API key", "Codat accepts it (GET /profile answered).");
            Some(profile)
        }
        Err(error) => {
            report.push(Level::Error, "API key", key_failure(&error));
            None
        }
    };
    if let Some(profile) = profile {
        check_redirect(&mut report, codat, settings, profile).await;
        check_webhook_consumer(&mut report, codat, settings).await;
        check_integrations(&mut report, codat, settings).await;
    }
    check_webhook_secret(&mut report, settings);
    report
}

fn check_public_url(report: &mut Report, settings: &CheckSettings) {
    let topic = "PUBLIC_URL";
    let Ok(url) = url::Url::parse(&settings.public_url) else {
        report.push(Level::Error, topic, format!("{} is not a URL.", settings.public_url));
        return;
    };
    let local = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    match (url.scheme(), local) {
        ("https", _) => report.push(Level::Ok, topic, format!("{} is https.", settings.public_url)),
        (_, true) => report.push(
            Level::Ok,
            topic,
            format!("{} is local; anything reachable by customers must be https.", settings.public_url),
        ),
        _ => report.push(
            Level::Error,
            topic,
            format!(
                "{} is not https: session cookies would travel in clear text. Serve it over https \
                 and set PUBLIC_URL to the https origin.",
                settings.public_url
            ),
        ),
    }
}

fn key_failure(error: &CodatError) -> String {
    match error.status().map(|s| s.as_u16()) {
        Some(401) => "Codat refused the API key (401). Copy it again from Codat's Portal \
                      (Developers > API keys) into CODAT_API_KEY, without the \"Basic \" prefix."
            .into(),
        Some(403) => "Codat refused the API key (403): it may be outdated. Create a new key in \
                      Codat's Portal (Developers > API keys)."
            .into(),
        _ => format!("Codat could not be asked ({error}). Check CODAT_BASE_URL and the network."),
    }
}

/// The placeholders the callback cannot do without.
const NEEDED_PLACEHOLDERS: [&str; 2] = ["{statusCode}", "{connectionId}"];

async fn check_redirect(
    report: &mut Report,
    codat: &CodatClient,
    settings: &CheckSettings,
    profile: Profile,
) {
    let topic = "redirect URL";
    let wanted = redirect_template(&settings.public_url);
    if profile.redirect_url == wanted {
        report.push(Level::Ok, topic, wanted);
        return;
    }
    if settings.configure {
        let updated = Profile { redirect_url: wanted.clone(), ..profile };
        match codat.update_profile(&updated).await {
            Ok(_) => report.push(Level::Ok, topic, format!("set to {wanted}")),
            Err(error) => report.push(
                Level::Error,
                topic,
                format!("could not be set ({error}); paste it in Codat's Portal (Settings > Auth flow > Redirects): {wanted}"),
            ),
        }
        return;
    }
    let callback = format!("{}/callback", settings.public_url.trim_end_matches('/'));
    let usable = profile.redirect_url.starts_with(&callback)
        && NEEDED_PLACEHOLDERS.iter().all(|p| profile.redirect_url.contains(p));
    let level = if usable { Level::Warning } else { Level::Error };
    let found = if profile.redirect_url.is_empty() { "unset".to_owned() } else { profile.redirect_url };
    report.push(
        level,
        topic,
        format!(
            "is {found}. Set it in Codat's Portal (Settings > Auth flow > Redirects), or run \
             `codat-connect-server check --configure`, to: {wanted}"
        ),
    );
}

async fn check_webhook_consumer(report: &mut Report, codat: &CodatClient, settings: &CheckSettings) {
    let topic = "webhook consumer";
    let url = format!("{}/webhooks/codat", settings.public_url.trim_end_matches('/'));
    let consumers = match codat.webhook_consumers().await {
        Ok(consumers) => consumers,
        Err(error) => {
            report.push(
                Level::Warning,
                topic,
                format!("could not be listed ({error}); pages update by polling."),
            );
            return;
        }
    };
    let missing_types = |consumer: &codat::WebhookConsumer| -> Vec<&str> {
        FLOW_EVENT_TYPES.iter().copied().filter(|t| !consumer.event_types.iter().any(|e| e == t)).collect()
    };
    let ours = consumers.iter().find(|c| c.url == url);
    match ours {
        Some(consumer) if consumer.disabled == Some(true) => report.push(
            Level::Warning,
            topic,
            format!("for {url} is disabled: enable it in Codat's Portal (Monitor > Webhooks); until then pages update by polling."),
        ),
        Some(consumer) if !missing_types(consumer).is_empty() => report.push(
            Level::Warning,
            topic,
            format!(
                "for {url} does not receive {}: add them in Codat's Portal (Monitor > Webhooks).",
                missing_types(consumer).join(", ")
            ),
        ),
        Some(_) => report.push(Level::Ok, topic, format!("{url} receives every event the flow uses.")),
        None if settings.configure => {
            let consumer = codat::WebhookConsumer {
                id: None,
                url: url.clone(),
                disabled: Some(false),
                event_types: FLOW_EVENT_TYPES.iter().map(|t| t.to_string()).collect(),
                company_tags: None,
            };
            match codat.create_webhook_consumer(&consumer).await {
                Ok(_) => report.push(
                    Level::Ok,
                    topic,
                    format!("created for {url}; copy its signing secret from Codat's Portal into CODAT_WEBHOOK_SECRET."),
                ),
                Err(error) => report.push(Level::Warning, topic, format!("could not be created ({error}).")),
            }
        }
        None => report.push(
            Level::Warning,
            topic,
            format!(
                "none for {url}: pages update by polling Codat. Create one for the events {} \
                 (Codat's Portal, Monitor > Webhooks), or run `codat-connect-server check --configure`.",
                FLOW_EVENT_TYPES.join(", ")
            ),
        ),
    }
}

fn check_webhook_secret(report: &mut Report, settings: &CheckSettings) {
    let topic = "CODAT_WEBHOOK_SECRET";
    match (settings.real_codat, settings.webhook_secret_set) {
        (_, true) => report.push(Level::Ok, topic, "set; webhooks are verified with it."),
        (false, false) => report.push(Level::Ok, topic, "generated for the embedded emulator."),
        (true, false) => report.push(
            Level::Warning,
            topic,
            "unset: Codat's webhooks are refused and updates come by polling only. Copy the \
             endpoint's whsec_... signing secret from Codat's Portal (Monitor > Webhooks).",
        ),
    }
}

async fn check_integrations(report: &mut Report, codat: &CodatClient, settings: &CheckSettings) {
    let topic = "integrations";
    let mut empty = Vec::new();
    let mut counts = Vec::new();
    for source_type in &settings.source_types {
        let query = format!("sourceType={}&&enabled=true", source_type.as_str());
        match codat.list_integrations(&query).await {
            Ok(list) if list.is_empty() => empty.push(source_type.as_str()),
            Ok(list) => counts.push(format!("{} {}", list.len(), source_type.as_str())),
            Err(error) => {
                report.push(Level::Warning, topic, format!("could not be listed ({error})."));
                return;
            }
        }
    }
    if empty.is_empty() {
        report.push(Level::Ok, topic, format!("enabled: {}.", counts.join(", ")));
    } else {
        report.push(
            Level::Error,
            topic,
            format!(
                "none enabled for {}: that tab would be empty. Enable some in Codat's Portal \
                 (Settings > Integrations).",
                empty.join(", ")
            ),
        );
    }
}
