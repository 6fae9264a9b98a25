//! Codat's models as the wire types the app reads (the proxy's side, feature `codat`).

use crate::{ConnectionStatus, SourceType};

impl From<codat::SourceType> for SourceType {
    fn from(source_type: codat::SourceType) -> Self {
        match source_type {
            codat::SourceType::Accounting => Self::Accounting,
            codat::SourceType::Banking => Self::Banking,
            codat::SourceType::Commerce => Self::Commerce,
            _ => Self::Other,
        }
    }
}

impl From<codat::ConnectionStatus> for ConnectionStatus {
    fn from(status: codat::ConnectionStatus) -> Self {
        match status {
            codat::ConnectionStatus::PendingAuth => Self::PendingAuth,
            codat::ConnectionStatus::Linked => Self::Linked,
            codat::ConnectionStatus::Unlinked => Self::Unlinked,
            codat::ConnectionStatus::Deauthorized => Self::Deauthorized,
            codat::ConnectionStatus::Unknown => Self::Unknown,
        }
    }
}
