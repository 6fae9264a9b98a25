//! Codat's models as the wire types the app reads, each mapping written once. (Not `From`
//! impls: both sides are other crates' types, and a `codat` feature on the wire crate would be
//! switched on in the web app's wasm build too: trunk builds from the workspace's root manifest,
//! which selects the default members, the proxy among them, and cargo unifies their features.)

use codat_connect_api::{ConnectionStatus, SourceType, SyncState};

/// A platform's kind as the app names it; kinds Codat adds later are `Other`.
pub fn source_type(source_type: codat::SourceType) -> SourceType {
    match source_type {
        codat::SourceType::Accounting => SourceType::Accounting,
        codat::SourceType::Banking => SourceType::Banking,
        codat::SourceType::Commerce => SourceType::Commerce,
        _ => SourceType::Other,
    }
}

/// A connection's status as the app names it.
pub fn connection_status(status: codat::ConnectionStatus) -> ConnectionStatus {
    match status {
        codat::ConnectionStatus::PendingAuth => ConnectionStatus::PendingAuth,
        codat::ConnectionStatus::Linked => ConnectionStatus::Linked,
        codat::ConnectionStatus::Unlinked => ConnectionStatus::Unlinked,
        codat::ConnectionStatus::Deauthorized => ConnectionStatus::Deauthorized,
        codat::ConnectionStatus::Unknown => ConnectionStatus::Unknown,
    }
}

/// A `?sourceType=` query value (Accounting when absent): one of the picker's three kinds.
pub fn source_type_param(text: Option<&str>) -> Result<SourceType, crate::error::AppError> {
    let text = text.unwrap_or("Accounting");
    match SourceType::parse(text) {
        SourceType::Other => Err(crate::error::AppError::BadRequest(format!(
            "Unknown source type '{text}': use Accounting, Banking or Commerce."
        ))),
        kind => Ok(kind),
    }
}

/// Codat's twenty-odd statuses, as the five a business owner needs to see.
pub fn simplify(status: codat::PullStatus) -> SyncState {
    match status {
        codat::PullStatus::Complete => SyncState::Complete,
        codat::PullStatus::NotSupported => SyncState::NotSupported,
        codat::PullStatus::Initial | codat::PullStatus::Queued => SyncState::Queued,
        status if status.is_error() || status == codat::PullStatus::Cancelled => SyncState::Failed,
        _ => SyncState::Fetching,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use codat::PullStatus;

    #[test]
    fn codats_statuses_collapse_to_five() {
        assert_eq!(simplify(PullStatus::Queued), SyncState::Queued);
        assert_eq!(simplify(PullStatus::Mapping), SyncState::Fetching);
        assert_eq!(simplify(PullStatus::ValidationQueued), SyncState::Fetching);
        assert_eq!(simplify(PullStatus::AuthError), SyncState::Failed);
        assert_eq!(simplify(PullStatus::Complete), SyncState::Complete);
        assert_eq!(simplify(PullStatus::NotSupported), SyncState::NotSupported);
        assert_eq!(simplify(PullStatus::Unknown), SyncState::Fetching);
    }
}
