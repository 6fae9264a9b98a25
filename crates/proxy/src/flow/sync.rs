//! Step 4's second half: the first data sync's progress, per data type.

use crate::{error::AppError, extract::SignedIn, AppState};
use axum::{extract::State, Json};
use codat_connect_api::DataTypeProgress;

/// `GET /api/sync`: where each data type's latest read stands.
pub async fn progress(
    State(state): State<AppState>,
    SignedIn { merchant, company_id, .. }: SignedIn,
) -> Result<Json<Vec<DataTypeProgress>>, AppError> {
    let statuses = state.codat.data_status(&company_id).await?;
    let company_read = crate::identity::company_read(&statuses);
    let progress: Vec<DataTypeProgress> = statuses
        .into_iter()
        .filter_map(|(data_type, status)| {
            status.map(|s| DataTypeProgress { data_type, state: super::wire::simplify(s.current_status) })
        })
        .collect();
    let reads = progress.iter().map(|p| (p.data_type.clone(), p.state));
    crate::facts::reads_seen(&state, &merchant.id, &reads.collect::<Vec<_>>(), crate::facts::Cause::Page)
        .await?;
    if let Some(read) = company_read {
        crate::identity::check(&state, &merchant.id, &company_id, &read).await;
    }
    Ok(Json(progress))
}

/// `POST /api/sync/refresh`: asks Codat to read every data type again, the next step when some
/// could not be read.
pub async fn refresh(
    State(state): State<AppState>,
    SignedIn { merchant, company_id, .. }: SignedIn,
) -> Result<axum::http::StatusCode, AppError> {
    state.codat.refresh_all(&company_id).await?;
    crate::watcher::watch(&state, &merchant.id, &company_id);
    Ok(axum::http::StatusCode::NO_CONTENT)
}
