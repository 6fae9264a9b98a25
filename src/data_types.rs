//! How the first data sync reads to a business owner: data types in words, and a summary.

use crate::i18n::{fill, Messages};
use codat_connect_api::{DataTypeProgress, SyncState};

/// A data type in words, from the catalogue; one it does not name is spelt out from Codat's
/// name (`purchaseOrders` reads "Purchase orders").
pub fn label(m: &Messages, data_type: &str) -> String {
    if let Some((_, words)) = m.data_types.iter().find(|(name, _)| *name == data_type) {
        return (*words).to_owned();
    }
    let bare = data_type.rsplit('-').next().unwrap_or(data_type);
    let mut words = String::with_capacity(bare.len() + 4);
    for (index, c) in bare.chars().enumerate() {
        // Codat's data type names are ASCII camelCase.
        if index == 0 {
            words.push(c.to_ascii_uppercase());
        } else if c.is_ascii_uppercase() {
            words.push(' ');
            words.push(c.to_ascii_lowercase());
        } else {
            words.push(c);
        }
    }
    words
}

/// What a state says to the owner.
pub fn state_label(m: &Messages, state: SyncState) -> &'static str {
    match state {
        SyncState::Queued => m.state_waiting,
        SyncState::Fetching => m.state_reading,
        SyncState::Complete => m.state_done,
        SyncState::Failed => m.state_failed,
        SyncState::NotSupported => m.state_not_available,
    }
}

/// One sentence for the whole sync, for the live region.
pub fn summary(m: &Messages, progress: &[DataTypeProgress]) -> String {
    if progress.is_empty() {
        return m.sync_starting.to_owned();
    }
    let done = progress.iter().filter(|p| p.state.is_finished()).count();
    let failed = progress.iter().filter(|p| p.state == SyncState::Failed).count();
    match (done == progress.len(), failed) {
        (true, 0) => m.sync_done.to_owned(),
        (true, failed) => fill(m.sync_done_with_failures, &[("failed", &failed.to_string())]),
        (false, _) => {
            fill(m.sync_progress, &[("done", &done.to_string()), ("total", &progress.len().to_string())])
        }
    }
}

/// True once every data type has finished (well or badly).
pub fn is_finished(progress: &[DataTypeProgress]) -> bool {
    !progress.is_empty() && progress.iter().all(|p| p.state.is_finished())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Locale;

    fn item(data_type: &str, state: SyncState) -> DataTypeProgress {
        DataTypeProgress { data_type: data_type.into(), state }
    }

    #[test]
    fn data_types_read_as_words_in_each_language() {
        let (en, fr) = (Locale::En.messages(), Locale::FrCa.messages());
        assert_eq!(label(en, "chartOfAccounts"), "Chart of accounts");
        assert_eq!(label(fr, "chartOfAccounts"), "Plan comptable");
        assert_eq!(label(en, "banking-accounts"), "Bank accounts");
        assert_eq!(label(en, "purchaseOrders"), "Purchase orders");
        assert_eq!(label(en, "commerce-disputes"), "Disputes");
    }

    #[test]
    fn the_summary_counts_finished_data_types() {
        let en = Locale::En.messages();
        let running = [item("invoices", SyncState::Complete), item("bills", SyncState::Fetching)];
        assert_eq!(summary(en, &running), "Read 1 of 2 kinds of data…");
        assert_eq!(summary(Locale::FrCa.messages(), &running), "1 types de données lus sur 2…");
        assert!(!is_finished(&running));
        let done = [item("invoices", SyncState::Complete), item("bills", SyncState::NotSupported)];
        assert_eq!(summary(en, &done), en.sync_done);
        assert!(is_finished(&done));
        let failed = [item("invoices", SyncState::Failed)];
        assert!(summary(en, &failed).contains("1 kind(s)"));
        assert!(!is_finished(&[]));
    }
}
