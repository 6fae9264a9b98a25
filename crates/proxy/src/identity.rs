//! Whether the business at a merchant's accounting platform is still the one read before. After
//! each new read of Codat's `company` data type (the watcher and the sync page see its id
//! change), Codat's company information is asked for and the one writer compares its name and
//! registration number with what was stored (`facts::identity_seen`): a change is kept with the
//! business named before, shown to the owner on the connection, and sent to the lender as
//! `merchant.connection.identity_changed`. This catches an owner who reconnects to another
//! company at the platform (or whose books now name another business).

use crate::{error::AppError, AppState};
use codat_connect_api::lender_events::CompanyIdentity;

/// The id of the latest successful read of the `company` data type, where Codat names one.
pub fn company_read(statuses: &codat::DataStatuses) -> Option<String> {
    statuses.get("company")?.as_ref()?.latest_successful_sync_id.clone()
}

/// Compares the business Codat's company information names now with the stored one, once per
/// read of `company` (`read_id`). Failures are logged: the next read, or the next look, tries
/// again.
pub async fn check(state: &AppState, merchant_id: &str, company_id: &str, read_id: &str) {
    if let Err(error) = compare(state, merchant_id, company_id, read_id).await {
        tracing::warn!(%merchant_id, %error, "the business at the accounting platform was not compared");
    }
}

async fn compare(
    state: &AppState,
    merchant_id: &str,
    company_id: &str,
    read_id: &str,
) -> Result<(), AppError> {
    let stored = state.db.identity(merchant_id).await?;
    if stored.is_some_and(|stored| stored.read_id == read_id) {
        return Ok(());
    }
    let info = match state.codat.company_info(company_id).await {
        Ok(info) => info,
        // Not read yet, or being read: the next look asks again.
        Err(error) if matches!(error.status().map(|s| s.as_u16()), Some(404 | 409)) => return Ok(()),
        Err(error) => return Err(error.into()),
    };
    let Some(company_name) =
        info.company_name.or(info.company_legal_name).filter(|name| !name.trim().is_empty())
    else {
        return Ok(());
    };
    let registration_number = info.registration_number.filter(|number| !number.trim().is_empty());
    let seen = CompanyIdentity { company_name, registration_number };
    crate::facts::identity_seen(state, merchant_id, seen, read_id).await
}
