//! What starting a connection to a platform becomes: the business's connection to it that waits
//! for authorization or lost its access, continued rather than duplicated; or, where Codat
//! refuses a second accounting connection, room made by deleting one never authorized.

use crate::{
    error::AppError,
    extract::SignedIn,
    facts::{self, Cause},
    AppState,
};
use codat_connect_api::{ErrorCode, SourceType};

/// The business's connection to `platform_key` that waits for authorization or lost its access,
/// as Codat has it now (none once Codat no longer has it, or it is linked after all).
pub async fn continued(
    state: &AppState,
    signed_in: &SignedIn,
    platform_key: &str,
) -> Result<Option<codat::Connection>, AppError> {
    use codat::ConnectionStatus::{Deauthorized, Linked, PendingAuth};
    let stored = state.db.merchant_connections(&signed_in.merchant.id).await?;
    let waiting = |c: &&crate::db::StoredConnection| matches!(c.status, PendingAuth | Deauthorized);
    let Some(existing) =
        stored.iter().filter(waiting).find(|c| c.platform_key.as_deref() == Some(platform_key))
    else {
        return Ok(None);
    };
    match state.codat.get_connection(&signed_in.company_id, &existing.id).await {
        Ok(connection) => Ok(Some(connection).filter(|c| c.status != Linked)),
        Err(error) if error.status() == Some(axum::http::StatusCode::NOT_FOUND) => Ok(None),
        Err(error) => Err(error.into()),
    }
}

/// Codat refuses a company a second accounting connection. One the owner abandoned before
/// authorizing (the picker offers accounting platforms again then) is deleted so that the
/// platform chosen now can be connected; a working one is the business's accounting platform,
/// and the refusal stands.
pub async fn make_room_for(
    state: &AppState,
    company_id: &str,
    platform_key: &str,
    refusal: codat::CodatError,
) -> Result<(), AppError> {
    let accounting_grid = state.integrations.grid(state, SourceType::Accounting).await?;
    if !accounting_grid.iter().any(|card| card.platform_key == platform_key) {
        return Err(AppError::Codat(refusal));
    }
    let accounting: Vec<codat::Connection> = state
        .codat
        .list_connections(company_id)
        .await?
        .into_iter()
        .filter(|c| c.source_type == codat::SourceType::Accounting)
        .collect();
    if accounting.is_empty() {
        return Err(AppError::Codat(refusal));
    }
    if accounting.iter().any(|c| c.status != codat::ConnectionStatus::PendingAuth) {
        return Err(AppError::Invalid {
            code: ErrorCode::AccountingAlreadyConnected,
            message: "Your business already has an accounting platform. Manage it from your connections."
                .into(),
        });
    }
    for abandoned in accounting {
        state.codat.delete_connection(company_id, &abandoned.id).await?;
        facts::connection_removed(state, &abandoned.id, Cause::Page).await?;
    }
    Ok(())
}
