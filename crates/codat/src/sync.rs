//! Data status, pull operations and company access tokens.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Status of a pull operation or of a data type in Codat's cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PullStatus {
    /// Not started.
    Initial,
    /// Waiting to fetch.
    Queued,
    /// Fetching from the platform.
    Fetching,
    /// Waiting to map.
    MapQueued,
    /// Mapping to Codat's model.
    Mapping,
    /// Done.
    Complete,
    /// The platform refused or failed.
    FetchError,
    /// Mapping failed.
    MapError,
    /// Codat failed.
    InternalError,
    /// Waiting to process.
    ProcessingQueued,
    /// Processing.
    Processing,
    /// Processing failed.
    ProcessingError,
    /// Waiting to validate.
    ValidationQueued,
    /// Validating.
    Validating,
    /// Validation failed.
    ValidationError,
    /// Credentials rejected.
    AuthError,
    /// Cancelled.
    Cancelled,
    /// The platform does not offer this data type.
    NotSupported,
    /// Rate limited by the platform.
    RateLimitError,
    /// Missing permissions at the platform.
    PermissionsError,
    /// Something else must happen first.
    PrerequisiteNotMet,
    /// A status added after this was written.
    #[serde(other)]
    Unknown,
}

impl PullStatus {
    /// The read has ended, well or badly.
    pub fn is_terminal(self) -> bool {
        self.is_error() || matches!(self, Self::Complete | Self::NotSupported | Self::Cancelled)
    }

    /// The read ended in an error.
    pub fn is_error(self) -> bool {
        matches!(
            self,
            Self::FetchError
                | Self::MapError
                | Self::InternalError
                | Self::ProcessingError
                | Self::ValidationError
                | Self::AuthError
                | Self::RateLimitError
                | Self::PermissionsError
                | Self::PrerequisiteNotMet
        )
    }
}

/// The state of one data type in Codat's cache (`GET /companies/{companyId}/dataStatus`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DataStatus {
    /// The data type, e.g. `invoices` or `banking-accounts`.
    pub data_type: String,
    /// When it was last read successfully.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_successful_sync: Option<String>,
    /// Where the latest read stands.
    pub current_status: PullStatus,
    /// The latest read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_sync_id: Option<String>,
    /// The latest successful read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_successful_sync_id: Option<String>,
}

/// `dataStatus` answers an object keyed by data type; new data types may appear at any time.
pub type DataStatuses = BTreeMap<String, Option<DataStatus>>;

/// One read of one data type (formerly "dataset").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PullOperation {
    /// Id of the read.
    pub id: String,
    /// The company.
    pub company_id: String,
    /// The connection read from.
    pub connection_id: String,
    /// The data type.
    pub data_type: String,
    /// Where it stands.
    pub status: PullStatus,
    /// More about the status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_description: Option<String>,
    /// The error, if it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    /// When it was asked for.
    pub requested: String,
    /// When it ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed: Option<String>,
    /// Percent done.
    pub progress: i32,
    /// Ended successfully.
    pub is_completed: bool,
    /// Ended in an error.
    pub is_errored: bool,
}

/// `GET /companies/{companyId}/accessToken`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompanyAccessToken {
    /// Seconds until it expires.
    pub expires_in: i64,
    /// The token.
    pub access_token: String,
    /// `Bearer`.
    pub token_type: String,
}
