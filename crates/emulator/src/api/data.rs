//! Data status, refreshes, pull history and the company access token.

use super::prelude::*;
use crate::sync::{now_ms, ALL_DATA_TYPES};
use codat::{CompanyAccessToken, ConnectionStatus, DataStatus, DataStatuses, PullOperation, PullStatus};
use serde::Deserialize;

/// `GET /companies/{companyId}/dataStatus`: the latest read of each data type.
pub async fn status(
    State(emulator): State<Arc<Emulator>>,
    Path(company_id): Path<String>,
) -> ApiResult<Json<DataStatuses>> {
    if emulator.store.company(&company_id).is_none() {
        return Err(company_not_found(&company_id));
    }
    let now = now_ms();
    let operations: Vec<PullOperation> =
        emulator.store.pulls(&company_id).iter().map(|r| r.operation(now)).collect();
    let mut statuses = DataStatuses::new();
    for operation in &operations {
        let last_success = operations
            .iter()
            .rfind(|o| o.data_type == operation.data_type && o.status == PullStatus::Complete);
        statuses.insert(
            operation.data_type.clone(),
            Some(DataStatus {
                data_type: operation.data_type.clone(),
                last_successful_sync: last_success.and_then(|o| o.completed.clone()),
                current_status: operation.status,
                latest_sync_id: Some(operation.id.clone()),
                latest_successful_sync_id: last_success.map(|o| o.id.clone()),
            }),
        );
    }
    Ok(Json(statuses))
}

/// `POST /companies/{companyId}/data/all`: 204; queues a read of every data type of every
/// linked connection.
pub async fn refresh_all(
    State(emulator): State<Arc<Emulator>>,
    Path(company_id): Path<String>,
) -> ApiResult<StatusCode> {
    let connections =
        emulator.store.connections(&company_id).ok_or_else(|| company_not_found(&company_id))?;
    for connection in connections.iter().filter(|c| c.status == ConnectionStatus::Linked) {
        emulator.start_sync(&company_id, connection, false);
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Query of `POST .../data/queue/{dataType}`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueueParams {
    connection_id: Option<String>,
}

/// `POST /companies/{companyId}/data/queue/{dataType}`: 200 with the queued operation.
pub async fn refresh_data_type(
    State(emulator): State<Arc<Emulator>>,
    Path((company_id, data_type)): Path<(String, String)>,
    Query(params): Query<QueueParams>,
) -> ApiResult<Json<PullOperation>> {
    let connections =
        emulator.store.connections(&company_id).ok_or_else(|| company_not_found(&company_id))?;
    if !ALL_DATA_TYPES.contains(&data_type.as_str()) {
        return Err(CodatErrorResponse::bad_request(format!("'{data_type}' is not a valid data type.")));
    }
    let connection = connections
        .iter()
        .filter(|c| c.status == ConnectionStatus::Linked)
        .find(|c| params.connection_id.as_deref().is_none_or(|id| c.id == id))
        .ok_or_else(|| {
            CodatErrorResponse::bad_request("The company has no linked connection to read from.")
        })?;
    let record = emulator.queue_pull(&company_id, connection, &data_type);
    Ok(Json(record.operation(now_ms())))
}

/// `GET /companies/{companyId}/data/history`
pub async fn history(
    State(emulator): State<Arc<Emulator>>,
    Path(company_id): Path<String>,
    Query(params): Query<ListParams>,
) -> ApiResult<Response> {
    if emulator.store.company(&company_id).is_none() {
        return Err(company_not_found(&company_id));
    }
    let now = now_ms();
    let mut operations: Vec<PullOperation> =
        emulator.store.pulls(&company_id).iter().map(|r| r.operation(now)).collect();
    operations.reverse();
    let path = format!("/companies/{company_id}/data/history");
    Ok(Json(paginate(&operations, &params, &path)?).into_response())
}

/// `GET /companies/{companyId}/data/history/{datasetId}`
pub async fn history_item(
    State(emulator): State<Arc<Emulator>>,
    Path((company_id, dataset_id)): Path<(String, String)>,
) -> ApiResult<Json<PullOperation>> {
    if emulator.store.company(&company_id).is_none() {
        return Err(company_not_found(&company_id));
    }
    emulator
        .store
        .pulls(&company_id)
        .iter()
        .find(|r| r.id == dataset_id)
        .map(|r| Json(r.operation(now_ms())))
        .ok_or_else(|| CodatErrorResponse::not_found(format!("Pull operation {dataset_id} not found.")))
}

/// `GET /companies/{companyId}/accessToken`: a one-day bearer token.
pub async fn access_token(
    State(emulator): State<Arc<Emulator>>,
    Path(company_id): Path<String>,
) -> ApiResult<Json<CompanyAccessToken>> {
    if emulator.store.company(&company_id).is_none() {
        return Err(company_not_found(&company_id));
    }
    Ok(Json(CompanyAccessToken {
        expires_in: 86_400,
        access_token: format!("emu_{}", uuid::Uuid::new_v4().simple()),
        token_type: "Bearer".into(),
    }))
}
