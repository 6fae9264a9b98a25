//! A connection's status as a coloured badge with words (never colour alone).

use crate::i18n::{messages, Messages};
use codat_connect_api::ConnectionStatus;
use leptos::prelude::*;

/// The label and CSS modifier for a status.
pub fn describe(m: &Messages, status: ConnectionStatus) -> (&'static str, &'static str) {
    match status {
        ConnectionStatus::Linked => (m.status_connected, "status-linked"),
        ConnectionStatus::PendingAuth => (m.status_not_finished, "status-pending"),
        ConnectionStatus::Unlinked => (m.status_disconnected, "status-unlinked"),
        ConnectionStatus::Deauthorized => (m.status_needs_reconnecting, "status-deauthorized"),
        ConnectionStatus::Unknown => (m.status_unknown, "status-unknown"),
    }
}

/// A connection's status as a word and a colour, for the owner.
#[component]
pub fn StatusBadge(
    /// The status to show.
    status: ConnectionStatus,
) -> impl IntoView {
    let (label, modifier) = describe(messages(), status);
    view! { <span class=format!("status-badge {modifier}")>{label}</span> }
}
