//! Whether a merchant is ready for a credit decision: every kind of platform its lender requires
//! is linked and its first read has finished, or has documents sent where the lender takes them
//! instead (and at least one kind is, when none is required).

use crate::db::{DataRead, StoredConnection, StoredDocument};
use codat::ConnectionStatus;
use codat_connect_api::{Progress, Requirement, Requirements, SourceType, SyncState};

/// Where a merchant stands against its requirements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    /// Each offered kind linked (complete), required and not (missing), or optional and not (skipped).
    pub progress: Progress,
    /// Linked kinds whose first read has not finished well yet.
    pub reading: Vec<SourceType>,
    /// A connection lost its access or a read failed: the owner must act.
    pub attention_needed: bool,
    /// Ready for a decision.
    pub ready: bool,
}

/// The kind of platform a Codat data type is read from: `banking-*` and `commerce-*` are named
/// so; the rest are accounting data types.
pub fn kind_of_data_type(data_type: &str) -> SourceType {
    if data_type.starts_with("banking-") {
        SourceType::Banking
    } else if data_type.starts_with("commerce-") {
        SourceType::Commerce
    } else {
        SourceType::Accounting
    }
}

/// The kinds a merchant sent documents for, once each.
pub fn documented(documents: &[StoredDocument]) -> Vec<SourceType> {
    let mut kinds: Vec<SourceType> = documents.iter().map(StoredDocument::kind).collect();
    kinds.sort_by_key(|kind| kind.as_str());
    kinds.dedup();
    kinds
}

/// Assesses a merchant from what is stored of its connections, reads and the kinds it sent
/// documents for (`documented`).
pub fn assess(
    requirements: &Requirements,
    connections: &[StoredConnection],
    reads: &[DataRead],
    documented: &[SourceType],
) -> Assessment {
    let by_documents = |kind: SourceType| requirements.takes_documents(kind) && documented.contains(&kind);
    let platform_linked = |kind: SourceType| {
        connections.iter().any(|c| c.status == ConnectionStatus::Linked && c.kind() == kind)
    };
    let linked = |kind: SourceType| platform_linked(kind) || by_documents(kind);
    let first_read_done = |kind: SourceType| {
        let mut of_kind = reads.iter().filter(|r| kind_of_data_type(&r.data_type) == kind).peekable();
        of_kind.peek().is_some()
            && of_kind.all(|r| matches!(r.status, SyncState::Complete | SyncState::NotSupported))
    };
    let progress = Progress::of(requirements, linked);
    let done = |kind: SourceType| by_documents(kind) || (platform_linked(kind) && first_read_done(kind));
    let reading: Vec<SourceType> = progress.complete.iter().copied().filter(|k| !done(*k)).collect();
    let required_done = Requirements::KINDS
        .iter()
        .filter(|kind| requirements.of(**kind) == Requirement::Required)
        .all(|kind| done(*kind));
    let ready = required_done && progress.complete.iter().any(|kind| done(*kind));
    let attention_needed = connections.iter().any(|c| c.status == ConnectionStatus::Deauthorized)
        || reads.iter().any(|r| r.status == SyncState::Failed);
    Assessment { progress, reading, attention_needed, ready }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn connection(source_type: &str, status: &str) -> StoredConnection {
        StoredConnection {
            id: format!("{source_type}-{status}"),
            platform_key: None,
            platform_name: None,
            source_type: Some(source_type.into()),
            status: status.to_owned().try_into().unwrap(),
            created_at: Some(0),
            updated_at: 0,
            attempt_started_at: None,
        }
    }

    fn read(data_type: &str, status: &str) -> DataRead {
        DataRead { data_type: data_type.into(), status: status.to_owned().try_into().unwrap(), updated_at: 0 }
    }

    fn accounting_required() -> Requirements {
        Requirements { accounting: Requirement::Required, ..Requirements::default() }
    }

    #[test]
    fn documents_count_as_a_kind_linked_and_read_only_where_the_lender_takes_them() {
        let mut requirements = accounting_required();
        let accounting = [SourceType::Accounting];
        assert!(!assess(&requirements, &[], &[], &accounting).ready, "not taken instead of accounting");
        requirements.documents_instead = vec![SourceType::Accounting];
        let assessment = assess(&requirements, &[], &[], &accounting);
        assert!(assessment.ready);
        assert_eq!(assessment.progress.complete, vec![SourceType::Accounting]);
        assert!(assessment.reading.is_empty(), "documents need no read");
        assert!(!assess(&requirements, &[], &[], &[SourceType::Banking]).ready, "another kind's documents");
    }

    #[test]
    fn a_required_kind_must_be_linked_and_read_once() {
        let requirements = accounting_required();
        let linked = [connection("Accounting", "Linked")];
        let reading = [read("invoices", "Complete"), read("bills", "Fetching")];
        let assessment = assess(&requirements, &linked, &reading, &[]);
        assert!(!assessment.ready);
        assert_eq!(assessment.reading, vec![SourceType::Accounting]);
        let read_once = [read("invoices", "Complete"), read("bills", "NotSupported")];
        assert!(assess(&requirements, &linked, &read_once, &[]).ready);
        assert!(!assess(&requirements, &[], &read_once, &[]).ready, "read, but not linked any more");
    }

    #[test]
    fn optional_kinds_do_not_hold_readiness_back() {
        let requirements = accounting_required();
        let connections = [connection("Accounting", "Linked"), connection("Banking", "Linked")];
        let reads = [read("invoices", "Complete"), read("banking-accounts", "Queued")];
        let assessment = assess(&requirements, &connections, &reads, &[]);
        assert!(assessment.ready);
        assert_eq!(assessment.reading, vec![SourceType::Banking]);
    }

    #[test]
    fn with_nothing_required_one_kind_read_is_enough() {
        let none = Requirements::default();
        assert!(!assess(&none, &[], &[], &[]).ready);
        let connections = [connection("Commerce", "Linked")];
        assert!(assess(&none, &connections, &[read("commerce-orders", "Complete")], &[]).ready);
    }

    #[test]
    fn lost_access_and_failed_reads_need_attention() {
        let requirements = accounting_required();
        let lost = assess(&requirements, &[connection("Accounting", "Deauthorized")], &[], &[]);
        assert!(lost.attention_needed && !lost.ready);
        assert_eq!(lost.progress.missing, vec![SourceType::Accounting]);
        let failed =
            assess(&requirements, &[connection("Accounting", "Linked")], &[read("bills", "Failed")], &[]);
        assert!(failed.attention_needed && !failed.ready);
    }
}
