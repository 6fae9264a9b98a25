//! `/companies`: create, list, get, update, replace, delete.

use super::{bad_body, company_not_found, ApiResult};
use crate::{
    error::CodatErrorResponse,
    paging::{paginate, ListParams},
    state::now,
    Emulator,
};
use axum::{
    extract::{rejection::JsonRejection, Path, Query, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use codat::{Company, CompanyRequestBody};
use serde::Deserialize;
use std::{collections::BTreeMap, sync::Arc};

/// Most tags a company may carry.
const MAX_TAGS: usize = 10;

/// Body of `PATCH /companies/{companyId}`: absent or null fields are left as they are.
#[derive(Debug, Deserialize)]
pub struct CompanyUpdateRequest {
    name: Option<String>,
    description: Option<String>,
    tags: Option<BTreeMap<String, String>>,
}

/// `POST /companies`
pub async fn create(
    State(emulator): State<Arc<Emulator>>,
    body: Result<Json<CompanyRequestBody>, JsonRejection>,
) -> ApiResult<Json<Company>> {
    let Json(body) = body.map_err(bad_body)?;
    let name = valid_name(&body.name)?;
    let tags = valid_tags(body.tags.unwrap_or_default())?;
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
        tags,
        data_connections: Vec::new(),
    };
    let company = emulator.store.insert_company(company);
    emulator.webhooks.emit("company.created", &company, &company.tags);
    Ok(Json(company))
}

/// `GET /companies`
pub async fn list(
    State(emulator): State<Arc<Emulator>>,
    Query(params): Query<ListParams>,
) -> ApiResult<Response> {
    let companies = emulator.store.companies();
    Ok(Json(paginate(&companies, &params, "/companies")?).into_response())
}

/// `GET /companies/{companyId}`
pub async fn get(
    State(emulator): State<Arc<Emulator>>,
    Path(company_id): Path<String>,
) -> ApiResult<Json<Company>> {
    emulator.store.company(&company_id).map(Json).ok_or_else(|| company_not_found(&company_id))
}

/// `PATCH /companies/{companyId}`
pub async fn update(
    State(emulator): State<Arc<Emulator>>,
    Path(company_id): Path<String>,
    body: Result<Json<CompanyUpdateRequest>, JsonRejection>,
) -> ApiResult<Json<Company>> {
    let Json(body) = body.map_err(bad_body)?;
    let name = body.name.as_deref().map(valid_name).transpose()?;
    let tags = body.tags.map(valid_tags).transpose()?;
    emulator
        .store
        .update_company(&company_id, |company| {
            if let Some(name) = name {
                company.name = name;
            }
            if let Some(description) = body.description {
                company.description = Some(description);
            }
            if let Some(tags) = tags {
                company.tags = tags;
            }
        })
        .map(Json)
        .ok_or_else(|| company_not_found(&company_id))
}

/// `PUT /companies/{companyId}`
pub async fn replace(
    State(emulator): State<Arc<Emulator>>,
    Path(company_id): Path<String>,
    body: Result<Json<CompanyRequestBody>, JsonRejection>,
) -> ApiResult<Json<Company>> {
    let Json(body) = body.map_err(bad_body)?;
    let name = valid_name(&body.name)?;
    let tags = valid_tags(body.tags.unwrap_or_default())?;
    emulator
        .store
        .update_company(&company_id, |company| {
            company.name = name;
            company.description = body.description;
            company.tags = tags;
        })
        .map(Json)
        .ok_or_else(|| company_not_found(&company_id))
}

/// `DELETE /companies/{companyId}`: 204, permanently.
pub async fn delete(
    State(emulator): State<Arc<Emulator>>,
    Path(company_id): Path<String>,
) -> ApiResult<StatusCode> {
    let company = emulator.store.delete_company(&company_id).ok_or_else(|| company_not_found(&company_id))?;
    emulator.webhooks.emit("company.deleted", &company, &company.tags);
    Ok(StatusCode::NO_CONTENT)
}

/// Codat silently drops these characters from company names.
fn strip_forbidden(name: &str) -> String {
    name.chars().filter(|c| !matches!(c, '(' | ')' | '[' | ']' | '{' | '}' | '<' | '>')).collect()
}

fn valid_name(name: &str) -> ApiResult<String> {
    let name = strip_forbidden(name);
    if name.trim().is_empty() {
        return Err(CodatErrorResponse::bad_request("Company name must not be empty."));
    }
    Ok(name)
}

fn valid_tags(tags: BTreeMap<String, String>) -> ApiResult<BTreeMap<String, String>> {
    if tags.len() > MAX_TAGS {
        return Err(CodatErrorResponse::bad_request(format!("A company has at most {MAX_TAGS} tags.")));
    }
    if let Some((key, _)) = tags
        .iter()
        .find(|(key, value)| key.is_empty() || key.chars().count() > 27 || value.chars().count() > 100)
    {
        return Err(CodatErrorResponse::bad_request(format!(
            "Tag '{key}' is not valid: keys have 1 to 27 characters and values at most 100."
        )));
    }
    Ok(tags)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_characters_are_stripped_from_company_names() {
        assert_eq!(strip_forbidden("Company (Codat[1])"), "Company Codat1");
    }

    #[test]
    fn tags_are_limited_as_codat_limits_them() {
        let many: BTreeMap<_, _> = (0..11).map(|i| (format!("k{i}"), "v".to_string())).collect();
        assert!(valid_tags(many).is_err());
        let long_key: BTreeMap<_, _> = [("k".repeat(28), "v".to_string())].into();
        assert!(valid_tags(long_key).is_err());
        let fine: BTreeMap<_, _> = [("region".to_string(), "uk".to_string())].into();
        assert!(valid_tags(fine).is_ok());
    }
}
