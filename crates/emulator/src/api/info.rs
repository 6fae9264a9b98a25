//! `GET /companies/{companyId}/data/info`: the company as its accounting platform describes it
//! (Codat's company information, in its Accounting and Lending APIs; the contract test checks it
//! against `spec/Codat-Spend-Insights.json`, which carries the same operation). What Codat
//! answers is what the latest finished read of the `company` data type found, so after a
//! reconnect it changes only once that read ends; before any, 404. What the platform holds is
//! set with `PUT /_emulator/companies/{companyId}/info` (the owner chose another company there).

use super::prelude::*;
use crate::state::CompanyInfo;

/// The answer: the spec's `AccountingCompanyInfo`, with what the emulator knows of it.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct InfoAnswer {
    company_name: String,
    company_legal_name: String,
    registration_number: String,
    accounting_platform_ref: String,
    base_currency: &'static str,
    source_urls: std::collections::BTreeMap<String, String>,
}

/// `GET /companies/{companyId}/data/info`
pub async fn get(
    State(emulator): State<Arc<Emulator>>,
    Path(company_id): Path<String>,
) -> ApiResult<Response> {
    if emulator.store.company(&company_id).is_none() {
        return Err(company_not_found(&company_id));
    }
    let now = crate::sync::now_ms();
    let Some(info) = emulator.store.company_info_read(&company_id, now) else {
        return Err(CodatErrorResponse::not_found(format!(
            "No data available for company {company_id}: its company information has not been read yet."
        )));
    };
    let CompanyInfo { company_name, registration_number } = info;
    let answer = InfoAnswer {
        company_legal_name: format!("{company_name} Ltd"),
        accounting_platform_ref: registration_number.clone(),
        company_name,
        registration_number,
        base_currency: "GBP",
        source_urls: std::collections::BTreeMap::new(),
    };
    Ok(Json(answer).into_response())
}
