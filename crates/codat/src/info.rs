//! Codat's company information (`GET /companies/{companyId}/data/info`, in its Accounting and
//! Lending APIs; `spec/Codat-Spend-Insights.json` carries the same operation): the business as
//! its accounting platform names it, from the latest read of the `company` data type.

use crate::{
    client::{segment, CodatClient},
    CodatError,
};
use reqwest::Method;
use serde::{Deserialize, Serialize};

/// What the product reads of company information (the rest is ignored).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompanyInformation {
    /// Name of the linked company.
    #[serde(default)]
    pub company_name: Option<String>,
    /// Its registered legal name.
    #[serde(default)]
    pub company_legal_name: Option<String>,
    /// Its registration number with the companies authority of its country.
    #[serde(default)]
    pub registration_number: Option<String>,
}

impl CodatClient {
    /// `GET /companies/{companyId}/data/info`: 404 before the company's accounting platform has
    /// been read.
    pub async fn company_info(&self, company_id: &str) -> Result<CompanyInformation, CodatError> {
        let path = format!("/companies/{}/data/info", segment(company_id));
        self.send(Method::GET, path, None::<&()>).await
    }
}
