//! Request and response bodies of the Codat operations the product uses.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The kind of platform behind an integration or a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SourceType {
    /// Accounting software.
    Accounting,
    /// Banking data.
    Banking,
    /// Bank feeds (pushing transactions into accounting software).
    BankFeed,
    /// Commerce platforms.
    Commerce,
    /// Expense management.
    Expense,
    /// Anything else Codat lists.
    Other,
    /// Codat's own "Unknown", and any value added after this was written.
    #[serde(other)]
    Unknown,
}

impl SourceType {
    /// Codat's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accounting => "Accounting",
            Self::Banking => "Banking",
            Self::BankFeed => "BankFeed",
            Self::Commerce => "Commerce",
            Self::Expense => "Expense",
            Self::Other => "Other",
            Self::Unknown => "Unknown",
        }
    }
}

/// Authorization state of a data connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ConnectionStatus {
    /// Created, not yet authorized.
    PendingAuth,
    /// Authorized.
    Linked,
    /// Severed by the client (us); data kept.
    Unlinked,
    /// Access revoked or expired at the platform; data kept.
    Deauthorized,
    /// A value added after this was written.
    #[serde(other)]
    Unknown,
}

impl ConnectionStatus {
    /// Codat's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PendingAuth => "PendingAuth",
            Self::Linked => "Linked",
            Self::Unlinked => "Unlinked",
            Self::Deauthorized => "Deauthorized",
            Self::Unknown => "Unknown",
        }
    }
}

impl TryFrom<String> for ConnectionStatus {
    type Error = String;

    /// A stored spelling back ([`ConnectionStatus::as_str`]'s); anything else is an error, so a
    /// misspelt status never passes for another.
    fn try_from(text: String) -> Result<Self, String> {
        [Self::PendingAuth, Self::Linked, Self::Unlinked, Self::Deauthorized, Self::Unknown]
            .into_iter()
            .find(|status| status.as_str() == text)
            .ok_or_else(|| format!("unknown connection status {text:?}"))
    }
}

/// Body of `POST /companies` and `PUT /companies/{companyId}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct CompanyRequestBody {
    /// Name of the company; Codat recommends the client's own customer id.
    pub name: String,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Up to ten string tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<BTreeMap<String, String>>,
}

/// A company: one business whose data the client reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Company {
    /// Codat's id for the company.
    pub id: String,
    /// Name given at creation.
    pub name: String,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Hosted Link URL for the company.
    pub redirect: String,
    /// Last successful sync.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_sync: Option<String>,
    /// Creation time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// Who created it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by_user_name: Option<String>,
    /// Codat products enabled for the company.
    #[serde(default)]
    pub products: Vec<String>,
    /// Tags given at creation.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// The company's data connections.
    #[serde(default)]
    pub data_connections: Vec<Connection>,
}

/// A data connection between a company and one platform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Connection {
    /// Codat's id for the connection.
    pub id: String,
    /// Codat's id for the integration.
    pub integration_id: String,
    /// Four-letter platform key; optional in the spec since 2026.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integration_key: Option<String>,
    /// Source-specific id.
    pub source_id: String,
    /// Kind of platform.
    pub source_type: SourceType,
    /// Display name of the platform.
    pub platform_name: String,
    /// Where the owner authorizes the connection.
    pub link_url: String,
    /// Authorization state.
    pub status: ConnectionStatus,
    /// Last successful sync.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_sync: Option<String>,
    /// Creation time.
    pub created: String,
    /// Errors reported by the platform.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_connection_errors: Option<Vec<DataConnectionError>>,
    /// Platform-specific details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection_info: Option<serde_json::Map<String, serde_json::Value>>,
}

/// An error a platform reported for a connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DataConnectionError {
    /// The platform's HTTP status, as a string (e.g. `"403"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_code: Option<String>,
    /// The platform's status text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_text: Option<String>,
    /// Codat's message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    /// When the error happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errored_on_utc: Option<String>,
}

/// Body of `POST /companies/{companyId}/connections`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateConnectionRequest {
    /// The platform to connect.
    pub platform_key: String,
}

/// Body of `PATCH /companies/{companyId}/connections/{connectionId}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateConnectionStatus {
    /// The new status; `Unlinked` is the documented use.
    pub status: Option<ConnectionStatus>,
}

/// An integration Codat offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Integration {
    /// Four-letter platform key.
    pub key: String,
    /// Static logo URL.
    pub logo_url: String,
    /// Display name.
    pub name: String,
    /// Enabled for the client's customers.
    pub enabled: bool,
    /// Source-specific id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_id: Option<String>,
    /// Kind of platform.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_type: Option<SourceType>,
    /// Codat's id for the integration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integration_id: Option<String>,
    /// Runs on the business's own computer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_offline_connector: Option<bool>,
    /// In beta.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_beta: Option<bool>,
    /// Who provides the data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_provided_by: Option<String>,
}

/// Logos and buttons of an integration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Branding {
    /// Logos.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo: Option<BrandingLogo>,
    /// Connect buttons.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub button: Option<BrandingButton>,
    /// Source-specific id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_id: Option<String>,
}

/// The logo variants of a branding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct BrandingLogo {
    /// Full logo.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full: Option<BrandingImage>,
    /// Square logo.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub square: Option<BrandingImage>,
}

/// The button states of a branding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct BrandingButton {
    /// Resting state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<BrandingImage>,
    /// Hover state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hover: Option<BrandingImage>,
}

/// A wrapper the spec puts around every branding image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct BrandingImage {
    /// The image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageReference>,
}

/// An image's address and alternative text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ImageReference {
    /// Source URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub src: Option<String>,
    /// Alternative text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alt: Option<String>,
}

impl BrandingImage {
    /// The image's source and alternative text, when both levels are present.
    pub fn image(&self) -> Option<&ImageReference> {
        self.image.as_ref()
    }
}

/// How one data type is read: whether on first link, how often, and how much history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncSetting {
    /// Codat's data type, e.g. `invoices`.
    pub data_type: String,
    /// Whether it is read as soon as a connection is authorized.
    pub fetch_on_first_link: bool,
    /// Hours between refreshes.
    pub sync_schedule: i64,
    /// The order it is queued in.
    pub sync_order: i64,
    /// Fetch data from this date (or `sync_from_window`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_from_utc: Option<String>,
    /// Months of history fetched (or `sync_from_utc`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_from_window: Option<i64>,
    /// Months of report data (balance sheet, profit and loss).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub months_to_sync: Option<i64>,
    /// Whether the setting is locked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_locked: Option<bool>,
}

/// `GET /profile/syncSettings`: the client's default sync settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncSettings {
    /// The client.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// One per data type.
    #[serde(default)]
    pub settings: Vec<SyncSetting>,
    /// Whether these override Codat's defaults.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overrides_defaults: Option<bool>,
}

/// The client's profile, including the redirect URL template used after Link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    /// Instance name.
    pub name: String,
    /// Organisation logo.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_url: Option<String>,
    /// Organisation icon.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon_url: Option<String>,
    /// Redirect URL template with `{placeholders}`.
    pub redirect_url: String,
    /// URLs allowed to talk to Codat.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub white_list_urls: Option<Vec<String>>,
    /// Whether the company name has been confirmed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirm_company_name: Option<bool>,
    /// Any other field (`apiKey`, say): kept, so that a `PUT` of a profile read with `GET`
    /// changes only what the caller changed.
    #[serde(flatten)]
    pub other: serde_json::Map<String, serde_json::Value>,
}

/// Codat's paging envelope around every list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    /// This page's items.
    pub results: Vec<T>,
    /// 1-based page number.
    pub page_number: u32,
    /// Items per page.
    pub page_size: u32,
    /// Items across all pages, after the query.
    pub total_results: u64,
    /// HAL links to this, the next and the previous page.
    #[serde(rename = "_links")]
    pub links: PageLinks,
}

/// The `_links` of a page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageLinks {
    /// The resource without query parameters.
    #[serde(rename = "self")]
    pub self_link: Link,
    /// This page with its query parameters.
    pub current: Link,
    /// The next page, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<Link>,
    /// The previous page, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<Link>,
}

/// A HAL link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    /// Relative or absolute reference.
    pub href: String,
}

/// Codat's error body. The spec marks no field required.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ErrorMessage {
    /// HTTP status (trust the status line over this).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_code: Option<u16>,
    /// Which Codat service answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// Human-readable description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Id to quote to Codat support.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<String>,
    /// Validation details, when a body was rejected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validation: Option<serde_json::Value>,
    /// A string, not a boolean, in Codat's spec.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub can_be_retried: Option<String>,
    /// Machine-readable code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detailed_error_code: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn company_example_from_the_spec_parses_ignoring_the_legacy_platform_field() {
        let json = r#"{"id":"ab12c58d-a678-4ebf-a159-ae99e1807bd0","name":"Technicalium","description":"",
            "platform":"","redirect":"https://link.codat.io/company/ab12c58d-a678-4ebf-a159-ae99e1807bd0",
            "dataConnections":[],"created":"2022-11-10T10:45:18.1950523Z","createdByUserName":"Dan Tzabar",
            "products":["spend-insights"],"referenceSubsidiaryCompanies":[]}"#;
        let company: Company = serde_json::from_str(json).unwrap();
        assert_eq!(company.name, "Technicalium");
        assert!(company.data_connections.is_empty());
    }

    #[test]
    fn an_unknown_source_type_does_not_fail_an_integration() {
        let json = r#"{"key":"abcd","logoUrl":"https://x/y.png","name":"New","enabled":true,
            "sourceType":"Payroll"}"#;
        let integration: Integration = serde_json::from_str(json).unwrap();
        assert_eq!(integration.source_type, Some(SourceType::Unknown));
    }

    #[test]
    fn error_body_keeps_can_be_retried_as_a_string() {
        let json = r#"{"statusCode":404,"service":"PublicApi","error":"not found",
            "correlationId":"8fa2","validation":null,"canBeRetried":"Unknown","detailedErrorCode":0}"#;
        let error: ErrorMessage = serde_json::from_str(json).unwrap();
        assert_eq!(error.can_be_retried.as_deref(), Some("Unknown"));
        assert_eq!(error.correlation_id.as_deref(), Some("8fa2"));
    }
}
