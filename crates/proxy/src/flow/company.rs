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

/// The company tag naming the merchant a company was created for.
pub const MERCHANT_TAG: &str = "codatConnectMerchant";
/// The company tag naming the deployment that created it.
pub const DEPLOYMENT_TAG: &str = "codatConnectDeployment";

/// The merchant's Codat company, created on first need, named after the merchant id (as Codat
/// recommends) and tagged with it and this deployment's id. A company whose creation answer was
/// lost is found again by those tags (Codat's docs say the query language may not apply to
/// listing companies; tags are its documented filter), else by name, rather than created
/// twice; a company tagged by another deployment sharing the API key is never adopted. The
/// database keeps the mapping once it is known.
pub async fn ensure_company(
    state: &AppState,
    merchant_id: &str,
    description: &str,
) -> Result<String, AppError> {
    let lock = state.company_locks.for_merchant(merchant_id);
    let _held = lock.lock().await;
    // Other servers on the same PostgreSQL database wait here too.
    let mut locked = state.db.lock(&format!("company:{merchant_id}")).await?;
    if let Some(company_id) = locked.company_of(merchant_id).await? {
        return Ok(company_id);
    }
    let company = match find_company(state, merchant_id).await? {
        Some(company) => company,
        None => {
            let tags = [
                (MERCHANT_TAG.to_owned(), merchant_id.to_owned()),
                (DEPLOYMENT_TAG.to_owned(), state.settings.deployment_id.to_owned()),
            ];
            let body = CompanyRequestBody {
                name: merchant_id.to_owned(),
                description: Some(description.to_owned()),
                tags: Some(tags.into()),
            };
            state.codat.create_company(&body).await?
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

/// A company made for this merchant by this deployment before (its answer lost): by tags, else
/// by name among companies that carry no other deployment's tag. The name lookup reads one page
/// only: where Codat ignores `query` on company lists it would otherwise page through every
/// company on each sign-up (tags are the lookup that matters; names serve companies created
/// before tags were).
async fn find_company(state: &AppState, merchant_id: &str) -> Result<Option<codat::Company>, AppError> {
    let deployment = &state.settings.deployment_id;
    let filter = format!("{MERCHANT_TAG}={merchant_id} && {DEPLOYMENT_TAG}={deployment}");
    let tagged = state.codat.list_companies_by_tags(&filter).await?;
    let ours = |c: &codat::Company| {
        c.name == merchant_id
            && c.tags.get(MERCHANT_TAG).is_none_or(|m| m == merchant_id)
            && c.tags.get(DEPLOYMENT_TAG).is_none_or(|d| d == deployment)
    };
    if let Some(company) = tagged.into_iter().find(ours) {
        return Ok(Some(company));
    }
    let named = state.codat.first_companies(&format!("name={merchant_id}")).await?;
    Ok(named.into_iter().find(ours))
}
