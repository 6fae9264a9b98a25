//! Steps 2 and 3: the integration picker. Choosing a card starts a connection and sends the
//! browser to its Link URL, fetched at that moment.

use crate::{
    components::{connection_start::ConnectionStart, notice::ErrorNotice, platform_grid::PlatformGrid},
    embed,
    i18n::messages,
    picker,
};
use codat_connect_api::SourceType;
use leptos::{html, prelude::*};

/// Tabs for accounting, banking and commerce, a search box, and the grid of platforms.
#[component]
pub fn ConnectPage() -> impl IntoView {
    let m = messages();
    let tabs = embed::options().map(|options| options.tabs()).unwrap_or_else(|| picker::TABS.to_vec());
    let tab = RwSignal::new(tabs[0]);
    let search = RwSignal::new(String::new());
    let start = ConnectionStart::on_page();
    let busy = start.busy();
    let on_connect = Callback::new(move |key: String| start.start(key));
    // Shown above the grid, likely scrolled away from the card just chosen.
    let failure_notice = NodeRef::<html::Div>::new();
    Effect::new(move |_| {
        if let Some(notice) = failure_notice.get() {
            notice.scroll_into_view();
        }
    });
    view! {
        <section class="panel">
            <h1>{move || picker::tab_heading(m, tab.get())}</h1>
            <p class="lead">{m.picker_lead}</p>
            <div class="picker-controls">
                <TabBar tabs tab search/>
                <input type="search" class="search" placeholder=m.search_platforms aria-label=m.search_platforms
                    autocomplete="off" bind:value=search/>
            </div>
            {move || start.failure().map(|failure| view! {
                <div node_ref=failure_notice><ErrorNotice failure on_retry=move |_| start.dismiss()/></div>
            })}
            <p class="visually-hidden" role="status">
                {move || if busy.get() && !embed::is_embedded() { m.opening_sign_in } else { "" }}
            </p>
            {start.link_window.view()}
            <PlatformGrid tab search on_connect busy/>
            <details class="cant-find">
                <summary>{m.cant_find}</summary>
                <p>{m.cant_find_text}</p>
            </details>
        </section>
    }
}

/// The kinds of platform to choose between (none shown when the host allows only one); a new
/// tab starts with an empty search.
#[component]
fn TabBar(tabs: Vec<SourceType>, tab: RwSignal<SourceType>, search: RwSignal<String>) -> impl IntoView {
    let m = messages();
    (tabs.len() > 1).then(|| {
        view! {
            <div class="segmented" role="group" aria-label=m.kind_of_platform>
                {tabs.into_iter().map(|kind| view! {
                    <button type="button" aria-pressed=move || (tab.get() == kind).to_string()
                        on:click=move |_| { tab.set(kind); search.set(String::new()); }>
                        {picker::tab_label(m, kind)}
                    </button>
                }).collect_view()}
            </div>
        }
    })
}
