//! Steps 2 and 3: the integration picker. Choosing a card starts a connection and sends the
//! browser to its Link URL, fetched at that moment.

use crate::routes::Page;
use crate::{
    api,
    components::{
        integration_card::IntegrationCard,
        link_window::LinkWindow,
        notice::{ErrorNotice, SkeletonGrid},
    },
    embed::{self, EmbedEvent},
    i18n::{fill, messages},
    loaded::Loaded,
    picker,
};
use codat_connect_api::{IntegrationCard as Card, SourceType};
use leptos::{html, prelude::*};

/// Tabs for accounting, banking and commerce, a search box, and the grid of platforms.
#[component]
pub fn ConnectPage() -> impl IntoView {
    let m = messages();
    let tabs = embed::options().map(|options| options.tabs()).unwrap_or_else(|| picker::TABS.to_vec());
    let tab = RwSignal::new(tabs[0]);
    let search = RwSignal::new(String::new());
    let cards = Loaded::new(move || api::integrations(tab.get()));
    let connections = Loaded::new(api::connections);
    // Starting a connection: pending while the proxy answers, then its answer, until the owner
    // is back at the grid (the popup closed early or was blocked, or a failure dismissed).
    let connect = Action::new_local(|platform_key: &String| {
        let platform_key = platform_key.clone();
        async move { api::connect(&platform_key).await }
    });
    let started = connect.value();
    let busy = Signal::derive(move || {
        connect.pending().get() || started.with(|answer| matches!(answer, Some(Ok(_))))
    });
    let link_window = LinkWindow::new(Callback::new(move |_| connect.clear()));
    Effect::new(move |_| match started.get() {
        Some(Ok(started)) => link_window.follow(started),
        Some(Err(failure)) => {
            link_window.close();
            embed::notify(EmbedEvent::Error {
                code: failure.code().into(),
                message: failure.message(),
                recoverable: !failure.is_not_signed_in(),
            });
        }
        None => {}
    });
    let on_connect = Callback::new(move |key: String| {
        // Browsers allow a popup only during the click, before the link is known.
        link_window.open_blank();
        connect.dispatch_local(key);
    });
    let connect_failure = move || started.get().and_then(Result::err);
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
                {(tabs.len() > 1).then(|| view! {
                <div class="segmented" role="group" aria-label=m.kind_of_platform>
                    {tabs.iter().copied().map(|kind| view! {
                        <button type="button" aria-pressed=move || (tab.get() == kind).to_string()
                            on:click=move |_| { tab.set(kind); search.set(String::new()); }>
                            {picker::tab_label(m, kind)}
                        </button>
                    }).collect_view()}
                </div>
                })}
                <input type="search" class="search" placeholder=m.search_platforms aria-label=m.search_platforms
                    autocomplete="off" bind:value=search/>
            </div>
            {move || connect_failure().map(|failure| view! {
                <div node_ref=failure_notice><ErrorNotice failure on_retry=move |_| connect.clear()/></div>
            })}
            <p class="visually-hidden" role="status">
                {move || if busy.get() && !embed::is_embedded() { m.opening_sign_in } else { "" }}
            </p>
            {link_window.view()}
            {move || match (cards.get(), connections.get()) {
                (None, _) | (_, None) => view! { <SkeletonGrid/> }.into_any(),
                (Some(Err(failure)), _) => view! { <ErrorNotice failure on_retry=move |_| cards.reload()/> }.into_any(),
                (Some(Ok(mut list)), Some(existing)) => {
                    if let Some(options) = embed::options() {
                        list.retain(|card| options.allows_platform(&card.platform_key));
                    }
                    let existing = existing.unwrap_or_default();
                    let accounting = (tab.get_untracked() == SourceType::Accounting)
                        .then(|| picker::accounting_connection(&existing).map(|c| c.platform_name.clone()))
                        .flatten();
                    match accounting {
                        Some(name) => view! { <AccountingConnected name/> }.into_any(),
                        None => view! { <Grid cards=list search on_connect busy/> }.into_any(),
                    }
                }
            }}
            <details class="cant-find">
                <summary>{m.cant_find}</summary>
                <p>{m.cant_find_text}</p>
            </details>
        </section>
    }
}

/// The cards matching the search.
#[component]
fn Grid(
    cards: Vec<Card>,
    search: RwSignal<String>,
    on_connect: Callback<String>,
    busy: Signal<bool>,
) -> impl IntoView {
    if cards.is_empty() {
        return view! { <p class="notice">{messages().no_platforms}</p> }.into_any();
    }
    // Marks the moment the cards are on screen, for `cargo xtask bench` (Performance API).
    Effect::new(move |_| {
        if let Some(performance) = window().performance() {
            let _ = performance.mark("cc-grid-ready");
        }
    });
    // The cards matching the search, a page at a time: a catalogue of a thousand platforms
    // renders (and loads the images of) the first few dozen, and a keystroke changes only the
    // cards that enter or leave.
    let names: Vec<String> = cards.iter().map(|card| picker::lower_case(&card.name)).collect();
    let matching = Memo::new(move |_| {
        let needle = picker::needle(&search.get());
        (0..names.len()).filter(|&index| picker::matches(&names[index], &needle)).collect::<Vec<usize>>()
    });
    let limit = RwSignal::new(picker::PAGE_SIZE);
    let cards = StoredValue::new(cards);
    let more = move || matching.with(|all| all.len().saturating_sub(limit.get()));
    view! {
        <ul class="integration-grid">
            <For
                each=move || matching.get().into_iter().take(limit.get())
                key=|index| *index
                children=move |index| {
                    let card = cards.with_value(|cards| cards[index].clone());
                    view! { <IntegrationCard card on_connect busy/> }
                }
            />
        </ul>
        {move || (more() > 0).then(|| view! {
            <button type="button" class="button show-more" on:click=move |_| limit.update(|n| *n += picker::PAGE_SIZE)>
                {fill(messages().show_more_platforms, &[("count", &more().to_string())])}
            </button>
        })}
        {move || matching.with(Vec::is_empty).then(|| view! {
            <p class="notice" role="status">{fill(messages().no_match, &[("text", search.get().trim())])}</p>
        })}
    }
    .into_any()
}

/// A business shares one accounting platform; the one it has is managed, not added to.
#[component]
fn AccountingConnected(name: String) -> impl IntoView {
    view! {
        <div class="notice">
            <p>{fill(messages().accounting_connected, &[("name", &name)])}</p>
            <a href=Page::Connections.href() class="button primary">{messages().manage}</a>
        </div>
    }
}
