//! Consent before Link opens: what will be read (the data types Codat reads on a first link of
//! that kind, from the client's sync settings), why and for how long (the lender's words, per
//! locale, from `CONSENT_FILE`), and links to the lender's terms and privacy notice. The terms
//! have a version (a hash of all of it); a new connection is started only with consent to the
//! current version, and a receipt is stored for it.

use crate::{error::AppError, extract::SignedIn, lender::readiness::kind_of_data_type, AppState};
use axum::{
    extract::{Query, State},
    Json,
};
use codat_connect_api::{ConsentGiven, ConsentReceipt, ConsentTerms, ErrorCode, SourceType};
use serde::{Deserialize, Serialize};
use std::{
    collections::BTreeMap,
    sync::Arc,
    time::{Duration, Instant},
};

/// How long Codat's sync settings are kept before they are asked again.
const SETTINGS_TTL: Duration = Duration::from_secs(10 * 60);
/// The locales the page speaks.
pub const LOCALES: [&str; 2] = ["en", "fr-CA"];

/// The lender's words for one locale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConsentText {
    /// Why the lender reads the data.
    pub purpose: String,
    /// For how long.
    pub retention: String,
    /// The lender's terms.
    #[serde(default)]
    pub terms_url: Option<String>,
    /// The lender's privacy notice.
    #[serde(default)]
    pub privacy_url: Option<String>,
}

/// The consent texts per locale, and Codat's sync settings (cached).
#[derive(Debug)]
pub struct ConsentBook {
    texts: BTreeMap<String, ConsentText>,
    settings: tokio::sync::RwLock<Option<(Instant, Arc<codat::SyncSettings>)>>,
}

impl ConsentBook {
    /// The built-in texts, with the locales `overrides` (the JSON of `CONSENT_FILE`) gives
    /// replacing them; a locale the page does not speak is refused, with its name.
    pub fn new(overrides: Option<&str>) -> anyhow::Result<Self> {
        let mut texts = defaults();
        if let Some(json) = overrides {
            let given: BTreeMap<String, ConsentText> =
                serde_json::from_str(json).map_err(|e| anyhow::anyhow!("CONSENT_FILE is not valid: {e}"))?;
            for (locale, text) in given {
                anyhow::ensure!(
                    LOCALES.contains(&locale.as_str()),
                    "CONSENT_FILE names the locale {locale:?}; the page speaks {}",
                    LOCALES.join(" and ")
                );
                texts.insert(locale, text);
            }
        }
        Ok(Self { texts, settings: tokio::sync::RwLock::default() })
    }

    /// The terms for `kind` in `locale` (English for a locale the page does not speak), and
    /// the full hash of their text.
    pub async fn terms(
        &self,
        state: &AppState,
        kind: SourceType,
        locale: &str,
    ) -> Result<(ConsentTerms, String), AppError> {
        let locale = LOCALES.into_iter().find(|l| *l == locale).unwrap_or("en");
        let text = self
            .texts
            .get(locale)
            .or_else(|| self.texts.get("en"))
            .cloned()
            .unwrap_or_else(|| defaults()["en"].clone());
        let settings = self.sync_settings(state).await?;
        Ok(terms_of(locale, &text, &settings, kind))
    }

    async fn sync_settings(&self, state: &AppState) -> Result<Arc<codat::SyncSettings>, AppError> {
        if let Some((fetched, settings)) = self.settings.read().await.as_ref() {
            if fetched.elapsed() < SETTINGS_TTL {
                return Ok(settings.clone());
            }
        }
        let settings = Arc::new(state.codat.sync_settings().await?);
        *self.settings.write().await = Some((Instant::now(), settings.clone()));
        Ok(settings)
    }
}

fn defaults() -> BTreeMap<String, ConsentText> {
    let text = |purpose: &str, retention: &str| ConsentText {
        purpose: purpose.into(),
        retention: retention.into(),
        terms_url: None,
        privacy_url: None,
    };
    BTreeMap::from([
        (
            "en".to_owned(),
            text(
                "Your lender reads this data to assess your business's application for credit.",
                "Until you disconnect the platform, and for as long as your lender must keep records of its decision.",
            ),
        ),
        (
            "fr-CA".to_owned(),
            text(
                "Votre prêteur lit ces données pour évaluer la demande de crédit de votre entreprise.",
                "Jusqu'à ce que vous déconnectiez la plateforme, et aussi longtemps que votre prêteur doit conserver le dossier de sa décision.",
            ),
        ),
    ])
}

/// The terms of one kind in one locale from the lender's text and Codat's settings: the data
/// types read on a first link of that kind, in Codat's order, and their version.
pub fn terms_of(
    locale: &str,
    text: &ConsentText,
    settings: &codat::SyncSettings,
    kind: SourceType,
) -> (ConsentTerms, String) {
    let mut read: Vec<&codat::SyncSetting> = settings
        .settings
        .iter()
        .filter(|s| s.fetch_on_first_link && kind_of_data_type(&s.data_type) == kind)
        .collect();
    read.sort_by_key(|s| s.sync_order);
    let history_months = read.iter().filter_map(|s| s.sync_from_window).max();
    let mut terms = ConsentTerms {
        version: String::new(),
        locale: locale.to_owned(),
        purpose: text.purpose.clone(),
        retention: text.retention.clone(),
        terms_url: text.terms_url.clone(),
        privacy_url: text.privacy_url.clone(),
        data_types: read.iter().map(|s| s.data_type.clone()).collect(),
        history_months,
    };
    // Every field but the version, in a fixed order: the same words give the same hash.
    let hash = crate::digest::sha256_hex(serde_json::to_string(&terms).unwrap_or_default().as_bytes());
    terms.version = hash[..12].to_owned();
    (terms, hash)
}

/// `?sourceType=` and `?locale=`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TermsQuery {
    source_type: Option<String>,
    locale: Option<String>,
}

/// `GET /api/consent?sourceType=Accounting&locale=en`
pub async fn terms(
    State(state): State<AppState>,
    Query(query): Query<TermsQuery>,
) -> Result<Json<ConsentTerms>, AppError> {
    let kind = crate::flow::wire::source_type_param(query.source_type.as_deref())?;
    let locale = query.locale.as_deref().unwrap_or("en");
    Ok(Json(state.consent.terms(&state, kind, locale).await?.0))
}

/// Checks the consent sent to start a connection to a platform of `kind`; the terms agreed to
/// and their text's hash.
pub async fn check(
    state: &AppState,
    kind: SourceType,
    given: Option<&ConsentGiven>,
) -> Result<(ConsentTerms, String), AppError> {
    let refused = || AppError::Invalid {
        code: ErrorCode::ConsentRequired,
        message: "Connecting needs the owner's consent to the current terms (GET /api/consent).".into(),
    };
    let given = given.ok_or_else(refused)?;
    let (terms, hash) = state.consent.terms(state, kind, &given.locale).await?;
    if terms.version != given.version || terms.locale != given.locale {
        return Err(refused());
    }
    Ok((terms, hash))
}

/// `GET /api/consents`: the signed-in owner's receipts.
pub async fn receipts(
    State(state): State<AppState>,
    SignedIn { merchant, .. }: SignedIn,
) -> Result<Json<Vec<ConsentReceipt>>, AppError> {
    let stored = state.db.consent_receipts(&merchant.id).await?;
    Ok(Json(stored.into_iter().map(|r| r.receipt()).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> codat::SyncSettings {
        let setting = |data_type: &str, first: bool, order: i64| codat::SyncSetting {
            data_type: data_type.into(),
            fetch_on_first_link: first,
            sync_schedule: 24,
            sync_order: order,
            sync_from_utc: None,
            sync_from_window: Some(24),
            months_to_sync: None,
            is_locked: None,
        };
        codat::SyncSettings {
            client_id: None,
            settings: vec![
                setting("invoices", true, 2),
                setting("bills", true, 1),
                setting("journals", false, 0),
                setting("banking-accounts", true, 3),
            ],
            overrides_defaults: None,
        }
    }

    #[test]
    fn the_terms_list_what_a_first_link_of_the_kind_reads_in_codats_order() {
        let book = ConsentBook::new(None).unwrap();
        let (terms, hash) = terms_of("en", &book.texts["en"], &settings(), SourceType::Accounting);
        assert_eq!(terms.data_types, ["bills", "invoices"]);
        assert_eq!(terms.history_months, Some(24));
        assert_eq!((terms.version.len(), hash.len()), (12, 64));
        assert!(hash.starts_with(&terms.version));
        let (banking, _) = terms_of("en", &book.texts["en"], &settings(), SourceType::Banking);
        assert_eq!(banking.data_types, ["banking-accounts"]);
        assert_ne!(banking.version, terms.version);
    }

    #[test]
    fn other_words_are_another_version_and_unknown_locales_are_refused() {
        let book = ConsentBook::new(None).unwrap();
        let (before, _) = terms_of("en", &book.texts["en"], &settings(), SourceType::Accounting);
        let lender = r#"{"en": {"purpose": "To decide on your loan.", "retention": "Twelve months.", "termsUrl": "https://lender.example/terms"}}"#;
        let book = ConsentBook::new(Some(lender)).unwrap();
        let (after, _) = terms_of("en", &book.texts["en"], &settings(), SourceType::Accounting);
        assert_ne!(before.version, after.version);
        assert_eq!(after.terms_url.as_deref(), Some("https://lender.example/terms"));
        assert!(book.texts.contains_key("fr-CA"), "locales not overridden keep the built-in words");
        let klingon = ConsentBook::new(Some(r#"{"tlh": {"purpose": "a", "retention": "b"}}"#)).unwrap_err();
        assert!(klingon.to_string().contains("\"tlh\""), "{klingon}");
        assert!(ConsentBook::new(Some(r#"{"en": {"purpose": "a"}}"#)).is_err(), "retention is required");
    }
}
