//! What needs the owner now, said on the first page they see (not only in their connections): a
//! connection that lost its access, with a one-click reconnect, and data that could not be read,
//! with "Read it again". The host page is told once, with `attention_needed`.

use crate::{
    api,
    components::connection_start::ConnectionStart,
    embed::{self, EmbedEvent},
    i18n::{fill, messages},
    loaded::Loaded,
    mutation::Mutation,
};
use codat_connect_api::{Connection, ConnectionStatus, SyncState};
use leptos::prelude::*;

/// The notices, above the picker.
#[component]
pub fn AttentionNotices(
    /// The business's connections.
    connections: Loaded<Vec<Connection>>,
    /// Starts the reconnection (a popup when embedded).
    start: ConnectionStart,
) -> impl IntoView {
    let m = messages();
    let sync = Loaded::new(api::sync_progress);
    let read_again = Mutation::new_local(|_: &()| api::refresh_sync());
    Effect::new(move |_| {
        if read_again.value().with(|answer| matches!(answer, Some(Ok(())))) {
            sync.reload();
        }
    });
    let lost = move || {
        let list = connections.get().and_then(Result::ok).unwrap_or_default();
        list.into_iter().filter(|c| c.status == ConnectionStatus::Deauthorized).collect::<Vec<_>>()
    };
    let reads_failed = move || {
        sync.get().and_then(Result::ok).is_some_and(|p| p.iter().any(|i| i.state == SyncState::Failed))
    };
    Effect::new(move |told: Option<bool>| {
        let connection_ids: Vec<String> = lost().into_iter().map(|c| c.id).collect();
        let reads_failed = reads_failed();
        let needed = !connection_ids.is_empty() || reads_failed;
        if needed && told != Some(true) {
            embed::notify(EmbedEvent::AttentionNeeded { connection_ids, reads_failed });
        }
        needed
    });
    view! {
        {move || lost().into_iter().map(|connection| {
            let id = connection.id;
            view! {
                <div class="notice notice-warning attention" role="status">
                    <p>{fill(m.attention_reauth, &[("platform", &connection.platform_name)])}</p>
                    <button type="button" class="button primary" on:click=move |_| start.renew(id.clone())>
                        {m.reconnect}
                    </button>
                </div>
            }
        }).collect_view()}
        {move || reads_failed().then(|| view! {
            <div class="notice notice-warning attention" role="status">
                <p>{m.attention_reads_failed}</p>
                <button type="button" class="button" disabled=read_again.pending()
                    on:click=move |_| read_again.dispatch_local(())>
                    {m.read_again}
                </button>
            </div>
        })}
    }
}
