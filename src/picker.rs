//! The integration picker's logic on plain types: which cards a tab and a search show, and
//! whether the business already has its one accounting platform.

use crate::i18n::Messages;
use codat_connect_api::{Connection, ConnectionStatus, SourceType};

/// Cards shown at first, and added by each "show more".
pub const PAGE_SIZE: usize = codat_connect_api::GRID_PAGE_SIZE;

/// Cards in view when the grid first shows, on a phone (one column) or a desktop (a few rows
/// of several): their images load at once, the rest as they near the screen.
pub const CARDS_IN_VIEW: usize = 8;

/// The tabs of the picker, in order: one per kind of platform a lender can ask for.
pub const TABS: [SourceType; 3] = codat_connect_api::Requirements::KINDS;

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

/// The search text as names are compared with it.
pub fn needle(search: &str) -> String {
    lower_case(search.trim())
}

/// `text` in lower case, by Unicode's rules. In the browser the browser's own case mapping does
/// it, which keeps Rust's Unicode tables (~15 KB) out of the bundle.
pub fn lower_case(text: &str) -> String {
    #[cfg(target_arch = "wasm32")]
    return String::from(js_sys::JsString::from(text).to_lower_case());
    #[cfg(not(target_arch = "wasm32"))]
    return text.to_lowercase();
}

/// Whether a lower-cased name matches a [`needle`] (a blank needle matches everything).
pub fn matches(lower_case_name: &str, needle: &str) -> bool {
    needle.is_empty() || lower_case_name.contains(needle)
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
    use codat_connect_api::IntegrationCard;

    fn card(name: &str) -> IntegrationCard {
        IntegrationCard {
            platform_key: name.to_lowercase().chars().take(4).collect(),
            name: name.into(),
            source_type: SourceType::Accounting,
            logo_url: String::new(),
            logo_alt: String::new(),
            button_url: None,
            button_hover_url: None,
            is_beta: false,
        }
    }

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
        }
    }

    /// The cards a search shows, as the grid picks them.
    fn filter<'c>(cards: &'c [IntegrationCard], search: &str) -> Vec<&'c IntegrationCard> {
        let needle = needle(search);
        cards.iter().filter(|card| matches(&lower_case(&card.name), &needle)).collect()
    }

    #[test]
    fn search_is_case_insensitive_and_blank_shows_everything() {
        let cards = [card("QuickBooks Online"), card("Xero"), card("QuickBooks Desktop")];
        assert_eq!(filter(&cards, "  quickb ").len(), 2);
        assert_eq!(filter(&cards, "").len(), 3);
        assert!(filter(&cards, "sage").is_empty());
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
