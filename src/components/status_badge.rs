//! A connection's status as a coloured badge with words (never colour alone).

use codat_connect_api::ConnectionStatus;
use leptos::prelude::*;

/// The label and CSS modifier for a status.
pub fn describe(status: ConnectionStatus) -> (&'static str, &'static str) {
    match status {
        ConnectionStatus::Linked => ("Connected", "status-linked"),
        ConnectionStatus::PendingAuth => ("Not finished", "status-pending"),
        ConnectionStatus::Unlinked => ("Disconnected", "status-unlinked"),
        ConnectionStatus::Deauthorized => ("Needs reconnecting", "status-deauthorized"),
        ConnectionStatus::Unknown => ("Unknown", "status-unknown"),
    }
}

/// The badge.
#[component]
pub fn StatusBadge(
    /// The status to show.
    status: ConnectionStatus,
) -> impl IntoView {
    let (label, modifier) = describe(status);
    view! { <span class=format!("status-badge {modifier}")>{label}</span> }
}
