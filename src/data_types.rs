//! How the first data sync reads to a business owner: data types in words, and a summary.

use codat_connect_api::{DataTypeProgress, SyncState};

/// A data type in words: `chartOfAccounts` is "Chart of accounts", `banking-accounts` is
/// "Bank accounts".
pub fn label(data_type: &str) -> String {
    let known = match data_type {
        "company" | "commerce-companyInfo" => Some("Company details"),
        "banking-accounts" | "bankAccounts" => Some("Bank accounts"),
        "banking-accountBalances" => Some("Account balances"),
        "banking-transactions" | "bankTransactions" => Some("Bank transactions"),
        "profitAndLoss" => Some("Profit and loss"),
        _ => None,
    };
    if let Some(known) = known {
        return known.to_owned();
    }
    let bare = data_type.rsplit('-').next().unwrap_or(data_type);
    let mut words = String::with_capacity(bare.len() + 4);
    for (index, c) in bare.chars().enumerate() {
        if c.is_uppercase() && index > 0 {
            words.push(' ');
            words.extend(c.to_lowercase());
        } else if index == 0 {
            words.extend(c.to_uppercase());
        } else {
            words.push(c);
        }
    }
    words
}

/// What a state says to the owner.
pub fn state_label(state: SyncState) -> &'static str {
    match state {
        SyncState::Queued => "Waiting",
        SyncState::Fetching => "Reading",
        SyncState::Complete => "Done",
        SyncState::Failed => "Failed",
        SyncState::NotSupported => "Not available",
    }
}

/// One sentence for the whole sync, for the live region.
pub fn summary(progress: &[DataTypeProgress]) -> String {
    if progress.is_empty() {
        return "Starting to read your data…".to_owned();
    }
    let done = progress.iter().filter(|p| p.state.is_finished()).count();
    let failed = progress.iter().filter(|p| p.state == SyncState::Failed).count();
    match (done == progress.len(), failed) {
        (true, 0) => "Every kind of data has been read. You can close this page.".to_owned(),
        (true, failed) => {
            format!("Finished, but {failed} kind(s) of data could not be read. We will try again.")
        }
        (false, _) => format!("Read {done} of {} kinds of data…", progress.len()),
    }
}

/// True once every data type has finished (well or badly).
pub fn is_finished(progress: &[DataTypeProgress]) -> bool {
    !progress.is_empty() && progress.iter().all(|p| p.state.is_finished())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(data_type: &str, state: SyncState) -> DataTypeProgress {
        DataTypeProgress { data_type: data_type.into(), state }
    }

    #[test]
    fn data_types_read_as_words() {
        assert_eq!(label("chartOfAccounts"), "Chart of accounts");
        assert_eq!(label("invoices"), "Invoices");
        assert_eq!(label("banking-accounts"), "Bank accounts");
        assert_eq!(label("commerce-orders"), "Orders");
        assert_eq!(label("profitAndLoss"), "Profit and loss");
    }

    #[test]
    fn the_summary_counts_finished_data_types() {
        let running = [item("invoices", SyncState::Complete), item("bills", SyncState::Fetching)];
        assert_eq!(summary(&running), "Read 1 of 2 kinds of data…");
        assert!(!is_finished(&running));
        let done = [item("invoices", SyncState::Complete), item("bills", SyncState::NotSupported)];
        assert!(summary(&done).starts_with("Every kind of data has been read"));
        assert!(is_finished(&done));
        let failed = [item("invoices", SyncState::Failed)];
        assert!(summary(&failed).contains("1 kind(s)"));
        assert!(!is_finished(&[]));
    }
}
