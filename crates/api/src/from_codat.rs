//! Codat's models as the wire types the app reads, each mapping written once (the `codat`
//! feature, which only the proxy turns on).

use crate::{ConnectionStatus, SourceType};

/// A platform's kind as the app names it; kinds Codat adds later are `Other`.
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

/// A connection's status as the app names it.
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
