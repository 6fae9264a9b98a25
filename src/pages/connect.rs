//! Steps 2 and 3: the integration picker. Choosing a card starts a connection and sends the
//! browser to its Link URL, fetched at that moment.

use crate::{
    api,
    components::{
        attention::AttentionNotices,
        cant_find::CantFind,
        checklist::{Checklist, DoneButton},
        connection_start::ConnectionStart,
        consent::ConsentDialog,
        documents::Documents,
        handoff::Handoff,
        notice::ErrorNotice,
        platform_grid::PlatformGrid,
    },
    embed,
    i18n::messages,
    loaded::Loaded,
    picker,
};
use codat_connect_api::{FunnelStep, Requirement, SourceType};
use leptos::{html, prelude::*};

/// What needs the owner's attention, the lender's checklist, tabs for accounting, banking and
/// commerce (those the lender and the host offer), a search box, and the grid of platforms.
#[component]
pub fn ConnectPage() -> impl IntoView {
    let m = messages();
    let session = Loaded::new(api::session);
    let connections = Loaded::new(api::connections);
    let current = move || session.get().and_then(Result::ok).flatten();
    let requirements = move || current().map(|s| s.requirements);
    let offered = embed::options().map(|options| options.tabs()).unwrap_or_else(|| picker::TABS.to_vec());
    let first = offered[0];
    let tabs = Signal::derive(move || {
        let requirements = requirements().unwrap_or_default();
        let shown: Vec<SourceType> =
            offered.iter().copied().filter(|kind| requirements.of(*kind) != Requirement::Hidden).collect();
        if shown.is_empty() {
            offered.clone()
        } else {
            shown
        }
    });
    let tab = RwSignal::new(first);
    // A card asks for consent first; "Agree and continue" starts the connection (in its click).
    let chosen = RwSignal::new(None::<picker::Chosen>);
    // The lender may hide the kind shown first; and the lender's session may open at one
    // platform: its consent step, once, with the grid behind it (one effect: each costs bytes).
    Effect::new(move |opened: Option<bool>| {
        let tabs = tabs.get();
        if !tabs.contains(&tab.get_untracked()) {
            tab.set(tabs[0]);
        }
        let Some(session) = session.get().and_then(Result::ok).flatten() else { return false };
        if opened != Some(true) {
            if let (Some(key), Some(name), Some(kind)) =
                (session.opening_key, session.opening_name, session.opening_kind)
            {
                if tabs.contains(&kind)
                    && embed::options().is_none_or(|options| options.allows_platform(&key))
                {
                    tab.set(kind);
                    let desktop_only = session.opening_desktop_only;
                    chosen.set(Some(picker::Chosen { key, name, desktop_only }));
                }
            }
        }
        true
    });
    let search = RwSignal::new(String::new());
    let start = ConnectionStart::on_page();
    let busy = start.busy();
    let on_connect = Callback::new(move |platform: picker::Chosen| {
        api::funnel(FunnelStep::PlatformChosen { platform_key: platform.key.clone() });
        chosen.set(Some(platform));
    });
    // How many platforms the search finds, for the lender's funnel.
    let found = RwSignal::new(0usize);
    let searched = move |_| {
        let text = search.get_untracked();
        if !text.trim().is_empty() {
            let results = found.get_untracked() as u32;
            let text = (results == 0).then_some(text);
            api::funnel(FunnelStep::SearchMade { source_type: tab.get_untracked(), results, text });
        }
    };
    // Rendered again only when the answer changes, not at each reading of the session.
    let sent = Signal::derive(move || current().map(|s| s.documents_sent).unwrap_or_default());
    let takes_documents = Memo::new(move |_| requirements().is_some_and(|r| r.takes_documents(tab.get())));
    let on_agree = Callback::new(move |(key, consent)| start.start(key, consent));
    // The consent dialog, and the request for its terms, come once the page has painted: none
    // of it shows before a card is chosen, so it stays out of the first view's time and bytes.
    let painted = RwSignal::new(false);
    request_animation_frame(move || set_timeout(move || painted.set(true), std::time::Duration::ZERO));
    // Shown above the grid, likely scrolled away from the card just chosen.
    let failure_notice = NodeRef::<html::Div>::new();
    Effect::new(move |_| {
        if let Some(notice) = failure_notice.get() {
            notice.scroll_into_view();
        }
    });
    view! {
        <section class="panel">
            <AttentionNotices connections start/>
            <h1>{move || picker::tab_heading(m, tab.get())}</h1>
            <p class="lead">{m.picker_lead}</p>
            {move || current().map(|s| view! { <Checklist requirements=s.requirements documented=s.documented connections/> })}
            <div class="picker-controls">
                <TabBar tabs tab search/>
                <input type="search" class="search" placeholder=m.search_platforms aria-label=m.search_platforms
                    autocomplete="off" bind:value=search on:change=searched/>
            </div>
            {move || start.failure().map(|failure| view! {
                <div node_ref=failure_notice><ErrorNotice failure on_retry=move |_| start.dismiss()/></div>
            })}
            <p class="visually-hidden" role="status">
                {move || if busy.get() && !embed::is_embedded() { m.opening_sign_in } else { "" }}
            </p>
            {start.link_window.view()}
            {move || painted.get().then(|| view! { <ConsentDialog chosen kind=tab on_agree connections/> })}
            <PlatformGrid tab search on_connect busy connections found/>
            <div class="actions"><DoneButton session connections/></div>
            {move || takes_documents.get().then(|| view! { <Documents tab sent on_sent=Callback::new(move |()| session.reload())/> })}
            <CantFind tab/>
            <Handoff/>
        </section>
    }
}

/// The kinds of platform to choose between (none shown when the host allows only one); a new
/// tab starts with an empty search.
#[component]
fn TabBar(
    tabs: Signal<Vec<SourceType>>,
    tab: RwSignal<SourceType>,
    search: RwSignal<String>,
) -> impl IntoView {
    let m = messages();
    move || {
        let tabs = tabs.get();
        (tabs.len() > 1).then(|| {
            view! {
                <div class="segmented" role="group" aria-label=m.kind_of_platform>
                    {tabs.into_iter().map(|kind| view! {
                        <button type="button" aria-pressed=move || (tab.get() == kind).to_string()
                            on:click=move |_| {
                            tab.set(kind);
                            search.set(String::new());
                            api::funnel(FunnelStep::TabChosen { source_type: kind });
                        }>
                            {picker::tab_label(m, kind)}
                        </button>
                    }).collect_view()}
                </div>
            }
        })
    }
}
