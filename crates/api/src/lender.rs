//! What the lender's backend sends to start an owner's session (`POST /v1/sessions`) and gets back.

use serde::{Deserialize, Serialize};

use crate::Requirements;

/// Body of `POST /v1/sessions`, sent by the lender's backend with its admin token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EmbedSessionRequest {
    /// The lender's own id for the merchant (letters, digits, `-` and `_`, at most 64).
    pub merchant_id: String,
    /// The merchant's trading name.
    pub business_name: String,
    /// The merchant's contact address, if the lender shares it.
    #[serde(default)]
    pub email: Option<String>,
    /// What the lender needs from this merchant; they become the merchant's requirements
    /// (readiness in the status API and `merchant.ready` follow the latest ones given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requirements: Option<Requirements>,
    /// How the owner reaches the flow: in the lender's frame (the default), or by a one-time link
    /// (for e-mail, SMS, a phone, or a host page that sends the whole tab).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery: Option<Delivery>,
    /// With `delivery: "link"`: where the owner is sent at the end, with the outcome in its query
    /// (an origin the lender's page is served from, as in `FRAME_ANCESTORS`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_url: Option<String>,
    /// Platforms (by Codat key, in order) shown first in their kind's grid for this session,
    /// before the lender's `FEATURED_PLATFORMS`; at most 20.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub featured_platforms: Vec<String>,
    /// One platform (by Codat key) the page opens at: its consent step, with the grid one click
    /// away. Ignored once the business has linked it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
}

/// How the owner reaches the flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Delivery {
    /// The lender's page frames the app with the session token.
    #[default]
    Frame,
    /// A one-time, expiring URL opens the flow in a full page.
    Link,
}

/// Answer to `POST /v1/sessions`: a short-lived token the lender hands to its page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EmbedSession {
    /// Sent by the page as `Authorization: Bearer <token>`.
    pub session_token: String,
    /// Seconds until it expires.
    pub expires_in: u64,
    /// The merchant's Codat company.
    pub company_id: String,
    /// With `delivery: "link"`: the one-time URL to send the owner (it expires after a day).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}
