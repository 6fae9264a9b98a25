//! The integration grid: the kinds of platform and one card per platform.

use serde::{Deserialize, Serialize};

/// The kind of platform an integration connects to, as Codat names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SourceType {
    /// Accounting software (Xero, QuickBooks, ...). A company has at most one.
    Accounting,
    /// Bank feeds (Plaid, TrueLayer).
    Banking,
    /// Commerce platforms (Shopify, Stripe, ...).
    Commerce,
    /// Anything Codat adds later; shown, never rejected.
    #[serde(other)]
    Other,
}

impl SourceType {
    /// Codat's spelling, as used in query strings.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accounting => "Accounting",
            Self::Banking => "Banking",
            Self::Commerce => "Commerce",
            Self::Other => "Other",
        }
    }

    /// A kind from Codat's spelling; anything else is [`SourceType::Other`].
    pub fn parse(text: &str) -> Self {
        match text {
            "Accounting" => Self::Accounting,
            "Banking" => Self::Banking,
            "Commerce" => Self::Commerce,
            _ => Self::Other,
        }
    }
}

/// One card of the integration grid: a platform with its branding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IntegrationCard {
    /// Codat's four-letter platform key, e.g. `gbol` for Xero.
    pub platform_key: String,
    /// Display name.
    pub name: String,
    /// What kind of platform it is.
    pub source_type: SourceType,
    /// Square logo.
    pub logo_url: String,
    /// Alternative text for the logo.
    pub logo_alt: String,
    /// The platform's own connect button, where it has one.
    pub button_url: Option<String>,
    /// The button's hover state (required by Intuit for QuickBooks).
    pub button_hover_url: Option<String>,
    /// Codat marks the integration as beta.
    pub is_beta: bool,
    /// Other names owners know the platform by (QBO, D365, a bank it reaches), for the search:
    /// the server's shipped list and the lender's `PLATFORM_ALIASES`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// Most businesses' recent attempts at the platform failed: it may not work right now.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub degraded: bool,
    /// It connects only from the computer it is installed on (a desktop connector): a phone
    /// offers a link to continue there.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub desktop_only: bool,
}

/// Body of `POST /api/continue-elsewhere`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContinueElsewhere {
    /// The desktop-only platform to open at.
    pub platform_key: String,
}

/// A one-time link to the flow the page made for someone (the owner on another computer, or the
/// person a hand-off names): `POST /api/continue-elsewhere`'s and `POST /api/handoffs`' answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OneTimeLink {
    /// The link (it works once, within its lifetime).
    pub url: String,
}

/// Body of `POST /api/handoffs`: someone else who handles the business's books.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandoffRequest {
    /// Whom the owner names (1 to 80 characters).
    pub person: String,
    /// A note to them (at most 300 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Cards the integration grid shows at first, and adds with each "show more". The proxy writes
/// the images of this many cards into the grid's answer.
pub const GRID_PAGE_SIZE: usize = 60;
