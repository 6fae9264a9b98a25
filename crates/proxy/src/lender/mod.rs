//! What the lender's systems get: a merchant's readiness against the requirements the lender set
//! (`readiness`), the events written by `crate::facts` delivered to its webhook endpoints (`delivery`), and the
//! lender's API behind `ADMIN_TOKEN`, `/v1`: sessions for its merchants (`sessions`), their status
//! and the delivery log (`status`), consent receipts (`consents`), the platforms' health
//! (`platforms`); the funnel's report is
//! `crate::funnel::report`.

pub mod consents;
pub mod deliveries;
pub mod delivery;
pub mod handoffs;
pub mod platforms;
pub mod readiness;
pub mod sessions;
pub mod status;

use crate::{error::AppError, AppState};
use codat_connect_api::Requirements;

/// What the lender needs from the merchant (optional kinds when it never said).
pub async fn requirements_of(state: &AppState, merchant_id: &str) -> Result<Requirements, AppError> {
    let record = state.db.merchant_record(merchant_id).await?;
    Ok(record.and_then(|r| serde_json::from_str(&r.requirements).ok()).unwrap_or_default())
}

/// A new delivery's id.
pub(crate) fn new_delivery_id() -> String {
    format!("dlv_{}", uuid::Uuid::new_v4().simple())
}
