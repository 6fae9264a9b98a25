//! The lender's back office API, behind `ADMIN_TOKEN`: a merchant's status
//! (`GET /v1/merchants/{merchantId}`) and merchants by readiness (`GET /v1/merchants`); the log
//! of webhook deliveries is `super::deliveries`'.

use super::readiness::{assess, kind_of_data_type};
use crate::{
    db::{rfc3339, MerchantRecord},
    error::AppError,
    AppState,
};
use axum::{
    extract::{Path, Query, State},
    Json,
};
use codat_connect_api::{lender_events::CompanyIdentity, Progress, Requirements, SourceType};
use serde::{Deserialize, Serialize};

/// Items on a page of a list.
pub const PAGE_SIZE: i64 = 50;

/// A merchant as a list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MerchantSummary {
    /// The lender's id for the merchant.
    pub merchant_id: String,
    /// Trading name.
    pub business_name: String,
    /// Its Codat company.
    pub company_id: Option<String>,
    /// Ready for a decision.
    pub ready: bool,
    /// Since when (RFC 3339).
    pub ready_at: Option<String>,
    /// When the merchant was first seen (RFC 3339).
    pub created_at: String,
}

/// A merchant's connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionView {
    /// Codat's connection id.
    pub id: String,
    /// The platform's key.
    pub platform_key: Option<String>,
    /// The platform's name.
    pub platform_name: Option<String>,
    /// Its kind.
    pub source_type: SourceType,
    /// Codat's status (`PendingAuth`, `Linked`, `Unlinked`, `Deauthorized`).
    pub status: codat::ConnectionStatus,
    /// First seen (RFC 3339).
    pub created_at: Option<String>,
    /// Status last changed (RFC 3339).
    pub updated_at: String,
}

/// One data type's read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DataTypeView {
    /// Codat's data type.
    pub data_type: String,
    /// The kind of platform it is read from.
    pub source_type: SourceType,
    /// `Queued`, `Fetching`, `Complete`, `Failed` or `NotSupported`.
    pub state: codat_connect_api::SyncState,
    /// Last changed (RFC 3339).
    pub updated_at: String,
}

/// `GET /v1/merchants/{merchantId}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MerchantStatus {
    /// The merchant.
    #[serde(flatten)]
    pub merchant: MerchantSummary,
    /// What the lender asked for.
    pub requirements: Requirements,
    /// Kinds linked, missing and skipped.
    pub progress: Progress,
    /// Linked kinds whose first read has not finished.
    pub waiting_for_first_read: Vec<SourceType>,
    /// A connection lost its access or a read failed.
    pub attention_needed: bool,
    /// Its connections, oldest first.
    pub connections: Vec<ConnectionView>,
    /// Its data types' reads.
    pub data_types: Vec<DataTypeView>,
    /// Documents sent instead of linking a platform, oldest first (at Codat: its Files API
    /// downloads them).
    pub documents: Vec<codat_connect_api::SentDocument>,
    /// The business at its accounting platform, as Codat's company information last named it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_identity: Option<IdentityView>,
    /// The person the owner handed the linking to, while the merchant is not ready.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting_on: Option<super::handoffs::WaitingOn>,
}

/// The business at a merchant's accounting platform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentityView {
    /// As named now.
    #[serde(flatten)]
    pub current: CompanyIdentity,
    /// As named before, when the latest change named another business.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<CompanyIdentity>,
    /// When it changed (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changed_at: Option<String>,
}

/// A page of a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    /// This page's items.
    pub results: Vec<T>,
    /// This page's number, from 1.
    pub page: i64,
    /// Items per page.
    pub page_size: i64,
    /// The next page's number, when there may be one.
    pub next_page: Option<i64>,
}

/// `?page=` (from 1) and, for merchants, `?ready=`; for deliveries, `?merchantId=` and `?status=`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListQuery {
    page: Option<String>,
    ready: Option<String>,
    pub(super) merchant_id: Option<String>,
    pub(super) status: Option<String>,
}

impl ListQuery {
    pub(super) fn page(&self) -> Result<i64, AppError> {
        match self.page.as_deref() {
            None => Ok(1),
            Some(text) => text
                .parse::<i64>()
                .ok()
                .filter(|page| (1..=1_000_000).contains(page))
                .ok_or_else(|| AppError::BadRequest("page is a number from 1.".into())),
        }
    }
}

/// `GET /v1/merchants/{merchantId}`
pub async fn merchant(
    State(state): State<AppState>,
    Path(merchant_id): Path<String>,
) -> Result<Json<MerchantStatus>, AppError> {
    let record = state
        .db
        .merchant_record(&merchant_id)
        .await?
        .ok_or_else(|| AppError::NotFound("There is no merchant with that id.".into()))?;
    let requirements: Requirements = serde_json::from_str(&record.requirements).unwrap_or_default();
    let connections = state.db.merchant_connections(&merchant_id).await?;
    let reads = state.db.data_reads(&merchant_id).await?;
    let documents = state.db.documents(&merchant_id).await?;
    let assessment = assess(&requirements, &connections, &reads, &super::readiness::documented(&documents));
    let connections = connections
        .into_iter()
        .map(|c| ConnectionView {
            source_type: c.kind(),
            id: c.id,
            platform_key: c.platform_key,
            platform_name: c.platform_name,
            status: c.status,
            created_at: c.created_at.map(rfc3339),
            updated_at: rfc3339(c.updated_at),
        })
        .collect();
    let data_types = reads
        .into_iter()
        .map(|r| DataTypeView {
            source_type: kind_of_data_type(&r.data_type),
            data_type: r.data_type,
            state: r.status,
            updated_at: rfc3339(r.updated_at),
        })
        .collect();
    let waiting_on = super::handoffs::waiting_on(&state, &merchant_id, assessment.ready).await?;
    let documents = documents.into_iter().map(crate::flow::documents::sent).collect();
    let company_identity = state.db.identity(&merchant_id).await?.map(|identity| IdentityView {
        previous: identity.previous_name.map(|company_name| CompanyIdentity {
            company_name,
            registration_number: identity.previous_number,
        }),
        changed_at: identity.changed_at.map(rfc3339),
        current: CompanyIdentity {
            company_name: identity.company_name,
            registration_number: identity.registration_number,
        },
    });
    Ok(Json(MerchantStatus {
        waiting_on,
        documents,
        company_identity,
        merchant: summary(record),
        requirements,
        progress: assessment.progress,
        waiting_for_first_read: assessment.reading,
        attention_needed: assessment.attention_needed,
        connections,
        data_types,
    }))
}

/// `GET /v1/merchants?ready=false&page=2`
pub async fn merchants(
    State(state): State<AppState>,
    Query(query): Query<ListQuery>,
) -> Result<Json<Page<MerchantSummary>>, AppError> {
    let page = query.page()?;
    let ready = match query.ready.as_deref() {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(_) => return Err(AppError::BadRequest("ready is true or false.".into())),
    };
    let records = state.db.merchant_records(ready, (page - 1) * PAGE_SIZE, PAGE_SIZE).await?;
    Ok(Json(paged(records.into_iter().map(summary).collect(), page)))
}

pub(super) fn paged<T>(results: Vec<T>, page: i64) -> Page<T> {
    let next_page = (results.len() as i64 == PAGE_SIZE).then_some(page + 1);
    Page { results, page, page_size: PAGE_SIZE, next_page }
}

fn summary(record: MerchantRecord) -> MerchantSummary {
    MerchantSummary {
        merchant_id: record.id,
        business_name: record.business_name,
        company_id: record.company_id,
        ready: record.ready_at.is_some(),
        ready_at: record.ready_at.map(rfc3339),
        created_at: rfc3339(record.created_at),
    }
}
