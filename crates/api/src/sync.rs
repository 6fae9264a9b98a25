//! The reads of a merchant's data after linking.

use serde::{Deserialize, Serialize};

/// Where the read of one data type stands, simplified from Codat's many statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SyncState {
    /// Waiting to start.
    Queued,
    /// Being read.
    Fetching,
    /// Read.
    Complete,
    /// The read failed.
    Failed,
    /// The platform does not offer this data.
    NotSupported,
}

impl SyncState {
    /// Every state.
    pub const ALL: [Self; 5] =
        [Self::Queued, Self::Fetching, Self::Complete, Self::Failed, Self::NotSupported];

    /// The read has ended, well or badly.
    pub fn is_finished(self) -> bool {
        matches!(self, Self::Complete | Self::Failed | Self::NotSupported)
    }

    /// Its name, as stored and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "Queued",
            Self::Fetching => "Fetching",
            Self::Complete => "Complete",
            Self::Failed => "Failed",
            Self::NotSupported => "NotSupported",
        }
    }
}

impl TryFrom<String> for SyncState {
    type Error = String;

    /// A stored name back; an unknown one is an error, never a guess.
    fn try_from(text: String) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|state| state.as_str() == text)
            .ok_or_else(|| format!("unknown read state {text:?}"))
    }
}

/// The read of one data type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DataTypeProgress {
    /// Codat's name, e.g. `invoices` or `banking-accounts`.
    pub data_type: String,
    /// Where it stands.
    pub state: SyncState,
}
