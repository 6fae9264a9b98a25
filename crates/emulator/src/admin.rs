//! `/_emulator/*`: controls for tests and demos that Codat itself does not have: faults, forcing
//! a connection to `Deauthorized`, what a company's accounting platform says of the business,
//! enabling platforms, a platform's Link pages failing, and counting requests.

use crate::{
    api::{bad_body, company_not_found, connection_not_found, integration_not_found, ApiResult},
    faults::FaultPlan,
    state::now,
    Emulator,
};
use axum::{
    extract::{rejection::JsonRejection, Path, State},
    http::StatusCode,
    routing::{post, put},
    Json, Router,
};
use codat::{Connection, ConnectionStatus, DataConnectionError};
use serde::Deserialize;
use std::{collections::BTreeMap, sync::Arc};

/// The control routes.
pub fn router() -> Router<Arc<Emulator>> {
    Router::new()
        .route("/_emulator/faults", put(set_faults).delete(clear_faults))
        .route("/_emulator/companies/{company_id}/connections/{connection_id}/deauthorize", post(deauthorize))
        .route("/_emulator/companies/{company_id}/info", put(set_info))
        .route("/_emulator/integrations/{platform_key}", put(set_enabled))
        .route("/_emulator/integrations/{platform_key}/link", put(set_link_failing))
        .route("/_emulator/requests", axum::routing::get(requests))
}

/// `PUT /_emulator/companies/{companyId}/info {"companyName", "registrationNumber"}`: what the
/// company's accounting platform says of the business from now on, as when the owner chose
/// another company there; its next read of `company` finds it (204).
async fn set_info(
    State(emulator): State<Arc<Emulator>>,
    Path(company_id): Path<String>,
    body: Result<Json<crate::state::CompanyInfo>, JsonRejection>,
) -> ApiResult<StatusCode> {
    let Json(info) = body.map_err(bad_body)?;
    if emulator.store.company(&company_id).is_none() {
        return Err(company_not_found(&company_id));
    }
    emulator.store.set_platform_info(&company_id, info);
    Ok(StatusCode::NO_CONTENT)
}

/// `PUT /_emulator/faults`: replaces the faults in force.
async fn set_faults(
    State(emulator): State<Arc<Emulator>>,
    body: Result<Json<FaultPlan>, JsonRejection>,
) -> ApiResult<StatusCode> {
    let Json(plan) = body.map_err(bad_body)?;
    emulator.faults.set(plan);
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /_emulator/faults`
async fn clear_faults(State(emulator): State<Arc<Emulator>>) -> StatusCode {
    emulator.faults.clear();
    StatusCode::NO_CONTENT
}

/// `POST /_emulator/companies/{companyId}/connections/{connectionId}/deauthorize`: the platform
/// revokes access, as when the owner disconnects Codat at the platform's side.
async fn deauthorize(
    State(emulator): State<Arc<Emulator>>,
    Path((company_id, connection_id)): Path<(String, String)>,
) -> ApiResult<Json<Connection>> {
    if emulator.store.company(&company_id).is_none() {
        return Err(company_not_found(&company_id));
    }
    let connection = emulator
        .store
        .update_connection(&company_id, &connection_id, |connection| {
            connection.status = ConnectionStatus::Deauthorized;
            connection.data_connection_errors.get_or_insert_with(Vec::new).push(DataConnectionError {
                status_code: Some("401".into()),
                status_text: Some("The integration de-authorized access to the connection.".into()),
                error_message: Some("Access was revoked at the platform.".into()),
                errored_on_utc: Some(now()),
            });
        })
        .ok_or_else(|| connection_not_found(&connection_id))?;
    emulator.emit_connection("connection.disconnected", &company_id, &connection);
    Ok(Json(connection))
}

/// Body of `PUT /_emulator/integrations/{platformKey}`.
#[derive(Debug, Deserialize)]
struct Enabled {
    enabled: bool,
}

/// `PUT /_emulator/integrations/{platformKey}`: enables or disables a platform.
async fn set_enabled(
    State(emulator): State<Arc<Emulator>>,
    Path(platform_key): Path<String>,
    body: Result<Json<Enabled>, JsonRejection>,
) -> ApiResult<StatusCode> {
    let Json(body) = body.map_err(bad_body)?;
    if emulator.catalog.set_enabled(&platform_key, body.enabled) {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(integration_not_found(&platform_key))
    }
}

/// Body of `PUT /_emulator/integrations/{platformKey}/link`.
#[derive(Debug, Deserialize)]
struct LinkFailing {
    fails: bool,
}

/// `PUT /_emulator/integrations/{platformKey}/link`: `{"fails": true}` makes every authorization
/// on the platform's Link pages end in a platform error (500, recorded on the connection, with
/// `connection.failed`), as when the platform is down; `false` mends it.
async fn set_link_failing(
    State(emulator): State<Arc<Emulator>>,
    Path(platform_key): Path<String>,
    body: Result<Json<LinkFailing>, JsonRejection>,
) -> ApiResult<StatusCode> {
    let Json(body) = body.map_err(bad_body)?;
    if emulator.catalog.get(&platform_key).is_none() {
        return Err(integration_not_found(&platform_key));
    }
    emulator.set_link_failing(&platform_key, body.fails);
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /_emulator/requests`: API requests answered, per operation.
async fn requests(State(emulator): State<Arc<Emulator>>) -> Json<BTreeMap<String, u64>> {
    Json(emulator.request_counts())
}
