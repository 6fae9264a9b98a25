//! `GET /v1/platforms`: each platform's health as this server judges it
//! (`crate::platform_health`): how the last hour's and day's Link attempts ended, in
//! businesses, and since when it is degraded. Behind `ADMIN_TOKEN` like the rest of `/v1`.

use crate::{db::rfc3339, error::AppError, AppState};
use axum::{extract::State, Json};
use serde::{Deserialize, Serialize};

/// The answer: every platform with an attempt that ended in the last day, or judged degraded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlatformsHealth {
    /// By platform key.
    pub platforms: Vec<PlatformHealth>,
}

/// One platform's health.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlatformHealth {
    /// The platform's key.
    pub platform_key: String,
    /// Its name, where a grid offers it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform_name: Option<String>,
    /// Owners are told it may not work right now.
    pub degraded: bool,
    /// Since when (RFC 3339), while degraded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub degraded_since: Option<String>,
    /// Businesses whose attempts ended each way in the last hour (what the judgement counts).
    pub last_hour: Outcomes,
    /// Likewise over the last day.
    pub last_day: Outcomes,
}

/// How many businesses' attempts linked and failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Outcomes {
    /// Linked.
    pub linked: i64,
    /// Failed at the platform.
    pub failed: i64,
}

/// `GET /v1/platforms`
pub async fn health(State(state): State<AppState>) -> Result<Json<PlatformsHealth>, AppError> {
    let mut platforms = Vec::new();
    for row in state.db.platform_health().await? {
        let described = crate::flow::integrations::offered_platform(&state, &row.platform_key).await?;
        platforms.push(PlatformHealth {
            platform_name: described.map(|(name, _)| name),
            degraded: row.degraded_since.is_some(),
            degraded_since: row.degraded_since.map(rfc3339),
            last_hour: Outcomes { linked: row.linked_hour, failed: row.failed_hour },
            last_day: Outcomes { linked: row.linked_day, failed: row.failed_day },
            platform_key: row.platform_key,
        });
    }
    Ok(Json(PlatformsHealth { platforms }))
}
