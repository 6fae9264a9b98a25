//! `GET /v1/merchants/{merchantId}/consents`: the merchant's consent receipts for the lender,
//! as JSON or CSV.

use crate::{error::AppError, AppState};
use axum::{
    extract::{Path, Query, State},
    http::header,
    response::{IntoResponse, Response},
    Json,
};
use serde::Deserialize;

/// `?format=json|csv`.
#[derive(Debug, Deserialize)]
pub struct ExportQuery {
    format: Option<String>,
}

/// `GET /v1/merchants/{merchantId}/consents` (`?format=csv` for a spreadsheet), for the lender.
pub async fn export(
    State(state): State<AppState>,
    Path(merchant_id): Path<String>,
    Query(query): Query<ExportQuery>,
) -> Result<Response, AppError> {
    if state.db.merchant(&merchant_id).await?.is_none() {
        return Err(AppError::NotFound("There is no merchant with that id.".into()));
    }
    let stored = state.db.consent_receipts(&merchant_id).await?;
    match query.format.as_deref() {
        None | Some("json") => Ok(Json(stored).into_response()),
        Some("csv") => {
            let headers = [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (header::CONTENT_DISPOSITION, format!("attachment; filename=\"consents-{merchant_id}.csv\"")),
            ];
            Ok((headers, crate::db::StoredReceipt::csv(&stored)).into_response())
        }
        Some(_) => Err(AppError::BadRequest("format is json or csv.".into())),
    }
}
