//! Step 5: the merchant's connections, kept current by the proxy's event stream.

use crate::routes::Page;
use crate::{
    api,
    components::{
        connection_row::ConnectionRow, link_window::LinkWindow, notice::ErrorNotice, shell::DoneButton,
    },
    i18n::messages,
    live::use_live_events,
    loaded::Loaded,
};
use leptos::prelude::*;

/// The list of connections with their status and actions.
#[component]
pub fn ConnectionsPage() -> impl IntoView {
    let m = messages();
    let live = use_live_events();
    let (changes, set_changes) = signal(0u32);
    // While the owner decides in a confirmation dialog, pushed updates wait: reloading would
    // rebuild the list and close the dialog under them. They are applied when it closes.
    let deciding = RwSignal::new(false);
    let waiting = RwSignal::new(false);
    Effect::new(move |ran_before: Option<()>| {
        live.changes.track();
        live.resyncs.track();
        if ran_before.is_some() {
            if deciding.get_untracked() {
                waiting.set(true);
            } else {
                set_changes.update(|n| *n += 1);
            }
        }
    });
    Effect::new(move |_| {
        if !deciding.get() && waiting.get_untracked() {
            waiting.set(false);
            set_changes.update(|n| *n += 1);
        }
    });
    let connections = Loaded::new(move || {
        changes.track();
        api::connections()
    });
    let on_changed = Callback::new(move |_| set_changes.update(|n| *n += 1));
    // Embedded, "Reconnect" and "Finish connecting" open Link in a popup, as the picker does.
    let link_window = LinkWindow::new(RwSignal::new(None));
    view! {
        <section class="panel">
            <h1>{m.title_connections}</h1>
            <p class="lead">{m.connections_lead}</p>
            {link_window.view()}
            {move || match connections.get() {
                None => view! { <p role="status">{m.loading_connections}</p> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! {
                    <div class="notice">
                        <p>{m.no_connections}</p>
                        <a href=Page::Connect.href() class="button primary">{m.connect_a_platform}</a>
                    </div>
                }.into_any(),
                Some(Ok(list)) => view! {
                    <ul class="connection-list">
                        {list.into_iter().map(|connection| view! {
                            <ConnectionRow connection on_changed deciding link_window/>
                        }).collect_view()}
                    </ul>
                    <div class="actions">
                        <a href=Page::Connect.href() class="button">{m.connect_another}</a>
                        <DoneButton/>
                    </div>
                }.into_any(),
                Some(Err(failure)) => view! {
                    <ErrorNotice failure on_retry=move |_| connections.reload()/>
                }.into_any(),
            }}
        </section>
    }
}
