//! Step 5: the merchant's connections, kept current by the proxy's event stream.

use crate::routes::Page;
use crate::{
    api,
    components::{
        checklist::DoneButton,
        connection_row::{ConnectionAction, ConnectionRow},
        notice::ErrorNotice,
    },
    i18n::messages,
    live::use_live_events,
    loaded::Loaded,
    popup::LinkWindow,
};
use leptos::prelude::*;

/// The list of connections with their status and actions.
#[component]
pub fn ConnectionsPage() -> impl IntoView {
    let m = messages();
    let live = use_live_events();
    let (changes, set_changes) = signal(0u32);
    let connections = Loaded::new(move || {
        live.changes.track();
        live.resyncs.track();
        changes.track();
        api::connections()
    });
    // The list on screen. While the owner decides in a confirmation dialog it stays as it is,
    // even when an answer already on its way arrives: rebuilding the rows would close the dialog
    // under them. The latest answer is shown once the dialog closes.
    // An answer identical to the list shown changes nothing (the rows are not rebuilt).
    let deciding = RwSignal::new(false);
    let shown = RwSignal::new(None);
    Effect::new(move |_| {
        let latest = connections.get();
        if !deciding.get() && shown.with_untracked(|shown| *shown != latest) {
            shown.set(latest);
        }
    });
    // Embedded, "Reconnect" and "Finish connecting" open Link in a popup, as the picker does.
    let link_window = LinkWindow::new(Callback::new(|_| ()));
    // A row's action: a change reloads the list; a Link URL is followed.
    let action = ConnectionAction::for_list();
    Effect::new(move |_| match action.answer() {
        Some((_, Ok(Some(started)))) => link_window.follow(started),
        Some((_, Ok(None))) => set_changes.update(|n| *n += 1),
        Some((_, Err(_))) => link_window.close(),
        None => {}
    });
    view! {
        <section class="panel">
            <h1>{m.title_connections}</h1>
            <p class="lead">{m.connections_lead}</p>
            {link_window.view()}
            {move || match shown.get() {
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
                            <ConnectionRow connection action deciding link_window/>
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
