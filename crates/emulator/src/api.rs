//! The emulator's Codat API endpoints.

use crate::{
    branding::Artwork,
    error::CodatErrorResponse,
    paging::{paginate, ListParams},
    state::now,
    Emulator,
};
use axum::{
    extract::{rejection::JsonRejection, Path, Query, State},
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use codat::{
    Branding, BrandingButton, BrandingImage, BrandingLogo, Company, CompanyRequestBody, Connection,
    ConnectionStatus, CreateConnectionRequest, ImageReference, Integration, Profile,
};
use std::sync::Arc;

type ApiResult<T> = Result<T, CodatErrorResponse>;

/// `POST /companies`
pub async fn create_company(
    State(emulator): State<Arc<Emulator>>,
    body: Result<Json<CompanyRequestBody>, JsonRejection>,
) -> ApiResult<Json<Company>> {
    let Json(body) = body.map_err(bad_body)?;
    let name = strip_forbidden(&body.name);
    if name.trim().is_empty() {
        return Err(CodatErrorResponse::bad_request("Company name must not be empty."));
    }
    let id = uuid::Uuid::new_v4().to_string();
    let company = Company {
        redirect: format!("{}/link/company/{id}", emulator.public_url()),
        id,
        name,
        description: Some(body.description.unwrap_or_default()),
        last_sync: None,
        created: Some(now()),
        created_by_user_name: Some("Codat emulator".into()),
        products: Vec::new(),
        tags: body.tags.unwrap_or_default(),
        data_connections: Vec::new(),
    };
    Ok(Json(emulator.store.insert_company(company)))
}

/// `GET /companies`
pub async fn list_companies(
    State(emulator): State<Arc<Emulator>>,
    Query(params): Query<ListParams>,
) -> ApiResult<Response> {
    let companies = emulator.store.companies();
    Ok(Json(paginate(&companies, &params, "/companies")?).into_response())
}

/// `GET /companies/{companyId}`
pub async fn get_company(
    State(emulator): State<Arc<Emulator>>,
    Path(company_id): Path<String>,
) -> ApiResult<Json<Company>> {
    emulator.store.company(&company_id).map(Json).ok_or_else(|| company_not_found(&company_id))
}

/// `GET /integrations`
pub async fn list_integrations(
    State(emulator): State<Arc<Emulator>>,
    Query(params): Query<ListParams>,
) -> ApiResult<Response> {
    let integrations: Vec<Integration> =
        emulator.catalog.all().iter().map(|p| emulator.integration(p)).collect();
    Ok(Json(paginate(&integrations, &params, "/integrations")?).into_response())
}

/// `GET /integrations/{platformKey}`
pub async fn get_integration(
    State(emulator): State<Arc<Emulator>>,
    Path(platform_key): Path<String>,
) -> ApiResult<Json<Integration>> {
    let platform = emulator.catalog.get(&platform_key).ok_or_else(|| integration_not_found(&platform_key))?;
    Ok(Json(emulator.integration(platform)))
}

/// `GET /integrations/{platformKey}/branding`
pub async fn get_branding(
    State(emulator): State<Arc<Emulator>>,
    Path(platform_key): Path<String>,
) -> ApiResult<Json<Branding>> {
    let platform = emulator.catalog.get(&platform_key).ok_or_else(|| integration_not_found(&platform_key))?;
    let image = |artwork: Artwork, alt: String| BrandingImage {
        image: Some(ImageReference {
            src: Some(emulator.artwork_url(&platform.key, artwork)),
            alt: Some(alt),
        }),
    };
    let lower = platform.name.to_lowercase();
    Ok(Json(Branding {
        logo: Some(BrandingLogo {
            full: Some(image(Artwork::Full, format!("{lower} full icon"))),
            square: Some(image(Artwork::Square, format!("{lower} square icon"))),
        }),
        button: Some(BrandingButton {
            default: Some(image(Artwork::Button, format!("{lower} default button icon"))),
            hover: Some(image(Artwork::ButtonHover, format!("{lower} hover button icon"))),
        }),
        source_id: Some(platform.source_id.clone()),
    }))
}

/// `GET /static/{platformKey}/{artwork}.svg`: the emulator's own branding images (no auth).
pub async fn artwork(
    State(emulator): State<Arc<Emulator>>,
    Path((platform_key, file)): Path<(String, String)>,
) -> Response {
    let artwork = file.strip_suffix(".svg").and_then(Artwork::from_slug);
    match (emulator.catalog.get(&platform_key), artwork) {
        (Some(platform), Some(artwork)) => (
            [(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, "public, max-age=86400")],
            crate::branding::svg(platform, artwork),
        )
            .into_response(),
        _ => CodatErrorResponse::not_found("No such image.").into_response(),
    }
}

/// `POST /companies/{companyId}/connections`
pub async fn create_connection(
    State(emulator): State<Arc<Emulator>>,
    Path(company_id): Path<String>,
    body: Result<Json<CreateConnectionRequest>, JsonRejection>,
) -> ApiResult<Json<Connection>> {
    let Json(body) = body.map_err(bad_body)?;
    if emulator.store.company(&company_id).is_none() {
        return Err(company_not_found(&company_id));
    }
    let platform = emulator.catalog.get(&body.platform_key).ok_or_else(|| {
        CodatErrorResponse::bad_request(format!("Integration with key '{}' not found.", body.platform_key))
    })?;
    if !platform.enabled {
        return Err(CodatErrorResponse::bad_request(format!(
            "Integration '{}' is not enabled.",
            platform.key
        )));
    }
    let id = uuid::Uuid::new_v4().to_string();
    let connection = Connection {
        link_url: emulator.link_url(&company_id, &id),
        id,
        integration_id: platform.integration_id.clone(),
        integration_key: Some(platform.key.clone()),
        source_id: platform.source_id.clone(),
        source_type: platform.source_type,
        platform_name: platform.name.clone(),
        status: ConnectionStatus::PendingAuth,
        last_sync: None,
        created: now(),
        data_connection_errors: None,
        connection_info: None,
    };
    emulator
        .store
        .insert_connection(&company_id, connection)
        .map(Json)
        .ok_or_else(|| company_not_found(&company_id))
}

/// `GET /companies/{companyId}/connections`
pub async fn list_connections(
    State(emulator): State<Arc<Emulator>>,
    Path(company_id): Path<String>,
    Query(params): Query<ListParams>,
) -> ApiResult<Response> {
    let connections =
        emulator.store.connections(&company_id).ok_or_else(|| company_not_found(&company_id))?;
    let path = format!("/companies/{company_id}/connections");
    Ok(Json(paginate(&connections, &params, &path)?).into_response())
}

/// `GET /companies/{companyId}/connections/{connectionId}`
pub async fn get_connection(
    State(emulator): State<Arc<Emulator>>,
    Path((company_id, connection_id)): Path<(String, String)>,
) -> ApiResult<Json<Connection>> {
    if emulator.store.company(&company_id).is_none() {
        return Err(company_not_found(&company_id));
    }
    emulator
        .store
        .connection(&company_id, &connection_id)
        .map(Json)
        .ok_or_else(|| connection_not_found(&connection_id))
}

/// `GET /profile`
pub async fn get_profile(State(emulator): State<Arc<Emulator>>) -> Json<Profile> {
    Json(emulator.store.profile())
}

/// `PUT /profile`
pub async fn put_profile(
    State(emulator): State<Arc<Emulator>>,
    body: Result<Json<Profile>, JsonRejection>,
) -> ApiResult<Json<Profile>> {
    let Json(profile) = body.map_err(bad_body)?;
    Ok(Json(emulator.store.set_profile(profile)))
}

/// Any path the emulator does not know.
pub async fn unknown_route() -> CodatErrorResponse {
    CodatErrorResponse::new(StatusCode::NOT_FOUND, "The requested resource was not found.")
}

fn bad_body(rejection: JsonRejection) -> CodatErrorResponse {
    CodatErrorResponse::bad_request(format!("The request body is not valid: {}", rejection.body_text()))
}

fn company_not_found(id: &str) -> CodatErrorResponse {
    CodatErrorResponse::not_found(format!("Company {id} not found."))
}

fn connection_not_found(id: &str) -> CodatErrorResponse {
    CodatErrorResponse::not_found(format!("Data connection {id} not found."))
}

fn integration_not_found(key: &str) -> CodatErrorResponse {
    CodatErrorResponse::not_found(format!("Integration with key '{key}' not found."))
}

/// Codat silently drops these characters from company names.
fn strip_forbidden(name: &str) -> String {
    name.chars().filter(|c| !matches!(c, '(' | ')' | '[' | ']' | '{' | '}' | '<' | '>')).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_characters_are_stripped_from_company_names() {
        assert_eq!(strip_forbidden("Company (Codat[1])"), "Company Codat1");
    }
}
