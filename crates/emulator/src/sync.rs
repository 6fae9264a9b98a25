//! The first data sync and later refreshes: one pull operation per data type, moving through
//! Codat's states (`Queued`, `Fetching`, `Mapping`, `Complete`) over a configured time. Status
//! is computed from the clock when read, so it needs no background timer.

use codat::{PullOperation, PullStatus, SourceType};
use serde::{Deserialize, Serialize};

/// Every data type Codat names in `DataStatus.dataType`.
pub const ALL_DATA_TYPES: [&str; 43] = [
    "accountTransactions",
    "balanceSheet",
    "bankAccounts",
    "bankTransactions",
    "billCreditNotes",
    "billPayments",
    "bills",
    "cashFlowStatement",
    "chartOfAccounts",
    "company",
    "creditNotes",
    "customers",
    "directCosts",
    "directIncomes",
    "invoices",
    "itemReceipts",
    "items",
    "journalEntries",
    "journals",
    "paymentMethods",
    "payments",
    "profitAndLoss",
    "purchaseOrders",
    "salesOrders",
    "suppliers",
    "taxRates",
    "trackingCategories",
    "transfers",
    "banking-accountBalances",
    "banking-accounts",
    "banking-transactionCategories",
    "banking-transactions",
    "commerce-companyInfo",
    "commerce-customers",
    "commerce-disputes",
    "commerce-locations",
    "commerce-orders",
    "commerce-paymentMethods",
    "commerce-payments",
    "commerce-productCategories",
    "commerce-products",
    "commerce-taxComponents",
    "commerce-transactions",
];

/// The data types read on linking a platform of this kind ("fetch on first link").
pub fn first_sync_data_types(source_type: SourceType) -> &'static [&'static str] {
    match source_type {
        SourceType::Accounting => &[
            "company",
            "chartOfAccounts",
            "customers",
            "suppliers",
            "invoices",
            "bills",
            "bankAccounts",
            "balanceSheet",
            "profitAndLoss",
        ],
        SourceType::Banking => &["banking-accounts", "banking-accountBalances", "banking-transactions"],
        SourceType::Commerce => &[
            "commerce-companyInfo",
            "commerce-customers",
            "commerce-orders",
            "commerce-payments",
            "commerce-products",
        ],
        _ => &[],
    }
}

/// Whether a platform of this kind offers a data type at all.
pub fn supports(source_type: SourceType, data_type: &str) -> bool {
    match source_type {
        SourceType::Banking => data_type.starts_with("banking-"),
        SourceType::Commerce => data_type.starts_with("commerce-"),
        SourceType::Accounting => !data_type.contains('-'),
        _ => false,
    }
}

/// A pull operation with the time window over which it runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullRecord {
    /// Id of the operation.
    pub id: String,
    /// The company.
    pub company_id: String,
    /// The connection read from.
    pub connection_id: String,
    /// The data type.
    pub data_type: String,
    /// When it was asked for (Unix milliseconds).
    pub requested_ms: i64,
    /// When fetching starts.
    pub start_ms: i64,
    /// When it completes.
    pub end_ms: i64,
    /// False for a data type the platform does not offer.
    pub supported: bool,
    /// Ends in `FetchError` instead of `Complete`.
    #[serde(default)]
    pub fails: bool,
}

impl PullRecord {
    /// The operation as Codat reports it at `now_ms`.
    pub fn operation(&self, now_ms: i64) -> PullOperation {
        let (status, progress) = self.status_at(now_ms);
        PullOperation {
            id: self.id.clone(),
            company_id: self.company_id.clone(),
            connection_id: self.connection_id.clone(),
            data_type: self.data_type.clone(),
            status,
            status_description: None,
            error_message: match status {
                PullStatus::NotSupported => {
                    Some(format!("{} is not supported by this integration.", self.data_type))
                }
                PullStatus::FetchError => {
                    Some(format!("The platform did not answer while {} was read.", self.data_type))
                }
                _ => None,
            },
            requested: iso(self.requested_ms),
            completed: status.is_terminal().then(|| iso(self.end_ms)),
            progress,
            is_completed: status == PullStatus::Complete,
            is_errored: status.is_error(),
        }
    }

    /// Status and percent done at `now_ms`.
    pub fn status_at(&self, now_ms: i64) -> (PullStatus, i32) {
        if !self.supported {
            return (PullStatus::NotSupported, 100);
        }
        let length = (self.end_ms - self.start_ms).max(1);
        let elapsed = now_ms - self.start_ms;
        if elapsed < 0 {
            (PullStatus::Queued, 0)
        } else if elapsed >= length && self.fails {
            (PullStatus::FetchError, 100)
        } else if elapsed >= length {
            (PullStatus::Complete, 100)
        } else {
            let percent = (elapsed * 100 / length) as i32;
            let status = if percent < 70 { PullStatus::Fetching } else { PullStatus::Mapping };
            (status, percent.clamp(1, 99))
        }
    }
}

/// Pull records for `data_types`, spread one after another over `duration_ms` from `now_ms`.
pub fn schedule(
    company_id: &str,
    connection_id: &str,
    source_type: SourceType,
    data_types: &[&str],
    now_ms: i64,
    duration_ms: i64,
) -> Vec<PullRecord> {
    let count = data_types.len().max(1) as i64;
    let slot = duration_ms / count;
    data_types
        .iter()
        .enumerate()
        .map(|(index, data_type)| PullRecord {
            id: uuid::Uuid::new_v4().to_string(),
            company_id: company_id.to_owned(),
            connection_id: connection_id.to_owned(),
            data_type: (*data_type).to_owned(),
            requested_ms: now_ms,
            start_ms: now_ms + slot * index as i64,
            end_ms: now_ms + slot * (index as i64 + 1),
            supported: supports(source_type, data_type),
            fails: false,
        })
        .collect()
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

/// Unix milliseconds as Codat's ISO 8601.
pub fn iso(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pull_moves_through_codats_states_in_order() {
        let records = schedule("c", "k", SourceType::Banking, &["banking-accounts"], 1_000, 1_000);
        let record = &records[0];
        assert_eq!(record.status_at(999).0, PullStatus::Queued);
        assert_eq!(record.status_at(1_100).0, PullStatus::Fetching);
        assert_eq!(record.status_at(1_900).0, PullStatus::Mapping);
        assert_eq!(record.status_at(2_000), (PullStatus::Complete, 100));
        assert!(record.operation(2_000).is_completed);
    }

    #[test]
    fn data_types_run_one_after_another_within_the_duration() {
        let records = schedule(
            "c",
            "k",
            SourceType::Accounting,
            first_sync_data_types(SourceType::Accounting),
            0,
            9_000,
        );
        assert_eq!(records.len(), 9);
        assert_eq!(records.last().unwrap().end_ms, 9_000);
        assert_eq!(records[0].status_at(500).0, PullStatus::Fetching);
        assert_eq!(records[1].status_at(500).0, PullStatus::Queued);
    }

    #[test]
    fn a_failing_read_ends_in_a_fetch_error_with_a_message() {
        let mut records = schedule("c", "k", SourceType::Accounting, &["bills"], 0, 10);
        records[0].fails = true;
        let operation = records[0].operation(10);
        assert_eq!(operation.status, PullStatus::FetchError);
        assert!(operation.is_errored && !operation.is_completed);
        assert!(operation.error_message.unwrap().contains("bills"));
    }

    #[test]
    fn a_data_type_the_platform_lacks_is_not_supported() {
        let records = schedule("c", "k", SourceType::Banking, &["invoices"], 0, 10);
        assert_eq!(records[0].operation(0).status, PullStatus::NotSupported);
        assert!(!records[0].operation(0).is_errored);
    }

    #[test]
    fn every_first_sync_type_is_a_codat_data_type() {
        for kind in [SourceType::Accounting, SourceType::Banking, SourceType::Commerce] {
            for data_type in first_sync_data_types(kind) {
                assert!(ALL_DATA_TYPES.contains(data_type), "{data_type}");
                assert!(supports(kind, data_type), "{data_type}");
            }
        }
    }
}
