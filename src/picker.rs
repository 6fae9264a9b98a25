//! The integration picker's logic on plain types: the tabs, text in lower case for the search
//! (`codat_connect_api::search`), and whether the business already has its one accounting platform.

use crate::i18n::Messages;
use codat_connect_api::{Connection, ConnectionStatus, SourceType};

/// Cards shown at first, and added by each "show more".
pub const PAGE_SIZE: usize = codat_connect_api::GRID_PAGE_SIZE;

/// Cards in view when the grid first shows, on a phone (one column) or a desktop (a few rows
/// of several): their images load at once, the rest as they near the screen.
pub const CARDS_IN_VIEW: usize = 8;

/// The tabs of the picker, in order: one per kind of platform a lender can ask for.
pub const TABS: [SourceType; 3] = codat_connect_api::Requirements::KINDS;

/// A platform the owner chose (or the lender's session opens at), with what its consent step
/// says of it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Chosen {
    /// Its Codat key.
    pub key: String,
    /// Its name.
    pub name: String,
    /// It connects only from the computer it is installed on.
    pub desktop_only: bool,
}

/// The tab's label.
pub fn tab_label(m: &Messages, source_type: SourceType) -> &'static str {
    match source_type {
        SourceType::Accounting => m.tab_accounting,
        SourceType::Banking => m.tab_banking,
        SourceType::Commerce => m.tab_commerce,
        SourceType::Other => m.title_connect,
    }
}

/// The tab's heading.
pub fn tab_heading(m: &Messages, source_type: SourceType) -> &'static str {
    match source_type {
        SourceType::Accounting => m.heading_accounting,
        SourceType::Banking => m.heading_banking,
        SourceType::Commerce => m.heading_commerce,
        SourceType::Other => m.title_connect,
    }
}

/// `text` in lower case, by Unicode's rules. In the browser the browser's own case mapping does
/// it, which keeps Rust's Unicode tables (~15 KB) out of the bundle.
pub fn lower_case(text: &str) -> String {
    #[cfg(target_arch = "wasm32")]
    return String::from(js_sys::JsString::from(text).to_lower_case());
    #[cfg(not(target_arch = "wasm32"))]
    return text.to_lowercase();
}

/// The business's accounting connection, if it has one that counts: a company has at most one
/// accounting connection, and one abandoned before authorizing does not count.
pub fn accounting_connection(connections: &[Connection]) -> Option<&Connection> {
    connections
        .iter()
        .find(|c| c.source_type == SourceType::Accounting && c.status != ConnectionStatus::PendingAuth)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn connection(source_type: SourceType, status: ConnectionStatus) -> Connection {
        Connection {
            id: "c".into(),
            platform_key: Some("gbol".into()),
            platform_name: "Xero".into(),
            source_type,
            status,
            created: String::new(),
            last_sync: None,
            logo_url: None,
            consent: None,
            company_was: None,
            company_now: None,
        }
    }

    #[test]
    fn only_an_authorized_accounting_connection_counts() {
        let pending = [connection(SourceType::Accounting, ConnectionStatus::PendingAuth)];
        assert!(accounting_connection(&pending).is_none());
        let bank = [connection(SourceType::Banking, ConnectionStatus::Linked)];
        assert!(accounting_connection(&bank).is_none());
        let linked = [
            connection(SourceType::Banking, ConnectionStatus::Linked),
            connection(SourceType::Accounting, ConnectionStatus::Deauthorized),
        ];
        assert_eq!(accounting_connection(&linked).unwrap().status, ConnectionStatus::Deauthorized);
    }
}
