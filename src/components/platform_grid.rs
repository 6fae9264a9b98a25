//! The integration picker's grid: the platforms of one kind, filtered by the search, a page at
//! a time; or, on the accounting tab of a business that has its accounting platform, a way to it.

use crate::{
    api,
    components::{
        integration_card::{IntegrationCard, SearchMatch},
        notice::{ErrorNotice, SkeletonGrid},
    },
    embed,
    i18n::{fill, messages},
    loaded::Loaded,
    picker,
    routes::Page,
};
use codat_connect_api::search::{self, SearchIndex};
use codat_connect_api::{IntegrationCard as Card, SourceType};
use leptos::prelude::*;

/// The grid for the chosen tab, loaded from the proxy, with the business's connections (a
/// business shares one accounting platform).
#[component]
pub fn PlatformGrid(
    /// The kind of platform shown.
    tab: RwSignal<SourceType>,
    /// The search box's text.
    search: RwSignal<String>,
    /// Called with the platform when a card is chosen.
    on_connect: Callback<crate::picker::Chosen>,
    /// True while a connection is being started.
    busy: Signal<bool>,
    /// The business's connections.
    connections: Loaded<Vec<codat_connect_api::Connection>>,
    /// Set to how many platforms the search finds.
    found: RwSignal<usize>,
) -> impl IntoView {
    let cards = Loaded::new(move || api::integrations(tab.get()));
    move || match (cards.get(), connections.get()) {
        (None, _) | (_, None) => view! { <SkeletonGrid/> }.into_any(),
        (Some(Err(failure)), _) => {
            view! { <ErrorNotice failure on_retry=move |_| cards.reload()/> }.into_any()
        }
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
                None => view! { <Grid cards=list search on_connect busy found kind=tab.get_untracked()/> }
                    .into_any(),
            }
        }
    }
}

/// The cards matching the search.
#[component]
fn Grid(
    cards: Vec<Card>,
    search: RwSignal<String>,
    on_connect: Callback<crate::picker::Chosen>,
    busy: Signal<bool>,
    found: RwSignal<usize>,
    kind: SourceType,
) -> impl IntoView {
    api::funnel(codat_connect_api::FunnelStep::GridShown { source_type: kind });
    if cards.is_empty() {
        return view! { <p class="notice">{messages().no_platforms}</p> }.into_any();
    }
    // Marks the moment the cards are on screen, for `cargo xtask bench` (Performance API); the
    // button images follow once that frame has been painted (a timeout set in the frame's
    // callback runs after its paint).
    let grid_painted = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(performance) = window().performance() {
            let _ = performance.mark("cc-grid-ready");
        }
        request_animation_frame(move || {
            set_timeout(move || grid_painted.set(true), std::time::Duration::ZERO);
        });
    });
    // The cards matching the search (by name or alias, best first), a page at a time: a
    // catalogue of a thousand platforms renders (and loads the images of) the first few dozen,
    // and a keystroke changes only the cards that enter or leave, and what each shows matched.
    // The names and aliases are folded for the search at its first word, not before the grid
    // is first shown.
    let count = cards.len();
    let cards = StoredValue::new(cards);
    let index = std::sync::OnceLock::new();
    let results = Memo::new(move |_| {
        let text = search.get();
        if text.trim().is_empty() {
            return search::every_card(count);
        }
        let index =
            index.get_or_init(|| cards.with_value(|cards| SearchIndex::of_cards(cards, picker::lower_case)));
        index.find(&text)
    });
    Effect::new(move |_| found.set(results.with(Vec::len)));
    let limit = RwSignal::new(picker::PAGE_SIZE);
    let more = move || results.with(|all| all.len().saturating_sub(limit.get()));
    view! {
        <ul class="integration-grid">
            <For
                each=move || results.with(|all| all.iter().map(|found| found.card).collect::<Vec<usize>>()).into_iter().take(limit.get())
                key=|index| *index
                children=move |index| {
                    let card = cards.with_value(|cards| cards[index].clone());
                    // The first cards are in view on any screen: their images load at once.
                    let eager = results.with_untracked(|all| all.iter().position(|found| found.card == index))
                        .is_some_and(|place| place < picker::CARDS_IN_VIEW);
                    let matched = SearchMatch { results, card: index };
                    view! { <IntegrationCard card on_connect busy grid_painted eager matched/> }
                }
            />
        </ul>
        {move || (more() > 0).then(|| view! {
            <button type="button" class="button show-more" on:click=move |_| limit.update(|n| *n += picker::PAGE_SIZE)>
                {fill(messages().show_more_platforms, &[("count", &more().to_string())])}
            </button>
        })}
        {move || results.with(Vec::is_empty).then(|| view! {
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
