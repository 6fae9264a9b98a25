//! The lender's funnel: each step a visitor reaches (`POST /api/funnel` from the page, and the
//! first read finishing, noticed here), recorded without personal data (no merchant, session or
//! address; a search's text only when it found nothing), and counted per step and per platform
//! for the lender (`GET /v1/analytics/funnel?from=&to=`, JSON or CSV).

mod report;

pub use report::{report, Funnel, LeavingCount, SearchCount, StepCount};

use crate::{error::AppError, extract::AppJson, extract::SignedIn, AppState};
use axum::{extract::State, http::StatusCode};
use codat_connect_api::{search::SearchIndex, FunnelStep};

/// The steps in the order a visitor meets them.
pub const STEPS: [&str; 11] = codat_connect_api::FUNNEL_STEPS;

/// Longest search text kept.
const MAX_SEARCH: usize = 60;

/// One step as stored: its name, the kind and platform it concerns, and a detail (a search's
/// text, Link's status code).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    /// One of [`STEPS`].
    pub step: &'static str,
    /// The kind of platform.
    pub source_type: Option<&'static str>,
    /// The platform.
    pub platform_key: Option<String>,
    /// A zero-result search's text, or Link's status code.
    pub detail: Option<String>,
}

impl Recorded {
    /// The step the server adds when a merchant's first read finishes.
    pub fn first_read_finished() -> Self {
        Self {
            step: codat_connect_api::FIRST_READ_FINISHED,
            source_type: None,
            platform_key: None,
            detail: None,
        }
    }
}

/// What is stored of a step the page reports.
pub fn record_of(step: FunnelStep) -> Recorded {
    let key = |k: String| Some(k.chars().filter(char::is_ascii_lowercase).take(8).collect::<String>());
    let name = step.name();
    let (source_type, platform_key, detail) = match step {
        FunnelStep::GridShown { source_type } | FunnelStep::TabChosen { source_type } => {
            (Some(source_type.as_str()), None, None)
        }
        // Whether the search found nothing is decided by [`record`] against the grid, never
        // taken from the page's count.
        FunnelStep::SearchMade { source_type, text, .. } => {
            let text = text.map(|text| normalised(&text)).filter(|t| !t.is_empty());
            (Some(source_type.as_str()), None, text)
        }
        // Said by the owner, so kept whatever the grid finds for it.
        FunnelStep::PlatformMissing { source_type, text } => {
            (Some(source_type.as_str()), None, Some(normalised(&text)).filter(|t| !t.is_empty()))
        }
        FunnelStep::PlatformChosen { platform_key }
        | FunnelStep::ConsentGiven { platform_key }
        | FunnelStep::ConsentDeclined { platform_key }
        | FunnelStep::PopupBlocked { platform_key } => (None, key(platform_key), None),
        // Why, as stored: the reason (`unsaid` when skipped), and the owner's own words after
        // `other:` (kept like a zero-result search's text).
        FunnelStep::LeftEarly { reason, text } => {
            let reason = reason.map_or("unsaid", codat_connect_api::LeavingReason::as_str);
            let words = text.map(|text| normalised(&text)).filter(|t| !t.is_empty() && reason == "other");
            (None, None, Some(words.map_or_else(|| reason.to_owned(), |words| format!("other:{words}"))))
        }
        // The handler finds the connection's platform.
        FunnelStep::LinkReturned { status_code, .. } => (None, None, Some(status_code.to_string())),
    };
    Recorded { step: name, source_type, platform_key, detail }
}

/// A search's text as counted: trimmed, lower-cased, single-spaced, at most 60 characters.
fn normalised(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase().chars().take(MAX_SEARCH).collect()
}

/// `POST /api/funnel`: a step the page reached (204; nothing about the visitor is kept). The
/// page is not believed: a platform must be one this server's grids offer (400 otherwise), a
/// search's text is kept only when it finds nothing in the grid searched, and a session adds
/// at most [`crate::rate_limit::FUNNEL_STEPS_PER_MINUTE`] steps a minute (429 beyond).
pub async fn record(
    State(state): State<AppState>,
    SignedIn { merchant, token_hash, company_id }: SignedIn,
    AppJson(step): AppJson<FunnelStep>,
) -> Result<StatusCode, AppError> {
    state.rate_limits.take_funnel_step(&token_hash)?;
    let connection_id = match &step {
        FunnelStep::LinkReturned { connection_id, .. } => connection_id.clone(),
        _ => None,
    };
    let named_platform = match &step {
        FunnelStep::PlatformChosen { platform_key }
        | FunnelStep::ConsentGiven { platform_key }
        | FunnelStep::ConsentDeclined { platform_key }
        | FunnelStep::PopupBlocked { platform_key } => Some(platform_key.clone()),
        _ => None,
    };
    if let Some(key) = named_platform {
        if !is_offered(&state, &key).await? {
            return Err(AppError::BadRequest("There is no enabled platform with that key.".into()));
        }
    }
    let searched = match &step {
        FunnelStep::SearchMade { source_type, .. } => Some(*source_type),
        _ => None,
    };
    let mut recorded = record_of(step);
    if let (Some(source_type), Some(text)) = (searched, recorded.detail.as_deref()) {
        if finds_something(&state, source_type, text).await? {
            recorded.detail = None;
        }
    }
    if let Some(connection_id) = connection_id {
        // Only a connection of the session's own merchant names its platform.
        let connections = state.db.merchant_connections(&merchant.id).await?;
        let own = connections.into_iter().find(|c| c.id == connection_id);
        // A return that says the platform failed is not believed, but Codat is asked about an
        // attempt still open: what it says of the connection ends the attempt.
        let failed_return = recorded.detail.as_deref().is_some_and(|status| status.starts_with('5'));
        if let (true, Some(own)) = (failed_return, &own) {
            if own.attempt_started_at.is_some() {
                crate::flow::callback::ask_codat_about(&state, &merchant.id, &company_id, &own.id).await;
            }
        }
        recorded.platform_key = own.and_then(|c| c.platform_key);
    }
    state.db.record_funnel_step(&recorded).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Whether any grid this server offers has the platform.
async fn is_offered(state: &AppState, platform_key: &str) -> Result<bool, AppError> {
    for kind in codat_connect_api::Requirements::KINDS {
        if state.integrations.grid(state, kind).await?.iter().any(|card| card.platform_key == platform_key) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Whether a (normalised) search finds a platform in the grid of `source_type`, as the page's
/// search does (`codat_connect_api::search`: names and aliases, typos forgiven).
async fn finds_something(
    state: &AppState,
    source_type: codat_connect_api::SourceType,
    text: &str,
) -> Result<bool, AppError> {
    let grid = state.integrations.grid(state, source_type).await?;
    Ok(!SearchIndex::of_cards(&grid, str::to_lowercase).find(text).is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use codat_connect_api::SourceType;

    #[test]
    fn a_searchs_text_is_normalised() {
        let nothing = record_of(FunnelStep::SearchMade {
            source_type: SourceType::Accounting,
            results: 0,
            text: Some("  Sage   50 Cloud ".into()),
        });
        assert_eq!(nothing.detail.as_deref(), Some("sage 50 cloud"));
        let long = record_of(FunnelStep::SearchMade {
            source_type: SourceType::Banking,
            results: 0,
            text: Some("x".repeat(500)),
        });
        assert_eq!(long.detail.map(|d| d.len()), Some(60));
    }

    #[test]
    fn a_platform_key_is_kept_only_as_a_key() {
        let chosen = record_of(FunnelStep::PlatformChosen { platform_key: "gbol<script>".into() });
        assert_eq!(chosen.platform_key.as_deref(), Some("gbolscri"));
        let returned =
            record_of(FunnelStep::LinkReturned { connection_id: Some("c1".into()), status_code: 200 });
        assert_eq!((returned.step, returned.detail.as_deref()), ("link_returned", Some("200")));
    }
}
