//! One Codat company per merchant, whatever the concurrency, retries or lost responses.

use crate::{error::AppError, AppState};
use codat::CompanyRequestBody;
use std::{
    collections::HashMap,
    sync::{Arc, Mutex, PoisonError},
};

/// One lock per merchant, so concurrent requests for the same merchant create one company
/// (across servers, a PostgreSQL advisory lock does the same).
#[derive(Debug, Default)]
pub struct CompanyLocks {
    locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl CompanyLocks {
    fn for_merchant(&self, merchant_id: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self.locks.lock().unwrap_or_else(PoisonError::into_inner);
        // Locks nobody holds or waits for are dropped, so the map does not grow forever.
        locks.retain(|_, lock| Arc::strong_count(lock) > 1);
        locks.entry(merchant_id.to_owned()).or_default().clone()
    }
}

/// The merchant's Codat company, created on first need. The company is named after the merchant
/// id (as Codat recommends), so a company whose creation answer was lost is found again by name
/// rather than created twice; the database keeps the mapping once it is known.
pub async fn ensure_company(
    state: &AppState,
    merchant_id: &str,
    description: &str,
) -> Result<String, AppError> {
    let lock = state.company_locks().for_merchant(merchant_id);
    let _held = lock.lock().await;
    // Other servers on the same PostgreSQL database wait here too.
    let mut locked = state.db().lock(&format!("company:{merchant_id}")).await?;
    if let Some(company_id) = locked.company_of(merchant_id).await? {
        return Ok(company_id);
    }
    let existing = state.codat().list_companies(&format!("name={merchant_id}")).await?;
    let company = match existing.into_iter().find(|c| c.name == merchant_id) {
        Some(company) => company,
        None => {
            let body = CompanyRequestBody {
                name: merchant_id.to_owned(),
                description: Some(description.to_owned()),
                tags: None,
            };
            state.codat().create_company(&body).await?
        }
    };
    let company_id = if locked.set_company(merchant_id, &company.id).await? {
        company.id
    } else {
        // Another server stored one first; that one is the merchant's.
        locked.company_of(merchant_id).await?.unwrap_or(company.id)
    };
    locked.release().await?;
    Ok(company_id)
}
