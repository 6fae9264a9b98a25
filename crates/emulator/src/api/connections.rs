//! `/companies/{companyId}/connections`: create, list, get, unlink, delete, update authorization.

use super::{connection_not_found, prelude::*};
use crate::state::now;
use codat::{Connection, ConnectionStatus, CreateConnectionRequest, UpdateConnectionStatus};
use std::collections::BTreeMap;

/// `POST /companies/{companyId}/connections`
pub async fn create(
    State(emulator): State<Arc<Emulator>>,
    Path(company_id): Path<String>,
    body: Result<Json<CreateConnectionRequest>, JsonRejection>,
) -> ApiResult<Json<Connection>> {
    let Json(body) = body.map_err(bad_body)?;
    Ok(Json(open(&emulator, &company_id, &body.platform_key)?))
}

/// Creates a `PendingAuth` connection to `platform_key` with a fresh Link URL (the API and the
/// hosted Link page both start connections here).
pub fn open(emulator: &Emulator, company_id: &str, platform_key: &str) -> ApiResult<Connection> {
    let company_id = company_id.to_owned();
    if emulator.store.company(&company_id).is_none() {
        return Err(company_not_found(&company_id));
    }
    let platform = emulator.catalog.get(platform_key).ok_or_else(|| {
        CodatErrorResponse::bad_request(format!("Integration with key '{platform_key}' not found."))
    })?;
    if !platform.enabled {
        return Err(CodatErrorResponse::bad_request(format!(
            "Integration '{}' is not enabled.",
            platform.key
        )));
    }
    if platform.source_type == codat::SourceType::Accounting && !emulator.allows_multiple_accounting() {
        let existing = emulator.store.connections(&company_id).unwrap_or_default();
        if let Some(other) = existing.iter().find(|c| c.source_type == codat::SourceType::Accounting) {
            return Err(CodatErrorResponse::bad_request(format!(
                "Company {company_id} already has an accounting data connection ({}, {}). \
                 A company can have only one; delete it before adding another.",
                other.platform_name,
                other.status.as_str()
            )));
        }
    }
    let id = uuid::Uuid::new_v4().to_string();
    let connection = Connection {
        link_url: emulator.link_url(&company_id, &id),
        id,
        integration_id: platform.integration_id.clone(),
        integration_key: (!platform.no_integration_key).then(|| platform.key.clone()),
        source_id: platform.source_id.clone(),
        source_type: platform.source_type,
        platform_name: platform.name.clone(),
        status: ConnectionStatus::PendingAuth,
        last_sync: None,
        created: now(),
        data_connection_errors: None,
        connection_info: None,
    };
    let connection = emulator
        .store
        .insert_connection(&company_id, connection)
        .ok_or_else(|| company_not_found(&company_id))?;
    emulator.emit_connection("connection.created", &company_id, &connection);
    Ok(emulator.with_fresh_link(&company_id, connection))
}

/// `GET /companies/{companyId}/connections`
pub async fn list(
    State(emulator): State<Arc<Emulator>>,
    Path(company_id): Path<String>,
    Query(params): Query<ListParams>,
) -> ApiResult<Response> {
    let connections =
        emulator.store.connections(&company_id).ok_or_else(|| company_not_found(&company_id))?;
    let connections: Vec<Connection> =
        connections.into_iter().map(|c| emulator.with_fresh_link(&company_id, c)).collect();
    let path = format!("/companies/{company_id}/connections");
    Ok(Json(paginate(&connections, &params, &path)?).into_response())
}

/// `GET /companies/{companyId}/connections/{connectionId}`
pub async fn get(
    State(emulator): State<Arc<Emulator>>,
    Path((company_id, connection_id)): Path<(String, String)>,
) -> ApiResult<Json<Connection>> {
    let connection = existing(&emulator, &company_id, &connection_id)?;
    Ok(Json(emulator.with_fresh_link(&company_id, connection)))
}

/// `PATCH /companies/{companyId}/connections/{connectionId}`: unlink (stop syncing, keep data).
pub async fn unlink(
    State(emulator): State<Arc<Emulator>>,
    Path((company_id, connection_id)): Path<(String, String)>,
    body: Result<Json<UpdateConnectionStatus>, JsonRejection>,
) -> ApiResult<Json<Connection>> {
    let Json(body) = body.map_err(bad_body)?;
    let current = existing(&emulator, &company_id, &connection_id)?;
    match body.status {
        Some(ConnectionStatus::Unlinked) => {}
        _ => {
            return Err(CodatErrorResponse::bad_request(
                "The only status a connection can be set to is Unlinked.",
            ))
        }
    }
    if current.status != ConnectionStatus::Linked {
        return Err(CodatErrorResponse::bad_request("Only Linked data connections can be unlinked."));
    }
    let unlinked = emulator
        .store
        .set_connection_status(&company_id, &connection_id, ConnectionStatus::Unlinked)
        .ok_or_else(|| connection_not_found(&connection_id))?;
    emulator.emit_connection("connection.disconnected", &company_id, &unlinked);
    Ok(Json(unlinked))
}

/// `DELETE /companies/{companyId}/connections/{connectionId}`: 200 with no body.
pub async fn delete(
    State(emulator): State<Arc<Emulator>>,
    Path((company_id, connection_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    if emulator.store.company(&company_id).is_none() {
        return Err(company_not_found(&company_id));
    }
    let deleted = emulator
        .store
        .delete_connection(&company_id, &connection_id)
        .ok_or_else(|| connection_not_found(&connection_id))?;
    emulator.emit_connection("connection.deleted", &company_id, &deleted);
    Ok(StatusCode::OK)
}

/// `PUT /companies/{companyId}/connections/{connectionId}/authorization`
pub async fn update_authorization(
    State(emulator): State<Arc<Emulator>>,
    Path((company_id, connection_id)): Path<(String, String)>,
    body: Result<Json<BTreeMap<String, String>>, JsonRejection>,
) -> ApiResult<Response> {
    let Json(body) = body.map_err(bad_body)?;
    existing(&emulator, &company_id, &connection_id)?;
    let info: serde_json::Map<String, serde_json::Value> =
        body.into_iter().map(|(k, v)| (k, serde_json::Value::String(v))).collect();
    let updated = emulator
        .store
        .update_connection(&company_id, &connection_id, |c| c.connection_info = Some(info))
        .ok_or_else(|| connection_not_found(&connection_id))?;
    Ok(Json(updated).into_response())
}

fn existing(emulator: &Emulator, company_id: &str, connection_id: &str) -> ApiResult<Connection> {
    if emulator.store.company(company_id).is_none() {
        return Err(company_not_found(company_id));
    }
    emulator.store.connection(company_id, connection_id).ok_or_else(|| connection_not_found(connection_id))
}
