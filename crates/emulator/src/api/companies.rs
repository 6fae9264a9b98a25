//! `/companies`: create, list, get, update, replace, delete.

use super::prelude::*;
use crate::state::now;
use codat::{Company, CompanyRequestBody};
use serde::Deserialize;
use std::collections::BTreeMap;

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

/// Query of `GET /companies` beyond paging: the company-tag filter.
#[derive(Debug, Deserialize)]
pub struct TagFilter {
    tags: Option<String>,
}

/// `GET /companies`. Codat's docs say the query language may not apply to listing companies,
/// so `query` is ignored here unless the emulator is told otherwise; `tags` filters by company
/// tags (`key=value`, `key!=value`, `key~value`, joined by `&&`).
pub async fn list(
    State(emulator): State<Arc<Emulator>>,
    Query(params): Query<ListParams>,
    Query(filter): Query<TagFilter>,
) -> ApiResult<Response> {
    let mut companies = emulator.store.companies();
    if let Some(tags) = filter.tags.as_deref().filter(|t| !t.trim().is_empty()) {
        let conditions = parse_tag_filter(tags)?;
        companies.retain(|company| conditions.iter().all(|condition| condition.holds(&company.tags)));
    }
    let params = if emulator.queries_companies() { params } else { params.without_query() };
    Ok(Json(paginate(&companies, &params, "/companies")?).into_response())
}

/// One `key op value` of a tag filter.
#[derive(Debug, PartialEq, Eq)]
struct TagCondition {
    key: String,
    op: &'static str,
    value: String,
}

impl TagCondition {
    fn holds(&self, tags: &BTreeMap<String, String>) -> bool {
        let found = tags.get(&self.key);
        match self.op {
            "=" => found == Some(&self.value),
            "!=" => found != Some(&self.value),
            _ => found.is_some_and(|v| v.contains(&self.value)),
        }
    }
}

fn parse_tag_filter(filter: &str) -> Result<Vec<TagCondition>, CodatErrorResponse> {
    filter
        .split("&&")
        .map(|part| {
            let part = part.trim();
            let (op, at) = ["!=", "=", "~"]
                .iter()
                .find_map(|op| part.find(op).map(|at| (*op, at)))
                .ok_or_else(|| {
                    CodatErrorResponse::bad_request(format!("Error parsing tags - '{part}' has no operator."))
                })?;
            let key = part[..at].trim().to_owned();
            let value = part[at + op.len()..].trim().to_owned();
            if key.is_empty() {
                return Err(CodatErrorResponse::bad_request(format!(
                    "Error parsing tags - '{part}' has no key."
                )));
            }
            Ok(TagCondition { key, op, value })
        })
        .collect()
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
mod tag_filter_tests {
    use super::*;

    #[test]
    fn tag_filters_match_by_equality_inequality_and_containment() {
        let tags: BTreeMap<String, String> =
            [("merchant".to_owned(), "m-1".to_owned()), ("region".to_owned(), "uk-south".to_owned())].into();
        let holds = |filter: &str| parse_tag_filter(filter).unwrap().iter().all(|c| c.holds(&tags));
        assert!(holds("merchant=m-1 && region~uk"));
        assert!(!holds("merchant=m-2"));
        assert!(holds("merchant!=m-2"));
        assert!(!holds("merchant=m-1 && team=x"));
        assert!(parse_tag_filter("merchant").is_err());
    }
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
